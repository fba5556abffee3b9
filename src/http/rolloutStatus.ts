// GET /api/rollouts/{rolloutId}: the summary row — state (scheduled, running, paused, or how it ended), counters per
// device state, current wave, the rate in force, the hub budget in use, the ETA — 202 with Location and Retry-After
// until it is over, then 200. A rollout whose orchestration ended without
// closing it (failed or terminated) is reported `failed`.
import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { RequestError } from '../domain/requestError';
import { isRolloutOver, type RolloutStore } from '../domain/rollouts/rolloutStore';
import { rolloutView, unclosedAsFailed } from '../domain/rollouts/rolloutView';
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
        summary = unclosedAsFailed(summary);
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

export { rolloutView } from '../domain/rollouts/rolloutView';
