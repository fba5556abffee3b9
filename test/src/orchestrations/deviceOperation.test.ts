// The device-operation orchestrator, as functions/deviceOperation.ts registers it with df.app.orchestration, run on
// the local host's real Durable engine in this process (local/host/testing/durableTestEnvironment.ts): activities
// answer from scripts, timers fire on a frozen virtual clock, `cancel` is raised as an external event.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { flattenActions, type ActionJson } from '../../../local/host/durable/actions';
import { EventType } from '../../../local/host/durable/history';
import {
  completes, loadDurableTestEnvironment, throws,
  type ActivityCall, type ActivityScript, type ExternalEvent, type RunResult,
} from '../../../local/host/testing/durableTestEnvironment';
import { ACTIVITY, type ClaimInput, type InvokeInput, type ReadInput, type RecordInput } from '../../../src/activities/contracts';
import type { MethodInvocationResult } from '../../../src/domain/methodInvocation';
import { operationInstanceId } from '../../../src/domain/operationIds';
import { rowKeyFor, type OperationRecord } from '../../../src/domain/operationRecord';
import { DEFAULT_OPERATION_REQUEST, type OperationRequest } from '../../../src/domain/operationRequest';
import { OPERATION_KINDS, type OperationKind } from '../../../src/domain/operations/operationKind';
import type { OperationOutput } from '../../../src/domain/outcomes';
import type { TwinReadResult } from '../../../src/domain/ports';
import type { ReportedSection } from '../../../src/domain/reportedSection';
import { FUNCTION } from '../../../src/functionNames';
import { backoff, CANCEL_EVENT, MAX_POLLS_PER_EXECUTION, type OperationCustomStatus } from '../../../src/orchestrations/deviceOperation';
import type { DeviceOperationInput, RetrySpec } from '../../../src/orchestrations/deviceOperationInput';

const env = loadDurableTestEnvironment([require.resolve('../../../functions/deviceOperation')]);

const START = new Date('2025-03-01T10:00:00.000Z');
const DEVICE = 'dev-1';
const INVOKE_RETRY: RetrySpec = { firstRetryIntervalMs: 1000, maxAttempts: 5, backoffCoefficient: 2, maxRetryIntervalMs: 30_000 };
const OTHER_RETRY: RetrySpec = { firstRetryIntervalMs: 1000, maxAttempts: 2, backoffCoefficient: 2, maxRetryIntervalMs: 5000 };
const FW_PAYLOAD = { fwPackageUri: 'https://fw.example.com/v2.bin' };
const ms = (offset: number): Date => new Date(START.getTime() + offset);
const iso = (value: number | Date): string => new Date(value).toISOString();

function input(kind: OperationKind = 'reboot', overrides: Partial<OperationRequest> = {}, invoke: Partial<RetrySpec> = {}): DeviceOperationInput {
  return {
    deviceId: DEVICE, operation: kind, requestedAt: START.toISOString(),
    request: { ...DEFAULT_OPERATION_REQUEST, payload: kind === 'firmwareUpdate' ? FW_PAYLOAD : { reason: 'test' }, pollIntervalSeconds: 5, timeoutSeconds: 60, ...overrides },
    retry: { invoke: { ...INVOKE_RETRY, ...invoke }, read: OTHER_RETRY, record: OTHER_RETRY },
  };
}

/** A reading of the section whose every field the hub stored at `at`. */
function observed(values: Record<string, unknown> | null, at: Date | null, extra: Partial<ReportedSection> = {}): TwinReadResult {
  const lastUpdated: Record<string, string> = {};
  if (values !== null && at !== null) {
    for (const key of Object.keys(values)) lastUpdated[key] = at.toISOString();
    lastUpdated.$section = at.toISOString();
  }
  return { kind: 'observed', state: { values, lastUpdated, connectionState: 'Connected', connectionStateUpdatedTime: null, reportedVersion: 3, ...extra } };
}

/** The invoke activity accepting: journaled when it ran, hub Date header truncated to the second. */
const accepting: ActivityScript = (call) => completes({
  kind: 'accepted', response: { status: 200, payload: 'started' }, hubTime: iso(Math.floor(call.at.getTime() / 1000) * 1000), sentAt: call.at.toISOString(),
} satisfies MethodInvocationResult);
const invokeResult = (result: MethodInvocationResult | ((call: ActivityCall) => MethodInvocationResult)): ActivityScript =>
  (call) => completes(typeof result === 'function' ? result(call) : result);
