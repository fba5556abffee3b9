// POST /api/devices/{deviceId}/{reboot|factoryReset|firmwareUpdate}: validate, acquire the device's lease
// (one operation per device, atomically, across kinds), start the orchestration and answer 202 with Location →
// the status route and Retry-After (./retryAfter.ts: the poll interval, 1 s with twin change events). The kind
// comes from the route alone.
import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { historySequenceHint, type AcquireResult, type DeviceGuard } from '../domain/deviceGuard';
import { takeCallbackUrl, type CallbackDependencies } from './callbackSubscription';
import { operationInstanceId } from '../domain/operationIds';
import { DEFAULT_OPERATION_REQUEST, MAX_METHOD_PAYLOAD_BYTES, parseOperationRequest } from '../domain/operationRequest';
import { operationDefinition } from '../domain/operations/registry';
import type { OperationKind } from '../domain/operations/operationKind';
import type { OperationsStore } from '../domain/ports';
import { FUNCTION } from '../functionNames';
import type { DeviceOperationInput, RetryPolicies } from '../orchestrations/deviceOperationInput';
import { findInstance, holderState, isActive, type OrchestrationClient } from './durableStatus';
import { operationCancelUrl, operationStatusUrl } from './functionKey';
import { readQuery } from './queryParameters';
import { operationRetryAfter } from './retryAfter';
import { readJsonBody } from './requestBody';
import { errorJson, errorResponse, json } from './responses';
import { readDeviceId, startRoute } from './routes';

/** The body holds the payload plus four small numbers; leave room for pretty-printed JSON around the 128 KB payload. */
export const MAX_START_BODY_BYTES = 2 * MAX_METHOD_PAYLOAD_BYTES;

export interface StartDependencies {
  guard: DeviceGuard;
  operations: Pick<OperationsStore, 'latest' | 'find' | 'save'>;
  retry: RetryPolicies;
  now?: () => Date;
  /** Set when twin change events wake operations: their default poll interval becomes a slow safety net. */
  twinEvents?: { pollIntervalSeconds: number };
  /** Completion callbacks; without them a body's callbackUrl is an unknown field. */
  callbacks?: CallbackDependencies;
}

export async function startOperation(kind: OperationKind, request: HttpRequest, client: OrchestrationClient, context: InvocationContext,
  deps: StartDependencies): Promise<HttpResponseInit> {
  try {
    const deviceId = readDeviceId(request, startRoute(kind));
    readQuery(request, []);
    const rawBody = await readJsonBody(request, MAX_START_BODY_BYTES);
    const { callback, rest } = deps.callbacks === undefined ? { callback: undefined, rest: rawBody } : takeCallbackUrl(rawBody);
    const defaults = deps.twinEvents === undefined ? DEFAULT_OPERATION_REQUEST
      : { ...DEFAULT_OPERATION_REQUEST, pollIntervalSeconds: deps.twinEvents.pollIntervalSeconds };
    const operationRequest = parseOperationRequest(rest, operationDefinition(kind).payloadRule, defaults);
    const subscription = callback === undefined ? undefined : await deps.callbacks!.check(callback);
    const requestedAt = (deps.now ?? (() => new Date()))().toISOString();

    const acquired = await deps.guard.acquire({
      deviceId, operation: kind, requestedAt,
      instanceIdFor: (sequence) => operationInstanceId(kind, deviceId, sequence),
      sequenceHint: () => historySequenceHint(deps.operations, deviceId),
      holderState: (instanceId) => holderState(client, instanceId),
    });
    if (acquired.kind === 'busy') {
      return alreadyRunning(request, deviceId, acquired.holder.instanceId, acquired.holder.operation);
    }
    if (acquired.takenOver !== null) await closeAbandoned(acquired.takenOver, deps, context);

    const instanceId = acquired.lease.instanceId;
    const input: DeviceOperationInput = { deviceId, operation: kind, request: operationRequest, requestedAt, retry: deps.retry };
    if (deps.twinEvents !== undefined) input.wakeOnTwinChange = true;
    if (subscription !== undefined) {
      // Stored before the orchestration exists, so its callback step always finds the URL (or an unsubscribe).
      try {
        await deps.callbacks!.store.save(subscription.key, instanceId, subscription.url);
      } catch (err) {
        await deps.guard.release(deviceId, instanceId).catch(() => undefined);
        throw err;
      }
      input.callback = { key: subscription.key, retry: deps.callbacks!.retry };
    }
    try {
      await client.startNew(FUNCTION.deviceOperationOrchestrator, { instanceId, input });
    } catch (err) {
      // Nothing can act without the orchestration: free the device (a no-op if the start did go through and the
      // orchestration already claimed it). An instance of that id still running predates the lease (a second
      // line of defence: the extension refuses to start over a running instance).
      await deps.guard.release(deviceId, instanceId).catch(() => undefined);
      if (subscription !== undefined) await deps.callbacks!.store.remove(subscription.key, instanceId).catch(() => undefined);
      const existing = await findInstance(client, instanceId).catch(() => null);
      if (existing !== null && isActive(existing)) return alreadyRunning(request, deviceId, instanceId, kind);
      throw err;
    }
    context.info(`Started ${kind} ${instanceId}`);

    const statusUrl = operationStatusUrl(request, instanceId);
    return json(202, {
      instanceId, deviceId, operation: kind, statusUrl, cancelUrl: operationCancelUrl(request, instanceId),
    }, { Location: statusUrl, 'Retry-After': String(operationRetryAfter(operationRequest.pollIntervalSeconds, input.wakeOnTwinChange === true, null, 0)) });
  } catch (err) {
    return errorResponse(err, context);
  }
}

/** A taken-over holder never finished its record: close it, so every operation's row ends in a final state. */
async function closeAbandoned(takenOver: NonNullable<Extract<AcquireResult, { kind: 'acquired' }>['takenOver']>,
  deps: StartDependencies, context: InvocationContext): Promise<void> {
  const { lease, state } = takenOver;
  try {
    const row = await deps.operations.find(lease.deviceId, lease.acquiredAt, lease.instanceId);
    if (row === null || row.outcome !== null) return;
    const completedAt = (deps.now ?? (() => new Date()))().toISOString();
    await deps.operations.save({
      ...row, phase: 'completed', completedAt, updatedAt: completedAt, durationMs: Date.parse(completedAt) - Date.parse(row.requestedAt),
      outcome: state === 'terminal' ? 'Failed' : 'Canceled',
      delivery: lease.methodAttempt > 0 && row.delivery === 'notDelivered' ? 'unknown' : row.delivery,
      error: state === 'terminal'
        ? { code: 'OperationEnded', message: 'The orchestration ended (terminated or failed) without recording an outcome.' }
        : { code: 'NeverStarted', message: 'The orchestration never started; the device was taken over by a later operation.' },
    });
  } catch (err) {
    context.warn(`Could not close the record of ${lease.instanceId}: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
  }
}

function alreadyRunning(request: HttpRequest, deviceId: string, instanceId: string, operation: OperationKind): HttpResponseInit {
  const statusUrl = operationStatusUrl(request, instanceId);
  return errorJson(409, 'OperationInProgress', `Device '${deviceId}' is busy with a ${operation} operation (${instanceId}).`, 'deviceId',
    { Location: statusUrl }, { instanceId, operation, statusUrl });
}
