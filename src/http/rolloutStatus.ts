// GET /api/rollouts/{rolloutId}: the summary row — state (scheduled, running, paused, or how it ended), counters per
// device state, current wave, the rate in force, the hub budget in use, the ETA — 202 with Location and Retry-After
// until it is over, then 200. A rollout whose orchestration ended without
// closing it (failed or terminated) is reported `failed`.
import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { RequestError } from '../domain/requestError';
import { isRolloutOver, visibleState, type RolloutStore, type RolloutSummary } from '../domain/rollouts/rolloutStore';
import { findInstance, isActive, type OrchestrationClient } from './durableStatus';
import { readQuery } from './queryParameters';
import { errorResponse, json } from './responses';
import { readRolloutId, ROLLOUT_ROUTE, rolloutUrls } from './rolloutRoutes';

export async function getRolloutStatus(request: HttpRequest, client: Pick<OrchestrationClient, 'getStatus'>, context: InvocationContext,
  deps: { store: RolloutStore }): Promise<HttpResponseInit> {
  try {
    const rolloutId = readRolloutId(request, ROLLOUT_ROUTE.rollout);
    readQuery(request, []);
    let summary = await deps.store.read(rolloutId);
    if (summary === null) throw new RequestError('notFound', 'RolloutNotFound', `No rollout '${rolloutId}'.`, 'rolloutId');
    if (!isRolloutOver(summary.state)) {
      const instance = await findInstance(client, rolloutId).catch(() => undefined);
      if (instance === null || (instance !== undefined && !isActive(instance) && String(instance.runtimeStatus) !== 'Completed')) {
        summary = { ...summary, state: 'failed', reason: 'The rollout orchestration ended without finishing the rollout; see the function logs.' };
      }
    }
    const body = { ...rolloutView(summary), ...rolloutUrls(request, rolloutId) };
    if (!isRolloutOver(summary.state)) {
      return json(202, body, { Location: body.statusUrl, 'Retry-After': String(summary.retryAfterSeconds) });
    }
    return json(200, body);
  } catch (err) {
    return errorResponse(err, context);
  }
}

/** What callers see of a summary. */
export function rolloutView(s: RolloutSummary): Record<string, unknown> {
  return {
    rolloutId: s.rolloutId, operation: s.operation, state: visibleState(s), targetKind: s.targetKind, total: s.total, counters: s.counters,
    currentWave: s.currentWave, waves: s.waves, rate: s.rate, currentRate: s.currentRate, budget: s.budget,
    eta: isRolloutOver(s.state) ? null : s.eta, startAt: s.startAt, cancelRequested: s.cancelRequested, forceCancel: s.forceCancel, reason: s.reason, createdAt: s.createdAt, updatedAt: s.updatedAt, completedAt: s.completedAt,
  };
}
