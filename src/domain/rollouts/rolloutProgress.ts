// How a batch changes a rollout's counters: the orchestration and its activities apply the same functions, so
// the counters the orchestration carries and those in the summary row agree.
import type { Outcome } from '../outcomes';
import { move, stateOfOutcome, type RolloutCounters } from './rolloutCounters';

/** Acquired devices go in progress; busy ones (instanceId null) are done for this rollout. */
export function afterAcquire(counters: RolloutCounters, devices: ReadonlyArray<{ instanceId: string | null }>): RolloutCounters {
  const acquired = devices.filter((d) => d.instanceId !== null).length;
  return move(move(counters, 'queued', 'inProgress', acquired), 'queued', 'busy', devices.length - acquired);
}

export function afterOutcomes(counters: RolloutCounters, outcomes: readonly Outcome[]): RolloutCounters {
  return outcomes.reduce((c, outcome) => move(c, 'inProgress', stateOfOutcome(outcome)), counters);
}

/** Every queued device canceled (cancel or abort): in-flight ones have finished by then. */
export function afterClose(counters: RolloutCounters): RolloutCounters {
  return move(counters, 'queued', 'canceled', counters.queued);
}
