// The rollout's start rate: the caller's `rate` (a fixed maxPerMinute, or AWS IoT Jobs' exponential ramp), the
// hub budget, and the slow-down the hub asked for with 429s, whichever is lowest.
// Exponential ramp as AWS IoT Jobs defines it (research/fleet-and-integration.md §1.1, jobs-configurations-details.md):
// start at baseRatePerMinute and multiply the rate by incrementFactor each time `afterSucceeded` more devices have
// succeeded (base 50, factor 2, after 1000: 50 → 100 → 200 → 400 at 1000 → 2000 → 3000 succeeded), capped by
// maxPerMinute.

export interface ExponentialRate {
  baseRatePerMinute: number;
  /** 1.1–5, one decimal. */
  incrementFactor: number;
  afterSucceeded: number;
}

export interface RolloutRate {
  maxPerMinute: number;
  exponential?: ExponentialRate;
}

/** Never slower than this, however often the hub says 429. */
export const MIN_RATE_PER_MINUTE = 1;
/** Each hub refusal halves the rate (the hub's 429 means: the budget we assumed is not there). */
export const SLOW_DOWN_FACTOR = 0.5;

/** The caller's rate after `succeeded` successes; null when the caller set no rate. */
export function callerRate(rate: RolloutRate | null, succeeded: number): number | null {
  if (rate === null) return null;
  if (rate.exponential === undefined) return rate.maxPerMinute;
  const { baseRatePerMinute, incrementFactor, afterSucceeded } = rate.exponential;
  const steps = Math.floor(succeeded / afterSucceeded);
  // Stop multiplying once past the cap (no overflow to Infinity for huge step counts).
  let value = baseRatePerMinute;
  for (let i = 0; i < steps && value < rate.maxPerMinute; i++) value *= incrementFactor;
  return Math.min(rate.maxPerMinute, Math.floor(value));
}

/**
 * The rate in force (starts per minute): the lowest of the caller's rate and the hub budget, times the slow-down
 * factor (1 until a 429; SLOW_DOWN_FACTOR per refusal); null when nothing limits it.
 */
export function currentRate(caller: number | null, hubBudgetPerMinute: number | null, slowDown: number): number | null {
  const limits = [caller, hubBudgetPerMinute].filter((r): r is number => r !== null);
  if (limits.length === 0) return null;
  return Math.max(MIN_RATE_PER_MINUTE, Math.floor(Math.min(...limits) * slowDown));
}

/** The slow-down after a hub refusal. */
export function slowedDown(slowDown: number): number {
  return slowDown * SLOW_DOWN_FACTOR;
}

/** A batch without refusals wins back a quarter of the rate, up to the full rate. */
export function recovered(slowDown: number): number {
  return Math.min(1, slowDown * 1.25);
}
