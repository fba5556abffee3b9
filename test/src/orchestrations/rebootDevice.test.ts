// The reboot orchestrator run through the real durable-functions replay code (createOrchestrator, the wrapper
// df.app.orchestration registers), fed with extension-shaped histories by test/support/durableHistory.ts.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { InvocationContext } from '@azure/functions';
import { rebootDeviceOrchestration, MAX_POLLS_PER_EXECUTION, type RebootCustomStatus } from '../../../src/orchestrations/rebootDevice';
import type { RebootOrchestrationInput } from '../../../src/orchestrations/rebootOrchestrationInput';
import type { MethodInvocationResult, MethodRequest } from '../../../src/domain/methodInvocation';
import type { OperationRecord } from '../../../src/domain/operationRecord';
import type { RebootOperationOutput } from '../../../src/domain/outcomes';
import type { ReadRebootStateInput, TwinReadResult } from '../../../src/domain/ports';
import type { ReportedRebootState } from '../../../src/domain/rebootState';
import { DEFAULT_REBOOT_REQUEST } from '../../../src/domain/rebootRequest';
import { FUNCTION } from '../../../src/functionNames';
import {
  completes, runEpisode, runOrchestration, throws, EventType,
  type ActivityCall, type ActivityScript, type OrchestratorHandler, type RunResult,
} from '../../support/durableHistory';

// createOrchestrator is what df.app.orchestration wraps a generator with; it is not re-exported from the root.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { createOrchestrator } = require('durable-functions/lib/src/util/testingUtils') as {
  createOrchestrator(fn: typeof rebootDeviceOrchestration): OrchestratorHandler;
};
const handler = createOrchestrator(rebootDeviceOrchestration);
const makeContext = (): InvocationContext =>
  new InvocationContext({ functionName: FUNCTION.rebootOrchestrator, invocationId: 'test-invocation', logHandler: () => undefined });

const START = new Date('2025-03-01T10:00:00.000Z');
const INSTANCE_ID = 'reboot-dev-1-1';
const RETRY = { firstRetryIntervalMs: 1000, maxAttempts: 4, backoffCoefficient: 2, maxRetryIntervalMs: 30_000 };

function input(overrides: Partial<RebootOrchestrationInput['request']> = {}): RebootOrchestrationInput {
  return {
    deviceId: 'dev-1',
    methodName: 'reboot',
    request: { ...DEFAULT_REBOOT_REQUEST, payload: { reason: 'test' }, pollIntervalSeconds: 5, timeoutSeconds: 60, ...overrides },
    retry: { invoke: RETRY, read: { ...RETRY, maxAttempts: 2 }, record: RETRY },
  };
}

const iso = (ms: number): string => new Date(ms).toISOString();

function observed(reboot: Record<string, unknown> | null, updatedAt: Date | null, connectionState: 'Connected' | 'Disconnected' = 'Connected'): TwinReadResult {
  const lastUpdated: Record<string, string> = {};
  if (reboot !== null && updatedAt !== null) {
    for (const key of Object.keys(reboot)) lastUpdated[key] = updatedAt.toISOString();
    lastUpdated.$section = updatedAt.toISOString();
  }
  const state: ReportedRebootState = { reboot, lastUpdated, connectionState, connectionStateUpdatedTime: null, reportedVersion: 3 };
  return { kind: 'observed', state };
}

/** Accepts the method; the hub's Date header is the activity's time truncated to the second, as HTTP dates are. */
const accepting: ActivityScript = (call) => completes({
  kind: 'accepted', response: { status: 200, payload: 'Reboot started' }, hubTime: iso(Math.floor(call.at.getTime() / 1000) * 1000),
} satisfies MethodInvocationResult);

const recording: ActivityScript = () => completes(null);

function run(activities: Record<string, ActivityScript>, orchestrationInput = input(), latencyMs?: number): Promise<RunResult> {
  return runOrchestration(handler, {
    orchestratorName: FUNCTION.rebootOrchestrator, instanceId: INSTANCE_ID, input: orchestrationInput, startAt: START,
    activities: { [FUNCTION.recordOperation]: recording, ...activities }, makeContext, activityLatencyMs: latencyMs,
  });
}

