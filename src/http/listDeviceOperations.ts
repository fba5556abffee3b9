// GET /api/devices/{deviceId}/operations: the device's operations from the DeviceOperations table,
// newest first, `top` per page, continued with `continuationToken`.
import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import type { OperationsStore } from '../domain/ports';
import { invalid } from '../domain/requestError';
import { appUrl, operationStatusUrl } from './functionKey';
import { errorResponse, json } from './responses';
import { readDeviceId, ROUTE } from './routes';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;
const PARAMETERS = ['top', 'continuationToken'];

export async function listDeviceOperations(request: HttpRequest, context: InvocationContext,
  deps: { operations: Pick<OperationsStore, 'list'> }): Promise<HttpResponseInit> {
  try {
    const deviceId = readDeviceId(request, ROUTE.deviceOperations);
    for (const name of new Set(request.query.keys())) {
      if (name !== 'code' && !PARAMETERS.includes(name)) {
        throw invalid(name.slice(0, 64), `Unknown query parameter. Allowed: ${PARAMETERS.join(', ')}.`);
      }
    }
    const topText = request.query.get('top');
    let top = DEFAULT_PAGE_SIZE;
    if (topText !== null) {
      top = Number(topText);
      if (!/^\d+$/.test(topText) || top < 1 || top > MAX_PAGE_SIZE) throw invalid('top', `top must be an integer from 1 to ${MAX_PAGE_SIZE}.`);
    }
    const token = request.query.get('continuationToken');
    if (token !== null && token === '') throw invalid('continuationToken', 'continuationToken must not be empty.');
    const page = await deps.operations.list(deviceId, { pageSize: top, continuationToken: token ?? undefined });
    return json(200, {
      deviceId,
      operations: page.records.map((record) => ({ ...record, statusUrl: operationStatusUrl(request, record.instanceId) })),
      continuationToken: page.continuationToken,
      nextLink: page.continuationToken === null ? null
        : appUrl(request, `devices/${encodeURIComponent(deviceId)}/operations`, { top: String(top), continuationToken: page.continuationToken }),
    });
  } catch (err) {
    return errorResponse(err, context);
  }
}
