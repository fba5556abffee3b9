// Activity: invoke the reboot direct method once. Retryable failures propagate as TransientHubError so the
// orchestration's callActivityWithRetry schedules the next attempt; every other result is returned as data.
import type { MethodInvocationResult, MethodRequest } from '../domain/methodInvocation';
import type { IotHubGateway } from '../domain/ports';

export async function invokeRebootMethod(input: MethodRequest, hub: IotHubGateway): Promise<MethodInvocationResult> {
  return hub.invokeMethod(input);
}