const callsOf = (result: RunResult, name: string): ActivityCall[] => result.calls.filter((c) => c.name === name);
const records = (result: RunResult): OperationRecord[] => callsOf(result, FUNCTION.recordOperation).map((c) => c.input as OperationRecord);
const phases = (result: RunResult): string[] =>
  result.customStatuses.map((s) => (s as RebootCustomStatus | undefined)?.phase ?? '-').filter((p, i, all) => p !== all[i - 1]);

test('success: the device reports rebooting, then completed; output, custom status, timers and records follow', async () => {
  const result = await run({
    [FUNCTION.invokeRebootMethod]: accepting,
    [FUNCTION.readRebootState]: (call) => {
      const { since } = call.input as ReadRebootStateInput;
      assert.ok(Date.parse(since) <= call.at.getTime());
      if (call.callIndex < 2) return completes(observed({ status: 'rebooting', startedRebootTime: 'device clock' }, new Date(Date.parse(since) + 100)));
      return completes(observed({ status: 'completed', lastReboot: 'device clock' }, call.at));
    },
  });
  assert.equal(result.runtimeStatus, 'Completed');
  const output = result.output as RebootOperationOutput;
  assert.equal(output.outcome, 'Succeeded');
  assert.equal(output.deviceId, 'dev-1');
  assert.equal(output.operation, 'reboot');
  assert.deepEqual(output.methodResponse, { status: 200, payload: 'Reboot started' });
  assert.equal(output.requestedAt, START.toISOString());
  assert.equal(output.acceptedAt, iso(START.getTime()));
  assert.equal(output.polls, 3);
  assert.equal(output.lastReported?.reboot?.status, 'completed');
  assert.equal(output.durationMs, Date.parse(output.completedAt) - START.getTime());
  // The method got the caller's payload and timeouts.
  const invoke = callsOf(result, FUNCTION.invokeRebootMethod)[0]!.input as MethodRequest;
  assert.deepEqual(invoke, { deviceId: 'dev-1', methodName: 'reboot', payload: { reason: 'test' }, responseTimeoutInSeconds: 30, connectTimeoutInSeconds: 0 });
  // Durable timers at the poll interval.
  assert.equal(result.timers.length, 3);
  // (The first observation changed the state and was recorded first; the second was not: timer = read + 5 s.)
  const readTimes = callsOf(result, FUNCTION.readRebootState).map((c) => c.at.getTime());
  assert.equal(Date.parse(result.timers[2]!) - readTimes[1]!, 5000);
  // Custom status went invoking → awaiting-report → completed and carries polls and the deadline.
  assert.deepEqual(phases(result), ['invoking', 'awaiting-report', 'completed']);
  const last = result.finalState.customStatus as RebootCustomStatus;
  assert.equal(last.polls, 3);
  assert.equal(last.deadline, iso(START.getTime() + 60_000));
  // Records: running, awaiting report, first observation (state changed), final. The repeated "rebooting" is not rewritten.
  assert.deepEqual(records(result).map((r) => [r.phase, r.outcome]), [
    ['invoking', null], ['awaiting-report', null], ['awaiting-report', null], ['completed', 'Succeeded'],
  ]);
  assert.ok(records(result).every((r) => r.instanceId === INSTANCE_ID && r.requestedAt === START.toISOString()));
});

test('offline: 404103 ends the operation as DeviceOffline without polling', async () => {
  const result = await run({
    [FUNCTION.invokeRebootMethod]: () => completes({ kind: 'deviceOffline', errorCode: 404103, message: 'device is not online' }),
    [FUNCTION.readRebootState]: () => assert.fail('no poll expected'),
  });
  const output = result.output as RebootOperationOutput;
  assert.equal(result.runtimeStatus, 'Completed');
  assert.equal(output.outcome, 'DeviceOffline');
  assert.equal(output.polls, 0);
  assert.equal(output.methodResponse, null);
  assert.equal(output.acceptedAt, null);
  assert.deepEqual(result.timers, []);
  assert.deepEqual(records(result).map((r) => r.outcome), [null, 'DeviceOffline']);
});

test('not found: 404001 ends the operation as DeviceNotFound', async () => {
  const result = await run({
    [FUNCTION.invokeRebootMethod]: () => completes({ kind: 'deviceNotFound', errorCode: 404001, message: 'no such device' }),
  });
  assert.equal((result.output as RebootOperationOutput).outcome, 'DeviceNotFound');
  assert.equal(callsOf(result, FUNCTION.invokeRebootMethod).length, 1);
});

