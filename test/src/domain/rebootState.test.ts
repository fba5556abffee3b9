import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { judgeReboot, needsConnectionTime, type ReportedRebootState } from '../../../src/domain/rebootState';

const ACCEPTED = '2025-05-01T12:00:00.000Z';
const before = '2025-05-01T11:59:59.000Z';
const sameSecond = '2025-05-01T12:00:00.400Z';
const after = '2025-05-01T12:00:05.000Z';
const later = '2025-05-01T12:00:09.000Z';

function state(reboot: Record<string, unknown> | null, lastUpdated: Record<string, string>, extra: Partial<ReportedRebootState> = {}): ReportedRebootState {
  return { reboot, lastUpdated, connectionState: 'Connected', connectionStateUpdatedTime: null, reportedVersion: 1, ...extra };
}

test("our devices: status completed / failed / rebooting, judged by the hub's $lastUpdated, never the device's timestamps", () => {
  assert.equal(judgeReboot(state({ status: 'completed', lastReboot: '1999-01-01T00:00:00Z' }, { status: after, lastReboot: after }), ACCEPTED).state, 'completed');
  assert.equal(judgeReboot(state({ status: 'failed', reason: 'x' }, { status: after }), ACCEPTED).state, 'failed');
  assert.equal(judgeReboot(state({ status: 'rebooting', startedRebootTime: '2099-01-01T00:00:00Z' }, { status: after, startedRebootTime: after }), ACCEPTED).state, 'pending');
  // The device's own clock says "later" but the hub stored it before the acceptance: a previous reboot.
  assert.equal(judgeReboot(state({ status: 'completed', lastReboot: '2099-01-01T00:00:00Z' }, { status: before, lastReboot: before }), ACCEPTED).state, 'pending');
  const done = judgeReboot(state({ status: 'Completed' }, { status: after }), ACCEPTED);
  assert.deepEqual(done.state === 'completed' && done.reportedAt, after);
});

test('status rebooting is authoritative over a fresh lastReboot of the same device', () => {
  const verdict = judgeReboot(state({ status: 'rebooting', lastReboot: 'x' }, { status: after, lastReboot: after }), ACCEPTED);
  assert.equal(verdict.state, 'pending');
});

test('docs tutorial schema: a lastReboot reported after the acceptance completes the reboot', () => {
  assert.equal(judgeReboot(state({ lastReboot: 'device time' }, { lastReboot: after }), ACCEPTED).state, 'completed');
  assert.equal(judgeReboot(state({ lastReboot: 'device time' }, { lastReboot: before }), ACCEPTED).state, 'pending');
});

test('a report in the same second as the acceptance counts (HTTP Date headers have one-second resolution)', () => {
  assert.equal(judgeReboot(state({ lastReboot: 'x' }, { lastReboot: sameSecond }), ACCEPTED).state, 'completed');
});

test('SDK sample schema: startedRebootTime, then completion when the device has connected again after it', () => {
  const started = state({ startedRebootTime: 'device time' }, { startedRebootTime: after });
  assert.deepEqual(judgeReboot(started, ACCEPTED), {
    state: 'pending', waitingFor: 'reconnect', evidence: 'iothubDM.reboot.startedRebootTime reported; waiting for the device to reconnect',
  });
  assert.equal(needsConnectionTime(started, ACCEPTED), true);
  assert.equal(judgeReboot({ ...started, connectionStateUpdatedTime: later }, ACCEPTED).state, 'completed');
  // Connected, but since before the reboot started: it never went away.
  assert.equal(judgeReboot({ ...started, connectionStateUpdatedTime: before }, ACCEPTED).state, 'pending');
  // Disconnected right now: nothing to ask the registry yet.
  assert.equal(needsConnectionTime({ ...started, connectionState: 'Disconnected' }, ACCEPTED), false);
  assert.equal(judgeReboot({ ...started, connectionState: 'Disconnected', connectionStateUpdatedTime: later }, ACCEPTED).state, 'pending');
});

test('no report at all, or no $metadata to judge by: pending (the device clock is never trusted)', () => {
  assert.equal(judgeReboot(state(null, {}), ACCEPTED).state, 'pending');
  assert.equal(judgeReboot(state({ status: 'completed' }, {}), ACCEPTED).state, 'pending');
  assert.equal(needsConnectionTime(state({ status: 'completed' }, { status: after }), ACCEPTED), false);
});

test("the section's own $lastUpdated stands in for a field without one", () => {
  assert.equal(judgeReboot(state({ status: 'completed' }, { $section: after }), ACCEPTED).state, 'completed');
});
