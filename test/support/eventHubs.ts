// Reading the emulator's built-in endpoint with the unmodified @azure/event-hubs consumer: collect events from one
// partition until a condition holds, then close the subscription. Waits on the SDK's own callbacks, never on time.
import { EventHubConsumerClient, type EventPosition, type ReceivedEventData } from '@azure/event-hubs';
import type { RunningIotHubEmulator } from '../../local/iothub/index';

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
): Promise<ReceivedEventData[]> {
  const events: ReceivedEventData[] = [];
  let subscription: { close(): Promise<void> } | undefined;
  try {
    return await new Promise<ReceivedEventData[]>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out with ${events.length} event(s) from partition ${partitionId}`)), timeoutMs);
      subscription = client.subscribe(
        partitionId,
        {
          processEvents: async (batch) => {
            events.push(...batch);
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
        { startPosition, maxBatchSize: 50, maxWaitTimeInSeconds: 1 },
      );
    });
  } finally {
    await subscription?.close();
  }
}
