// The rollout orchestration (issue 11): one batch of devices per execution, then continue as new, so histories
// stay small whatever the fleet size. A batch: wait for the rate budget (durable timer) → acquire the batch's
// device leases in one activity (busy devices are reported, never acted on) → one sub-orchestration of the
// existing deviceOperation orchestration per acquired device, under the lease's instance id → record the
// outcomes → check the abort rules. A wave starts when the previous one is done (batches never cross a wave
// boundary and each batch finishes before the next). Cancel is a flag on the summary row, read when the next
// batch would start: queued devices are canceled, in-flight ones have finished.
// Deterministic: time only from context.df.currentUtcDateTime, every I/O in an activity.
import type { OrchestrationContext, Task } from 'durable-functions';
import type { ActivityContract } from '../activities/contracts';
import { ROLLOUT_ACTIVITY, type BatchDevice, type DeviceResult } from '../activities/rolloutContracts';
import type { Outcome, OperationOutput } from '../domain/outcomes';
import { OUTCOMES } from '../domain/outcomes';
import { describeAbort, trippedRule } from '../domain/rollouts/rolloutAbort';
import { initialCounters } from '../domain/rollouts/rolloutCounters';
import { batchAllowance, effectiveBudget, nextStartAfter } from '../domain/rollouts/rolloutPacer';
import { afterAcquire, afterClose, afterOutcomes } from '../domain/rollouts/rolloutProgress';
import type { RolloutState } from '../domain/rollouts/rolloutStore';
import { waveEnds } from '../domain/rollouts/rolloutWaves';
import { FUNCTION } from '../functionNames';
import { retryOptions } from './deviceOperation';
import type { DeviceOperationInput } from './deviceOperationInput';
import { rolloutCallback } from './rolloutCallback';
import type { RolloutInput, RolloutProgress } from './rolloutInput';

/** The orchestration's output: tiny; the details are in the rollout table. */
export interface RolloutOutput {
  rolloutId: string;
  state: Exclude<RolloutState, 'running'>;
}

type Orchestration<T> = Generator<Task, T, unknown>;

export function* rolloutOrchestration(context: OrchestrationContext): Orchestration<RolloutOutput | undefined> {
  const ctx = context.df;
  const input = ctx.getInput<RolloutInput>();
  const { rolloutId } = input;
  const now = (): string => ctx.currentUtcDateTime.toISOString();
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

  let progress = input.progress;
  if (progress === undefined) {
    let total: number;
    if (input.target.kind === 'query') {
      const resolved = yield* call(ROLLOUT_ACTIVITY.resolveTargets, { rolloutId, query: input.target.query, waves: input.waves, limit: input.limit, at: now() });
      if (resolved.kind === 'tooMany') {
        const empty: RolloutProgress = { total: 0, waveEnds: [0], cursor: 0, wave: 0, counters: initialCounters(0), notBefore: null };
        return yield* close(empty, 'failed', `The target query matches more than ${resolved.limit} devices; narrow it.`);
      }
      total = resolved.total;
    } else {
      total = input.target.total;
    }
    progress = { total, waveEnds: waveEnds(total, input.waves), cursor: 0, wave: 0, counters: initialCounters(total), notBefore: null };
  }

  // Skip waves that are done (or rounded to no devices).
  while (progress.wave < progress.waveEnds.length - 1 && progress.cursor >= progress.waveEnds[progress.wave]!) progress.wave += 1;
  if (progress.cursor >= progress.total) return yield* close(progress, 'completed', null);

  // Pace: the batch starts no earlier than the budget allows.
  const budget = effectiveBudget(input.maxPerMinute);
  if (progress.notBefore !== null && Date.parse(progress.notBefore) > ctx.currentUtcDateTime.getTime()) {
    yield ctx.createTimer(new Date(progress.notBefore));
  }
  const from = progress.cursor;
  const to = Math.min(from + batchAllowance(input.batchSize, budget), progress.waveEnds[progress.wave]!);
  const requestedAt = now();
  const acquired = yield* call(ROLLOUT_ACTIVITY.acquireBatch, {
    rolloutId, operation: input.operation, requestedAt, from, to, counters: progress.counters, currentWave: progress.wave + 1,
  });
  if (acquired.kind === 'canceled') return yield* close(progress, 'canceled', null);
  let counters = afterAcquire(progress.counters, acquired.devices);

  const running = acquired.devices.filter((d): d is BatchDevice & { instanceId: string } => d.instanceId !== null);
  const tasks = running.map((device) => ctx.callSubOrchestrator(FUNCTION.deviceOperationOrchestrator, {
    deviceId: device.deviceId, operation: input.operation, request: input.request, requestedAt, retry: input.retry,
  } satisfies DeviceOperationInput, device.instanceId));
  if (tasks.length > 0) {
    try {
      yield ctx.Task.all(tasks);
    } catch {
      // A sub-orchestration failed: wait for the others one by one (its own device counts as Failed below).
      for (const task of tasks) {
        if (task.isCompleted || task.isFaulted) continue;
        try {
          yield task;
        } catch { /* counted below */ }
      }
    }
  }
  const results: DeviceResult[] = running.map((device, i) => ({
    ordinal: device.ordinal, deviceId: device.deviceId, instanceId: device.instanceId, outcome: outcomeOf(tasks[i]!),
  }));
  counters = afterOutcomes(counters, results.map((r) => r.outcome));
  const cursor = to;
  let wave = progress.wave;
  if (cursor >= progress.waveEnds[wave]! && wave < progress.waveEnds.length - 1) wave += 1;
  const notBefore = nextStartAfter(Date.parse(requestedAt), to - from, budget);
  const next: RolloutProgress = {
    ...progress, cursor, wave, counters, notBefore: notBefore === null ? null : new Date(notBefore).toISOString(),
  };
  yield* call(ROLLOUT_ACTIVITY.recordBatch, { rolloutId, results, counters, currentWave: Math.min(wave + 1, next.waveEnds.length), at: now() });

  const tripped = trippedRule(input.abort, counters);
  if (tripped !== null) return yield* close(next, 'aborted', describeAbort(tripped));
  if (cursor >= next.total) return yield* close(next, 'completed', null);
  ctx.continueAsNew({ ...input, progress: next } satisfies RolloutInput);
  return undefined;
}

/** A device operation's outcome from its sub-orchestration; one that failed outright counts as Failed. */
function outcomeOf(task: Task): Outcome {
  if (task.isFaulted) return 'Failed';
  const outcome = (task.result as Partial<OperationOutput> | undefined)?.outcome;
  return typeof outcome === 'string' && (OUTCOMES as readonly string[]).includes(outcome) ? outcome : 'Failed';
}
