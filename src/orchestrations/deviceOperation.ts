// The device-operation orchestration, one for every kind (ARCHITECTURE.md §3, issue 8): claim the device's lease →
// send the direct method (each attempt journaled, never sent twice) → watch the kind's reported section on durable
// timers until the device reports completion or failure, or the deadline passes → record the outcome and free
// the device. A `cancel` event ends it at the next wait with outcome Canceled. With twin change events on, a
// `TwinChanged` event wakes the watch before its poll timer; the twin read that follows stays the source of truth.
// Deterministic: time only from context.df.currentUtcDateTime, every I/O in an activity.
import * as df from 'durable-functions';
import type { OrchestrationContext, Task, TimerTask } from 'durable-functions';
import { ACTIVITY, type ActivityContract, type ClaimInput } from '../activities/contracts';
import { callbackStatus } from '../domain/callbacks/callbackStatus';
import type { MethodInvocationResult } from '../domain/methodInvocation';
import type { OperationRecord } from '../domain/operationRecord';
import { operationDefinition } from '../domain/operations/registry';
import type { Verdict } from '../domain/operations/verdict';
import type { DeviceActivity, OperationError, OperationOutput, OperationPhase, Outcome } from '../domain/outcomes';
import type { TwinReadResult } from '../domain/ports';
import { capReportedSection, SectionReading, type ReportedSection } from '../domain/reportedSection';
import { operationEventLine, type OperationEvent } from '../telemetry/operationEvent';
import { backoff } from './backoff';
import { deliverCallback, type CallbackSubscription } from './completionCallback';
import type { DeviceOperationInput, OperationProgress, RetrySpec } from './deviceOperationInput';

export { backoff };

/** The external event that cancels a running operation. */
export const CANCEL_EVENT = 'cancel';

/** Raised by the twin-change function (src/events) to the operation watching the device. */
export const TWIN_CHANGED_EVENT = 'TwinChanged';

/** What a TwinChanged event carries: the reported `$version` in the change, when the event showed it. */
export interface TwinChangedSignal {
  reportedVersion: number | null;
}

/** Custom status shown by the status route while the operation runs. */
export interface OperationCustomStatus {
  phase: OperationPhase;
  delivery: OperationProgress['delivery'];
  step: string | null;
  polls: number;
  deadline: string;
  lastReported: ReportedSection | null;
  /** When the method was sent (orchestration time): the watch for the device's report began. */
  sentAt?: string | null;
  /** The next timed twin read while watching (orchestration time); null outside the watch. */
  nextCheckAt?: string | null;
  /** Twin change events wake this operation: a report can be seen at any moment. */
  wakesOnTwinChange?: boolean;
}

/**
 * Polls per execution before the orchestration continues as new: each poll adds a timer and an activity to the
 * history, and replay cost grows with history length (Azure/azure-functions-durable-js#221).
 */
export const MAX_POLLS_PER_EXECUTION = 200;

/** TwinChanged events that led to no read (stale or duplicated) also grow the history: same budget. */
export const MAX_IGNORED_EVENTS_PER_EXECUTION = 200;

/** Durable custom status is limited to 16 KB of JSON; keep the reported state shown there small. */
const CUSTOM_STATUS_REPORT_BYTES = 4096;

/** IoT Hub's minimum responseTimeoutInSeconds (iot-hub-devguide-direct-methods). */
const MIN_RESPONSE_TIMEOUT_S = 5;

type Orchestration<T> = Generator<Task, T, unknown>;

