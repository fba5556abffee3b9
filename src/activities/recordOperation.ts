// Activity: write the operation's current state to the DeviceOperations table (upsert: safe to repeat).
import type { OperationRecord } from '../domain/operationRecord';
import type { OperationsStore } from '../domain/ports';

export async function recordOperation(record: OperationRecord, store: OperationsStore): Promise<void> {
  await store.save(record);
}