test('rejected: a device status ≥ 300 ends as Rejected and keeps status and payload', async () => {
  const result = await run({
    [FUNCTION.invokeRebootMethod]: () => completes({ kind: 'rejected', response: { status: 409, payload: { busy: true } }, hubTime: START.toISOString() }),
  });
  const output = result.output as RebootOperationOutput;
  assert.equal(output.outcome, 'Rejected');
  assert.deepEqual(output.methodResponse, { status: 409, payload: { busy: true } });
  assert.equal(output.polls, 0);
  assert.deepEqual(records(result).at(-1)!.methodResponse, { status: 409, payload: { busy: true } });
});

test('504101: the outcome is unknown, monitoring continues and the report is judged from when the hub could deliver', async () => {
  const hubAnsweredAt = START.getTime() + 30_000;
  const result = await run({
    [FUNCTION.invokeRebootMethod]: () => completes({ kind: 'outcomeUnknown', errorCode: 504101, message: 'timed out waiting for the device', hubTime: iso(hubAnsweredAt) }),
    // The device rebooted while the hub was still waiting for its answer: before the 504, after the method went out.
    [FUNCTION.readRebootState]: () => completes(observed({ status: 'completed' }, new Date(START.getTime() + 10_000))),
  });
  const output = result.output as RebootOperationOutput;
  assert.equal(output.outcome, 'Succeeded');
  assert.equal(output.acceptedAt, null);
  assert.equal(output.methodResponse, null);
  assert.equal(output.polls, 1);
  const read = callsOf(result, FUNCTION.readRebootState)[0]!.input as ReadRebootStateInput;
  assert.equal(read.since, iso(hubAnsweredAt - 30_000));
  assert.equal(callsOf(result, FUNCTION.invokeRebootMethod).length, 1, 'a reboot is not idempotent: 504101 is never retried');
  assert.equal(records(result)[1]!.error?.code, 'MethodOutcomeUnknown');
});

test('429: transient failures are retried with exponential backoff, then the reboot succeeds', async () => {
  const result = await run({
    [FUNCTION.invokeRebootMethod]: (call) => (call.attempt < 3 ? throws('IoT Hub is throttling (HTTP 429, error 429001)') : accepting(call)),
    [FUNCTION.readRebootState]: (call) => completes(observed({ status: 'completed' }, call.at)),
  });
  assert.equal((result.output as RebootOperationOutput).outcome, 'Succeeded');
  const attempts = callsOf(result, FUNCTION.invokeRebootMethod);
  assert.deepEqual(attempts.map((c) => c.attempt), [1, 2, 3]);
  // Retry delays: 1 s then 2 s (plus the 250 ms each attempt takes).
  assert.equal(attempts[1]!.at.getTime() - attempts[0]!.at.getTime(), 1000 + 250);
  assert.equal(attempts[2]!.at.getTime() - attempts[1]!.at.getTime(), 2000 + 250);
});

test('retries exhausted: runtime status Failed, and the failure is recorded first', async () => {
  const result = await run({
    [FUNCTION.invokeRebootMethod]: () => throws('IoT Hub is unavailable (HTTP 503, error 503001)'),
  });
  assert.equal(result.runtimeStatus, 'Failed');
  assert.match(result.error ?? '', /RetriesExhausted: invoking 'reboot' failed 4 times: .*503001/);
  assert.equal(callsOf(result, FUNCTION.invokeRebootMethod).length, 4);
  const last = records(result).at(-1)!;
  assert.equal(last.phase, 'failed');
  assert.equal(last.outcome, 'Failed');
  assert.equal(last.error?.code, 'RetriesExhausted');
  assert.equal((result.finalState.customStatus as RebootCustomStatus).phase, 'failed');
});

test('a non-retryable hub error (e.g. 401) fails the orchestration after one attempt', async () => {
  const result = await run({
    [FUNCTION.invokeRebootMethod]: () => completes({ kind: 'failed', httpStatus: 401, errorCode: 401002, message: 'IoT Hub refused the credentials' }),
  });
  assert.equal(result.runtimeStatus, 'Failed');
  assert.match(result.error ?? '', /IotHubError: IoT Hub refused the credentials/);
  assert.equal(callsOf(result, FUNCTION.invokeRebootMethod).length, 1);
});

