// GET /api/operations/{instanceId}: the operation's normalized status, for every kind. 202 + Location +
// Retry-After (when the next change can be known: ./retryAfter.ts) while it runs (the asynchronous
// request-reply pattern Logic Apps follows), 200 with the outcome once
// it is over (whatever the outcome: `outcome` says which), 404 for ids that are not operations of this app.
// While a change is expected soon, the request is held a few seconds and answers as soon as it is over (./statusHold.ts).
import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import type { DurableOrchestrationStatus } from 'durable-functions';
import { parseInstanceId } from '../domain/operationIds';
import { DEFAULT_OPERATION_REQUEST } from '../domain/operationRequest';
import type { Outcome } from '../domain/outcomes';
import { FUNCTION } from '../functionNames';
import type { OperationCustomStatus } from '../orchestrations/deviceOperation';
import type { DeviceOperationInput } from '../orchestrations/deviceOperationInput';
import { findInstance, isActive, type OrchestrationClient } from './durableStatus';
import { operationCancelUrl, operationStatusUrl } from './functionKey';
import { readQuery } from './queryParameters';
import { operationRetryAfter } from './retryAfter';
import { holdWhileRunning, NO_HOLD, type StatusHold } from './statusHold';
import { errorJson, errorResponse, json } from './responses';
import { ROUTE, routeParameter } from './routes';

/**
 * `onEnded` runs when the route reads an operation that is over, before it answers (the callback sweeper for this
 * instance, in functions/); its failure is logged, never the caller's problem.
 */
export async function getOperationStatus(request: HttpRequest, client: Pick<OrchestrationClient, 'getStatus'>, context: InvocationContext,
  onEnded?: (instanceId: string) => Promise<unknown>, now: () => number = Date.now, hold: StatusHold = NO_HOLD): Promise<HttpResponseInit> {
  try {
    const instanceId = routeParameter(request, ROUTE.operationStatus, 'instanceId');
    readQuery(request, []);
    const found = await findOperation(client, instanceId, true);
    if (found === null) return operationNotFound();
    const status = hold.maxMs > 0 ? await holdWhileRunning(found, () => findOperation(client, instanceId, true), hold) : found;

    const input = (status.input ?? {}) as Partial<DeviceOperationInput>;
    const common = commonFields(instanceId, status);
    if (isActive(status)) {
      const retryAfter = operationRetryAfter(input.request?.pollIntervalSeconds ?? DEFAULT_OPERATION_REQUEST.pollIntervalSeconds,
        input.wakeOnTwinChange === true, status.customStatus as Partial<OperationCustomStatus> | null, now());
      const statusUrl = operationStatusUrl(request, instanceId);
      return json(202, { ...common, customStatus: status.customStatus ?? null, statusUrl, cancelUrl: operationCancelUrl(request, instanceId) },
        { Location: statusUrl, 'Retry-After': String(retryAfter) });
    }
    if (onEnded !== undefined) {
      await onEnded(instanceId).catch((err: unknown) => context.warn(`After reading ${instanceId}: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`));
    }
    return json(200, endedOperationBody(instanceId, status));
  } catch (err) {
    return errorResponse(err, context);
  }
}

/** The status route's final body of an operation that is over (completed, terminated or failed). */
export function endedOperationBody(instanceId: string, status: DurableOrchestrationStatus): Record<string, unknown> & { outcome: Outcome } {
  const common = commonFields(instanceId, status);
  if (String(status.runtimeStatus) === 'Completed' && typeof status.output === 'object' && status.output !== null) {
    return { ...common, ...(status.output as { outcome: Outcome }) };
  }
  return { ...common, outcome: endedOutcome(status), customStatus: status.customStatus ?? null, error: endedError(status) };
}

/** What every status body of an operation starts with, running or over. */
function commonFields(instanceId: string, status: DurableOrchestrationStatus) {
  const input = (status.input ?? {}) as Partial<DeviceOperationInput>;
  return {
    instanceId,
    deviceId: input.deviceId ?? null,
    operation: parseInstanceId(instanceId)!.operation,
    runtimeStatus: String(status.runtimeStatus),
    createdTime: isoOrNull(status.createdTime),
    lastUpdatedTime: isoOrNull(status.lastUpdatedTime),
  };
}

/** One of this app's operations by id, or null (not ours, or no such instance). */
export async function findOperation(client: Pick<OrchestrationClient, 'getStatus'>, instanceId: string, showInput = false): Promise<DurableOrchestrationStatus | null> {
  if (parseInstanceId(instanceId) === undefined) return null;
  const status = await findInstance(client, instanceId, showInput);
  return status === null || status.name !== FUNCTION.deviceOperationOrchestrator ? null : status;
}

export function operationNotFound(): HttpResponseInit {
  return errorJson(404, 'OperationNotFound', 'No device operation has this id.', 'instanceId');
}

/** The outcome of an instance that is over: its own, or what its runtime status means (Terminated → Canceled). */
export function endedOutcome(status: DurableOrchestrationStatus): Outcome {
  const output = status.output as { outcome?: unknown } | null | undefined;
  if (String(status.runtimeStatus) === 'Completed' && typeof output?.outcome === 'string') return output.outcome as Outcome;
  return String(status.runtimeStatus) === 'Terminated' ? 'Canceled' : 'Failed';
}

function endedError(status: DurableOrchestrationStatus): { code: string; message: string } {
  const runtime = String(status.runtimeStatus);
  if (runtime !== 'Failed') return { code: `Operation${runtime}`, message: `The operation was ${runtime.toLowerCase()} before it finished.` };
  // The extension's output for a failed instance: "Orchestrator function 'deviceOperation' failed: <message>".
  const text = typeof status.output === 'string' ? status.output.split('\n')[0]!.replace(/^Orchestrator function '[^']*' failed:\s*/, '') : '';
  return { code: 'OperationFailed', message: text === '' ? 'The operation failed.' : text.slice(0, 500) };
}

function isoOrNull(value: unknown): string | null {
  if (value instanceof Date && !Number.isNaN(value.getTime())) return value.toISOString();
  if (typeof value === 'string' && !Number.isNaN(Date.parse(value))) return new Date(Date.parse(value)).toISOString();
  return null;
}
