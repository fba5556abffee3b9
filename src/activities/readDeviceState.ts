// Activity: one look at the device — the twin's reported section for the operation, plus the identity's
// connection time when the judge needs it or the orchestration asks for it (a registry read, so only then).
// Transient hub failures are retried here, a few times within about two seconds, rather than with Durable retry
// timers: a poll must stay close to its time so the deadline bounds the operation (DTFx schedules a retry timer
// after every failed attempt, the last one included, which would push a failing poll far past it).
import { operationDefinition } from '../domain/operations/registry';
import { TransientHubError, type IotHubGateway, type TwinReadResult } from '../domain/ports';
import { SectionReading } from '../domain/reportedSection';
import type { ReadInput } from './contracts';

export async function readDeviceState(input: ReadInput, hub: Pick<IotHubGateway, 'readTwinSection' | 'readConnection'>,
  wait: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms))): Promise<TwinReadResult> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await lookOnce(input, hub);
    } catch (err) {
      if (!(err instanceof TransientHubError) || attempt >= input.attempts) throw err;
      await wait(Math.min(250 * 2 ** (attempt - 1), 1000));
    }
  }
}

async function lookOnce(input: ReadInput, hub: Pick<IotHubGateway, 'readTwinSection' | 'readConnection'>): Promise<TwinReadResult> {
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
