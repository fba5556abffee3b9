// GET /api/operations?state=running: the operations running now, across devices — the held device leases,
// `top` per page, continued with `continuationToken`.
import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import type { DeviceLeaseStore } from '../domain/ports';
import { invalid } from '../domain/requestError';
import { appUrl, operationCancelUrl, operationStatusUrl } from './functionKey';
import { integerParameter, readQuery } from './queryParameters';
import { errorResponse, json } from './responses';
import { ROUTE } from './routes';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

export async function listRunningOperations(request: HttpRequest, context: InvocationContext,
  deps: { leases: Pick<DeviceLeaseStore, 'listHeld'> }): Promise<HttpResponseInit> {
  try {
    const params = readQuery(request, ['state', 'top', 'continuationToken']);
    const state = params.get('state') ?? 'running';
    if (state !== 'running') throw invalid('state', "state must be 'running' (the only listing across devices; a device's history is at devices/{deviceId}/operations).");
    const top = integerParameter(params, 'top', 1, MAX_PAGE_SIZE, DEFAULT_PAGE_SIZE);
    const token = params.get('continuationToken');
    if (token === '') throw invalid('continuationToken', 'continuationToken must not be empty.');
    const page = await deps.leases.listHeld({ pageSize: top, continuationToken: token ?? undefined });
    return json(200, {
      state,
      operations: page.items.map((lease) => ({
        instanceId: lease.instanceId, deviceId: lease.deviceId, operation: lease.operation,
        state: lease.state, requestedAt: lease.acquiredAt,
        statusUrl: operationStatusUrl(request, lease.instanceId), cancelUrl: operationCancelUrl(request, lease.instanceId),
      })),
      continuationToken: page.continuationToken,
      nextLink: page.continuationToken === null ? null
        : appUrl(request, ROUTE.runningOperations, { state, top: String(top), continuationToken: page.continuationToken }),
    });
  } catch (err) {
    return errorResponse(err, context);
  }
}