test('deadline: no report within timeoutSeconds ends as TimedOut after the expected number of polls', async () => {
  const result = await run({
    [FUNCTION.invokeRebootMethod]: accepting,
    [FUNCTION.readRebootState]: () => completes(observed({ status: 'rebooting' }, new Date(START.getTime() + 1))),
  }, input({ timeoutSeconds: 60, pollIntervalSeconds: 5 }), 0);
  const output = result.output as RebootOperationOutput;
  assert.equal(output.outcome, 'TimedOut');
  assert.equal(output.polls, 12, 'polls at +5 s … +60 s');
  assert.equal(result.timers.at(-1), iso(START.getTime() + 60_000), 'the last timer fires at the deadline');
  assert.equal(output.lastReported?.reboot?.status, 'rebooting', 'TimedOut keeps the last observed state');
  assert.equal(output.completedAt, iso(START.getTime() + 60_000));
});

test('deadline with slow activities: the last timer is cut to the deadline, never past it', async () => {
  const result = await run({
    [FUNCTION.invokeRebootMethod]: accepting,
    [FUNCTION.readRebootState]: () => completes(observed(null, null)),
  }, input({ timeoutSeconds: 12, pollIntervalSeconds: 5 }));
  assert.equal((result.output as RebootOperationOutput).outcome, 'TimedOut');
  assert.ok(result.timers.every((t) => Date.parse(t) <= START.getTime() + 12_000));
  assert.equal(result.timers.at(-1), iso(START.getTime() + 12_000));
  assert.equal((result.output as RebootOperationOutput).polls, result.timers.length);
});

test('a report older than the acceptance (a previous reboot) does not count', async () => {
  const result = await run({
    [FUNCTION.invokeRebootMethod]: accepting,
    [FUNCTION.readRebootState]: (call) => (call.callIndex === 0
      ? completes(observed({ status: 'completed' }, new Date(START.getTime() - 60_000)))
      : completes(observed({ status: 'completed' }, call.at))),
  });
  const output = result.output as RebootOperationOutput;
  assert.equal(output.outcome, 'Succeeded');
  assert.equal(output.polls, 2);
});

test('device reports failed: outcome Failed with the report, runtime status Completed', async () => {
  const result = await run({
    [FUNCTION.invokeRebootMethod]: accepting,
    [FUNCTION.readRebootState]: (call) => completes(observed({ status: 'failed', reason: 'watchdog' }, call.at)),
  });
  assert.equal(result.runtimeStatus, 'Completed');
  const output = result.output as RebootOperationOutput;
  assert.equal(output.outcome, 'Failed');
  assert.equal(output.lastReported?.reboot?.reason, 'watchdog');
});

test('the device disappears during monitoring: DeviceNotFound', async () => {
  const result = await run({
    [FUNCTION.invokeRebootMethod]: accepting,
    [FUNCTION.readRebootState]: () => completes({ kind: 'deviceNotFound', errorCode: 404001, message: 'gone' } satisfies TwinReadResult),
  });
  assert.equal((result.output as RebootOperationOutput).outcome, 'DeviceNotFound');
  assert.equal((result.output as RebootOperationOutput).polls, 1);
});

test('a poll whose reads keep failing is skipped; monitoring goes on until a verdict', async () => {
  const result = await run({
    [FUNCTION.invokeRebootMethod]: accepting,
    [FUNCTION.readRebootState]: (call) => (call.callIndex < 2 ? throws('throttled (HTTP 429)') : completes(observed({ status: 'completed' }, call.at))),
  });
  const output = result.output as RebootOperationOutput;
  assert.equal(output.outcome, 'Succeeded');
  assert.equal(output.polls, 2, 'first poll: two failed attempts; second poll: success');
});

