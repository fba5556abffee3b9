// Activity: one attempt at the operation's direct method, at most once. The attempt is journaled on the device's
// lease before anything is sent; an execution that finds its attempt already journaled (the activity ran before,
// and a crash or a lost result made the host run it again) sends nothing and says the method may have run.
// The method name comes from the operation kind and the app settings, never from the caller.
import type { DeviceGuard } from '../domain/deviceGuard';
import type { MethodInvocationResult } from '../domain/methodInvocation';
import type { OperationKind } from '../domain/operations/operationKind';
import type { IotHubGateway } from '../domain/ports';
import type { InvokeInput } from './contracts';

export interface InvokeDependencies {
  guard: DeviceGuard;
  hub: Pick<IotHubGateway, 'invokeMethod'>;
  methodNames: Readonly<Record<OperationKind, string>>;
  now?: () => Date;
}

export async function invokeDeviceMethod(input: InvokeInput, deps: InvokeDependencies): Promise<MethodInvocationResult> {
  const now = (deps.now ?? (() => new Date()))().toISOString();
  const journal = await deps.guard.journalAttempt(input.deviceId, input.instanceId, input.attempt, now);
  if (journal.kind === 'lost') {
    return { kind: 'leaseLost', holder: journal.holder, message: 'the device is held by another operation; nothing was sent' };
  }
  if (journal.kind === 'replayed') {
    return { kind: 'maybeDelivered', replayed: true, sentAt: journal.sentAt,
      message: `attempt ${input.attempt} was started before (the activity ran again after a crash or a lost result); not sent twice` };
  }
  const result = await deps.hub.invokeMethod({
    deviceId: input.deviceId, methodName: deps.methodNames[input.operation], payload: input.payload,
    responseTimeoutInSeconds: input.responseTimeoutInSeconds, connectTimeoutInSeconds: input.connectTimeoutInSeconds,
  });
  return { ...result, sentAt: journal.sentAt };
}
