// One row of the DeviceOperations table per operation, rewritten at each state change (ARCHITECTURE.md §4).
import { encodeKey } from './keyEncoding';
import type { MethodResponse } from './methodInvocation';
import type { OperationPhase, Outcome } from './outcomes';
import type { ReportedRebootState } from './rebootState';

export interface OperationRecord {
  deviceId: string;
  instanceId: string;
  operation: 'reboot';
  phase: OperationPhase;
  /** Null while the operation runs. */
  outcome: Outcome | null;
  requestedAt: string;
  acceptedAt: string | null;
  completedAt: string | null;
  durationMs: number | null;
  deadline: string;
  polls: number;
  methodResponse: MethodResponse | null;
  lastReported: ReportedRebootState | null;
  /** Why the operation failed or why its outcome is uncertain; never contains secrets. */
  error: { code: string; message: string } | null;
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
