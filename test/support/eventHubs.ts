// Reading the emulator's built-in endpoint with the unmodified @azure/event-hubs consumer: collect events from one
// partition until a condition holds, then close the subscription. Waits on the SDK's own callbacks, never on time.
import { after, before } from 'node:test';
import { EventHubConsumerClient, type EventPosition, type PartitionContext, type ReceivedEventData } from '@azure/event-hubs';
import { startIotHubEmulator, type IotHubEmulatorOptions, type RunningIotHubEmulator } from '../../local/iothub/index';

export function consumerClient(emulator: RunningIotHubEmulator, policy: 'iothubowner' | 'service' = 'service', key?: string): EventHubConsumerClient {
  let connectionString = emulator.eventHubsEndpoint.connectionString(policy);
  if (key !== undefined) connectionString = connectionString.replace(/SharedAccessKey=[^;]*/, `SharedAccessKey=${key}`);
  return new EventHubConsumerClient(EventHubConsumerClient.defaultConsumerGroupName, connectionString, {
    retryOptions: { maxRetries: 0, timeoutInMs: 10_000 },
  });
}

/**
 * Subscribes to one partition from `startPosition` and resolves with every event received once `done(events)` is
 * true; rejects on the first error the SDK reports (auth refusal included) or after `timeoutMs`.
 */
export async function readPartition(
  client: EventHubConsumerClient,
  partitionId: string,
  startPosition: EventPosition,
  done: (events: ReceivedEventData[]) => boolean,
  timeoutMs = 15_000,
  onContext?: (context: PartitionContext) => void,
): Promise<ReceivedEventData[]> {
  const events: ReceivedEventData[] = [];
  let subscription: { close(): Promise<void> } | undefined;
  try {
    return await new Promise<ReceivedEventData[]>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out with ${events.length} event(s) from partition ${partitionId}`)), timeoutMs);
      subscription = client.subscribe(
        partitionId,
        {
          processEvents: async (batch, context) => {
            events.push(...batch);
            onContext?.(context);
            if (done(events)) {
              clearTimeout(timer);
              resolve(events);
            }
          },
          processError: async (error) => {
            clearTimeout(timer);
            reject(error);
          },
        },
        { startPosition, maxBatchSize: 50, maxWaitTimeInSeconds: 1, trackLastEnqueuedEventProperties: onContext !== undefined },
      );
    });
  } finally {
    await subscription?.close();
  }
}

export interface EventHubsFixture {
  readonly emulator: RunningIotHubEmulator;
  /** A consumer on the $Default group with the service policy, closed before the emulator stops. */
  readonly consumer: EventHubConsumerClient;
}

/** before/after hooks: an emulator with the given devices and one consumer of its built-in endpoint. */
export function useEventHubsEmulator(deviceIds: string[], options: IotHubEmulatorOptions = {}): EventHubsFixture {
  let running: EventHubsFixture | undefined;
  before(async () => {
    const emulator = await startIotHubEmulator(options);
    if (deviceIds.length > 0) await emulator.admin.createDevices(deviceIds);
    running = { emulator, consumer: consumerClient(emulator) };
  });
  after(async () => {
    await running?.consumer.close();
    await running?.emulator.stop();
    running = undefined;
  });
  const current = () => {
    if (!running) throw new Error('The emulator is used outside the suite that started it.');
    return running;
  };
  return {
    get emulator() {
      return current().emulator;
    },
    get consumer() {
      return current().consumer;
    },
  };
}