const claimed: ActivityScript = () => completes({ kind: 'claimed' });

interface RunSetup {
  invoke?: ActivityScript;
  read?: ActivityScript;
  claim?: ActivityScript;
  input?: DeviceOperationInput;
  latency?: number | ((name: string, input: unknown) => number);
  events?: ExternalEvent[];
}

function run(setup: RunSetup): Promise<RunResult> {
  const orchestrationInput = setup.input ?? input();
  return env.run({
    orchestratorName: FUNCTION.deviceOperationOrchestrator, instanceId: operationInstanceId(orchestrationInput.operation, DEVICE, 1),
    input: orchestrationInput, startAt: START, activityLatencyMs: setup.latency, events: setup.events,
    activities: {
      [ACTIVITY.claimOperation.name]: setup.claim ?? claimed,
      [ACTIVITY.invokeDeviceMethod.name]: setup.invoke ?? accepting,
      [ACTIVITY.readDeviceState.name]: setup.read ?? (() => assert.fail('no read expected')),
      [ACTIVITY.recordOperation.name]: () => completes(null),
    },
  });
}

const callsOf = (result: RunResult, name: string): ActivityCall[] => result.calls.filter((c) => c.name === name);
const invokes = (result: RunResult): InvokeInput[] => callsOf(result, ACTIVITY.invokeDeviceMethod.name).map((c) => c.input as InvokeInput);
const reads = (result: RunResult): ReadInput[] => callsOf(result, ACTIVITY.readDeviceState.name).map((c) => c.input as ReadInput);
const recordInputs = (result: RunResult): RecordInput[] => callsOf(result, ACTIVITY.recordOperation.name).map((c) => c.input as RecordInput);
/** Every record written: the claim's first record, then each recordOperation. */
const records = (result: RunResult): OperationRecord[] => [
  ...callsOf(result, ACTIVITY.claimOperation.name).map((c) => (c.input as ClaimInput).record),
  ...recordInputs(result).map((r) => r.record),
];
const output = (result: RunResult): OperationOutput => {
  assert.equal(result.runtimeStatus, 'Completed', result.error);
  return result.output as OperationOutput;
};
const phases = (result: RunResult): string[] =>
  result.customStatuses.map((s) => (s as OperationCustomStatus | undefined)?.phase ?? '-').filter((p, i, all) => p !== all[i - 1]);

/** One row per operation, whatever was written: same key parts in every record. */
function assertOneRow(result: RunResult, kind: OperationKind): void {
  const all = records(result);
  assert.ok(all.length >= 2);
  const instanceId = operationInstanceId(kind, DEVICE, 1);
  for (const r of all) {
    assert.equal(r.instanceId, instanceId);
    assert.equal(r.requestedAt, START.toISOString());
    assert.equal(r.deviceId, DEVICE);
    assert.equal(r.operation, kind);
  }
  assert.equal(new Set(all.map((r) => rowKeyFor(r.requestedAt, r.instanceId))).size, 1);
}

/** The final record is last, says completed, and frees the device unless told otherwise. */
function assertFinal(result: RunResult, release = true): OperationRecord {
  const last = recordInputs(result).at(-1)!;
  assert.equal(last.release, release, 'release');
  assert.equal(last.record.phase, 'completed');
  assert.deepEqual(recordInputs(result).slice(0, -1).map((r) => r.release), recordInputs(result).slice(0, -1).map(() => false), 'only the final record releases');
  const out = output(result);
  assert.equal(last.record.outcome, out.outcome);
  assert.equal(last.record.completedAt, out.completedAt);
  return last.record;
}

const SUCCESS: Record<OperationKind, { steps: Record<string, unknown>[]; step: string; firmwareVersion: string | null }> = {
  reboot: { steps: [{ status: 'rebooting' }, { status: 'completed', lastReboot: 'device clock' }], step: 'completed', firmwareVersion: null },
  factoryReset: { steps: [{ status: 'resetting' }, { status: 'completed' }], step: 'completed', firmwareVersion: null },
  firmwareUpdate: {
    steps: [{ status: 'downloading' }, { status: 'download complete' }, { status: 'applying' }, { status: 'apply firmware image complete', fwVersion: '2.0.1' }],
    step: 'apply firmware image complete', firmwareVersion: '2.0.1',
  },
};

