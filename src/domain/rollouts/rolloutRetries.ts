// Per-device retries (AWS IoT Jobs' jobExecutionsRetryConfig, research/fleet-and-integration.md §1.1): a device
// whose attempt ended TimedOut or DeviceOffline may be tried again, up to `maxAttempts` attempts in all, while the
// rollout runs (never after a cancel, an abort or a pause). Rejected is never retried: the device refused the
// action and would refuse it again. Separately, an attempt the hub refused before anything reached the device
// (a 429 or a 5xx: delivery notDelivered) is not the device's failure: it is queued again and the rollout slows down.
import type { Delivery, OperationError, Outcome } from '../outcomes';

export const RETRYABLE_OUTCOMES = ['TimedOut', 'DeviceOffline'] as const satisfies readonly Outcome[];
export type RetryableOutcome = (typeof RETRYABLE_OUTCOMES)[number];
/** At most this many attempts per device (AWS IoT Jobs allows up to 10 retries). */
export const MAX_DEVICE_ATTEMPTS = 11;
/** Attempts the hub refused (nothing sent) after which the device keeps its outcome: a hub that stays refusing. */
export const MAX_HUB_REFUSALS = 5;

export interface DeviceRetries {
  /** Attempts in all, first included (1 = no retry). */
  maxAttempts: number;
  on: RetryableOutcome[];
}

export const NO_RETRIES: DeviceRetries = Object.freeze({ maxAttempts: 1, on: [] }) as DeviceRetries;

/** What one attempt's end says about the device. */
export interface AttemptEnd {
  outcome: Outcome;
  delivery: Delivery;
  error: OperationError | null;
}

export type RetryDecision = 'final' | 'retry' | 'hubRefused';

/**
 * What to do after attempt `attempt` (1-based) of a device that the hub refused `refusals` times so far, from its
 * outcome and whether the hub refused it (isHubRefusal). `hubRefused`: nothing reached the device and the hub said
 * no — send again later, slower, not counted as an attempt.
 */
export function decisionFor(outcome: Outcome, hubRefused: boolean, attempt: number, refusals: number, retries: DeviceRetries): RetryDecision {
  if (hubRefused) return refusals < MAX_HUB_REFUSALS ? 'hubRefused' : 'final';
  if (outcome === 'Rejected') return 'final';
  if (!(retries.on as readonly Outcome[]).includes(outcome)) return 'final';
  return attempt < retries.maxAttempts ? 'retry' : 'final';
}

/**
 * The hub refused the method (429 throttling, or a 5xx) through every invoke attempt: nothing ran. The refusal is
 * named in the message (describeHubFailure: "HTTP 429, error 429001"); a deadline that passed before the first
 * send, with no refusal, is the device's TimedOut.
 */
export function isHubRefusal(end: AttemptEnd): boolean {
  return end.delivery === 'notDelivered' && end.error?.code === 'MethodNotDelivered' && (end.outcome === 'Failed' || end.outcome === 'TimedOut')
    && /\b(HTTP (429|5\d\d)|error 429\d{3})\b/.test(end.error.message);
}
