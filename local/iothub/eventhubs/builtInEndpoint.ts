// The hub's built-in `events` endpoint: the partitioned log that the built-in route (device telemetry) and the
// twin change events route write to, and that the AMQP listener serves to Event Hubs consumers.
import { partitionIndexFor } from './partitioner';
import { DEFAULT_PARTITION_CAPACITY, PartitionLog, type StoredEvent } from './partitionLog';
import type { RoutedEvent } from './routedEvent';

/** IoT Hub's default for the built-in endpoint (2–128 when the hub is created; default 4). */
export const DEFAULT_PARTITION_COUNT = 4;
export const MAX_PARTITION_COUNT = 128;

export interface BuiltInEndpointSettings {
  partitionCount?: number;
  /** Events kept per partition; the oldest go first. */
  capacityPerPartition?: number;
}

export class BuiltInEndpoint {
  readonly partitions: readonly PartitionLog[];
  readonly createdAt = new Date();

  constructor(settings: BuiltInEndpointSettings = {}) {
    const count = settings.partitionCount ?? DEFAULT_PARTITION_COUNT;
    if (!Number.isInteger(count) || count < 1 || count > MAX_PARTITION_COUNT) {
      throw new RangeError(`partitionCount must be an integer from 1 to ${MAX_PARTITION_COUNT}`);
    }
    const capacity = settings.capacityPerPartition ?? DEFAULT_PARTITION_CAPACITY;
    this.partitions = Array.from({ length: count }, (_, i) => new PartitionLog(String(i), capacity));
  }

  get partitionIds(): string[] {
    return this.partitions.map((p) => p.partitionId);
  }

  partition(partitionId: string): PartitionLog | undefined {
    return /^\d+$/.test(partitionId) ? this.partitions[Number(partitionId)] : undefined;
  }

  partitionIdFor(deviceId: string): string {
    return String(partitionIndexFor(deviceId, this.partitions.length));
  }

  write(event: RoutedEvent): StoredEvent {
    // partitionIndexFor is taken modulo the partition count, so the index is in range.
    return this.partitions[partitionIndexFor(event.deviceId, this.partitions.length)]!.append(event);
  }

  clear(): void {
    for (const partition of this.partitions) partition.clear();
  }
}