test('Succeeded for each kind: claim → method → progress reports → completion; one row, the device freed', async (t) => {
  for (const kind of OPERATION_KINDS) {
    await t.test(kind, async () => {
      const { steps, step, firmwareVersion } = SUCCESS[kind];
      const result = await run({
        input: input(kind),
        read: (call) => {
          const { since } = call.input as ReadInput;
          assert.ok(Date.parse(since) <= call.at.getTime());
          return completes(observed(steps[Math.min(call.callIndex, steps.length - 1)]!, call.at));
        },
      });
      const out = output(result);
      assert.equal(out.outcome, 'Succeeded');
      assert.equal(out.delivery, 'delivered');
      assert.deepEqual([out.deviceId, out.operation, out.requestedAt], [DEVICE, kind, START.toISOString()]);
      assert.deepEqual(out.methodResponse, { status: 200, payload: 'started' });
      assert.equal(out.polls, steps.length);
      assert.equal(out.step, step);
      assert.equal(out.firmwareVersion, firmwareVersion);
      assert.equal(out.error, null);
      assert.equal(out.durationMs, Date.parse(out.completedAt) - START.getTime());
      // acceptedAt: the hub's Date is truncated to the second, so never before the send.
      const sentAt = callsOf(result, ACTIVITY.invokeDeviceMethod.name)[0]!.at;
      assert.equal(out.acceptedAt, sentAt.toISOString());
      // The method got the caller's payload and timeouts; the kind, never a method name.
      assert.deepEqual(invokes(result), [{
        deviceId: DEVICE, instanceId: operationInstanceId(kind, DEVICE, 1), operation: kind, attempt: 1,
        payload: kind === 'firmwareUpdate' ? FW_PAYLOAD : { reason: 'test' }, responseTimeoutInSeconds: 30, connectTimeoutInSeconds: 0,
      }]);
      for (const read of reads(result)) assert.deepEqual([read.operation, read.since], [kind, sentAt.toISOString()]);
      assert.deepEqual(phases(result), ['starting', 'invoking', 'awaiting-report', 'completed']);
      assert.equal(callsOf(result, ACTIVITY.claimOperation.name).length, 1);
      assertOneRow(result, kind);
      const final = assertFinal(result);
      assert.equal(final.firmwareVersion, firmwareVersion);
      assert.equal(result.canceledTimers.length, 0);
      assert.ok(result.timers.every((at) => Date.parse(at) <= START.getTime() + 60_000));
    });
  }
});

test('the device reports a failure: Failed with its reason, for each kind', async (t) => {
  const failures: Record<OperationKind, [Record<string, unknown>, RegExp]> = {
    reboot: [{ status: 'failed', reason: 'watchdog' }, /watchdog/],
    factoryReset: [{ status: 'Failed', reason: 'flash locked' }, /flash locked/],
    firmwareUpdate: [{ status: 'Download image failed' }, /Download image failed/],
  };
  for (const kind of OPERATION_KINDS) {
    await t.test(kind, async () => {
      const [report, reason] = failures[kind];
      const result = await run({ input: input(kind), read: (call) => completes(observed(report, call.at)) });
      const out = output(result);
      assert.equal(out.outcome, 'Failed');
      assert.equal(out.delivery, 'delivered');
      assert.equal(out.error?.code, 'DeviceReportedFailure');
      assert.match(out.error!.message, reason);
      assert.deepEqual(out.lastReported?.values, report);
      assertFinal(result);
    });
  }
});

