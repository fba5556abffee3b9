// The status route's bounded hold (long polling): while an operation runs and the orchestration can know something
// new within the hold (before the watch, or ./retryAfter.ts nextChangeInMs within it), the route re-reads the Durable status every
// HOLD_INTERVAL_MS and answers 200 as soon as the operation is over, else the usual 202 when the hold runs out.
// Retry-After has whole seconds, so a caller that only polls learns of an outcome up to a second late; a held
// request learns of it within an interval. The same idea as the Durable client's
// waitForCompletionOrCreateCheckStatusResponse (timeout 10 s, retry interval 1 s by default), with a shorter
// interval, and only while a change is expected.
import type { DurableOrchestrationStatus } from 'durable-functions';
import type { OperationCustomStatus } from '../orchestrations/deviceOperation';
import type { DeviceOperationInput } from '../orchestrations/deviceOperationInput';
import { isActive } from './durableStatus';
import { nextChangeInMs } from './retryAfter';

/** Between two reads of the Durable status while holding: the most a held caller learns late. */
export const HOLD_INTERVAL_MS = 250;
/**
 * The longest hold a setting may ask for: well inside Logic Apps' 120 s request timeout (multi-tenant,
 * logic-apps-limits-and-config) and the 230 s an Azure Functions HTTP trigger may take to answer.
 */
export const MAX_STATUS_HOLD_SECONDS = 60;
export const DEFAULT_STATUS_HOLD_SECONDS = 10;

export interface StatusHold {
  /** The longest one request waits; 0 answers at once. */
  maxMs: number;
  /** Resolves after `ms` (a timer; tests move their own clock). */
  wait(ms: number): Promise<void>;
  now(): number;
}

export const NO_HOLD: StatusHold = { maxMs: 0, wait: async () => undefined, now: Date.now };

/**
 * Holds while the operation is running and a change is expected before the hold ends; returns the last status read
 * (re-read with `read`; null from it, an instance purged meanwhile, ends the hold on the status seen before).
 */
export async function holdWhileRunning(status: DurableOrchestrationStatus, read: () => Promise<DurableOrchestrationStatus | null>,
  hold: StatusHold): Promise<DurableOrchestrationStatus> {
  const until = hold.now() + hold.maxMs;
  let current = status;
  for (;;) {
    const left = until - hold.now();
    if (left <= 0 || !isActive(current) || !expectsChange(current, left, hold.now())) return current;
    await hold.wait(Math.min(HOLD_INTERVAL_MS, left));
    const next = await read();
    if (next === null) return current;
    current = next;
  }
}

/** Before the watch (Pending, claiming, sending the method) the next step comes within the method's timeouts. */
const BEFORE_WATCH = new Set<unknown>([undefined, 'starting', 'invoking']);

function expectsChange(status: DurableOrchestrationStatus, withinMs: number, nowMs: number): boolean {
  const input = (status.input ?? {}) as Partial<DeviceOperationInput>;
  const custom = status.customStatus as Partial<OperationCustomStatus> | null;
  if (BEFORE_WATCH.has(custom?.phase)) return true;
  const inMs = nextChangeInMs(input.wakeOnTwinChange === true, custom, nowMs);
  return inMs !== null && inMs <= withinMs;
}
