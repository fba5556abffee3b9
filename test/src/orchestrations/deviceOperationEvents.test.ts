// The timer-or-event race of the device-operation watch (issue 14): with twin change events on, a `TwinChanged`
// event wakes the watch before its poll timer, the twin read that follows decides, and events that bring no news
// (duplicated, late, early, coalesced) change nothing. Run on the local host's real engine in process
// (local/host/testing/durableTestEnvironment.ts); the twin is scripted as a timeline of reports on the virtual clock.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { ACTIVITY, type ReadInput } from '../../../src/activities/contracts';
import { operationInstanceId } from '../../../src/domain/operationIds';
import { DEFAULT_OPERATION_REQUEST, type OperationRequest } from '../../../src/domain/operationRequest';
import type { OperationOutput } from '../../../src/domain/outcomes';
import { FUNCTION } from '../../../src/functionNames';
import {
  CANCEL_EVENT, isNews, MAX_IGNORED_EVENTS_PER_EXECUTION, TWIN_CHANGED_EVENT,
  type OperationCustomStatus, type TwinChangedSignal,
} from '../../../src/orchestrations/deviceOperation';
import type { DeviceOperationInput, RetrySpec } from '../../../src/orchestrations/deviceOperationInput';
import {
  completes, loadDurableTestEnvironment, type ActivityCall, type ExternalEvent, type RunResult,
} from '../../../local/host/testing/durableTestEnvironment';

const env = loadDurableTestEnvironment([require.resolve('../../../functions/deviceOperation')]);

const START = new Date('2025-03-01T10:00:00.000Z');
const DEVICE = 'dev-1';
const RETRY: RetrySpec = { firstRetryIntervalMs: 1000, maxAttempts: 2, backoffCoefficient: 2, maxRetryIntervalMs: 5000 };
const ms = (offset: number): Date => new Date(START.getTime() + offset);

/** Poll interval 60 s: anything seen well before that came from an event. */
function input(wake: boolean, overrides: Partial<OperationRequest> = {}): DeviceOperationInput {
  return {
    deviceId: DEVICE, operation: 'reboot', requestedAt: START.toISOString(),
    request: { ...DEFAULT_OPERATION_REQUEST, payload: null, pollIntervalSeconds: 60, timeoutSeconds: 600, ...overrides },
    retry: { invoke: RETRY, read: RETRY, record: RETRY }, ...(wake ? { wakeOnTwinChange: true } : {}),
  };
}

/** The device's reports: from `at` on (virtual ms after START) the section shows `values`, reported `$version` `version`. */
interface Report { at: number; values: Record<string, unknown>; version: number }
const BEFORE: Report = { at: -60_000, values: { status: 'completed' }, version: 4 };

function twinAt(reports: Report[], call: ActivityCall): ReturnType<typeof completes> {
  const now = call.at.getTime() - START.getTime();
  const report = [BEFORE, ...reports].filter((r) => r.at <= now).at(-1)!;
  const stored = ms(report.at).toISOString();
  return completes({ kind: 'observed', state: {
    values: report.values, lastUpdated: Object.fromEntries([...Object.keys(report.values), '$section'].map((k) => [k, stored])),
    connectionState: 'Connected', connectionStateUpdatedTime: null, reportedVersion: report.version,
  } });
}

const changed = (at: number, reportedVersion: number | null): ExternalEvent =>
  ({ name: TWIN_CHANGED_EVENT, input: { reportedVersion } satisfies TwinChangedSignal, at: ms(at) });

function run(wake: boolean, reports: Report[], events: ExternalEvent[], overrides: Partial<OperationRequest> = {}): Promise<RunResult> {
  return env.run({
    orchestratorName: FUNCTION.deviceOperationOrchestrator, instanceId: operationInstanceId('reboot', DEVICE, 1),
    input: input(wake, overrides), startAt: START, events,
    activities: {
      [ACTIVITY.claimOperation.name]: () => completes({ kind: 'claimed' }),
      [ACTIVITY.invokeDeviceMethod.name]: (call) => completes({
        kind: 'accepted', response: { status: 200, payload: null }, hubTime: null, sentAt: call.at.toISOString(),
      }),
      [ACTIVITY.readDeviceState.name]: (call) => twinAt(reports, call),
      [ACTIVITY.recordOperation.name]: () => completes(null),
    },
  });
}