test('answers that end the operation at once: rejected, offline, not found, refused', async (t) => {
  const cases: [string, MethodInvocationResult, string, string, string | null][] = [
    ['rejected (device status ≥ 300)', { kind: 'rejected', response: { status: 409, payload: { busy: true } }, hubTime: START.toISOString(), sentAt: START.toISOString() },
      'Rejected', 'delivered', null],
    ['404103 offline', { kind: 'deviceOffline', message: 'device is not online', sentAt: START.toISOString() }, 'DeviceOffline', 'notDelivered', 'DeviceOffline'],
    ['404001 not found', { kind: 'deviceNotFound', message: 'no such device', sentAt: START.toISOString() }, 'DeviceNotFound', 'notDelivered', 'DeviceNotFound'],
    ['401 refused', { kind: 'failed', message: 'invoking was refused: HTTP 401', sentAt: START.toISOString() }, 'Failed', 'notDelivered', 'IotHubRefused'],
  ];
  for (const [name, answer, outcome, delivery, code] of cases) {
    await t.test(name, async () => {
      const result = await run({ invoke: invokeResult(answer) });
      const out = output(result);
      assert.equal(out.outcome, outcome);
      assert.equal(out.delivery, delivery);
      assert.equal(out.error?.code ?? null, code);
      assert.equal(out.polls, 0);
      assert.deepEqual(out.methodResponse, answer.kind === 'rejected' ? answer.response : null);
      assert.equal(out.acceptedAt, null);
      assert.equal(invokes(result).length, 1, 'never sent again');
      assert.deepEqual(result.timers, []);
      assertFinal(result);
      assertOneRow(result, 'reboot');
    });
  }
});

test('notDelivered (429, 5xx, refused connection) is sent again after the backoff, then delivered', async () => {
  const result = await run({
    invoke: (call) => (call.callIndex < 2
      ? completes({ kind: 'notDelivered', reason: 'throttled', message: 'HTTP 429, error 429001', sentAt: call.at.toISOString() } satisfies MethodInvocationResult)
      : accepting(call)),
    read: (call) => completes(observed({ status: 'completed' }, call.at)),
  });
  const out = output(result);
  assert.equal(out.outcome, 'Succeeded');
  assert.equal(out.delivery, 'delivered');
  const calls = callsOf(result, ACTIVITY.invokeDeviceMethod.name);
  assert.deepEqual(invokes(result).map((i) => i.attempt), [1, 2, 3], 'each attempt journaled under its own number');
  // Backoff 1 s then 2 s (plus the 250 ms each attempt takes).
  assert.equal(calls[1]!.at.getTime() - calls[0]!.at.getTime(), backoff(INVOKE_RETRY, 1) + 250);
  assert.equal(calls[2]!.at.getTime() - calls[1]!.at.getTime(), backoff(INVOKE_RETRY, 2) + 250);
  assert.deepEqual(reads(result).map((r) => r.since), [calls[2]!.at.toISOString()], 'reports count from the delivered attempt');
});

test('notDelivered until the attempts are used up: Failed, delivery notDelivered', async () => {
  const result = await run({
    invoke: (call) => completes({ kind: 'notDelivered', reason: 'unavailable', message: 'HTTP 503', sentAt: call.at.toISOString() } satisfies MethodInvocationResult),
    input: input('reboot', { timeoutSeconds: 3600 }),
  });
  const out = output(result);
  assert.equal(out.outcome, 'Failed');
  assert.equal(out.delivery, 'notDelivered');
  assert.equal(out.error?.code, 'MethodNotDelivered');
  assert.equal(invokes(result).length, INVOKE_RETRY.maxAttempts);
  assertFinal(result);
});

test('retries stop at the deadline: TimedOut with delivery notDelivered, and never a retry without its backoff', async () => {
  const timeoutSeconds = 30;
  const result = await run({
    invoke: (call) => completes({ kind: 'notDelivered', reason: 'throttled', message: 'HTTP 429', sentAt: call.at.toISOString() } satisfies MethodInvocationResult),
    input: input('reboot', { timeoutSeconds, pollIntervalSeconds: 5 }, { maxAttempts: 20, firstRetryIntervalMs: 2000, maxRetryIntervalMs: 60_000 }),
  });
  const out = output(result);
  assert.equal(out.outcome, 'TimedOut');
  assert.equal(out.delivery, 'notDelivered');
  assert.equal(out.error?.code, 'MethodNotDelivered');
  assert.match(out.error!.message, /HTTP 429/);
  const calls = callsOf(result, ACTIVITY.invokeDeviceMethod.name);
  const spec = input('reboot', {}, { maxAttempts: 20, firstRetryIntervalMs: 2000, maxRetryIntervalMs: 60_000 }).retry.invoke;
  for (let i = 1; i < calls.length; i++) {
    assert.ok(calls[i]!.at.getTime() - calls[i - 1]!.at.getTime() >= backoff(spec, i), `attempt ${i + 1} waited its backoff`);
  }
  assert.ok(calls.every((c) => c.at.getTime() < START.getTime() + timeoutSeconds * 1000), 'no attempt after the deadline');
  assert.ok(Date.parse(out.completedAt) <= START.getTime() + timeoutSeconds * 1000, 'decided by the deadline');
  assertFinal(result);
});

