// POST /api/rollouts/{rolloutId}/cancel: queued devices are canceled, in-flight ones finish (force: false, the
// only mode so far). Records the request on the summary row; the orchestration reads it before its next batch.
// 202 + Location → the status route; 409 when the rollout is already over.
import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { invalid, RequestError } from '../domain/requestError';
import { isRolloutOver, type RolloutStore } from '../domain/rollouts/rolloutStore';
import { readQuery } from './queryParameters';
import { readJsonBody } from './requestBody';
import { errorJson, errorResponse, json } from './responses';
import { readRolloutId, ROLLOUT_ROUTE, rolloutUrls } from './rolloutRoutes';

export async function cancelRollout(request: HttpRequest, context: InvocationContext,
  deps: { store: RolloutStore; now?: () => Date }): Promise<HttpResponseInit> {
  try {
    const rolloutId = readRolloutId(request, ROLLOUT_ROUTE.cancel);
    readQuery(request, []);
    const body = await readJsonBody(request, 1024);
    if (body !== undefined) {
      if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalid('body', 'The body must be a JSON object { "force": false } or absent.');
      for (const name of Object.keys(body)) if (name !== 'force') throw invalid(name, "Unknown field. Allowed: force.");
      const force = (body as { force?: unknown }).force;
      if (force !== undefined && typeof force !== 'boolean') throw invalid('force', 'force must be a boolean.');
      if (force === true) throw invalid('force', 'force: true (canceling in-flight devices) is not supported yet; in-flight devices always finish.');
    }
    const summary = await deps.store.read(rolloutId);
    if (summary === null) throw new RequestError('notFound', 'RolloutNotFound', `No rollout '${rolloutId}'.`, 'rolloutId');
    const urls = rolloutUrls(request, rolloutId);
    if (isRolloutOver(summary.state)) {
      return errorJson(409, 'RolloutOver', `Rollout '${rolloutId}' is already ${summary.state}.`, 'rolloutId', {}, { state: summary.state, statusUrl: urls.statusUrl });
    }
    await deps.store.requestCancel(rolloutId, (deps.now ?? (() => new Date()))().toISOString());
    return json(202, { rolloutId, cancelRequested: true, statusUrl: urls.statusUrl },
      { Location: urls.statusUrl, 'Retry-After': String(summary.retryAfterSeconds) });
  } catch (err) {
    return errorResponse(err, context);
  }
}
