// One row of the DeviceOperations table per operation, rewritten at each state change (ARCHITECTURE.md §4).
// Its key comes from the operation's requestedAt, fixed when the operation is accepted, so every write of one
// operation — replayed, retried or after a restart — lands on the same row.
import { encodeKey } from './keyEncoding';
import type { OperationOutput, OperationPhase } from './outcomes';

export interface OperationRecord extends Omit<OperationOutput, 'outcome' | 'completedAt' | 'durationMs'> {
  instanceId: string;
  phase: OperationPhase;
  /** Null while the operation runs. */
  outcome: OperationOutput['outcome'] | null;
  completedAt: string | null;
  durationMs: number | null;
  deadline: string;
  /** Orchestration clock of this state change. */
  updatedAt: string;
}

/** Latest valid JavaScript date in ms (ECMA-262 §21.4.1.1): inverting against it keeps every key positive. */
const MAX_TIME_MS = 8_640_000_000_000_000;

export function partitionKeyFor(deviceId: string): string {
  return encodeKey(deviceId);
}

/** Newest first: Azure Tables return rows in ascending key order, so the key is the inverted request time. */
export function rowKeyFor(requestedAt: string, instanceId: string): string {
  const ms = Date.parse(requestedAt);
  if (Number.isNaN(ms)) throw new RangeError(`requestedAt is not a date: ${requestedAt}`);
  return `${String(MAX_TIME_MS - ms).padStart(16, '0')}-${instanceId}`;
}
