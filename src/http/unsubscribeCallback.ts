// POST /api/callbacks/unsubscribe: the unsubscribe call of the Logic Apps HTTP Webhook action, made when the run is
// cancelled or the action times out while it waits (learn.microsoft.com/azure/connectors/connectors-native-webhook).
// Body `{ "callbackUrl": "@{listCallbackUrl()}", "cancelOperation": false }`: the callback URL identifies the
// subscription (Logic Apps can pass the same listCallbackUrl() value to subscribe and unsubscribe). It stops the
// callback; the device operation goes on unless `cancelOperation` is true. Idempotent: unsubscribing twice, or after
// the callback was made, answers 200 with an empty list. A rollout's callback is unsubscribed the same way;
// `cancelOperation` then cancels the rollout as its cancel route does.
import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { callbackKey, type CallbackStore } from '../domain/callbacks/callbackStore';
import { MAX_CALLBACK_URL_LENGTH } from '../domain/callbacks/callbackUrl';
import { parseInstanceId } from '../domain/operationIds';
import { invalid } from '../domain/requestError';
import { isRolloutId } from '../domain/rollouts/rolloutIds';
import { isRolloutOver, type RolloutStore } from '../domain/rollouts/rolloutStore';
import { printable } from '../domain/text';
import { CANCEL_EVENT } from '../orchestrations/deviceOperation';
import { ROLLOUT_CONTROL_EVENT, type RolloutControl } from '../orchestrations/rollout';
import { isActive, type OrchestrationClient } from './durableStatus';
import { operationStatusUrl } from './functionKey';
import { findOperation } from './getOperationStatus';
import { readQuery } from './queryParameters';
import { readJsonBody } from './requestBody';
import { errorResponse, json } from './responses';
import { rolloutUrls } from './rolloutRoutes';

const FIELDS = ['callbackUrl', 'cancelOperation'];

export async function unsubscribeCallback(request: HttpRequest, client: Pick<OrchestrationClient, 'getStatus' | 'raiseEvent'>, context: InvocationContext,
  deps: { callbacks: CallbackStore; rollouts?: Pick<RolloutStore, 'read' | 'requestCancel'> }): Promise<HttpResponseInit> {
  try {
    readQuery(request, []);
    const body = await readJsonBody(request, 2 * MAX_CALLBACK_URL_LENGTH);
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalid('body', 'The body must be a JSON object with callbackUrl.');
    const fields = body as Record<string, unknown>;
    for (const name of Object.keys(fields)) {
      if (!FIELDS.includes(name)) throw invalid(printable(name), `Unknown field '${printable(name)}'. Allowed fields: ${FIELDS.join(', ')}.`);
    }
    const { callbackUrl, cancelOperation = false } = fields;
    if (typeof callbackUrl !== 'string' || callbackUrl === '' || callbackUrl.length > MAX_CALLBACK_URL_LENGTH) {
      throw invalid('callbackUrl', `callbackUrl must be the URL given at start (a string of at most ${MAX_CALLBACK_URL_LENGTH} characters).`);
    }
    if (typeof cancelOperation !== 'boolean') throw invalid('cancelOperation', 'cancelOperation must be true or false (default false).');

    const key = callbackKey(callbackUrl);
    const unsubscribed = [];
    for (const instanceId of await deps.callbacks.subscribers(key)) {
      await deps.callbacks.remove(key, instanceId);
      let cancelRequested = false;
      const rollout = isRolloutId(instanceId);
      if (cancelOperation && rollout && deps.rollouts !== undefined) {
        // A rollout is canceled as by its cancel route: queued devices never start, in-flight ones finish.
        const summary = await deps.rollouts.read(instanceId);
        if (summary !== null && !isRolloutOver(summary.state)) {
          await deps.rollouts.requestCancel(instanceId, new Date().toISOString());
          // As the cancel route does: the row holds the request, the event makes a wait in progress react at once.
          const event: RolloutControl = { action: 'cancel', force: false };
          await client.raiseEvent(instanceId, ROLLOUT_CONTROL_EVENT, event).catch((err: unknown) =>
            context.warn(`rollout ${instanceId}: the cancel event was not delivered (${err instanceof Error ? err.message.split('\n')[0] : String(err)})`));
          cancelRequested = true;
        }
      } else if (cancelOperation) {
        const status = await findOperation(client, instanceId);
        if (status !== null && isActive(status)) {
          await client.raiseEvent(instanceId, CANCEL_EVENT, { requestedAt: new Date().toISOString() });
          cancelRequested = true;
        }
      }
      context.info(`Callback of ${instanceId} unsubscribed${cancelRequested ? '; cancel requested' : ''}.`);
      unsubscribed.push({
        instanceId, operation: parseInstanceId(instanceId)?.operation ?? null,
        statusUrl: rollout ? rolloutUrls(request, instanceId).statusUrl : operationStatusUrl(request, instanceId), cancelRequested,
      });
    }
    return json(200, { unsubscribed });
  } catch (err) {
    return errorResponse(err, context);
  }
}
