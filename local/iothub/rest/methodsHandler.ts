// POST /twins/{id}/methods: invoke a direct method and answer {"status":<device status>,"payload":<device JSON>}.
import type { IotHub } from '../hub';
import { parseMethodRequest } from '../methods/methodRequest';
import { idParam, type RestRequest, type RestResult } from './restTypes';

export async function invokeMethod(hub: IotHub, request: RestRequest): Promise<RestResult> {
  const methodRequest = parseMethodRequest(request.body);
  const answer = await hub.dispatcher.invoke(idParam(request), methodRequest);
  return { status: 200, body: { status: answer.status, payload: answer.payload } };
}
