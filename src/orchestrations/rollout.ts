// The rollout orchestration (issue 11): one batch of devices per execution, then continue as new, so histories
// stay small whatever the fleet size. A batch: wait for its start (the scheduled start, then the rate budget) on a
// durable timer → acquire the batch's device leases in one activity (busy devices are reported, never acted on) →
// one sub-orchestration of the existing deviceOperation orchestration per acquired device, under the lease's
// instance id → devices that may be retried (perDevice.retries, or an attempt the hub refused with 429 before
// anything reached the device) are acquired and run again within the batch → record the outcomes → check the
// abort rules. A wave starts when the previous one is done (batches never cross a wave boundary and each batch
// finishes before the next).
// Control (cancel, pause, resume) is written on the summary row, which the acquire activities read, and raised as
// the `rolloutControl` event, which every wait of this orchestration races against: a timer wait ends early and no
// device is tried again. (A force cancel's request also sends each in-flight device operation its own `cancel`
// event: only a client can raise events, and activities here have none.) A paused rollout starts nothing; it
// re-reads the row when resumed (or every PAUSE_RECHECK_MS, should the event be lost across continue-as-new).
// Deterministic: time only from context.df.currentUtcDateTime, every I/O in an activity.
import type { OrchestrationContext, Task, TimerTask } from 'durable-functions';
import type { ActivityContract } from '../activities/contracts';
import { ROLLOUT_ACTIVITY, type BatchDevice, type DeviceResult } from '../activities/rolloutContracts';
import type { OperationOutput, Outcome } from '../domain/outcomes';
import { OUTCOMES } from '../domain/outcomes';
import { operationDefinition } from '../domain/operations/registry';
import { budgetPerMinute, burstAllowance, pollIntervalFor } from '../domain/rollouts/hubBudget';
import { describeAbort, trippedRule } from '../domain/rollouts/rolloutAbort';
import { initialCounters } from '../domain/rollouts/rolloutCounters';
import { rolloutEta } from '../domain/rollouts/rolloutEta';
import { batchAllowance, nextStartAfter } from '../domain/rollouts/rolloutPacer';
import { afterAcquire, afterClose, afterOutcomes } from '../domain/rollouts/rolloutProgress';
import { callerRate, currentRate, recovered, slowedDown } from '../domain/rollouts/rolloutRamp';
import { retryDecision, type AttemptEnd } from '../domain/rollouts/rolloutRetries';
import type { RolloutState } from '../domain/rollouts/rolloutStore';
import { waveEnds } from '../domain/rollouts/rolloutWaves';
import { FUNCTION } from '../functionNames';
import { retryOptions } from './deviceOperation';
import type { DeviceOperationInput } from './deviceOperationInput';
import { rolloutCallback } from './rolloutCallback';
import type { RolloutInput, RolloutProgress } from './rolloutInput';

/** The external event raised by cancel, pause and resume (after they wrote the summary row). */
export const ROLLOUT_CONTROL_EVENT = 'rolloutControl';
export interface RolloutControl {
  action: 'cancel' | 'pause' | 'resume';
  force?: boolean;
}
/** A paused rollout re-reads its row this often even without a resume event. */
export const PAUSE_RECHECK_MS = 30_000;
/** While a batch runs, outcomes so far are written this often (counters and device rows move mid-batch). */
export const PROGRESS_FLUSH_MS = 2_000;
/** Durable timers longer than this are split across executions (a scheduled start up to 30 days ahead). */
const MAX_TIMER_MS = 6 * 86_400_000;

/** The orchestration's output: tiny; the details are in the rollout table. */
export interface RolloutOutput {
  rolloutId: string;
  state: Exclude<RolloutState, 'running' | 'scheduled'>;
}

type Orchestration<T> = Generator<Task, T, unknown>;
interface Attempt {
  device: BatchDevice & { instanceId: string };
  /** Attempts started (hub refusals excluded). */
  attempts: number;
  refusals: number;
  requestedAt: string;
  /** How the previous attempt ended (for a device that is not tried again after all). */
  last?: Outcome;
}

