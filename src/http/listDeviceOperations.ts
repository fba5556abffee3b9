// GET /api/devices/{deviceId}/operations: the device's operations of every kind from the DeviceOperations table,
// newest first, `top` per page, continued with `continuationToken`.
import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import type { OperationsStore } from '../domain/ports';
import { invalid } from '../domain/requestError';
import { appUrl, operationStatusUrl } from './functionKey';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from './listRunningOperations';
import { integerParameter, readQuery } from './queryParameters';
import { errorResponse, json } from './responses';
import { readDeviceId, ROUTE } from './routes';

export async function listDeviceOperations(request: HttpRequest, context: InvocationContext,
  deps: { operations: Pick<OperationsStore, 'list'> }): Promise<HttpResponseInit> {
  try {
    const deviceId = readDeviceId(request, ROUTE.deviceOperations);
    const params = readQuery(request, ['top', 'continuationToken']);
    const top = integerParameter(params, 'top', 1, MAX_PAGE_SIZE, DEFAULT_PAGE_SIZE);
    const token = params.get('continuationToken');
    if (token === '') throw invalid('continuationToken', 'continuationToken must not be empty.');
    const page = await deps.operations.list(deviceId, { pageSize: top, continuationToken: token ?? undefined });
    return json(200, {
      deviceId,
      operations: page.items.map((record) => ({ ...record, statusUrl: operationStatusUrl(request, record.instanceId) })),
      continuationToken: page.continuationToken,
      nextLink: page.continuationToken === null ? null
        : appUrl(request, `devices/${encodeURIComponent(deviceId)}/operations`, { top: String(top), continuationToken: page.continuationToken }),
    });
  } catch (err) {
    return errorResponse(err, context);
  }
}
