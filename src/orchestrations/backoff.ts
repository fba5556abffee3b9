// Backoff between attempts (direct-method sends, completion callbacks), on durable timers.
import type { RetrySpec } from './deviceOperationInput';

/** Delay before attempt `attempt + 1`: first × coefficient^(attempt − 1), capped. */
export function backoff(spec: RetrySpec, attempt: number): number {
  return Math.min(spec.firstRetryIntervalMs * spec.backoffCoefficient ** Math.max(0, attempt - 1), spec.maxRetryIntervalMs);
}
