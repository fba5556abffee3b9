// The reboot orchestration (ARCHITECTURE.md §3): record → invoke the `reboot` direct method → poll the twin on
// durable timers until the device reports its reboot, reports a failure, or the deadline passes → record.
// Deterministic: time only from context.df.currentUtcDateTime, every I/O in an activity.
import * as df from 'durable-functions';
import type { OrchestrationContext, Task } from 'durable-functions';
import { FUNCTION } from '../functionNames';
import type { MethodInvocationResult, MethodRequest } from '../domain/methodInvocation';
import type { OperationRecord } from '../domain/operationRecord';
import type { OperationPhase, Outcome, RebootOperationOutput } from '../domain/outcomes';
import type { ReadRebootStateInput, TwinReadResult } from '../domain/ports';
import { capReportedState, judgeReboot, type ReportedRebootState } from '../domain/rebootState';
import { REBOOT_OPERATION } from '../domain/operationIds';
import type { MonitorCarryOver, RebootOrchestrationInput, RetrySpec } from './rebootOrchestrationInput';

/** Custom status shown by the status endpoints while the operation runs. */
export interface RebootCustomStatus {
  phase: OperationPhase;
  polls: number;
  lastReported: ReportedRebootState | null;
  deadline: string;
}

/**
 * Polls per execution before the orchestration continues as new. Each poll adds a timer and an activity to the
 * history, and replay cost grows with history length (Azure/azure-functions-durable-js#221); the default
 * settings (600 s at 5 s = 120 polls) stay within one execution.
 */
export const MAX_POLLS_PER_EXECUTION = 200;

/** Durable custom status is limited to 16 KB of JSON; keep the reported state shown there small. */
const CUSTOM_STATUS_REPORT_BYTES = 4096;

type Orchestration<T> = Generator<Task, T, unknown>;

