// POST /api/rollouts: validate the body, write the rollout's summary row (and, for a device-id target, its
// device rows), start the rollout orchestration under the rollout id and answer 202 with Location → the
// rollout's status route and Retry-After. An optional callbackUrl (checked and kept secret like a single
// operation's) receives the rollout's final status once it ends.
import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { operationDefinition } from '../domain/operations/registry';
import { budgetPerMinute, hubBudget, type HubCapacity } from '../domain/rollouts/hubBudget';
import { initialCounters } from '../domain/rollouts/rolloutCounters';
import { callerRate, currentRate } from '../domain/rollouts/rolloutRamp';
import { newRolloutId } from '../domain/rollouts/rolloutIds';
import { MAX_ROLLOUT_DEVICES, parseRolloutRequest } from '../domain/rollouts/rolloutRequest';
import type { RolloutStore } from '../domain/rollouts/rolloutStore';
import { targetRows } from '../domain/rollouts/rolloutTargetRows';
import { FUNCTION_ROLLOUT } from '../rolloutFunctionNames';
import type { RetryPolicies } from '../orchestrations/deviceOperationInput';
import type { RolloutInput } from '../orchestrations/rolloutInput';
import { takeCallbackUrl, type CallbackDependencies } from './callbackSubscription';
import type { OrchestrationClient } from './durableStatus';
import { readQuery } from './queryParameters';
import { readJsonBody } from './requestBody';
import { errorResponse, json } from './responses';
import { rolloutUrls } from './rolloutRoutes';
import { MAX_START_BODY_BYTES } from './startOperation';

/** 10,000 device ids of up to 128 characters plus the single-device body. */
export const MAX_ROLLOUT_BODY_BYTES = MAX_START_BODY_BYTES + MAX_ROLLOUT_DEVICES * 140;
const MAX_RETRY_AFTER_SECONDS = 30;

export interface RolloutStartDependencies {
  store: RolloutStore;
  retry: RetryPolicies;
  batchSize: number;
  /** The hub to pace for; null leaves the hub's throttles out of the pacing. */
  capacity: HubCapacity | null;
  now?: () => Date;
  /** Completion callbacks; without them a body's callbackUrl is an unknown field. */
  callbacks?: CallbackDependencies;
  /** Twin change events reach the app: the device operations wake on them. */
  twinEvents?: boolean;
}

export async function startRollout(request: HttpRequest, client: OrchestrationClient, context: InvocationContext,
  deps: RolloutStartDependencies): Promise<HttpResponseInit> {
  try {
    readQuery(request, []);
    const clock = deps.now ?? (() => new Date());
    const rawBody = await readJsonBody(request, MAX_ROLLOUT_BODY_BYTES);
    const { callback, rest } = deps.callbacks === undefined ? { callback: undefined, rest: rawBody } : takeCallbackUrl(rawBody);
    const spec = parseRolloutRequest(rest, clock().getTime());
    const subscription = callback === undefined ? undefined : await deps.callbacks!.check(callback);
    const rolloutId = newRolloutId();
    const createdAt = clock().toISOString();
    const budget = deps.capacity === null ? null : hubBudget(deps.capacity, spec.request.payload);
    const reportedUpdates = operationDefinition(spec.operation).reportedUpdates;
    const startRate = currentRate(callerRate(spec.rate, 0), budget === null ? null : budgetPerMinute(budget, reportedUpdates), 1);
    const state = spec.startAt === null ? 'running' : 'scheduled';
    const total = spec.target.kind === 'deviceIds' ? spec.target.deviceIds.length : null;
    const retryAfterSeconds = Math.min(spec.request.pollIntervalSeconds, MAX_RETRY_AFTER_SECONDS);
    await deps.store.create({
      rolloutId, operation: spec.operation, state, targetKind: spec.target.kind, total, counters: initialCounters(total ?? 0),
      waves: spec.waves, currentWave: 0, rate: spec.rate, budget, currentRate: startRate, eta: null, startAt: spec.startAt, retryAfterSeconds,
      cancelRequested: false, forceCancel: false, pauseRequested: false, reason: null, createdAt, updatedAt: createdAt, completedAt: null,
    });
    if (spec.target.kind === 'deviceIds') await deps.store.saveDevices(rolloutId, targetRows(spec.target.deviceIds, spec.waves, createdAt));
    const input: RolloutInput = {
      rolloutId, operation: spec.operation, request: spec.request, retry: deps.retry,
      target: spec.target.kind === 'deviceIds' ? { kind: 'deviceIds', total: spec.target.deviceIds.length } : { kind: 'query', query: spec.target.query },
      waves: spec.waves, abort: spec.abort, rate: spec.rate, budget, retries: spec.retries, startAt: spec.startAt,
      batchSize: deps.batchSize, limit: MAX_ROLLOUT_DEVICES, ...(deps.twinEvents === true ? { wakeOnTwinChange: true } : {}),
    };
    try {
      if (subscription !== undefined) {
        // Stored before the orchestration exists, so its final step always finds the URL (or an unsubscribe).
        await deps.callbacks!.store.save(subscription.key, rolloutId, subscription.url);
        input.callback = { key: subscription.key, retry: deps.callbacks!.retry };
      }
      await client.startNew(FUNCTION_ROLLOUT.orchestrator, { instanceId: rolloutId, input });
    } catch (err) {
      if (subscription !== undefined) await deps.callbacks!.store.remove(subscription.key, rolloutId).catch(() => undefined);
      const at = new Date().toISOString();
      await deps.store.update(rolloutId, { state: 'failed', reason: 'The rollout orchestration could not be started.', completedAt: at, updatedAt: at })
        .catch(() => undefined);
      throw err;
    }
    context.info(`Started rollout ${rolloutId}: ${spec.operation} on ${total ?? 'a query of'} device(s)`);
    const urls = rolloutUrls(request, rolloutId);
    return json(202, { rolloutId, operation: spec.operation, state, total, startAt: spec.startAt, ...urls },
      { Location: urls.statusUrl, 'Retry-After': String(retryAfterSeconds) });
  } catch (err) {
    return errorResponse(err, context);
  }
}
