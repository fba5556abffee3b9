// Answers to the `$management` READ requests the Event Hubs SDK makes (getEventHubProperties,
// getPartitionProperties; field names as @azure/event-hubs managementClient.ts reads them).
import type { BuiltInEndpoint } from './builtInEndpoint';

export type ManagementAnswer =
  | { status: 200; body: Record<string, unknown> }
  | { status: 400 | 404; description: string };

export function answerManagementRequest(endpoint: BuiltInEndpoint, hubName: string, properties: Record<string, unknown>): ManagementAnswer {
  if (properties.operation !== 'READ') return { status: 400, description: `Unsupported operation ${JSON.stringify(properties.operation)}; only READ is served.` };
  if (typeof properties.name !== 'string' || properties.name.toLowerCase() !== hubName.toLowerCase()) {
    return { status: 404, description: `The messaging entity '${String(properties.name)}' could not be found.` };
  }
  switch (properties.type) {
    case 'com.microsoft:eventhub':
      return {
        status: 200,
        body: {
          name: hubName,
          type: 'com.microsoft:eventhub',
          created_at: endpoint.createdAt,
          partition_count: endpoint.partitions.length,
          partition_ids: endpoint.partitionIds,
        },
      };
    case 'com.microsoft:partition': {
      const partition = typeof properties.partition === 'string' ? endpoint.partition(properties.partition) : undefined;
      if (!partition) return { status: 404, description: `The partition ${JSON.stringify(properties.partition)} does not exist.` };
      const oldest = partition.oldest;
      const newest = partition.newest;
      return {
        status: 200,
        body: {
          name: hubName,
          type: 'com.microsoft:partition',
          partition: partition.partitionId,
          begin_sequence_number: oldest?.sequenceNumber ?? partition.endSequenceNumber,
          last_enqueued_sequence_number: newest?.sequenceNumber ?? partition.endSequenceNumber - 1,
          last_enqueued_offset: newest === undefined ? '-1' : String(newest.offset),
          last_enqueued_time_utc: new Date(newest?.enqueuedAtMs ?? 0),
          is_partition_empty: newest === undefined,
        },
      };
    }
    default:
      return { status: 400, description: `Unsupported type ${JSON.stringify(properties.type)}.` };
  }
}
