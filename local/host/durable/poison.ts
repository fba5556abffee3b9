// Poison tracking: an instance (or activity work item) whose processing keeps failing for a reason other
// than a storage outage is retried with exponential backoff, and after a bounded number of consecutive
// failures it is failed with a message naming the cause, instead of being retried forever.

export interface PoisonPolicy {
  /** Consecutive failures after which the work is failed for good. */
  maxAttempts: number;
  firstDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_POISON_POLICY: PoisonPolicy = { maxAttempts: 5, firstDelayMs: 250, maxDelayMs: 5000 };

export interface PoisonVerdict {
  /** Failures so far, this one included. */
  attempts: number;
  /** Wait before the next attempt (0 when exhausted). */
  delayMs: number;
  exhausted: boolean;
}

export class PoisonTracker {
  readonly #attempts = new Map<string, number>();

  constructor(readonly policy: PoisonPolicy = DEFAULT_POISON_POLICY) {}

  recordFailure(key: string): PoisonVerdict {
    const attempts = (this.#attempts.get(key) ?? 0) + 1;
    this.#attempts.set(key, attempts);
    if (attempts >= this.policy.maxAttempts) return { attempts, delayMs: 0, exhausted: true };
    const delayMs = Math.min(this.policy.maxDelayMs, this.policy.firstDelayMs * 2 ** (attempts - 1));
    return { attempts, delayMs, exhausted: false };
  }

  /** Success (or a final verdict): the count starts again. */
  clear(key: string): void {
    this.#attempts.delete(key);
  }
}
