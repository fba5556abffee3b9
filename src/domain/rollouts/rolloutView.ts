// What callers see of a rollout's summary row: the status route's body (without its URLs, which carry the
// caller's key) and the rollout completion callback's body.
import { isRolloutOver, visibleState, type RolloutSummary } from './rolloutStore';

/** What callers see of a summary. */
export function rolloutView(s: RolloutSummary): Record<string, unknown> {
  return {
    rolloutId: s.rolloutId, operation: s.operation, state: visibleState(s), targetKind: s.targetKind, total: s.total, counters: s.counters,
    currentWave: s.currentWave, waves: s.waves, rate: s.rate, currentRate: s.currentRate, budget: s.budget,
    eta: isRolloutOver(s.state) ? null : s.eta, startAt: s.startAt, cancelRequested: s.cancelRequested, forceCancel: s.forceCancel,
    reason: s.reason, createdAt: s.createdAt, updatedAt: s.updatedAt, completedAt: s.completedAt,
  };
}

/**
 * A summary still `running` whose orchestration is over without closing it (it failed, or was terminated through
 * Durable's API) is reported `failed`: nothing will ever close it.
 */
export function unclosedAsFailed(s: RolloutSummary): RolloutSummary {
  if (isRolloutOver(s.state)) return s;
  return { ...s, state: 'failed', reason: 'The rollout orchestration ended without finishing the rollout; see the function logs.' };
}