test('maybeDelivered (504101) and the twin shows the device got it: monitored, Succeeded, delivery delivered', async () => {
  const result = await run({
    invoke: invokeResult((call) => ({ kind: 'maybeDelivered', message: 'the answer was lost: HTTP 504, error 504101', sentAt: call.at.toISOString() })),
    read: (call) => completes(observed(call.callIndex === 0 ? { status: 'rebooting' } : { status: 'completed' }, call.at)),
  });
  const out = output(result);
  assert.equal(out.outcome, 'Succeeded');
  assert.equal(out.delivery, 'delivered');
  assert.equal(out.error, null, 'the uncertainty is gone');
  assert.equal(out.acceptedAt, null);
  assert.equal(invokes(result).length, 1, 'a maybe-delivered method is never sent again');
  // While it was uncertain, the record said so.
  const awaiting = records(result).find((r) => r.phase === 'awaiting-report')!;
  assert.equal(awaiting.delivery, 'unknown');
  assert.equal(awaiting.error?.code, 'DeliveryUnknown');
  assertFinal(result);
});

test('maybeDelivered and no sign of it by the deadline: DeliveryUnconfirmed, sent once', async (t) => {
  const cases: [string, ActivityScript][] = [
    ['504101', invokeResult((call) => ({ kind: 'maybeDelivered', message: 'HTTP 504, error 504101', sentAt: call.at.toISOString() }))],
    ['a replayed attempt (the activity ran again after a crash)',
      invokeResult({ kind: 'maybeDelivered', message: 'attempt 1 was started before', sentAt: START.toISOString(), replayed: true })],
    ['the invoke activity failed', () => throws('socket hang up')],
  ];
  for (const [name, invoke] of cases) {
    await t.test(name, async () => {
      const result = await run({ invoke, read: () => completes(observed({ status: 'completed' }, ms(-60_000))), latency: 0 });
      const out = output(result);
      assert.equal(out.outcome, 'DeliveryUnconfirmed');
      assert.equal(out.delivery, 'unknown');
      assert.equal(out.error?.code, 'DeliveryUnconfirmed');
      assert.equal(invokes(result).length, 1);
      // The host's OrchestratorStarted timestamps strictly increase (research §6.5): the episode after the final
      // zero-latency read runs 1 ms after the deadline timer's.
      assert.equal(out.completedAt, iso(ms(60_001)), 'decided at the deadline');
      assert.deepEqual(out.deviceActivity, {
        connectionState: 'Connected', connectionStateUpdatedTime: null, connectionChangedAfterMethod: false, reportedAfterMethod: false, lastReportedStep: null,
      });
      assert.equal(reads(result).at(-1)!.withConnection, true, 'the last look reads the connection too');
      assertFinal(result);
    });
  }
});

test('deadline: no completion within timeoutSeconds → TimedOut after the expected polls, the last one at the deadline', async () => {
  const result = await run({
    read: () => completes(observed({ status: 'rebooting' }, ms(1), { connectionStateUpdatedTime: iso(ms(2)) })),
    input: input('reboot', { timeoutSeconds: 60, pollIntervalSeconds: 5 }), latency: 0,
  });
  const out = output(result);
  assert.equal(out.outcome, 'TimedOut');
  assert.equal(out.delivery, 'delivered');
  assert.equal(out.polls, 12, 'polls at +5 s … +60 s');
  assert.equal(result.timers.at(-1), iso(ms(60_000)));
  assert.deepEqual(reads(result).map((r) => r.withConnection), [...Array(11).fill(false), true]);
  assert.equal(out.step, 'rebooting');
  assert.deepEqual(out.deviceActivity, {
    connectionState: 'Connected', connectionStateUpdatedTime: iso(ms(2)), connectionChangedAfterMethod: true, reportedAfterMethod: true, lastReportedStep: 'rebooting',
  });
  assert.match(out.error!.message, /showed activity/);
  assertFinal(result);
});

