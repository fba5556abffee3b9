// The rollout orchestration (issue 11): a sliding window. Devices start in small ticks as fast as the rate in force
// allows (the scheduled start, the caller's rate or ramp, the hub budget, any 429 slow-down), while the devices
// started earlier are still rebooting: no batch waits for its devices before the next one starts. A tick acquires
// its devices' leases in one activity (busy devices are reported, never acted on) and starts one sub-orchestration
// of the existing deviceOperation orchestration per acquired device, under the lease's instance id.
// Histories stay bounded: after TICKS_PER_EXECUTION × batchSize starts (or STEPS_PER_EXECUTION waits) the orchestration
// continues as new without waiting for its devices. Their sub-orchestrations keep running, but their completions go
// to the execution that started them (DTFx drops messages for another execution), so the next execution carries
// them as `inFlight` and reads their outcomes from the operations table (the source of truth; one point read per
// device, only once a device has been running as long as the fastest success so far), every CARRY_POLL_MS.
// Devices started by the current execution report through their sub-orchestration tasks, at once.
// Retries (perDevice.retries, or an attempt the hub refused with 429 before anything reached the device) queue up
// and go first in the following ticks, paced like any start. A wave starts when every device of the previous one is
// done (wave semantics), so the window drains only at wave boundaries and at the end.
// Control (cancel, pause, resume) is written on the summary row, which the acquire activities read, and raised as
// the `rolloutControl` event, which every wait races against. Cancel or abort: nothing more starts, no device is
// tried again, the in-flight ones finish (a force cancel's request also sends each in-flight device operation its
// own `cancel` event), then the rollout closes. Pause: nothing starts and no device is tried again; in-flight
// devices finish; the row is looked at again on resume or every PAUSE_RECHECK_MS.
// Deterministic: time only from context.df.currentUtcDateTime, every I/O in an activity.
import type { OrchestrationContext, Task, TimerTask } from 'durable-functions';
import type { ActivityContract } from '../activities/contracts';
import { ROLLOUT_ACTIVITY, type DeviceResult } from '../activities/rolloutContracts';
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
import { decisionFor, isHubRefusal, type AttemptEnd } from '../domain/rollouts/rolloutRetries';
import type { RolloutState } from '../domain/rollouts/rolloutStore';
import { waveEnds } from '../domain/rollouts/rolloutWaves';
import { FUNCTION } from '../functionNames';
import { retryOptions } from './deviceOperation';
import type { DeviceOperationInput } from './deviceOperationInput';
import { rolloutCallback } from './rolloutCallback';
import type { InFlightDevice, QueuedRetry, RolloutInput, RolloutProgress } from './rolloutInput';

/** The external event raised by cancel, pause and resume (after they wrote the summary row). */
export const ROLLOUT_CONTROL_EVENT = 'rolloutControl';
export interface RolloutControl {
  action: 'cancel' | 'pause' | 'resume';
  force?: boolean;
}
/** A paused rollout re-reads its row this often even without a resume event. */
export const PAUSE_RECHECK_MS = 30_000;
/** Outcomes are written this often (counters and device rows move while devices run). */
export const PROGRESS_FLUSH_MS = 2_000;
/** Devices an earlier execution started are looked up in the operations table this often. */
export const CARRY_POLL_MS = 2_000;
/** Ticks' worth of starts (× batchSize) per execution before continuing as new (each start adds two history events). */
export const TICKS_PER_EXECUTION = 4;
/** Waits per execution before continuing as new (timers, events and lookups also grow the history). */
export const STEPS_PER_EXECUTION = 300;
/** A 429 halves the rate at most this often (the refusals of one burst are one signal)... */
export const SLOW_DOWN_SPACING_MS = 5_000;
/** ...and after this long without one, each start wins back a quarter of it. */
export const RECOVERY_AFTER_MS = 10_000;
/** The first twin read of a device never waits longer than this after its method. */
const MAX_FIRST_LOOK_S = 120;
/** Durable timers longer than this are split across executions (a scheduled start up to 30 days ahead). */
const MAX_TIMER_MS = 6 * 86_400_000;