test('determinism: replaying each recorded history yields the same actions, and reruns give identical histories', async () => {
  const activities = {
    [FUNCTION.invokeRebootMethod]: (call: ActivityCall) => (call.attempt < 2 ? throws('HTTP 500') : accepting(call)),
    [FUNCTION.readRebootState]: (call: ActivityCall) => (call.callIndex < 2
      ? completes(observed({ status: 'rebooting' }, call.at)) : completes(observed({ status: 'completed' }, call.at))),
  };
  const first = await run(activities);
  const second = await run(activities);
  assert.deepEqual(second.history, first.history);
  assert.deepEqual(second.output, first.output);

  // Replay the full final history: done, same output, same cumulative action list as the last live episode.
  const replay = await runEpisode(handler, makeContext, first.history, first.lastInput, INSTANCE_ID, true);
  assert.equal(replay.state.isDone, true);
  assert.deepEqual(replay.state.output, first.output);
  assert.deepEqual(replay.state.actions, first.finalState.actions);
  assert.deepEqual(replay.state.customStatus, first.finalState.customStatus);

  // Every prefix that ends an episode replays to a prefix of the final actions.
  const finalActions = first.finalState.actions[0]!;
  for (let i = 0; i < first.history.length; i++) {
    if (first.history[i]!.EventType !== EventType.OrchestratorCompleted) continue;
    const prefix = first.history.slice(0, i + 1);
    const episode = await runEpisode(handler, makeContext, prefix, first.lastInput, INSTANCE_ID, true);
    const actions = episode.state.actions[0] ?? [];
    assert.deepEqual(actions, finalActions.slice(0, actions.length), `prefix ending at event ${i}`);
  }
});

test(`long monitoring continues as new after ${MAX_POLLS_PER_EXECUTION} polls and keeps its progress`, async () => {
  const completeAt = MAX_POLLS_PER_EXECUTION + 20;
  const result = await run({
    [FUNCTION.invokeRebootMethod]: accepting,
    [FUNCTION.readRebootState]: (call) => (call.callIndex + 1 < completeAt
      ? completes(observed({ status: 'rebooting' }, START)) : completes(observed({ status: 'completed' }, call.at))),
  }, input({ timeoutSeconds: 3600, pollIntervalSeconds: 1 }), 0);
  assert.equal(result.executions, 2);
  const output = result.output as RebootOperationOutput;
  assert.equal(output.outcome, 'Succeeded');
  assert.equal(output.polls, completeAt);
  assert.equal(output.requestedAt, START.toISOString());
  assert.equal(callsOf(result, FUNCTION.invokeRebootMethod).length, 1, 'the new execution does not invoke again');
});

test('a huge reported section is cut in the custom status (16 KB Durable limit) but kept in the output', async () => {
  const blob = 'z'.repeat(20_000);
  const result = await run({
    [FUNCTION.invokeRebootMethod]: accepting,
    [FUNCTION.readRebootState]: (call) => completes(observed(call.callIndex === 0 ? { status: 'rebooting', blob } : { status: 'completed', blob }, call.at)),
  });
  for (const status of result.customStatuses) assert.ok(JSON.stringify(status ?? null).length < 16 * 1024);
  const midway = result.customStatuses.find((s) => (s as RebootCustomStatus | undefined)?.polls === 1) as RebootCustomStatus;
  assert.deepEqual(midway.lastReported?.reboot, { truncated: true, originalBytes: JSON.stringify({ status: 'rebooting', blob }).length });
  assert.equal((result.output as RebootOperationOutput).lastReported?.reboot?.blob, blob);
});

test('a hub Date header truncated to the second: acceptedAt never precedes requestedAt, and a report in that second counts', async () => {
  const startAt = new Date('2025-03-01T10:00:00.700Z');
  const result = await runOrchestration(handler, {
    orchestratorName: FUNCTION.rebootOrchestrator, instanceId: INSTANCE_ID, input: input(), startAt, makeContext, activityLatencyMs: 10,
    activities: {
      [FUNCTION.recordOperation]: recording,
      [FUNCTION.invokeRebootMethod]: accepting,
      // The hub stamped the completion 10:00:00.900, after its truncated Date (10:00:00) and before the device clock matters.
      [FUNCTION.readRebootState]: (call) => {
        assert.equal((call.input as ReadRebootStateInput).since, '2025-03-01T10:00:00.000Z');
        return completes(observed({ status: 'completed', lastReboot: 'device clock' }, new Date('2025-03-01T10:00:00.900Z')));
      },
    },
  });
  const output = result.output as RebootOperationOutput;
  assert.equal(output.outcome, 'Succeeded');
  assert.equal(output.requestedAt, startAt.toISOString());
  assert.equal(output.acceptedAt, startAt.toISOString());
  assert.ok(Date.parse(output.completedAt) >= Date.parse(output.acceptedAt!));
});
