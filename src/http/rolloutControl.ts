// POST /api/rollouts/{rolloutId}/cancel | pause | resume. The request is written on the summary row (which the
// orchestration's acquire activities read before starting any device), then raised as the rollout's control event so
// that a wait in progress (the pacing timer, the batch in flight, a scheduled start) reacts at once.
//  - cancel { force?: false }: queued devices are canceled, in-flight ones finish; force: true also cancels the
//    in-flight device operations through their own cancel path;
//  - pause: no queued device starts until resume; in-flight ones finish; resume: starting goes on.
// 202 + Location → the status route; 409 when the rollout is already over.
import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { invalid, RequestError } from '../domain/requestError';
import { isRolloutOver, type RolloutStore } from '../domain/rollouts/rolloutStore';
import { CANCEL_EVENT } from '../orchestrations/deviceOperation';
import { ROLLOUT_CONTROL_EVENT, type RolloutControl } from '../orchestrations/rollout';
import type { OrchestrationClient } from './durableStatus';
import { readQuery } from './queryParameters';
import { readJsonBody } from './requestBody';
import { errorJson, errorResponse, json } from './responses';
import { readRolloutId, ROLLOUT_ROUTE, rolloutUrls } from './rolloutRoutes';

export type RolloutAction = RolloutControl['action'];

export async function controlRollout(action: RolloutAction, request: HttpRequest, client: Pick<OrchestrationClient, 'raiseEvent'>,
  context: InvocationContext, deps: { store: RolloutStore; now?: () => Date }): Promise<HttpResponseInit> {
  try {
    const rolloutId = readRolloutId(request, ROLLOUT_ROUTE[action]);
    readQuery(request, []);
    const force = readBody(action, await readJsonBody(request, 1024));
    const summary = await deps.store.read(rolloutId);
    if (summary === null) throw new RequestError('notFound', 'RolloutNotFound', `No rollout '${rolloutId}'.`, 'rolloutId');
    const urls = rolloutUrls(request, rolloutId);
    if (isRolloutOver(summary.state)) {
      return errorJson(409, 'RolloutOver', `Rollout '${rolloutId}' is already ${summary.state}.`, 'rolloutId', {}, { state: summary.state, statusUrl: urls.statusUrl });
    }
    const at = (deps.now ?? (() => new Date()))().toISOString();
    if (action === 'cancel') await deps.store.requestCancel(rolloutId, at, force);
    else await deps.store.setPaused(rolloutId, action === 'pause', at);
    const event: RolloutControl = action === 'cancel' ? { action, force } : { action };
    // The row already holds the request: a lost event only delays it to the orchestration's next look at the row.
    await client.raiseEvent(rolloutId, ROLLOUT_CONTROL_EVENT, event).catch((err: unknown) => {
      context.warn(`rollout ${rolloutId}: the ${action} event was not delivered (${err instanceof Error ? err.message.split('\n')[0] : String(err)})`);
    });
    // Force: every device operation in flight gets its own cancel event (devices acquired after this listing are
    // released unstarted by the acquire activity, which reads the cancel request after writing its rows).
    const canceling = force ? await cancelInFlight(rolloutId, client, deps.store) : 0;
    context.info(`Rollout ${rolloutId}: ${action}${force ? ` (force: ${canceling} device operation(s) canceled)` : ''} requested`);
    const body = action === 'cancel' ? { rolloutId, cancelRequested: true, force, statusUrl: urls.statusUrl }
      : { rolloutId, pauseRequested: action === 'pause', statusUrl: urls.statusUrl };
    return json(202, body, { Location: urls.statusUrl, 'Retry-After': String(summary.retryAfterSeconds) });
  } catch (err) {
    return errorResponse(err, context);
  }
}

async function cancelInFlight(rolloutId: string, client: Pick<OrchestrationClient, 'raiseEvent'>, store: RolloutStore): Promise<number> {
  let count = 0;
  let continuationToken: string | undefined;
  do {
    const page = await store.listDevices(rolloutId, 'inProgress', { pageSize: 100, continuationToken });
    await Promise.all(page.items.filter((row) => row.instanceId !== null).map(async (row) => {
      // An operation that ended meanwhile has nothing to cancel.
      await client.raiseEvent(row.instanceId!, CANCEL_EVENT, { requestedAt: new Date().toISOString(), by: rolloutId }).then(() => count++, () => undefined);
    }));
    continuationToken = page.continuationToken ?? undefined;
  } while (continuationToken !== undefined);
  return count;
}

/** cancel takes { force?: boolean }; pause and resume take no body (or {}). Returns force. */
function readBody(action: RolloutAction, body: unknown): boolean {
  if (body === undefined) return false;
  const allowed = action === 'cancel' ? ['force'] : [];
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw invalid('body', action === 'cancel' ? 'The body must be a JSON object { "force": false } or absent.' : `${action} takes no body (or {}).`);
  }
  for (const name of Object.keys(body)) if (!allowed.includes(name)) throw invalid(name, `Unknown field. Allowed: ${allowed.join(', ') || 'none'}.`);
  const force = (body as { force?: unknown }).force;
  if (force !== undefined && typeof force !== 'boolean') throw invalid('force', 'force must be a boolean.');
  return force === true;
}
