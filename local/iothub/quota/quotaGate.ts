// Admission control for throttled operations: one token bucket per throttle, none at all for tier 'none'.
import { type Clock, TokenBucket } from './tokenBucket';
import { type QuotaTier, type ThrottledOperation, throttleRates } from './throttles';

export class QuotaGate {
  private readonly buckets: Map<ThrottledOperation, TokenBucket> | undefined;

  constructor(readonly tier: QuotaTier, readonly units = 1, private readonly clock: Clock = Date.now) {
    if (!Number.isInteger(units) || units < 1) throw new RangeError('quota units must be a positive integer');
    if (tier === 'none') return;
    this.buckets = new Map();
    for (const [operation, rate] of Object.entries(throttleRates(tier, units)) as [ThrottledOperation, { perPeriod: number; periodSeconds: number }][]) {
      this.buckets.set(operation, new TokenBucket(rate.perPeriod, rate.perPeriod / rate.periodSeconds, clock));
    }
  }

  /** True when the operation may proceed; false means answer 429001. */
  admit(operation: ThrottledOperation, cost = 1): boolean {
    const bucket = this.buckets?.get(operation);
    return bucket === undefined || bucket.tryTake(cost);
  }

  /**
   * For paced work (a job's device operations): takes the tokens and returns 0, or returns how many milliseconds
   * to wait before asking again. Never refuses outright.
   */
  delayFor(operation: ThrottledOperation, cost = 1): number {
    const bucket = this.buckets?.get(operation);
    if (bucket === undefined || bucket.tryTake(cost)) return 0;
    return Math.max(1, bucket.millisecondsUntil(cost));
  }

  /** Refills every bucket (admin reset). */
  reset(): QuotaGate {
    return new QuotaGate(this.tier, this.units, this.clock);
  }
}
