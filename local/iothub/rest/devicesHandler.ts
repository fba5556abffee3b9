// Identity registry resource: PUT/GET/DELETE /devices/{id} and GET /devices (REST reference "Devices").
import type { IotHub } from '../hub';
import { applyBulkRegistryOperation } from '../registry/bulkRegistryOperation';
import { deviceJson } from '../registry/deviceIdentity';
import { quoteEtag } from '../registry/etag';
import { hubErrors } from '../errors';
import { header, idParam, type RestRequest, type RestResult } from './restTypes';

function identityOperation(hub: IotHub): void {
  hub.admit('identityOperations');
  hub.counters.increment('identityOps');
}

export function putDevice(hub: IotHub, request: RestRequest): RestResult {
  identityOperation(hub);
  const { device } = hub.registry.createOrUpdate(idParam(request), request.body, header(request, 'if-match'));
  return { status: 200, body: deviceJson(device), headers: { etag: quoteEtag(device.etag) } };
}

export function getDevice(hub: IotHub, request: RestRequest): RestResult {
  identityOperation(hub);
  const device = hub.registry.require(idParam(request));
  return { status: 200, body: deviceJson(device), headers: { etag: quoteEtag(device.etag) } };
}

export function deleteDevice(hub: IotHub, request: RestRequest): RestResult {
  identityOperation(hub);
  hub.registry.delete(idParam(request), header(request, 'if-match'));
  return { status: 204 };
}

export function listDevices(hub: IotHub, request: RestRequest): RestResult {
  identityOperation(hub);
  const topParam = request.query.get('top');
  let top = 1000;
  if (topParam !== null) {
    top = Number(topParam);
    if (!Number.isInteger(top) || top < 1 || top > 1000) throw hubErrors.argumentInvalid('top must be an integer from 1 to 1000.');
  }
  return { status: 200, body: hub.registry.list(top).map(deviceJson) };
}

/** POST /devices: bulk create/update/delete; 200 when every device succeeded, else 400, both with per-device errors. */
export function bulkRegistryOperation(hub: IotHub, request: RestRequest): RestResult {
  // Each device counts against the identity-operations throttle [inference: the quota doc meters identity
  // operations, and a bulk call is up to 100 of them].
  hub.admit('identityOperations', Array.isArray(request.body) ? Math.max(1, request.body.length) : 1);
  hub.counters.increment('identityOps');
  const result = applyBulkRegistryOperation(hub.registry, request.body);
  return { status: result.isSuccessful ? 200 : 400, body: result };
}