export function* deviceOperationOrchestration(context: OrchestrationContext): Orchestration<OperationOutput | undefined> {
  const ctx = context.df;
  const input = ctx.getInput<DeviceOperationInput>();
  const definition = operationDefinition(input.operation);
  const { deviceId, request } = input;
  const instanceId = ctx.instanceId;
  const nowMs = (): number => ctx.currentUtcDateTime.getTime();
  const now = (): string => ctx.currentUtcDateTime.toISOString();
  const deadlineMs = Date.parse(input.requestedAt) + request.timeoutSeconds * 1000;
  const deadline = new Date(deadlineMs).toISOString();
  const progress: OperationProgress = input.carryOver ?? {
    phase: 'starting', delivery: 'notDelivered', sentAt: null, acceptedAt: null, methodResponse: null,
    attempts: 0, polls: 0, lastReported: null, step: null, uncertainty: null,
  };
  const cancel = ctx.waitForExternalEvent(CANCEL_EVENT);

  const record = (phase: OperationPhase): OperationRecord => ({
    deviceId, instanceId, operation: input.operation, phase, outcome: null, delivery: progress.delivery,
    requestedAt: input.requestedAt, acceptedAt: progress.acceptedAt, completedAt: null, durationMs: null, deadline,
    polls: progress.polls, step: progress.step, firmwareVersion: null, methodResponse: progress.methodResponse,
    lastReported: progress.lastReported, deviceActivity: null, error: progress.uncertainty, updatedAt: now(),
  });
  const wakesOnTwinChange = input.wakeOnTwinChange === true;
  let nextCheckAt: string | null = null;
  const show = (phase: OperationPhase): void => {
    progress.phase = phase;
    const status: OperationCustomStatus = {
      phase, delivery: progress.delivery, step: progress.step, polls: progress.polls, deadline,
      lastReported: capReportedSection(progress.lastReported, CUSTOM_STATUS_REPORT_BYTES),
      sentAt: progress.sentAt, nextCheckAt: phase === 'completed' ? null : nextCheckAt, wakesOnTwinChange,
    };
    ctx.setCustomStatus(status);
  };
  /** One structured line per transition (the local console and log queries read it); never while replaying. */
  const log = (transition: OperationEvent['transition'], details: Partial<Omit<OperationEvent, 'event' | 'transition'>> = {}): void => {
    if (!ctx.isReplaying) context.info(operationEventLine({ instanceId, deviceId, operation: input.operation, transition, ...details }));
  };
  function* call<I, O>(activity: ActivityContract<I, O>, activityInput: I, retry?: RetrySpec): Orchestration<O> {
    const task = retry === undefined
      ? ctx.callActivity(activity.name, activityInput)
      : ctx.callActivityWithRetry(activity.name, retryOptions(retry), activityInput);
    return activity.decode(yield task);
  }
  function* save(phase: OperationPhase): Orchestration<void> {
    show(phase);
    yield* call(ACTIVITY.recordOperation, { record: record(phase), release: false }, input.retry.record);
  }
  interface Ending { outcome: Outcome; error?: OperationError | null; verdict?: Verdict; deviceActivity?: DeviceActivity | null; release?: boolean }
  function* finish(ending: Ending): Orchestration<OperationOutput> {
    const completedAt = now();
    const output: OperationOutput = {
      deviceId, operation: input.operation, outcome: ending.outcome, delivery: progress.delivery,
      methodResponse: progress.methodResponse, requestedAt: input.requestedAt, acceptedAt: progress.acceptedAt, completedAt,
      durationMs: Date.parse(completedAt) - Date.parse(input.requestedAt), polls: progress.polls, step: progress.step,
      firmwareVersion: ending.verdict?.state === 'completed' ? ending.verdict.firmwareVersion ?? null : null,
      lastReported: progress.lastReported, deviceActivity: ending.deviceActivity ?? null,
      error: ending.error !== undefined ? ending.error : progress.uncertainty,
    };
    show('completed');
    const final: OperationRecord = { ...record('completed'), ...output, instanceId, phase: 'completed', deadline, updatedAt: completedAt };
    yield* call(ACTIVITY.recordOperation, { record: final, release: ending.release ?? true }, input.retry.record);
    log('completed', { outcome: output.outcome, delivery: output.delivery, polls: output.polls });
    if (input.callback !== undefined) yield* callBack(input.callback, output);
    return output;
  }
  /**
   * The completion callback, after the outcome is recorded and the device freed: the status route's final body
   * plus `status`. Attempts are bounded, with backoff on durable timers; whatever happens, the outcome stands.
   */
  function* callBack(callback: CallbackSubscription, output: OperationOutput): Orchestration<void> {
    const body = {
      instanceId, runtimeStatus: 'Completed', createdTime: input.requestedAt,
      lastUpdatedTime: output.completedAt, ...output, status: callbackStatus(output.outcome),
    };
    const delivery = yield* deliverCallback(context, instanceId, callback, body);
    log('callback', delivery);
  }
  const canceled = (): Ending => ({
    outcome: 'Canceled',
    error: {
      code: 'Canceled',
      message: progress.delivery === 'notDelivered'
        ? 'Canceled before the direct method reached the device.'
        : 'Canceled while waiting for the device; the direct method had already been sent and cannot be recalled.',
    },
  });
  /** Waits for `task` unless a cancel event comes first (null then). */
  function* unlessCanceled(task: TimerTask): Orchestration<boolean> {
    if (cancel.isCompleted) {
      task.cancel();
      return false;
    }
    const winner: unknown = yield ctx.Task.any([task, cancel]);
    if (winner === cancel) {
      task.cancel();
      return false;
    }
    return true;
  }

  if (input.carryOver === undefined) {
    // 1. Only the operation the device's lease was acquired for may act on it.
    show('starting');
    const claimTask = ctx.callActivityWithRetry(ACTIVITY.claimOperation.name, retryOptions(input.retry.record),
      { deviceId, instanceId, record: record('starting') } satisfies ClaimInput);
    // Raced with cancel: durable-functions matches an event to a task only once that task has been yielded, so
    // without this a cancel raised before monitoring would stay invisible to the checks below and the method be sent.
    yield ctx.Task.any([claimTask, cancel]);
    const claim = ACTIVITY.claimOperation.decode(yield claimTask);
    if (claim.kind === 'lost') {
      return yield* finish({ outcome: 'Canceled', release: false, error: { code: 'LeaseLost',
        message: `Another operation${claim.holder === null ? '' : ` (${claim.holder})`} took the device before this one started; nothing was sent.` } });
    }
    log('started');

    // 2. Send the direct method. An attempt is repeated only when the hub proved the previous one did not run.
    let lastRefusal = '';
    for (;;) {
      if (cancel.isCompleted) return yield* finish(canceled());
      const remainingS = Math.floor((deadlineMs - nowMs()) / 1000);
      const connectTimeoutInSeconds = Math.max(0, Math.min(request.connectTimeoutInSeconds, remainingS - MIN_RESPONSE_TIMEOUT_S));
      const responseTimeoutInSeconds = Math.min(request.responseTimeoutInSeconds, remainingS - connectTimeoutInSeconds);
      if (responseTimeoutInSeconds < MIN_RESPONSE_TIMEOUT_S) {
        return yield* finish({ outcome: 'TimedOut', error: { code: 'MethodNotDelivered',
          message: `The deadline passed before IoT Hub delivered the method${lastRefusal === '' ? '' : ` (last refusal: ${lastRefusal})`}.` } });
      }
      progress.attempts += 1;
      show('invoking');
      let result: MethodInvocationResult;
      try {
        // Not raced with cancel: a method on its way cannot be recalled, so its answer is worth waiting for.
        result = yield* call(ACTIVITY.invokeDeviceMethod, {
          deviceId, instanceId, operation: input.operation, attempt: progress.attempts, payload: request.payload,
          responseTimeoutInSeconds, connectTimeoutInSeconds,
        });
      } catch (err) {
        // The activity failed after it may have journaled and sent the attempt: treat delivery as unknown.
        result = { kind: 'maybeDelivered', message: `the invoke activity failed: ${errorText(err)}`, sentAt: now() };
      }
      if (result.kind === 'leaseLost') {
        return yield* finish({ outcome: 'Canceled', release: false, error: { code: 'LeaseLost', message: result.message } });
      }
      if (result.kind === 'notDelivered') {
        lastRefusal = result.message;
        log('method-not-delivered', { attempt: progress.attempts });
        const delayMs = backoff(input.retry.invoke, progress.attempts);
        if (progress.attempts >= input.retry.invoke.maxAttempts) {
          return yield* finish({ outcome: 'Failed', error: { code: 'MethodNotDelivered',
            message: `IoT Hub did not deliver the method in ${progress.attempts} attempt(s): ${result.message}` } });
        }
        if (nowMs() + delayMs >= deadlineMs) {
          // No retry fits before the deadline: end now (retrying at once would hammer a hub that asked us to back off).
          return yield* finish({ outcome: 'TimedOut', error: { code: 'MethodNotDelivered',
            message: `The deadline leaves no time to send the method again after its backoff (last refusal: ${lastRefusal}).` } });
        }
        if (!(yield* unlessCanceled(ctx.createTimer(new Date(nowMs() + delayMs))))) return yield* finish(canceled());
        continue;
      }
      progress.sentAt = result.sentAt;
      switch (result.kind) {
        case 'accepted': {
          progress.delivery = 'delivered';
          progress.methodResponse = result.response;
          // The hub's Date header has one-second resolution: never report acceptance before the send.
          progress.acceptedAt = result.hubTime !== null && Date.parse(result.hubTime) > Date.parse(result.sentAt) ? result.hubTime : result.sentAt;
          log('method-accepted', { status: result.response.status });
          break;
        }
        case 'rejected':
          progress.delivery = 'delivered';
          progress.methodResponse = result.response;
          log('method-refused', { status: result.response.status, outcome: 'Rejected' });
          return yield* finish({ outcome: 'Rejected', error: null });
        case 'deviceOffline':
          return yield* finish({ outcome: 'DeviceOffline', error: { code: 'DeviceOffline', message: result.message } });
        case 'deviceNotFound':
          return yield* finish({ outcome: 'DeviceNotFound', error: { code: 'DeviceNotFound', message: result.message } });
        case 'failed':
          return yield* finish({ outcome: 'Failed', error: { code: 'IotHubRefused', message: result.message } });
        case 'maybeDelivered':
          progress.delivery = 'unknown';
          progress.uncertainty = { code: 'DeliveryUnknown', message: `The method may have reached the device; it is not sent again: ${result.message}` };
          log('method-delivery-unknown');
          break;
      }
      break;
    }
    yield* save('awaiting-report');
  }

  // 3. Watch the reported section until a verdict, the deadline, or a cancel.
  const since = progress.sentAt ?? input.requestedAt;
  let pollsThisExecution = 0;
  let ignoredEvents = 0;
  let lastReading: SectionReading | null = null;
  // One waiter at a time: durable-functions hands each raised event to one waiter (buffering those raised while
  // none waits), so a new one is made only after the previous one got its event.
  let twinChange = wakesOnTwinChange ? ctx.waitForExternalEvent(TWIN_CHANGED_EVENT) : null;
  /** Timer, TwinChanged with news, or cancel, whichever comes first; a stale event (seen version) waits on. */
  function* nextLook(pollAt: number): Orchestration<'timer' | 'twinChange' | 'canceled'> {
    nextCheckAt = new Date(pollAt).toISOString();
    show(progress.phase);
    for (;;) {
      const timer = ctx.createTimer(new Date(pollAt));
      if (twinChange === null || ignoredEvents >= MAX_IGNORED_EVENTS_PER_EXECUTION) {
        return (yield* unlessCanceled(timer)) ? 'timer' : 'canceled';
      }
      if (cancel.isCompleted) {
        timer.cancel();
        return 'canceled';
      }
      const event: Task = twinChange;
      const winner: unknown = yield ctx.Task.any([timer, cancel, event]);
      if (winner === timer) return 'timer';
      timer.cancel();
      if (winner === cancel) return 'canceled';
      const signal = event.result as Partial<TwinChangedSignal> | undefined;
      twinChange = ctx.waitForExternalEvent(TWIN_CHANGED_EVENT);
      if (isNews(signal, progress.lastReported?.reportedVersion ?? null)) return 'twinChange';
      ignoredEvents += 1;
    }
  }
  for (;;) {
    if (pollsThisExecution >= MAX_POLLS_PER_EXECUTION || ignoredEvents >= MAX_IGNORED_EVENTS_PER_EXECUTION) {
      ctx.continueAsNew({ ...input, carryOver: progress } satisfies DeviceOperationInput);
      return undefined;
    }
    const current = nowMs();
    // Before the deadline, poll at the interval and once at the deadline itself; an acceptance that came in late
    // gets one more look one interval later, so the outcome is known by deadline + one interval + a read.
    // The first look waits firstLookSeconds after the send when the input asks for it (never past the deadline).
    const spacingMs = request.pollIntervalSeconds * 1000;
    const firstLookMs = progress.polls === 0 && input.firstLookSeconds !== undefined ? Date.parse(since) + input.firstLookSeconds * 1000 : 0;
    const pollAt = current < deadlineMs ? Math.min(Math.max(current + spacingMs, firstLookMs), deadlineMs) : current + spacingMs;
    const woke = yield* nextLook(pollAt);
    if (woke === 'canceled') return yield* finish(canceled());
    // An event-woken read is not the deadline's look: the timer of that look is still to come.
    const lastLook = woke === 'timer' && pollAt >= deadlineMs;

    let read: TwinReadResult | null;
    try {
      read = yield* call(ACTIVITY.readDeviceState, { deviceId, operation: input.operation, since, withConnection: lastLook, attempts: input.retry.read.maxAttempts });
    } catch {
      read = null; // transient read failures used up their retries: this poll saw nothing
    }
    progress.polls += 1;
    pollsThisExecution += 1;
    if (read !== null && read.kind === 'deviceNotFound') {
      return yield* finish({ outcome: 'DeviceNotFound', error: { code: 'DeviceNotFound', message: read.message } });
    }
    if (read !== null && read.kind === 'failed') {
      return yield* finish({ outcome: 'Failed', error: { code: 'IotHubRefused', message: read.message } });
    }
    if (read !== null) {
      const reading = new SectionReading(read.state, since);
      lastReading = reading;
      const changed = !sameObservation(progress.lastReported, read.state);
      progress.lastReported = read.state;
      const verdict = definition.judge(reading);
      if (verdict.step !== null) progress.step = verdict.step;
      const acted = verdict.state !== 'pending' || verdict.acted;
      if (acted && progress.delivery === 'unknown') {
        // The twin shows the device got the method: it was delivered after all.
        progress.delivery = 'delivered';
        progress.uncertainty = null;
      }
      if (verdict.state === 'completed') return yield* finish({ outcome: 'Succeeded', error: null, verdict });
      if (verdict.state === 'failed') {
        return yield* finish({ outcome: 'Failed', verdict,
          error: { code: 'DeviceReportedFailure', message: `The device reported a failure${verdict.reason === null ? '' : `: ${verdict.reason}`} (${verdict.evidence}).` } });
      }
      if (changed) {
        log('progress', { reported: (progress.step ?? '').slice(0, 200), polls: progress.polls });
        if (!lastLook) yield* save('awaiting-report');
      }
    }
    if (lastLook) break;
  }

  // 4. The deadline passed without a verdict: say what the twin did show.
  const deviceActivity = lastReading === null ? null : describeActivity(lastReading);
  if (progress.delivery === 'unknown') {
    return yield* finish({ outcome: 'DeliveryUnconfirmed', deviceActivity, error: { code: 'DeliveryUnconfirmed',
      message: 'The method may or may not have reached the device and the twin showed no sign of it by the deadline; it was not sent again.' } });
  }
  return yield* finish({ outcome: 'TimedOut', deviceActivity, error: { code: 'TimedOut',
    message: deviceActivity?.reportedAfterMethod || deviceActivity?.connectionChangedAfterMethod
      ? 'The device showed activity after the method but did not report completion by the deadline.'
      : 'The device showed no sign of activity after the method by the deadline.' } });
}

