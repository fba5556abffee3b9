// GET /api/operations/{instanceId}: the operation's normalized status. 202 + Location + Retry-After while it
// runs (the asynchronous request-reply pattern Logic Apps follows), 200 with the outcome once it is over
// (whatever the outcome: `outcome` says which), 404 for ids that are not reboot operations of this app.
import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import type { DurableOrchestrationStatus } from 'durable-functions';
import { isRebootInstanceId } from '../domain/operationIds';
import { DEFAULT_REBOOT_REQUEST } from '../domain/rebootRequest';
import { FUNCTION } from '../functionNames';
import type { RebootOrchestrationInput } from '../orchestrations/rebootOrchestrationInput';
import { findInstance, isActive, type OrchestrationClient } from './durableStatus';
import { operationStatusUrl } from './functionKey';
import { errorJson, errorResponse, json } from './responses';
import { ROUTE, routeParameter } from './routes';

export async function getOperationStatus(request: HttpRequest, client: OrchestrationClient, context: InvocationContext): Promise<HttpResponseInit> {
  try {
    const instanceId = routeParameter(request, ROUTE.operationStatus, 'instanceId');
    const notFound = (): HttpResponseInit => errorJson(404, 'OperationNotFound', 'No reboot operation has this id.', 'instanceId');
    if (!isRebootInstanceId(instanceId)) return notFound();
    const status = await findInstance(client, instanceId, true);
    if (status === null || status.name !== FUNCTION.rebootOrchestrator) return notFound();

    const input = (status.input ?? {}) as Partial<RebootOrchestrationInput>;
    const common = {
      instanceId,
      deviceId: input.deviceId ?? null,
      operation: 'reboot',
      runtimeStatus: String(status.runtimeStatus),
      createdTime: isoOrNull(status.createdTime),
      lastUpdatedTime: isoOrNull(status.lastUpdatedTime),
    };
    if (isActive(status)) {
      const retryAfter = input.request?.pollIntervalSeconds ?? DEFAULT_REBOOT_REQUEST.pollIntervalSeconds;
      const statusUrl = operationStatusUrl(request, instanceId);
      return json(202, { ...common, customStatus: status.customStatus ?? null, statusUrl },
        { Location: statusUrl, 'Retry-After': String(retryAfter) });
    }
    if (String(status.runtimeStatus) === 'Completed') {
      return json(200, { ...common, ...(typeof status.output === 'object' && status.output !== null ? status.output : {}) });
    }
    // Failed (a bug or exhausted retries), Terminated, Canceled: over, without a reboot outcome of its own.
    return json(200, {
      ...common,
      outcome: 'Failed',
      customStatus: status.customStatus ?? null,
      error: failure(status),
    });
  } catch (err) {
    return errorResponse(err, context);
  }
}

function failure(status: DurableOrchestrationStatus): { code: string; message: string } {
  const runtime = String(status.runtimeStatus);
  if (runtime !== 'Failed') return { code: `Operation${runtime}`, message: `The operation was ${runtime.toLowerCase()} before it finished.` };
  // The extension's output for a failed instance: "Orchestrator function 'rebootDevice' failed: <our message>".
  const text = typeof status.output === 'string' ? status.output.split('\n')[0]!.replace(/^Orchestrator function '[^']*' failed:\s*/, '') : '';
  return { code: 'OperationFailed', message: text === '' ? 'The operation failed.' : text.slice(0, 500) };
}

function isoOrNull(value: unknown): string | null {
  if (value instanceof Date && !Number.isNaN(value.getTime())) return value.toISOString();
  if (typeof value === 'string' && !Number.isNaN(Date.parse(value))) return new Date(Date.parse(value)).toISOString();
  return null;
}
