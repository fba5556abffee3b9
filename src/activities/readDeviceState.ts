// Activity: one look at the device — the twin's reported section for the operation, plus the identity's
// connection time when the judge needs it or the orchestration asks for it (a registry read, so only then).
import { operationDefinition } from '../domain/operations/registry';
import type { IotHubGateway, TwinReadResult } from '../domain/ports';
import { SectionReading } from '../domain/reportedSection';
import type { ReadInput } from './contracts';

export async function readDeviceState(input: ReadInput, hub: Pick<IotHubGateway, 'readTwinSection' | 'readConnection'>): Promise<TwinReadResult> {
  const definition = operationDefinition(input.operation);
  const read = await hub.readTwinSection(input.deviceId, definition.section);
  if (read.kind !== 'observed') return read;
  if (input.withConnection || definition.needsConnectionTime(new SectionReading(read.state, input.since))) {
    const connection = await hub.readConnection(input.deviceId);
    if (connection === null) return { kind: 'deviceNotFound', message: 'the device is no longer registered in IoT Hub' };
    read.state.connectionStateUpdatedTime = connection.connectionStateUpdatedTime;
    read.state.connectionState = connection.connectionState ?? read.state.connectionState;
  }
  return read;
}