/**
 * A TwinChanged event is news unless it names a reported `$version` the last read already saw (a duplicate, or a
 * late event for an earlier change). Without a version either way it is news: one twin read tells.
 */
export function isNews(signal: Partial<TwinChangedSignal> | undefined, lastReadVersion: number | null): boolean {
  const version = signal?.reportedVersion;
  if (typeof version !== 'number' || lastReadVersion === null) return true;
  return version > lastReadVersion;
}

function describeActivity(reading: SectionReading): DeviceActivity {
  const status = reading.values.status;
  return {
    connectionState: reading.state.connectionState,
    connectionStateUpdatedTime: reading.state.connectionStateUpdatedTime,
    connectionChangedAfterMethod: reading.connectionChangedSince(),
    reportedAfterMethod: reading.anyFresh(),
    lastReportedStep: reading.isFresh('status') && typeof status === 'string' ? status : null,
  };
}


export function retryOptions(spec: RetrySpec): df.RetryOptions {
  const options = new df.RetryOptions(spec.firstRetryIntervalMs, spec.maxAttempts);
  options.backoffCoefficient = spec.backoffCoefficient;
  options.maxRetryIntervalInMilliseconds = spec.maxRetryIntervalMs;
  return options;
}

/** A reported-state change worth a table write: the section or the connection changed. */
function sameObservation(a: ReportedSection | null, b: ReportedSection): boolean {
  if (a === null) return false;
  return a.connectionState === b.connectionState && JSON.stringify(a.values) === JSON.stringify(b.values)
    && JSON.stringify(a.lastUpdated) === JSON.stringify(b.lastUpdated);
}

/** Durable hands failed tasks back as Errors whose message starts with the activity's own message. */
function errorText(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  const firstLine = text.split('\n')[0]!.trim();
  return firstLine.length > 500 ? `${firstLine.slice(0, 500)}…` : firstLine;
}
