// GET /api/rollouts (every rollout, paged) and GET /api/rollouts/{rolloutId}/devices?state=… (its devices in
// target-list order, paged from Table storage).
import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { invalid, RequestError } from '../domain/requestError';
import { isRolloutDeviceState, ROLLOUT_DEVICE_STATES } from '../domain/rollouts/rolloutCounters';
import type { RolloutStore } from '../domain/rollouts/rolloutStore';
import { integerParameter, readQuery } from './queryParameters';
import { errorResponse, json } from './responses';
import { readRolloutId, ROLLOUT_ROUTE, rolloutUrls } from './rolloutRoutes';
import { rolloutView } from './rolloutStatus';

const MAX_PAGE_SIZE = 1000;
const DEFAULT_PAGE_SIZE = 100;

export async function listRollouts(request: HttpRequest, context: InvocationContext, deps: { store: RolloutStore }): Promise<HttpResponseInit> {
  try {
    const params = readQuery(request, ['pageSize', 'continuationToken']);
    const pageSize = integerParameter(params, 'pageSize', 1, MAX_PAGE_SIZE, DEFAULT_PAGE_SIZE);
    const page = await deps.store.list({ pageSize, continuationToken: params.get('continuationToken') ?? undefined });
    return json(200, {
      rollouts: page.items.map((s) => ({ ...rolloutView(s), statusUrl: rolloutUrls(request, s.rolloutId).statusUrl })),
      continuationToken: page.continuationToken,
    });
  } catch (err) {
    return errorResponse(err, context);
  }
}

export async function listRolloutDevices(request: HttpRequest, context: InvocationContext, deps: { store: RolloutStore }): Promise<HttpResponseInit> {
  try {
    const rolloutId = readRolloutId(request, ROLLOUT_ROUTE.devices);
    const params = readQuery(request, ['state', 'pageSize', 'continuationToken']);
    const state = params.get('state');
    if (state !== null && !isRolloutDeviceState(state)) throw invalid('state', `state must be one of ${ROLLOUT_DEVICE_STATES.join(', ')}.`);
    const pageSize = integerParameter(params, 'pageSize', 1, MAX_PAGE_SIZE, DEFAULT_PAGE_SIZE);
    if (await deps.store.read(rolloutId) === null) throw new RequestError('notFound', 'RolloutNotFound', `No rollout '${rolloutId}'.`, 'rolloutId');
    const page = await deps.store.listDevices(rolloutId, state, { pageSize, continuationToken: params.get('continuationToken') ?? undefined });
    return json(200, {
      rolloutId,
      devices: page.items.map((d) => ({ deviceId: d.deviceId, ordinal: d.ordinal, wave: d.wave, state: d.state, instanceId: d.instanceId,
        outcome: d.outcome, attempts: d.attempts, startedAt: d.state === 'queued' ? null : d.attemptAt, updatedAt: d.updatedAt })),
      continuationToken: page.continuationToken,
    });
  } catch (err) {
    return errorResponse(err, context);
  }
}
