// POST /api/operations/{instanceId}/cancel: asks a running operation to stop. 202 + Location while it stops (it
// records outcome Canceled and frees the device at its next wait), 409 naming the outcome when it is already over.
// A direct method the device already received cannot be recalled: the response says so.
import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { invalid } from '../domain/requestError';
import { CANCEL_EVENT } from '../orchestrations/deviceOperation';
import { isActive, type OrchestrationClient } from './durableStatus';
import { operationStatusUrl } from './functionKey';
import { endedOutcome, findOperation, operationNotFound } from './getOperationStatus';
import { readQuery } from './queryParameters';
import { readJsonBody } from './requestBody';
import { errorJson, errorResponse, json } from './responses';
import { ROUTE, routeParameter } from './routes';

export const CANCEL_NOTE = 'A direct method that already reached the device cannot be recalled; cancel stops the operation from sending it or from waiting further.';

export async function cancelOperation(request: HttpRequest, client: Pick<OrchestrationClient, 'getStatus' | 'raiseEvent'>,
  context: InvocationContext): Promise<HttpResponseInit> {
  try {
    const instanceId = routeParameter(request, ROUTE.cancelOperation, 'instanceId');
    readQuery(request, []);
    const body = await readJsonBody(request, 1024);
    if (body !== undefined && (typeof body !== 'object' || body === null || Array.isArray(body) || Object.keys(body).length > 0)) {
      throw invalid('body', 'cancel takes no body (or an empty JSON object).');
    }
    const status = await findOperation(client, instanceId);
    if (status === null) return operationNotFound();
    const statusUrl = operationStatusUrl(request, instanceId);
    if (!isActive(status)) {
      const outcome = endedOutcome(status);
      return errorJson(409, 'OperationFinished', `The operation is already over with outcome ${outcome}.`, 'instanceId',
        { Location: statusUrl }, { instanceId, outcome, statusUrl });
    }
    await client.raiseEvent(instanceId, CANCEL_EVENT, { requestedAt: new Date().toISOString() });
    context.info(`Cancel requested for ${instanceId}`);
    return json(202, { instanceId, status: 'Canceling', statusUrl, note: CANCEL_NOTE }, { Location: statusUrl, 'Retry-After': '1' });
  } catch (err) {
    return errorResponse(err, context);
  }
}
