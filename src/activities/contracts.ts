// The activities' contracts, shared by their registrations (functions/) and the orchestration: one name, one input
// type and one output type each. Outputs cross a serialization boundary (the host stores them as JSON), so the
// orchestration reads them through `decode`, which checks the shape instead of trusting a cast.
import type { MethodInvocationResult } from '../domain/methodInvocation';
import type { OperationRecord } from '../domain/operationRecord';
import type { OperationKind } from '../domain/operations/operationKind';
import type { ClaimResult } from '../domain/deviceGuard';
import type { TwinReadResult } from '../domain/ports';

export interface ActivityContract<I, O> {
  readonly name: string;
  /** Checks an activity result read back from history; throws on a shape the activity never returns. */
  decode(value: unknown): O;
  /** Never set: carries the input type for registrations. */
  readonly input?: I;
}

export interface ClaimInput {
  deviceId: string;
  instanceId: string;
  /** The operation's first record, written once the lease is claimed. */
  record: OperationRecord;
}

export interface InvokeInput {
  deviceId: string;
  instanceId: string;
  operation: OperationKind;
  /** 1, 2, 3…: an attempt number is journaled before it is sent and never sent twice. */
  attempt: number;
  payload: unknown;
  responseTimeoutInSeconds: number;
  connectTimeoutInSeconds: number;
}

export interface ReadInput {
  deviceId: string;
  operation: OperationKind;
  /** Hub-clock reference time: reports written at or after it count. */
  since: string;
  /** Also read the identity's connection time (a registry read), e.g. for the last look at the deadline. */
  withConnection: boolean;
  /** Tries for a transiently failing read, inside the activity, so a poll stays within seconds of its time. */
  attempts: number;
}

export interface RecordInput {
  record: OperationRecord;
  /** Free the device's lease (if this operation still holds it) after the final record is written. */
  release: boolean;
}

export interface NotifyInput {
  instanceId: string;
  /** callbackKey(url): finds the URL in the callback store; the URL itself never enters the orchestration. */
  key: string;
  /** The final status, as the status route answers it, plus `status`. */
  body: unknown;
  attempt: number;
  /** The last attempt deletes the stored URL whatever happens. */
  lastAttempt: boolean;
}

export type NotifyResult =
  | { kind: 'delivered'; status: number }
  /** No URL stored: unsubscribed (or already handled). */
  | { kind: 'unsubscribed' }
  /** A 4xx (not 408/429) or a refused address: not retried. */
  | { kind: 'refused'; reason: string }
  /** 408, 429, 5xx or a network failure: worth another attempt. */
  | { kind: 'retry'; reason: string };

function kindOf(value: unknown, kinds: readonly string[], activity: string): string {
  const kind = (value as { kind?: unknown } | null)?.kind;
  if (typeof kind !== 'string' || !kinds.includes(kind)) throw new TypeError(`${activity} returned an unexpected result`);
  return kind;
}

/** A contract whose results are objects with a `kind` among `kinds` (null: any result, e.g. an activity returning null). */
export function contract<I, O>(name: string, kinds: readonly string[] | null): ActivityContract<I, O> {
  return Object.freeze({
    name,
    decode: (value: unknown): O => {
      if (kinds !== null) kindOf(value, kinds, name);
      return value as O;
    },
  });
}

export const ACTIVITY = Object.freeze({
  claimOperation: contract<ClaimInput, ClaimResult>('claimOperation', ['claimed', 'lost']),
  invokeDeviceMethod: contract<InvokeInput, MethodInvocationResult>('invokeDeviceMethod',
    ['accepted', 'rejected', 'deviceOffline', 'deviceNotFound', 'notDelivered', 'maybeDelivered', 'failed', 'leaseLost']),
  readDeviceState: contract<ReadInput, TwinReadResult>('readDeviceState', ['observed', 'deviceNotFound', 'failed']),
  recordOperation: contract<RecordInput, null>('recordOperation', null),
  notifyCallback: contract<NotifyInput, NotifyResult>('notifyCallback', ['delivered', 'unsubscribed', 'refused', 'retry']),
});
