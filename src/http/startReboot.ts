// POST /api/devices/{deviceId}/reboot: validate, make sure no reboot of the device is running, start the
// orchestration and answer 202 with Location → the operation status route and Retry-After = poll interval.
import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { operationSequence, rebootInstanceId, REBOOT_OPERATION } from '../domain/operationIds';
import { findOperationSlot, type SlotState } from '../domain/operationSequence';
import type { OperationsStore } from '../domain/ports';
import { parseRebootRequest, MAX_METHOD_PAYLOAD_BYTES } from '../domain/rebootRequest';
import { FUNCTION } from '../functionNames';
import type { RebootOrchestrationInput, RebootRetryPolicies } from '../orchestrations/rebootOrchestrationInput';
import { findInstance, isActive, type OrchestrationClient } from './durableStatus';
import { operationStatusUrl } from './functionKey';
import { readJsonBody } from './requestBody';
import { errorJson, errorResponse, json } from './responses';
import { readDeviceId, ROUTE } from './routes';

/** The body holds the payload plus four small numbers; leave room for pretty-printed JSON around the 128 KB payload. */
export const MAX_START_BODY_BYTES = 2 * MAX_METHOD_PAYLOAD_BYTES;

export interface StartRebootDependencies {
  /** Only read, for the newest operation's sequence number. */
  operations: Pick<OperationsStore, 'latest'>;
  rebootMethodName: string;
  retry: RebootRetryPolicies;
}

export async function startReboot(request: HttpRequest, client: OrchestrationClient, context: InvocationContext,
  deps: StartRebootDependencies): Promise<HttpResponseInit> {
  try {
    const deviceId = readDeviceId(request, ROUTE.startReboot);
    const rebootRequest = parseRebootRequest(await readJsonBody(request, MAX_START_BODY_BYTES));

    const probe = async (sequence: number): Promise<SlotState> => {
      const status = await findInstance(client, rebootInstanceId(deviceId, sequence));
      return status === null ? 'free' : isActive(status) ? 'running' : 'finished';
    };
    const hint = await sequenceHint(deps.operations, deviceId, context);
    const slot = await findOperationSlot(probe, hint);
    if (slot.kind === 'running') return alreadyRunning(request, deviceId, rebootInstanceId(deviceId, slot.sequence));

    const instanceId = rebootInstanceId(deviceId, slot.sequence);
    const input: RebootOrchestrationInput = { deviceId, methodName: deps.rebootMethodName, request: rebootRequest, retry: deps.retry };
    try {
      await client.startNew(FUNCTION.rebootOrchestrator, { instanceId, input });
    } catch (err) {
      // Two starts raced to the same instance id: the extension refuses the second one while the first runs.
      if ((await probe(slot.sequence)) === 'running') return alreadyRunning(request, deviceId, instanceId);
      throw err;
    }
    context.info(`Started ${REBOOT_OPERATION} ${instanceId}`);

    const statusUrl = operationStatusUrl(request, instanceId);
    return json(202, {
      instanceId,
      deviceId,
      operation: REBOOT_OPERATION,
      statusUrl,
      management: client.createHttpManagementPayload(instanceId),
    }, { Location: statusUrl, 'Retry-After': String(rebootRequest.pollIntervalSeconds) });
  } catch (err) {
    return errorResponse(err, context);
  }
}

/**
 * The newest recorded operation's sequence number. Only a hint: when the table cannot be read the durable
 * probe finds the slot on its own, so a storage hiccup does not block reboots.
 */
async function sequenceHint(operations: Pick<OperationsStore, 'latest'>, deviceId: string, context: InvocationContext): Promise<number> {
  try {
    const newest = await operations.latest(deviceId);
    return newest === null ? 0 : operationSequence(newest.instanceId) ?? 0;
  } catch (err) {
    context.warn(`Operations table not readable, probing instances without a hint: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
    return 0;
  }
}

function alreadyRunning(request: HttpRequest, deviceId: string, instanceId: string): HttpResponseInit {
  const statusUrl = operationStatusUrl(request, instanceId);
  return errorJson(409, 'OperationInProgress', `A reboot of device '${deviceId}' is already running.`, 'deviceId',
    { Location: statusUrl }, { instanceId, statusUrl });
}
