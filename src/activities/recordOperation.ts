// Activity: write the operation's current state to the DeviceOperations table (upsert: safe to repeat); with the
// final record, free the device's lease — in that order, so a device is never free while its row says running.
import type { DeviceGuard } from '../domain/deviceGuard';
import type { OperationsStore } from '../domain/ports';
import type { RecordInput } from './contracts';

export async function recordOperation(input: RecordInput, deps: { operations: OperationsStore; guard: DeviceGuard }): Promise<null> {
  await deps.operations.save(input.record);
  if (input.release) await deps.guard.release(input.record.deviceId, input.record.instanceId);
  return null;
}
