// Pacing of device starts on durable timers. The budget is starts per minute (the rate in force:
// rolloutRamp.ts folds the caller's rate, the hub budget and the slow-down into it). A batch of n starts is followed by a gap of
// n × 60 000 / budget ms before the next batch may start, so the average stays within the budget.

/** Devices the next batch may start: the batch size, capped by the budget (at least 1). */
export function batchAllowance(batchSize: number, budgetPerMinute: number | null): number {
  return budgetPerMinute === null ? batchSize : Math.max(1, Math.min(batchSize, budgetPerMinute));
}

/** Earliest start of the following batch (ms since epoch); null when unpaced. */
export function nextStartAfter(batchStartMs: number, started: number, budgetPerMinute: number | null): number | null {
  if (budgetPerMinute === null || started === 0) return null;
  return batchStartMs + Math.ceil((started * 60_000) / budgetPerMinute);
}
