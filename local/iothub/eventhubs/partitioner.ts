// Which partition a device's events land in. IoT Hub uses the device id as the partition key, so all events of one
// device stay in one partition, in order (research fleet-and-integration.md §3.2). The hash is ours (Event Hubs does
// not document its own): the first 32 bits of SHA-256, modulo the partition count — stable across restarts.
import { createHash } from 'node:crypto';

export function partitionIndexFor(deviceId: string, partitionCount: number): number {
  return createHash('sha256').update(deviceId, 'utf8').digest().readUInt32BE(0) % partitionCount;
}
