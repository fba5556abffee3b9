// Abort criteria (in the manner of AWS IoT Jobs' abortConfig): when at least `minExecuted` devices have an
// outcome and the share of them with one of `outcomes` reaches `thresholdPercent`, the rollout aborts: queued
// devices are canceled, in-flight ones finish.
import type { Outcome } from '../outcomes';
import { executed, stateOfOutcome, type RolloutCounters } from './rolloutCounters';

export interface AbortRule {
  outcomes: Outcome[];
  thresholdPercent: number;
  minExecuted: number;
}

export interface AbortDecision {
  rule: AbortRule;
  matched: number;
  executed: number;
}

/** The first rule that trips, or null. */
export function trippedRule(rules: readonly AbortRule[], counters: RolloutCounters): AbortDecision | null {
  const done = executed(counters);
  for (const rule of rules) {
    if (done === 0 || done < rule.minExecuted) continue;
    const states = new Set(rule.outcomes.map(stateOfOutcome));
    const matched = [...states].reduce((sum, state) => sum + counters[state], 0);
    if (matched * 100 >= rule.thresholdPercent * done) return { rule, matched, executed: done };
  }
  return null;
}

export function describeAbort(decision: AbortDecision): string {
  return `${decision.matched} of ${decision.executed} executed device(s) ended ${decision.rule.outcomes.join('/')}`
    + ` (threshold ${decision.rule.thresholdPercent} % after at least ${decision.rule.minExecuted}).`;
}
