// Twin resource: GET, PATCH (merge) and PUT (replace) /twins/{id} (REST reference "Devices - Get/Update/Replace Twin").
import type { IotHub } from '../hub';
import { quoteEtag } from '../registry/etag';
import { type RestRequest, type RestResult, header } from './restTypes';

function twinResult(twin: Record<string, unknown>): RestResult {
  return { status: 200, body: twin, headers: { etag: quoteEtag(String(twin.etag)) } };
}

export function getTwin(hub: IotHub, request: RestRequest): RestResult {
  return twinResult(hub.serviceGetTwin(request.params[0]));
}

export function patchTwin(hub: IotHub, request: RestRequest): RestResult {
  return twinResult(hub.serviceUpdateTwin(request.params[0], request.body, header(request, 'if-match'), 'merge'));
}

export function replaceTwin(hub: IotHub, request: RestRequest): RestResult {
  return twinResult(hub.serviceUpdateTwin(request.params[0], request.body, header(request, 'if-match'), 'replace'));
}