const reads = (result: RunResult): ActivityCall[] => result.calls.filter((c) => c.name === ACTIVITY.readDeviceState.name);
const output = (result: RunResult): OperationOutput => {
  assert.equal(result.runtimeStatus, 'Completed', result.error);
  return result.output as OperationOutput;
};
const completedAfter = (result: RunResult): number => Date.parse(output(result).completedAt) - START.getTime();

const REBOOTED: Report[] = [{ at: 2_000, values: { status: 'rebooting' }, version: 5 }, { at: 3_000, values: { status: 'completed' }, version: 6 }];

test('the event wins the race: completion read right after it, long before the 60 s poll; the timer is canceled', async () => {
  const result = await run(true, REBOOTED, [changed(3_100, 6)]);
  assert.equal(output(result).outcome, 'Succeeded');
  assert.ok(completedAfter(result) < 4_000, `completed ${completedAfter(result)} ms after the start`);
  assert.equal(reads(result).length, 1, 'one twin read');
  assert.equal(output(result).polls, 1);
  assert.equal(result.canceledTimers.length, 1, 'the poll timer lost the race');
});

test('events off: polling alone decides, whatever is raised', async () => {
  const result = await run(false, REBOOTED, [changed(3_100, 6)]);
  assert.equal(output(result).outcome, 'Succeeded');
  assert.ok(completedAfter(result) >= 60_000, 'at the first poll');
  assert.equal(reads(result).length, 1);
});

test('events on but none arrives: the poll timer still finds the completion', async () => {
  const result = await run(true, REBOOTED, []);
  assert.equal(output(result).outcome, 'Succeeded');
  assert.ok(completedAfter(result) >= 60_000);
  assert.equal(reads(result).length, 1);
});

test('events that bring no news change nothing', async (t) => {
  await t.test('a duplicated event (version already read) causes no read', async () => {
    const result = await run(true, [REBOOTED[0]!, { ...REBOOTED[1]!, at: 20_000 }], [changed(2_100, 5), changed(2_200, 5), changed(20_100, 6)]);
    assert.equal(output(result).outcome, 'Succeeded');
    assert.deepEqual(reads(result).map((c) => c.at.getTime() - START.getTime() < 3_000 ? 'early' : 'late'), ['early', 'late']);
    assert.ok(completedAfter(result) < 21_000);
  });
  await t.test('a late event for an earlier change (lower version) causes no read', async () => {
    const result = await run(true, [REBOOTED[0]!, { ...REBOOTED[1]!, at: 20_000 }], [changed(2_100, 5), changed(5_000, 4), changed(20_100, 6)]);
    assert.equal(reads(result).length, 2);
    assert.equal(output(result).outcome, 'Succeeded');
  });
  await t.test('an early event (raised before the method was sent) cannot complete the operation with an old report', async () => {
    // The twin shows a completion stored a minute before the method: the read it causes must not count it.
    const result = await run(true, REBOOTED.map((r) => ({ ...r, at: r.at + 10_000 })), [changed(50, null), changed(13_100, 6)]);
    const out = output(result);
    assert.equal(out.outcome, 'Succeeded');
    assert.ok(completedAfter(result) >= 13_000, 'only the real report completes it');
    assert.ok(reads(result).length <= 2);
  });
  await t.test('an event after the end is harmless', async () => {
    const result = await run(true, REBOOTED, [changed(3_100, 6), changed(3_200, 6), changed(90_000, 7)]);
    assert.equal(output(result).outcome, 'Succeeded');
    assert.equal(reads(result).length, 1);
  });
});