test('a late acceptance (answered after the deadline) gets exactly one more look, one interval later', async (t) => {
  const slowInvoke = (name: string): number => (name === ACTIVITY.invokeDeviceMethod.name ? 70_000 : 250);
  for (const [name, report, outcome] of [['completed by then', { status: 'completed' }, 'Succeeded'], ['still going', { status: 'rebooting' }, 'TimedOut']] as const) {
    await t.test(name, async () => {
      const result = await run({ latency: slowInvoke, read: (call) => completes(observed(report, call.at)) });
      const out = output(result);
      assert.equal(out.outcome, outcome);
      assert.equal(out.polls, 1);
      const accepted = callsOf(result, ACTIVITY.invokeDeviceMethod.name)[0]!.at.getTime();
      assert.ok(accepted > START.getTime() + 60_000);
      assert.deepEqual(result.timers, [iso(accepted + 250 + 5000)], 'one timer: after the awaiting-report record, one interval');
      assert.equal(reads(result)[0]!.withConnection, true);
    });
  }
});

test('cancel while monitoring: Canceled at once, the pending timer canceled, the final record frees the device', async () => {
  const cancelAt = ms(12_000);
  const result = await run({
    read: (call) => completes(observed({ status: 'rebooting' }, call.at)),
    events: [{ name: CANCEL_EVENT, input: { requestedAt: iso(cancelAt) }, at: cancelAt }],
  });
  const out = output(result);
  assert.equal(out.outcome, 'Canceled');
  assert.equal(out.delivery, 'delivered');
  assert.equal(out.error?.code, 'Canceled');
  assert.match(out.error!.message, /already been sent/);
  assert.equal(out.completedAt, iso(cancelAt), 'not at the next poll');
  assert.ok(reads(result).every((_r, i) => callsOf(result, ACTIVITY.readDeviceState.name)[i]!.at.getTime() < cancelAt.getTime()));
  assert.equal(result.canceledTimers.length, 1);
  assert.deepEqual(result.eventsDelivered, [{ name: CANCEL_EVENT, at: iso(cancelAt) }]);
  assertFinal(result, true);
  assertOneRow(result, 'reboot');
});

test('cancel before the method is sent: nothing is sent; during the backoff of an undelivered method: not sent again', async (t) => {
  await t.test('during the claim', async () => {
    const result = await run({ events: [{ name: CANCEL_EVENT, at: ms(100) }] });
    const out = output(result);
    assert.equal(out.outcome, 'Canceled');
    assert.equal(out.delivery, 'notDelivered');
    assert.match(out.error!.message, /before the direct method reached the device/);
    assert.deepEqual(invokes(result), []);
    assertFinal(result, true);
  });
  await t.test('during a retry backoff', async () => {
    const result = await run({
      invoke: (call) => completes({ kind: 'notDelivered', reason: 'throttled', message: 'HTTP 429', sentAt: call.at.toISOString() } satisfies MethodInvocationResult),
      events: [{ name: CANCEL_EVENT, at: ms(1000) }],
    });
    const out = output(result);
    assert.equal(out.outcome, 'Canceled');
    assert.equal(out.delivery, 'notDelivered');
    assert.equal(invokes(result).length, 1);
    assert.equal(result.canceledTimers.length, 1, 'the backoff timer');
    assertFinal(result, true);
  });
  await t.test('while the method is on its way: its answer is awaited, then Canceled without polling', async () => {
    const result = await run({ events: [{ name: CANCEL_EVENT, at: ms(300) }] });
    const out = output(result);
    assert.equal(out.outcome, 'Canceled');
    assert.equal(out.delivery, 'delivered');
    assert.deepEqual(out.methodResponse, { status: 200, payload: 'started' });
    assert.equal(out.polls, 0);
    assertFinal(result, true);
  });
});

test('a cancel that arrives after the end changes nothing', async () => {
  const result = await run({ read: (call) => completes(observed({ status: 'completed' }, call.at)), events: [{ name: CANCEL_EVENT, at: ms(50_000) }] });
  assert.equal(output(result).outcome, 'Succeeded');
  assert.deepEqual(result.eventsDelivered, []);
});

