// Activity: one poll of the device's reboot state (twin, plus the identity's connection time when needed).
import type { IotHubGateway, ReadRebootStateInput, TwinReadResult } from '../domain/ports';

export async function readRebootState(input: ReadRebootStateInput, hub: IotHubGateway): Promise<TwinReadResult> {
  return hub.readRebootState(input.deviceId, input.since);
}
