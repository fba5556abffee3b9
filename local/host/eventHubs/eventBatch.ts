// A batch of received events as the Functions Event Hubs extension hands it to a language worker with
// cardinality `many`: the trigger input is the array of bodies, and the trigger metadata carries one array per
// property (PartitionKeyArray, OffsetArray, SequenceNumberArray, EnqueuedTimeUtcArray, PropertiesArray,
// SystemPropertiesArray) plus PartitionContext — the binding data of Microsoft.Azure.WebJobs.Extensions.EventHubs
// (learn.microsoft.com azure-functions/functions-bindings-event-hubs-trigger, "Event metadata").
import type { PartitionContext, ReceivedEventData } from '@azure/event-hubs';
import type { RpcTypedData } from '../rpc/types';

const json = (value: unknown): RpcTypedData => ({ json: JSON.stringify(value) });

/** A body as JSON: the SDK already parsed JSON bodies; other bytes go as UTF-8 text. */
function bodyOf(event: ReceivedEventData): unknown {
  const body: unknown = event.body;
  if (body instanceof Uint8Array) return Buffer.from(body).toString('utf8');
  return body ?? null;
}

/** System properties as .NET's EventData.SystemProperties shows them: the AMQP annotations plus the named ones. */
function systemPropertiesOf(event: ReceivedEventData): Record<string, unknown> {
  const enqueued = event.enqueuedTimeUtc.toISOString();
  return {
    ...(event.systemProperties ?? {}),
    'x-opt-sequence-number': event.sequenceNumber, 'x-opt-offset': String(event.offset), 'x-opt-enqueued-time': enqueued,
    ...(event.partitionKey ? { 'x-opt-partition-key': event.partitionKey } : {}),
    ...(event.contentType !== undefined ? { 'content-type': event.contentType } : {}),
    ...(event.correlationId !== undefined ? { 'correlation-id': event.correlationId } : {}),
    ...(event.messageId !== undefined ? { 'message-id': event.messageId } : {}),
    SequenceNumber: event.sequenceNumber, Offset: String(event.offset), PartitionKey: event.partitionKey ?? null, EnqueuedTimeUtc: enqueued,
  };
}

export interface BatchPayload {
  input: RpcTypedData;
  triggerMetadata: Record<string, RpcTypedData>;
}

export function batchPayload(events: ReceivedEventData[], context: PartitionContext): BatchPayload {
  return {
    input: json(events.map(bodyOf)),
    triggerMetadata: {
      PartitionContext: json({
        FullyQualifiedNamespace: context.fullyQualifiedNamespace, EventHubName: context.eventHubName,
        ConsumerGroup: context.consumerGroup, PartitionId: context.partitionId,
      }),
      PartitionKeyArray: json(events.map((e) => e.partitionKey ?? null)),
      OffsetArray: json(events.map((e) => String(e.offset))),
      SequenceNumberArray: json(events.map((e) => e.sequenceNumber)),
      EnqueuedTimeUtcArray: json(events.map((e) => e.enqueuedTimeUtc.toISOString())),
      PropertiesArray: json(events.map((e) => e.properties ?? {})),
      SystemPropertiesArray: json(events.map(systemPropertiesOf)),
    },
  };
}