/** The orchestration's output: tiny; the details are in the rollout table. */
export interface RolloutOutput {
  rolloutId: string;
  state: Exclude<RolloutState, 'running' | 'scheduled'>;
}

type Orchestration<T> = Generator<Task, T, unknown>;

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
  const takeControl = (): Partial<RolloutControl> => {
    const event = (control.result ?? {}) as Partial<RolloutControl>;
    control = ctx.waitForExternalEvent(ROLLOUT_CONTROL_EVENT);
    return event;
  };

  let progress = input.progress;
  if (progress === undefined) {
    let total: number;
    if (input.target.kind === 'query') {
      const resolved = yield* call(ROLLOUT_ACTIVITY.resolveTargets, { rolloutId, query: input.target.query, waves: input.waves, limit: input.limit, at: now() });
      if (resolved.kind === 'tooMany') {
        const empty: RolloutProgress = {
          total: 0, waveEnds: [0], cursor: 0, wave: 0, counters: initialCounters(0), notBefore: null, slowDown: 1, deviceMs: null,
        };
        return yield* close(empty, 'failed', `The target query matches more than ${resolved.limit} devices; narrow it.`);
      }
      total = resolved.total;
    } else {
      total = input.target.total;
    }
    progress = {
      total, waveEnds: waveEnds(total, input.waves), cursor: 0, wave: 0, counters: initialCounters(total), notBefore: input.startAt,
      slowDown: 1, deviceMs: null,
    };
  }

  const { total, waveEnds: ends } = progress;
  const lastWave = ends.length - 1;
  let { cursor, wave, counters, slowDown, deviceMs } = progress;
  let slowDownChangedMs = progress.slowDownChangedMs ?? null;
  let firstStartMs = progress.firstStartMs ?? null;
  let carried: InFlightDevice[] = [...(progress.inFlight ?? [])];
  let retryQueue: QueuedRetry[] = [...(progress.retryQueue ?? [])];
  let stopping = progress.stopping ?? null;
  let own: Array<{ device: InFlightDevice; task: Task }> = [];
  let unrecorded: DeviceResult[] = [];
  let paused = false;
  let etaShown = false;
  // Nothing starts before the scheduled start, whatever else happens (a pause's recheck included).
  const scheduledMs = input.startAt === null ? 0 : Date.parse(input.startAt);
  let nextStartMs = Math.max(scheduledMs, progress.notBefore === null ? nowMs() : Date.parse(progress.notBefore));
  let startedHere = 0;
  let steps = 0;
  /** durable-functions schedules a sub-orchestration only when its task is yielded: never continue as new before. */
  let unyielded = false;

  const hubPerMinute = input.budget === null ? null : budgetPerMinute(input.budget, reportedUpdates);
  const rateNow = (): number | null => currentRate(callerRate(input.rate, counters.succeeded), hubPerMinute, slowDown);
  const burst = input.budget === null ? input.batchSize : Math.min(input.batchSize, burstAllowance(input.budget, reportedUpdates));
  const inFlightCount = (): number => own.length + carried.length;

  const settle = (result: DeviceResult): void => {
    unrecorded.push(result);
    counters = afterOutcomes(counters, [result.outcome]);
  };
  /** No device is tried again once the rollout stops or pauses: queued retries keep their last outcome. */
  const dropRetries = (): void => {
    for (const r of retryQueue) settle({ ordinal: r.ordinal, deviceId: r.deviceId, instanceId: r.previousInstanceId, outcome: r.last });
    retryQueue = [];
  };
  /** Canceled (from the row or the event): nothing starts and no device is tried again; in-flight ones finish. */
  const cancelStarts = (): void => {
    stopping = { state: 'canceled', reason: null };
    dropRetries();
  };
  /** Paused (from the row or the event): nothing starts until a resume, or the row is looked at again. */
  const pauseStarts = (): void => {
    paused = true;
    dropRetries();
    nextStartMs = Math.max(scheduledMs, nowMs() + PAUSE_RECHECK_MS);
  };
  /** An attempt ended: final (counted now), or queued to be tried again. */
  const ended = (device: InFlightDevice, outcome: Outcome, hubRefused: boolean, durationMs: number | null): void => {
    if (outcome === 'Succeeded' && durationMs !== null) deviceMs = deviceMs === null ? durationMs : Math.min(deviceMs, durationMs);
    const decision = stopping !== null || paused ? 'final' : decisionFor(outcome, hubRefused, device.attempts, device.refusals, input.retries);
    const again = { ordinal: device.ordinal, deviceId: device.deviceId, previousInstanceId: device.instanceId, last: outcome };
    if (decision === 'retry') retryQueue.push({ ...again, attempts: device.attempts + 1, refusals: device.refusals });
    else if (decision === 'hubRefused') retryQueue.push({ ...again, attempts: device.attempts, refusals: device.refusals + 1 });
    else settle({ ordinal: device.ordinal, deviceId: device.deviceId, instanceId: device.instanceId, outcome });
    if (hubRefused && (slowDownChangedMs === null || nowMs() - slowDownChangedMs >= SLOW_DOWN_SPACING_MS)) {
      // The hub said 429 (or was unavailable): the budget we paced to is not there; slow the whole rollout down.
      slowDown = slowedDown(slowDown);
      slowDownChangedMs = nowMs();
    }
  };
  function* flush(): Orchestration<void> {
    const results = unrecorded.sort((x, y) => x.ordinal - y.ordinal);
    unrecorded = [];
    const rate = rateNow();
    // Before any device succeeded, a device takes at least the time since the first start.
    const eta = rolloutEta({ nowMs: nowMs(), queued: counters.queued, ratePerMinute: rate, deviceMs: deviceMs ?? (firstStartMs === null ? null : nowMs() - firstStartMs) });
    etaShown ||= eta !== null;
    yield* call(ROLLOUT_ACTIVITY.recordBatch, {
      rolloutId, results, counters, currentWave: Math.min(wave + 1, ends.length), currentRate: rate, eta, at: now(),
    });
  }
  const requestFor = (): DeviceOperationInput['request'] => input.budget === null ? input.request
    : { ...input.request, pollIntervalSeconds: pollIntervalFor(inFlightCount() + 1, input.request.pollIntervalSeconds, input.budget) };
  /**
   * When a device's first twin read is worth making (paced rollouts: reads are budgeted): after the fastest success
   * so far; before any, after the time since the first start (no device has succeeded in that time).
   */
  const firstLookSeconds = (): number | undefined => {
    if (input.budget === null) return undefined;
    const knownMs = deviceMs ?? (firstStartMs === null ? null : nowMs() - firstStartMs);
    const seconds = knownMs === null ? 0 : Math.min(Math.floor(knownMs / 1000), MAX_FIRST_LOOK_S, Math.floor(input.request.timeoutSeconds / 2));
    return seconds > 0 ? seconds : undefined;
  };
  const start = (device: InFlightDevice): void => {
    firstStartMs ??= nowMs();
    const firstLook = firstLookSeconds();
    const task = ctx.callSubOrchestrator(FUNCTION.deviceOperationOrchestrator, {
      deviceId: device.deviceId, operation: input.operation, request: requestFor(), requestedAt: device.requestedAt, retry: input.retry,
      ...(input.wakeOnTwinChange === true ? { wakeOnTwinChange: true } : {}), ...(firstLook === undefined ? {} : { firstLookSeconds: firstLook }),
    } satisfies DeviceOperationInput, device.instanceId);
    own.push({ device, task });
    startedHere += 1;
    unyielded = true;
  };
  /** One tick: queued retries first, then new devices of the current wave, as many as the rate allows now. */
  function* tick(): Orchestration<void> {
    if (slowDown < 1 && slowDownChangedMs !== null && nowMs() - slowDownChangedMs >= RECOVERY_AFTER_MS) {
      slowDown = recovered(slowDown);
      slowDownChangedMs = nowMs();
    }
    const rate = rateNow();
    let room = batchAllowance(burst, rate);
    const tickMs = nowMs();
    const requestedAt = now();
    let started = 0;
    // Rows and counters written together: outcomes so far first, so the acquire's counters match the rows (and
    // the first ETA as soon as there is one).
    if (unrecorded.length > 0 || (!etaShown && firstStartMs !== null)) yield* flush();
    let probe = false;
    if (retryQueue.length > 0) {
      const due = retryQueue.splice(0, room);
      room -= due.length;
      const reacquired = yield* call(ROLLOUT_ACTIVITY.acquireRetries, {
        rolloutId, operation: input.operation, requestedAt,
        devices: due.map((r) => ({ ordinal: r.ordinal, deviceId: r.deviceId, previousInstanceId: r.previousInstanceId, attempts: r.attempts - 1 })),
      });
      const instanceOf = new Map((reacquired.kind === 'acquired' ? reacquired.devices : []).map((d) => [d.ordinal, d.instanceId]));
      for (const r of due) {
        const instanceId = instanceOf.get(r.ordinal) ?? null;
        // Stopped, or another operation took the device meanwhile: it keeps its last outcome.
        if (instanceId === null) settle({ ordinal: r.ordinal, deviceId: r.deviceId, instanceId: r.previousInstanceId, outcome: r.last });
        else {
          start({ ordinal: r.ordinal, deviceId: r.deviceId, instanceId, attempts: r.attempts, refusals: r.refusals, requestedAt });
          started += 1;
        }
      }
      // Stopped: a cancel or a pause is on the row; the batch acquire below tells which.
      probe = reacquired.kind === 'stopped';
      if (probe) dropRetries();
    }
    const waveEnd = ends[wave]!;
    if ((room > 0 && cursor < waveEnd) || probe) {
      const to = Math.min(cursor + Math.max(0, room), waveEnd);
      const acquired = yield* call(ROLLOUT_ACTIVITY.acquireBatch, {
        rolloutId, operation: input.operation, requestedAt, from: cursor, to, counters, currentWave: wave + 1, currentRate: rate,
      });
      if (acquired.kind === 'canceled') cancelStarts();
      else if (acquired.kind === 'paused') {
        pauseStarts();
        return;
      } else {
        paused = false;
        counters = afterAcquire(counters, acquired.devices);
        cursor = to;
        for (const d of acquired.devices) {
          if (d.instanceId === null) continue;
          start({ ordinal: d.ordinal, deviceId: d.deviceId, instanceId: d.instanceId, attempts: 1, refusals: 0, requestedAt });
          started += 1;
        }
      }
    }
    nextStartMs = nextStartAfter(tickMs, started, rate) ?? nowMs();
  }
  /** Outcomes of the devices an earlier execution started, from the table (those running long enough to be done). */
  function* collect(): Orchestration<void> {
    const due = carried.filter((d) => deviceMs === null || Date.parse(d.requestedAt) + deviceMs <= nowMs());
    if (due.length === 0) return;
    const { ended: over } = yield* call(ROLLOUT_ACTIVITY.collectOutcomes, {
      devices: due.map((d) => ({ ordinal: d.ordinal, deviceId: d.deviceId, instanceId: d.instanceId, requestedAt: d.requestedAt })),
    });
    const byOrdinal = new Map(over.map((o) => [o.ordinal, o]));
    carried = carried.filter((d) => {
      const o = byOrdinal.get(d.ordinal);
      if (o === undefined) return true;
      ended(d, o.outcome, o.hubRefused, o.durationMs);
      return false;
    });
  }

  let startTimer: { task: TimerTask; atMs: number } | null = null;
  let flushTimer: TimerTask | null = null;
  let pollTimer: TimerTask | null = null;
  for (;;) {
    // Attempts of this execution that ended.
    const open: typeof own = [];
    for (const o of own) {
      if (!o.task.isCompleted && !o.task.isFaulted) open.push(o);
      else {
        const end = attemptEnd(o.task);
        ended(o.device, end.outcome, isHubRefusal(end), durationOf(o.task));
      }
    }
    own = open;
    if (stopping === null) {
      const tripped = trippedRule(input.abort, counters);
      if (tripped !== null) {
        stopping = { state: 'aborted', reason: describeAbort(tripped) };
        dropRetries();
      }
    }
    // A wave is done when all its devices are: only then does the next one start.
    while (wave < lastWave && cursor >= ends[wave]! && inFlightCount() === 0 && retryQueue.length === 0) wave += 1;

    if (inFlightCount() === 0 && retryQueue.length === 0 && (stopping !== null || cursor >= total)) {
      cancelTimer(startTimer?.task);
      cancelTimer(flushTimer);
      cancelTimer(pollTimer);
      const final: RolloutProgress = { ...progress, cursor, wave, counters, slowDown, deviceMs, notBefore: null };
      if (stopping === null) {
        if (unrecorded.length > 0) yield* flush();
        return yield* close(final, 'completed', null);
      }
      if (unrecorded.length > 0) yield* flush();
      // The abort's figures once the in-flight devices finished (they count too).
      const tripped = stopping.state === 'aborted' ? trippedRule(input.abort, counters) : null;
      return yield* close(final, stopping.state, tripped === null ? stopping.reason : describeAbort(tripped));
    }

    const canStart = stopping === null && (paused || retryQueue.length > 0 || cursor < ends[wave]!);
    if (canStart && nowMs() >= nextStartMs) {
      cancelTimer(startTimer?.task);
      startTimer = null;
      yield* tick();
      steps += 1;
      continue;
    }
    if ((startedHere >= TICKS_PER_EXECUTION * input.batchSize || steps >= STEPS_PER_EXECUTION) && !unyielded) {
      cancelTimer(startTimer?.task);
      cancelTimer(flushTimer);
      cancelTimer(pollTimer);
      if (unrecorded.length > 0) yield* flush();
      const next: RolloutProgress = {
        ...progress, cursor, wave, counters, slowDown, slowDownChangedMs, deviceMs, firstStartMs, stopping, retryQueue,
        inFlight: [...carried, ...own.map((o) => o.device)].sort((a, b) => a.ordinal - b.ordinal),
        notBefore: new Date(nextStartMs).toISOString(),
      };
      ctx.continueAsNew({ ...input, progress: next } satisfies RolloutInput);
      return undefined;
    }

    const waits: Task[] = [control];
    if (canStart) {
      const atMs = Math.min(nextStartMs, nowMs() + MAX_TIMER_MS);
      if (startTimer !== null && startTimer.atMs !== atMs) cancelTimer(startTimer.task);
      if (startTimer === null || startTimer.atMs !== atMs) startTimer = { task: ctx.createTimer(new Date(atMs)), atMs };
      waits.push(startTimer.task);
    }
    if (unrecorded.length > 0) waits.push(flushTimer ??= ctx.createTimer(new Date(nowMs() + PROGRESS_FLUSH_MS)));
    if (carried.length > 0) waits.push(pollTimer ??= ctx.createTimer(new Date(nowMs() + CARRY_POLL_MS)));
    if (own.length > 0) waits.push(ctx.Task.any(own.map((o) => o.task)));
    // A task that completed without winning never resolves a later Task.any (durable-functions tells a compound task
    // only of completions after it was built): so nothing already completed is waited on again, and every completed
    // one is handled below, winner or not (a poll timer firing with the flush timer left the rollout waiting forever).
    if (!waits.some((t) => t.isCompleted || t.isFaulted)) {
      yield ctx.Task.any(waits);
      unyielded = false;
      steps += 1;
    }
    if (control.isCompleted) {
      const event = takeControl();
      // The row says so too (written before the event).
      if (event.action === 'cancel' && stopping === null) cancelStarts();
      else if (event.action === 'pause') pauseStarts();
      else if (event.action === 'resume') {
        nextStartMs = Math.max(scheduledMs, nowMs());
      }
    }
    if (startTimer?.task.isCompleted === true) startTimer = null;
    if (flushTimer?.isCompleted === true) {
      flushTimer = null;
      if (unrecorded.length > 0) yield* flush();
    }
    if (pollTimer?.isCompleted === true) {
      pollTimer = null;
      yield* collect();
    }
  }
}

/** Cancels a timer that has not fired (durable-functions throws on cancelling a completed one). */
function cancelTimer(timer: TimerTask | null | undefined): void {
  if (timer !== null && timer !== undefined && !timer.isCompleted) timer.cancel();
}

/** requestedAt → completedAt of a finished sub-orchestration, when its output says. */
function durationOf(task: Task): number | null {
  if (task.isFaulted) return null;
  const duration = (task.result as Partial<OperationOutput> | undefined)?.durationMs;
  return typeof duration === 'number' ? duration : null;
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