test('lease lost: Canceled without releasing (the device belongs to another operation), nothing sent', async (t) => {
  const other = operationInstanceId('factoryReset', DEVICE, 2);
  await t.test('at the claim', async () => {
    const result = await run({ claim: () => completes({ kind: 'lost', holder: other }) });
    const out = output(result);
    assert.equal(out.outcome, 'Canceled');
    assert.equal(out.error?.code, 'LeaseLost');
    assert.match(out.error!.message, new RegExp(other));
    assert.deepEqual(invokes(result), []);
    assertFinal(result, false);
  });
  await t.test('at the invoke', async () => {
    const result = await run({ invoke: invokeResult({ kind: 'leaseLost', holder: other, message: 'the device is held by another operation; nothing was sent' }) });
    const out = output(result);
    assert.equal(out.outcome, 'Canceled');
    assert.equal(out.error?.code, 'LeaseLost');
    assert.equal(out.delivery, 'notDelivered');
    assertFinal(result, false);
  });
});

test('monitoring reads: the device disappears → DeviceNotFound; a refused read → Failed; failing reads skip a poll', async (t) => {
  await t.test('deviceNotFound', async () => {
    const result = await run({ read: () => completes({ kind: 'deviceNotFound', message: 'gone' } satisfies TwinReadResult) });
    assert.equal(output(result).outcome, 'DeviceNotFound');
    assert.equal(output(result).polls, 1);
    assertFinal(result);
  });
  await t.test('failed', async () => {
    const result = await run({ read: () => completes({ kind: 'failed', message: 'reading the twin was refused: HTTP 401' } satisfies TwinReadResult) });
    assert.equal(output(result).outcome, 'Failed');
    assert.equal(output(result).error?.code, 'IotHubRefused');
  });
  await t.test('a read that keeps failing after its own retries skips that poll only', async () => {
    const result = await run({ read: (call) => (call.callIndex < 2 ? throws('the twin read failed transiently: HTTP 429') : completes(observed({ status: 'completed' }, call.at))) });
    assert.equal(output(result).outcome, 'Succeeded');
    assert.equal(output(result).polls, 3, 'two empty polls, then the verdict');
    assert.ok(reads(result).every((r) => r.attempts === OTHER_RETRY.maxAttempts), 'the activity retries within the poll');
    const times = callsOf(result, ACTIVITY.readDeviceState.name).map((c) => c.at.getTime());
    assert.equal(times[1]! - times[0]!, 5000 + 250, 'the next poll keeps its interval: no Durable retry timers in between');
  });
});

test('a report stored before the method was sent (a previous operation) does not count', async () => {
  const result = await run({
    read: (call) => completes(observed({ status: 'completed' }, call.callIndex === 0 ? ms(-60_000) : call.at)),
  });
  assert.equal(output(result).outcome, 'Succeeded');
  assert.equal(output(result).polls, 2);
});

test(`long monitoring continues as new after ${MAX_POLLS_PER_EXECUTION} polls and keeps its progress and its row`, async () => {
  const completeAt = MAX_POLLS_PER_EXECUTION + 20;
  const result = await run({
    read: (call) => (call.callIndex + 1 < completeAt ? completes(observed({ status: 'rebooting' }, START)) : completes(observed({ status: 'completed' }, call.at))),
    input: input('reboot', { timeoutSeconds: 3600, pollIntervalSeconds: 1 }), latency: 0,
  });
  assert.equal(result.executions, 2);
  const out = output(result);
  assert.equal(out.outcome, 'Succeeded');
  assert.equal(out.polls, completeAt);
  assert.equal(out.requestedAt, START.toISOString());
  assert.equal(invokes(result).length, 1, 'the new execution does not invoke again');
  assert.equal(callsOf(result, ACTIVITY.claimOperation.name).length, 1, 'nor claim again');
  const carried = (result.lastInput as DeviceOperationInput).carryOver;
  assert.equal(carried?.polls, MAX_POLLS_PER_EXECUTION);
  assert.equal(carried?.delivery, 'delivered');
  assertOneRow(result, 'reboot');
  assertFinal(result);
});

