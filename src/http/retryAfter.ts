// Retry-After of a running operation: when the next change can be known, not blindly the poll interval.
//  - Twin change events on: 1 s until the method is sent and answered, and then while the device is expected to
//    report soon (REPORT_SOON_WINDOW_MS after the send): the orchestration learns of a report within a second.
//  - Otherwise (events off, or the device is late): until the next timed twin read, plus a second for the read
//    itself, between 1 s and the poll interval.
//  - Nothing known about the next read (Pending, before the watch): the poll interval.
//  - The outcome decided (phase completed, the instance recording it): 1 s.
// A caller that follows it (the Logic Apps HTTP action does) sees the outcome about a second after the orchestration.
import type { OperationCustomStatus } from '../orchestrations/deviceOperation';

/** Reboots and resets take seconds to a couple of minutes; past this, a report is no longer expected "soon". */
export const REPORT_SOON_WINDOW_MS = 120_000;
/** The time to read the twin once the timer fires. */
const READ_ALLOWANCE_MS = 1000;

export function operationRetryAfter(pollIntervalSeconds: number, wakesOnTwinChange: boolean,
  status: Partial<OperationCustomStatus> | null | undefined, nowMs: number): number {
  const inMs = nextChangeInMs(wakesOnTwinChange, status, nowMs);
  if (inMs === null) return pollIntervalSeconds;
  return Math.max(1, Math.min(pollIntervalSeconds, Math.ceil(inMs / 1000)));
}

/**
 * How soon the orchestration can know something new: 0 when at any moment (events on, the method on its way or a
 * report expected soon), else until the next timed twin read plus the read itself; null when nothing tells.
 */
export function nextChangeInMs(wakesOnTwinChange: boolean, status: Partial<OperationCustomStatus> | null | undefined, nowMs: number): number | null {
  // The outcome is decided and being recorded (then the callback, if any): the instance ends at any moment.
  if (status?.phase === 'completed') return 0;
  const watching = status?.phase === 'awaiting-report';
  if (wakesOnTwinChange) {
    if (!watching) return 0;
    const sentAt = time(status?.sentAt);
    if (sentAt !== null && nowMs - sentAt < REPORT_SOON_WINDOW_MS) return 0;
  }
  const nextCheckAt = time(status?.nextCheckAt);
  if (!watching || nextCheckAt === null) return null;
  return Math.max(0, nextCheckAt - nowMs) + READ_ALLOWANCE_MS;
}

function time(value: unknown): number | null {
  if (typeof value !== 'string') return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : ms;
}