test('a burst: two reports coalesced into one event are judged on the twin (the later report)', async (t) => {
  const burst: Report[] = [{ at: 3_000, values: { status: 'rebooting' }, version: 5 }, { at: 3_050, values: { status: 'completed' }, version: 6 }];
  await t.test('one coalesced event', async () => {
    const result = await run(true, burst, [changed(3_100, 6)]);
    assert.equal(output(result).outcome, 'Succeeded');
    assert.equal(reads(result).length, 1);
  });
  await t.test('two events, the second after the read saw both reports', async () => {
    const result = await run(true, burst, [changed(3_060, 5), changed(3_070, 6)]);
    assert.equal(output(result).outcome, 'Succeeded');
    assert.equal(reads(result).length, 1, 'the read already saw version 6');
  });
  await t.test('a failure reported right after progress is a failure', async () => {
    const failing: Report[] = [{ at: 3_000, values: { status: 'rebooting' }, version: 5 }, { at: 3_050, values: { status: 'failed', reason: 'watchdog' }, version: 6 }];
    const result = await run(true, failing, [changed(3_100, 6)]);
    assert.equal(output(result).outcome, 'Failed');
    assert.equal(output(result).error?.code, 'DeviceReportedFailure');
  });
});

test('cancel while waiting for either: Canceled at once, the timer canceled', async () => {
  const result = await run(true, [REBOOTED[0]!], [changed(2_100, 5), { name: CANCEL_EVENT, at: ms(10_000) }]);
  const out = output(result);
  assert.equal(out.outcome, 'Canceled');
  assert.equal(completedAfter(result), 10_000);
  assert.equal(reads(result).length, 1);
});

test('the deadline holds with events: progress events never extend it; the last look is the timer at the deadline', async () => {
  const progress: Report[] = Array.from({ length: 10 }, (_v, i) => ({ at: 2_000 + i * 5_000, values: { status: 'rebooting', n: i }, version: 5 + i }));
  const result = await run(true, progress, progress.map((r) => changed(r.at + 100, r.version)), { timeoutSeconds: 60, pollIntervalSeconds: 30 });
  const out = output(result);
  assert.equal(out.outcome, 'TimedOut');
  const calls = reads(result);
  assert.equal(calls.at(-1)!.at.getTime() - START.getTime() >= 60_000, true, 'the last read is at the deadline');
  assert.deepEqual(calls.map((c) => (c.input as ReadInput).withConnection), calls.map((_c, i) => i === calls.length - 1), 'only the deadline look reads the connection');
  assert.ok(completedAfter(result) < 62_000);
});

test('the custom status says when the next timed look is and that events wake the watch', async () => {
  const result = await run(true, REBOOTED, [changed(3_100, 6)]);
  const statuses = result.customStatuses.map((s) => s as OperationCustomStatus | undefined);
  // Before its first wait (the awaiting-report record is being written) the watch has no timer yet.
  const watching = statuses.filter((s) => s?.phase === 'awaiting-report' && s.nextCheckAt !== null);
  assert.ok(watching.length > 0);
  assert.equal(statuses.at(-1)!.nextCheckAt, null, 'none once completed');
  for (const status of watching) {
    assert.equal(status!.wakesOnTwinChange, true);
    assert.ok(typeof status!.sentAt === 'string');
    assert.equal(Date.parse(status!.nextCheckAt!) - Date.parse(status!.sentAt!) >= 60_000, true);
  }
});

test(`stale events past ${MAX_IGNORED_EVENTS_PER_EXECUTION} per execution: the watch goes on by timer alone`, async () => {
  const stale = Array.from({ length: MAX_IGNORED_EVENTS_PER_EXECUTION + 5 }, (_v, i) => changed(2_100 + i, 5));
  const result = await run(true, [REBOOTED[0]!, { ...REBOOTED[1]!, at: 30_000 }], [changed(2_050, 5), ...stale]);
  assert.equal(output(result).outcome, 'Succeeded');
  assert.equal(reads(result).length, 2, 'the first event, then the 60 s poll');
});

test('isNews: only a version the last read already saw is old news', async (t) => {
  const cases: [string, Partial<TwinChangedSignal> | undefined, number | null, boolean][] = [
    ['newer version', { reportedVersion: 7 }, 6, true],
    ['same version (duplicate)', { reportedVersion: 6 }, 6, false],
    ['older version (late)', { reportedVersion: 5 }, 6, false],
    ['no version in the event', { reportedVersion: null }, 6, true],
    ['no payload', undefined, 6, true],
    ['nothing read yet', { reportedVersion: 1 }, null, true],
  ];
  for (const [name, signal, last, expected] of cases) await t.test(name, () => assert.equal(isNews(signal, last), expected));
});
