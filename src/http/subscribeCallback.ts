// POST /api/operations/{instanceId}/subscribe: the subscribe call of the Logic Apps HTTP Webhook action for an
// operation that is already running (started by someone else, or by an earlier step of the workflow). Body
// `{ "callbackUrl": "@{listCallbackUrl()}" }`, checked and kept secret exactly like a start's callbackUrl. The
// operation's orchestration was started without this URL, so the callback sweeper delivers it once the operation
// is over (at once when it already is; see callbackSweep.ts for when the sweeper runs). Unsubscribe with
// POST /api/callbacks/unsubscribe, as for a start's callback. Subscribing the same URL twice is one subscription.
import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { MAX_CALLBACK_URL_LENGTH } from '../domain/callbacks/callbackUrl';
import { invalid } from '../domain/requestError';
import { printable } from '../domain/text';
import type { CallbackDependencies } from './callbackSubscription';
import { sweepInstance, type SweepDependencies } from './callbackSweep';
import { isActive, type OrchestrationClient } from './durableStatus';
import { operationStatusUrl } from './functionKey';
import { findOperation, operationNotFound } from './getOperationStatus';
import { readQuery } from './queryParameters';
import { readJsonBody } from './requestBody';
import { errorResponse, json } from './responses';
import { ROUTE, routeParameter } from './routes';

export async function subscribeCallback(request: HttpRequest, client: Pick<OrchestrationClient, 'getStatus' | 'startNew'>, context: InvocationContext,
  deps: { callbacks: CallbackDependencies; sweep: SweepDependencies }): Promise<HttpResponseInit> {
  try {
    const instanceId = routeParameter(request, ROUTE.subscribeCallback, 'instanceId');
    readQuery(request, []);
    const body = await readJsonBody(request, 2 * MAX_CALLBACK_URL_LENGTH);
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalid('body', 'The body must be a JSON object with callbackUrl.');
    for (const name of Object.keys(body)) {
      if (name !== 'callbackUrl') throw invalid(printable(name), `Unknown field '${printable(name)}'. Allowed fields: callbackUrl.`);
    }
    const { callbackUrl } = body as { callbackUrl?: unknown };
    if (callbackUrl === undefined) throw invalid('callbackUrl', 'callbackUrl is required (Logic Apps: @{listCallbackUrl()}).');
    const subscription = await deps.callbacks.check(callbackUrl);
    const status = await findOperation(client, instanceId);
    if (status === null) return operationNotFound();

    await deps.callbacks.store.save(subscription.key, instanceId, subscription.url);
    const running = isActive(status);
    if (!running) await sweepInstance(client, deps.sweep, instanceId);
    context.info(`Callback of ${instanceId} subscribed${running ? '' : ' (operation already over: delivering now)'}.`);
    const statusUrl = operationStatusUrl(request, instanceId);
    return json(202, { instanceId, subscribed: true, running, statusUrl }, { Location: statusUrl });
  } catch (err) {
    return errorResponse(err, context);
  }
}