test('the method name never appears in the orchestration: not in its input, its history or any activity input', async () => {
  const result = await run({ input: input('firmwareUpdate'), read: (call) => completes(observed({ status: 'completed' }, call.at)) });
  assert.equal(output(result).outcome, 'Succeeded');
  const everything = JSON.stringify([result.lastInput, result.history, result.calls.map((c) => c.input)]);
  assert.doesNotMatch(everything, /methodName/);
  for (const call of invokes(result)) assert.equal(call.operation, 'firmwareUpdate');
});

test('a huge reported section is cut in the custom status (16 KB Durable limit) but kept in the output', async () => {
  const blob = 'z'.repeat(20_000);
  const result = await run({ read: (call) => completes(observed(call.callIndex === 0 ? { status: 'rebooting', blob } : { status: 'completed', blob }, call.at)) });
  for (const status of result.customStatuses) assert.ok(JSON.stringify(status ?? null).length < 16 * 1024);
  assert.equal(output(result).lastReported?.values?.blob, blob);
});

test('determinism: replaying each recorded history (with a cancel and Task.any) yields the same actions; reruns are identical', async () => {
  const setup: RunSetup = {
    invoke: (call) => (call.callIndex < 1 ? completes({ kind: 'notDelivered', reason: 'unavailable', message: 'HTTP 500', sentAt: call.at.toISOString() }) : accepting(call)),
    read: (call) => completes(observed({ status: 'rebooting' }, call.at)),
    events: [{ name: CANCEL_EVENT, input: { by: 'test' }, at: ms(17_000) }],
  };
  const first = await run(setup);
  const second = await run(setup);
  assert.equal(output(first).outcome, 'Canceled');
  assert.deepEqual(second.history, first.history);
  assert.deepEqual(second.output, first.output);
  assert.ok(first.history.some((e) => e.EventType === EventType.EventRaised && e.Name === CANCEL_EVENT));

  const instanceId = operationInstanceId('reboot', DEVICE, 1);
  const replay = await env.replay(FUNCTION.deviceOperationOrchestrator, first.history, first.lastInput, instanceId);
  assert.equal(replay?.isDone, true);
  assert.deepEqual(replay.output, first.output);
  assert.deepEqual(replay.actions, first.finalState.actions);
  const finalActions = first.finalState.actions[0]!;
  for (let i = 0; i < first.history.length; i++) {
    if (first.history[i]!.EventType !== EventType.OrchestratorCompleted) continue;
    const episode = await env.replay(FUNCTION.deviceOperationOrchestrator, first.history.slice(0, i + 1), first.lastInput, instanceId);
    const actions = episode?.actions[0] ?? [];
    // A timer canceled later is not canceled yet in the prefix: compare the atomic actions without that flag.
    const atomic = (list: unknown[]): Omit<ActionJson, 'isCanceled'>[] => flattenActions(list).map(({ isCanceled: _c, ...rest }) => rest);
    assert.deepEqual(atomic(actions), atomic(finalActions).slice(0, atomic(actions).length), `prefix ending at event ${i}`);
    assert.equal(actions.length <= finalActions.length, true);
  }
});

test('transition log lines carry ids and outcomes, never the payload', async () => {
  // The device reported `applying` once (one hub time), then nothing more until the deadline.
  const result = await run({ input: input('firmwareUpdate'), read: () => completes(observed({ status: 'applying' }, ms(2000))) });
  assert.equal(output(result).outcome, 'TimedOut');
  const logs = result.logs.map((l) => l.message);
  const events = logs.filter((l) => l.includes('"event":"operation"')).map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.deepEqual(events.map((e) => e.transition), ['started', 'method-accepted', 'progress', 'completed']);
  for (const event of events) {
    assert.equal(event.instanceId, operationInstanceId('firmwareUpdate', DEVICE, 1));
    assert.equal(event.deviceId, DEVICE);
    assert.equal(event.operation, 'firmwareUpdate');
  }
  assert.equal(events.at(-1)!.outcome, 'TimedOut');
  assert.equal(events.find((e) => e.transition === 'progress')!.reported, 'applying');
  for (const line of logs) assert.doesNotMatch(line, /fwPackageUri|fw\.example\.com/);
});