export function* rebootDeviceOrchestration(context: OrchestrationContext): Orchestration<RebootOperationOutput | undefined> {
  const ctx = context.df;
  const input = ctx.getInput<RebootOrchestrationInput>();
  const { deviceId, request } = input;
  const instanceId = ctx.instanceId;
  const now = (): string => ctx.currentUtcDateTime.toISOString();

  let monitor: MonitorCarryOver;
  if (input.carryOver !== undefined) {
    monitor = { ...input.carryOver };
  } else {
    const requestedAt = now();
    const deadline = new Date(ctx.currentUtcDateTime.getTime() + request.timeoutSeconds * 1000).toISOString();
    monitor = {
      requestedAt, deadline, acceptedAt: null, since: requestedAt, methodResponse: null,
      outcomeUncertain: null, polls: 0, lastReported: null,
    };
  }

  const baseRecord = (phase: OperationPhase): OperationRecord => ({
    deviceId, instanceId, operation: REBOOT_OPERATION, phase, outcome: null,
    requestedAt: monitor.requestedAt, acceptedAt: monitor.acceptedAt, completedAt: null, durationMs: null,
    deadline: monitor.deadline, polls: monitor.polls, methodResponse: monitor.methodResponse,
    lastReported: monitor.lastReported, error: monitor.outcomeUncertain, updatedAt: now(),
  });
  const showStatus = (phase: OperationPhase): void => {
    const status: RebootCustomStatus = {
      phase, polls: monitor.polls, lastReported: capReportedState(monitor.lastReported, CUSTOM_STATUS_REPORT_BYTES), deadline: monitor.deadline,
    };
    ctx.setCustomStatus(status);
  };
  function* save(record: OperationRecord): Orchestration<void> {
    yield ctx.callActivityWithRetry(FUNCTION.recordOperation, retryOptions(input.retry.record), record);
  }
  function* finish(outcome: Outcome): Orchestration<RebootOperationOutput> {
    const completedAt = now();
    const output: RebootOperationOutput = {
      deviceId, operation: REBOOT_OPERATION, outcome, methodResponse: monitor.methodResponse,
      requestedAt: monitor.requestedAt, acceptedAt: monitor.acceptedAt, completedAt,
      durationMs: Date.parse(completedAt) - Date.parse(monitor.requestedAt),
      polls: monitor.polls, lastReported: monitor.lastReported,
    };
    showStatus('completed');
    yield* save({ ...baseRecord('completed'), outcome, completedAt, durationMs: output.durationMs });
    if (!ctx.isReplaying) context.info(JSON.stringify({ event: 'operation', instanceId, deviceId, operation: REBOOT_OPERATION, transition: 'completed', outcome, polls: monitor.polls }));
    return output;
  }
  /** Records the failure, then fails the orchestration: runtime status Failed is for bugs and exhausted retries. */
  function* fail(code: string, message: string): Orchestration<never> {
    showStatus('failed');
    yield* save({ ...baseRecord('failed'), outcome: 'Failed', completedAt: now(),
      durationMs: ctx.currentUtcDateTime.getTime() - Date.parse(monitor.requestedAt), error: { code, message } });
    throw new Error(`${code}: ${message}`);
  }

  if (input.carryOver === undefined) {
    // 1. Record the operation as running.
    showStatus('invoking');
    yield* save(baseRecord('invoking'));

    // 2. Invoke the direct method; transient hub failures are retried here with exponential backoff.
    const methodRequest: MethodRequest = {
      deviceId, methodName: input.methodName, payload: request.payload,
      responseTimeoutInSeconds: request.responseTimeoutInSeconds, connectTimeoutInSeconds: request.connectTimeoutInSeconds,
    };
    let invocation: MethodInvocationResult;
    try {
      invocation = (yield ctx.callActivityWithRetry(FUNCTION.invokeRebootMethod, retryOptions(input.retry.invoke), methodRequest)) as MethodInvocationResult;
    } catch (err) {
      return yield* fail('RetriesExhausted',
        `invoking '${input.methodName}' failed ${input.retry.invoke.maxAttempts} times: ${errorText(err)}`);
    }
    switch (invocation.kind) {
      case 'rejected':
        monitor.methodResponse = invocation.response;
        return yield* finish('Rejected');
      case 'deviceOffline':
        return yield* finish('DeviceOffline');
      case 'deviceNotFound':
        return yield* finish('DeviceNotFound');
      case 'failed':
        return yield* fail('IotHubError', invocation.message);
      case 'accepted':
        monitor.methodResponse = invocation.response;
        // Completion is judged from the hub's clock; its Date header has one-second resolution (RFC 9110), so
        // `since` may lie up to a second before the request. The reported acceptedAt never precedes requestedAt.
        monitor.since = invocation.hubTime ?? monitor.requestedAt;
        monitor.acceptedAt = invocation.hubTime !== null && Date.parse(invocation.hubTime) > Date.parse(monitor.requestedAt)
          ? invocation.hubTime : monitor.requestedAt;
        break;
      case 'outcomeUnknown': {
        // The device may have run the method before the hub gave up waiting: judge reports from when the hub
        // could first have delivered it, i.e. its timeout answer minus the time it was allowed to wait.
        const waitedMs = (request.responseTimeoutInSeconds + request.connectTimeoutInSeconds) * 1000;
        monitor.since = invocation.hubTime !== null
          ? new Date(Date.parse(invocation.hubTime) - waitedMs).toISOString()
          : monitor.requestedAt;
        monitor.outcomeUncertain = { code: 'MethodOutcomeUnknown', message: invocation.message };
        break;
      }
    }
    showStatus('awaiting-report');
    yield* save(baseRecord('awaiting-report'));
  }

  // 3. Monitor on durable timers until a verdict or the deadline.
  const deadlineMs = Date.parse(monitor.deadline);
  let pollsThisExecution = 0;
  while (ctx.currentUtcDateTime.getTime() < deadlineMs) {
    if (pollsThisExecution >= MAX_POLLS_PER_EXECUTION) {
      ctx.continueAsNew({ ...input, carryOver: monitor } satisfies RebootOrchestrationInput);
      return undefined;
    }
    const nextPoll = Math.min(ctx.currentUtcDateTime.getTime() + request.pollIntervalSeconds * 1000, deadlineMs);
    yield ctx.createTimer(new Date(nextPoll));

    let read: TwinReadResult | null = null;
    try {
      const readInput: ReadRebootStateInput = { deviceId, since: monitor.since };
      read = (yield ctx.callActivityWithRetry(FUNCTION.readRebootState, retryOptions(input.retry.read), readInput)) as TwinReadResult;
    } catch {
      // Transient read failures used up their retries: this poll saw nothing; the deadline still bounds the wait.
      read = null;
    }
    monitor.polls += 1;
    pollsThisExecution += 1;
    if (read === null) {
      showStatus('awaiting-report');
      continue;
    }
    if (read.kind === 'deviceNotFound') return yield* finish('DeviceNotFound');
    if (read.kind === 'failed') return yield* fail('IotHubError', read.message);

    const changed = !sameObservation(monitor.lastReported, read.state);
    monitor.lastReported = read.state;
    const verdict = judgeReboot(read.state, monitor.since);
    if (verdict.state === 'completed') return yield* finish('Succeeded');
    if (verdict.state === 'failed') return yield* finish('Failed');
    showStatus('awaiting-report');
    if (changed) yield* save(baseRecord('awaiting-report'));
  }

  // 4. Deadline passed without a verdict.
  return yield* finish('TimedOut');
}

export function retryOptions(spec: RetrySpec): df.RetryOptions {
  const options = new df.RetryOptions(spec.firstRetryIntervalMs, spec.maxAttempts);
  options.backoffCoefficient = spec.backoffCoefficient;
  options.maxRetryIntervalInMilliseconds = spec.maxRetryIntervalMs;
  return options;
}

/** A reported-state change worth a table write: the reboot section or the connection changed. */
function sameObservation(a: ReportedRebootState | null, b: ReportedRebootState): boolean {
  if (a === null) return false;
  return a.connectionState === b.connectionState && JSON.stringify(a.reboot) === JSON.stringify(b.reboot)
    && JSON.stringify(a.lastUpdated) === JSON.stringify(b.lastUpdated);
}

/** Durable hands failed tasks back as Errors whose message starts with the activity's own message. */
function errorText(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  const firstLine = text.split('\n')[0]!.trim();
  return firstLine.length > 500 ? `${firstLine.slice(0, 500)}…` : firstLine;
}