export function* rolloutOrchestration(context: OrchestrationContext): Orchestration<RolloutOutput | undefined> {
  const ctx = context.df;
  const input = ctx.getInput<RolloutInput>();
  const { rolloutId } = input;
  const nowMs = (): number => ctx.currentUtcDateTime.getTime();
  const now = (): string => ctx.currentUtcDateTime.toISOString();
  const reportedUpdates = operationDefinition(input.operation).reportedUpdates;
  function* call<I, O>(activity: ActivityContract<I, O>, activityInput: I): Orchestration<O> {
    return activity.decode(yield ctx.callActivityWithRetry(activity.name, retryOptions(input.retry.record), activityInput));
  }
  function* close(progress: RolloutProgress, state: RolloutOutput['state'], reason: string | null): Orchestration<RolloutOutput> {
    const counters = state === 'completed' || state === 'failed' ? progress.counters : afterClose(progress.counters);
    yield* call(ROLLOUT_ACTIVITY.close, {
      rolloutId, state, counters, currentWave: Math.min(progress.wave + 1, progress.waveEnds.length), reason,
      from: progress.cursor, total: progress.total, at: now(),
    });
    if (!ctx.isReplaying) context.info(`rollout ${rolloutId} ${state}${reason === null ? '' : `: ${reason}`}`);
    if (input.callback !== undefined) yield* rolloutCallback(context, rolloutId, input.callback);
    return { rolloutId, state };
  }

  // One control-event task at a time: durable-functions hands an event to the newest waiting task.
  let control = ctx.waitForExternalEvent(ROLLOUT_CONTROL_EVENT);
  /** Consumes a control event that arrived; true when it asks to stop starting devices (cancel or pause). */
  const takeControl = (): boolean => {
    const event = (control.result ?? {}) as Partial<RolloutControl>;
    control = ctx.waitForExternalEvent(ROLLOUT_CONTROL_EVENT);
    return event.action === 'cancel' || event.action === 'pause';
  };
  /** Waits until `untilMs` unless a cancel or pause (with `anyEvent`, any control event) comes first (false then). */
  function* waitUntil(untilMs: number, anyEvent = false): Orchestration<boolean> {
    while (untilMs > nowMs()) {
      const timer: TimerTask = ctx.createTimer(new Date(Math.min(untilMs, nowMs() + MAX_TIMER_MS)));
      const winner: unknown = yield ctx.Task.any([timer, control]);
      if (winner === timer) continue;
      timer.cancel();
      if (takeControl() || anyEvent) return false;
    }
    return true;
  }

  let progress = input.progress;
  if (progress === undefined) {
    let total: number;
    if (input.target.kind === 'query') {
      const resolved = yield* call(ROLLOUT_ACTIVITY.resolveTargets, { rolloutId, query: input.target.query, waves: input.waves, limit: input.limit, at: now() });
      if (resolved.kind === 'tooMany') {
        const empty: RolloutProgress = {
          total: 0, waveEnds: [0], cursor: 0, wave: 0, counters: initialCounters(0), notBefore: null, slowDown: 1, lastBatchMs: null,
        };
        return yield* close(empty, 'failed', `The target query matches more than ${resolved.limit} devices; narrow it.`);
      }
      total = resolved.total;
    } else {
      total = input.target.total;
    }
    progress = {
      total, waveEnds: waveEnds(total, input.waves), cursor: 0, wave: 0, counters: initialCounters(total), notBefore: input.startAt,
      slowDown: 1, lastBatchMs: null,
    };
  }

  // Skip waves that are done (or rounded to no devices).
  while (progress.wave < progress.waveEnds.length - 1 && progress.cursor >= progress.waveEnds[progress.wave]!) progress.wave += 1;
  if (progress.cursor >= progress.total) return yield* close(progress, 'completed', null);

  // Pace: the batch starts no earlier than the scheduled start and the rate allow (a cancel or pause cuts the wait short).
  const hubPerMinute = input.budget === null ? null : budgetPerMinute(input.budget, reportedUpdates);
  const rateOf = (p: RolloutProgress): number | null => currentRate(callerRate(input.rate, p.counters.succeeded), hubPerMinute, p.slowDown);
  const rate = rateOf(progress);
  if (progress.notBefore !== null) yield* waitUntil(Date.parse(progress.notBefore));
  const burst = input.budget === null ? input.batchSize : Math.min(input.batchSize, burstAllowance(input.budget, reportedUpdates));
  const from = progress.cursor;
  const to = Math.min(from + batchAllowance(burst, rate), progress.waveEnds[progress.wave]!);
  const requestedAt = now();
  const batchStartMs = nowMs();
  const acquired = yield* call(ROLLOUT_ACTIVITY.acquireBatch, {
    rolloutId, operation: input.operation, requestedAt, from, to, counters: progress.counters, currentWave: progress.wave + 1, currentRate: rate,
  });
  if (acquired.kind === 'canceled') return yield* close(progress, 'canceled', null);
  if (acquired.kind === 'paused') {
    // Nothing started; wait for a resume (or a cancel), then look at the row again in a fresh execution (a
    // scheduled start still waits for its time).
    yield* waitUntil(nowMs() + PAUSE_RECHECK_MS, true);
    ctx.continueAsNew({ ...input, progress } satisfies RolloutInput);
    return undefined;
  }
  let counters = afterAcquire(progress.counters, acquired.devices);

  // Attempts in rounds: every device of the round at once, then those to try again.
  let round: Attempt[] = acquired.devices.filter((d): d is BatchDevice & { instanceId: string } => d.instanceId !== null)
    .map((device) => ({ device, attempts: 1, refusals: 0, requestedAt }));
  /** Final outcomes not yet written; written every PROGRESS_FLUSH_MS while attempts run, so counters move mid-batch. */
  let unrecorded: DeviceResult[] = [];
  let started = round.length;
  let slowDown = progress.slowDown;
  let refused = false;
  let stopRetries = false;
  const settle = (result: DeviceResult): void => {
    unrecorded.push(result);
    counters = afterOutcomes(counters, [result.outcome]);
  };
  function* flush(extra: { currentRate: number | null; eta: string | null } | null, wave: number): Orchestration<void> {
    if (extra === null && unrecorded.length === 0) return;
    const results = unrecorded.sort((x, y) => x.ordinal - y.ordinal);
    unrecorded = [];
    yield* call(ROLLOUT_ACTIVITY.recordBatch, {
      rolloutId, results, counters, currentWave: wave, currentRate: extra?.currentRate ?? rate, ...(extra === null ? {} : { eta: extra.eta }), at: now(),
    });
  }
  while (round.length > 0) {
    const request = input.budget === null ? input.request
      : { ...input.request, pollIntervalSeconds: pollIntervalFor(round.length, input.request.pollIntervalSeconds, input.budget) };
    const tasks = round.map((a) => ctx.callSubOrchestrator(FUNCTION.deviceOperationOrchestrator, {
      deviceId: a.device.deviceId, operation: input.operation, request, requestedAt: a.requestedAt, retry: input.retry,
    } satisfies DeviceOperationInput, a.device.instanceId));
    const decided = new Array<boolean>(tasks.length).fill(false);
    const again: Attempt[] = [];
    let refusedNow = false;
    /** Decides every attempt that ended: final (counted now), or to try again after this round. */
    const decide = (): void => round.forEach((attempt, i) => {
      const task = tasks[i]!;
      if (decided[i] || (!task.isCompleted && !task.isFaulted)) return;
      decided[i] = true;
      const end = attemptEnd(task);
      const decision = stopRetries ? 'final' : retryDecision(end, attempt.attempts, attempt.refusals, input.retries);
      if (decision === 'retry') again.push({ ...attempt, attempts: attempt.attempts + 1, last: end.outcome });
      else if (decision === 'hubRefused') again.push({ ...attempt, refusals: attempt.refusals + 1, last: end.outcome });
      else settle(resultOf(attempt, end.outcome));
      refusedNow ||= decision === 'hubRefused';
    });
    // Wait for every attempt (in-flight devices finish); a cancel or pause means no device is tried again.
    let flushTimer: TimerTask | null = null;
    for (;;) {
      decide();
      const open = tasks.filter((t) => !t.isCompleted && !t.isFaulted);
      if (open.length === 0) break;
      flushTimer ??= ctx.createTimer(new Date(nowMs() + PROGRESS_FLUSH_MS));
      const winner: unknown = yield ctx.Task.any([ctx.Task.all(open), control, flushTimer]);
      if (winner === control) {
        if (takeControl()) stopRetries = true;
      } else if (winner === flushTimer) {
        flushTimer = null;
        decide();
        yield* flush(null, progress.wave + 1);
      }
    }
    flushTimer?.cancel();
    if (refusedNow) {
      // The hub said 429 (or was unavailable): the budget we paced to is not there; slow the whole rollout down.
      refused = true;
      slowDown = slowedDown(slowDown);
    }
    if (again.length === 0) break;
    // Retries are starts like any other: paced at the rate in force (slower after a 429).
    const retryAt = nextStartAfter(nowMs(), again.length, currentRate(callerRate(input.rate, counters.succeeded), hubPerMinute, slowDown));
    const keepGoing = retryAt === null || (yield* waitUntil(retryAt));
    const retryRequestedAt = now();
    const reacquired = keepGoing ? yield* call(ROLLOUT_ACTIVITY.acquireRetries, {
      rolloutId, operation: input.operation, requestedAt: retryRequestedAt,
      devices: again.map((a) => ({ ordinal: a.device.ordinal, deviceId: a.device.deviceId, previousInstanceId: a.device.instanceId, attempts: a.attempts - 1 })),
    }) : { kind: 'stopped' as const };
    const instanceOf = new Map((reacquired.kind === 'acquired' ? reacquired.devices : []).map((d) => [d.ordinal, d.instanceId]));
    round = [];
    for (const attempt of again) {
      const instanceId = instanceOf.get(attempt.device.ordinal) ?? null;
      // Stopped, or another operation took the device meanwhile: it keeps its last outcome.
      if (instanceId === null) settle(resultOf(attempt, attempt.last ?? 'Failed'));
      else round.push({ ...attempt, device: { ...attempt.device, instanceId }, requestedAt: retryRequestedAt });
    }
    started += round.length;
  }
  const cursor = to;
  let wave = progress.wave;
  if (cursor >= progress.waveEnds[wave]! && wave < progress.waveEnds.length - 1) wave += 1;
  const next: RolloutProgress = {
    ...progress, cursor, wave, counters, slowDown: refused ? slowDown : recovered(slowDown), lastBatchMs: nowMs() - batchStartMs, notBefore: null,
  };
  const nextRate = rateOf(next);
  const notBefore = nextStartAfter(batchStartMs, started, nextRate === null ? null : Math.min(nextRate, rate ?? nextRate));
  next.notBefore = notBefore === null ? null : new Date(notBefore).toISOString();
  const eta = rolloutEta({ nowMs: nowMs(), queued: counters.queued, batch: batchAllowance(burst, nextRate), ratePerMinute: nextRate, lastBatchMs: next.lastBatchMs });
  yield* flush({ currentRate: nextRate, eta }, Math.min(wave + 1, next.waveEnds.length));

  const tripped = trippedRule(input.abort, counters);
  if (tripped !== null) return yield* close(next, 'aborted', describeAbort(tripped));
  if (cursor >= next.total) return yield* close(next, 'completed', null);
  ctx.continueAsNew({ ...input, progress: next } satisfies RolloutInput);
  return undefined;
}

function resultOf(attempt: Attempt, outcome: Outcome): DeviceResult {
  return { ordinal: attempt.device.ordinal, deviceId: attempt.device.deviceId, instanceId: attempt.device.instanceId, outcome };
}

/** How an attempt ended, from its sub-orchestration; one that failed outright counts as Failed. */
function attemptEnd(task: Task): AttemptEnd {
  if (task.isFaulted) return { outcome: 'Failed', delivery: 'unknown', error: null };
  const output = task.result as Partial<OperationOutput> | undefined;
  const outcome = output?.outcome;
  return {
    outcome: typeof outcome === 'string' && (OUTCOMES as readonly string[]).includes(outcome) ? outcome as Outcome : 'Failed',
    delivery: output?.delivery ?? 'unknown',
    error: output?.error ?? null,
  };
}
