// Twin resource: GET, PATCH (merge) and PUT (replace) /twins/{id} (REST reference "Devices - Get/Update/Replace Twin").
import type { IotHub } from '../hub';
import { quoteEtag } from '../registry/etag';
import { header, idParam, type RestRequest, type RestResult } from './restTypes';

function twinResult(twin: Record<string, unknown>): RestResult {
  return { status: 200, body: twin, headers: { etag: quoteEtag(String(twin.etag)) } };
}

export function getTwin(hub: IotHub, request: RestRequest): RestResult {
  return twinResult(hub.serviceGetTwin(idParam(request)));
}

export function patchTwin(hub: IotHub, request: RestRequest): RestResult {
  return twinResult(hub.serviceUpdateTwin(idParam(request), request.body, header(request, 'if-match'), 'merge'));
}

export function replaceTwin(hub: IotHub, request: RestRequest): RestResult {
  return twinResult(hub.serviceUpdateTwin(idParam(request), request.body, header(request, 'if-match'), 'replace'));
}
