// The `status` field of a completion callback: one value a Logic Apps workflow can branch on, from the outcome.
// Logic Apps gives a callback no way to mark the HTTP Webhook action failed (the action passes on whatever body
// it gets), so the workflow branches on `status`; `outcome` keeps the detail.
import type { Outcome } from '../outcomes';
import type { RolloutState } from '../rollouts/rolloutStore';

export const CALLBACK_STATUSES = ['Succeeded', 'Failed', 'TimedOut', 'Canceled'] as const;
export type CallbackStatus = (typeof CALLBACK_STATUSES)[number];

export function callbackStatus(outcome: Outcome): CallbackStatus {
  switch (outcome) {
    case 'Succeeded': return 'Succeeded';
    case 'TimedOut': return 'TimedOut';
    case 'Canceled': return 'Canceled';
    default: return 'Failed';
  }
}

/**
 * A rollout's: `completed` (every device was tried; the counters say how each fared) → Succeeded, `canceled` →
 * Canceled, `aborted` (an abort rule tripped) and `failed` → Failed.
 */
export function rolloutCallbackStatus(state: Exclude<RolloutState, 'running'>): CallbackStatus {
  switch (state) {
    case 'completed': return 'Succeeded';
    case 'canceled': return 'Canceled';
    default: return 'Failed';
  }
}
