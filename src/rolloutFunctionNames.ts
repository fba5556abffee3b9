// Function names of the rollout API and orchestration, as registered in functions/rollouts.ts.
export const FUNCTION_ROLLOUT = Object.freeze({
  orchestrator: 'rollout',
  start: 'startRollout',
  status: 'getRolloutStatus',
  list: 'listRollouts',
  devices: 'listRolloutDevices',
  cancel: 'cancelRollout',
  pause: 'pauseRollout',
  resume: 'resumeRollout',
} as const);
