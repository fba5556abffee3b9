// The rollout activities on a real Azurite table: a batch acquires each device's lease once; a busy device is
// reported and left alone; a re-run (after a crash) answers what the first run decided and never takes a
// second lease; a cancel request stops the next batch before any lease is touched; closing cancels queued rows.
import { after, before, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { startAzurite, type RunningAzurite } from '../../../local/azurite';
import { acquireRolloutBatch, acquireRolloutRetries, closeRollout, collectRolloutOutcomes, recordRolloutBatch } from '../../../src/activities/rolloutActivities';
import type { AcquireBatchInput } from '../../../src/activities/rolloutContracts';
import { TableDeviceLeaseStore, TableOperationsStore } from '../../../src/adapters/operationsStore';
import type { OperationRecord } from '../../../src/domain/operationRecord';
import { TableRolloutStore } from '../../../src/adapters/rollouts/tableRolloutStore';
import { DeviceGuard } from '../../../src/domain/deviceGuard';
import { operationInstanceId } from '../../../src/domain/operationIds';
import { initialCounters } from '../../../src/domain/rollouts/rolloutCounters';
import { acquireForRollout } from '../../../src/domain/rollouts/rolloutDeviceAcquire';
import { newRolloutId } from '../../../src/domain/rollouts/rolloutIds';
import { targetRows } from '../../../src/domain/rollouts/rolloutTargetRows';

const T0 = '2025-06-01T10:00:00.000Z';
let azurite: RunningAzurite;
let deps: { guard: DeviceGuard; leases: TableDeviceLeaseStore; operations: TableOperationsStore; store: TableRolloutStore };

before(async () => {
  azurite = await startAzurite();
  const table = (tableName: string) => ({ kind: 'connectionString' as const, connectionString: azurite.connectionString, tableName });
  const leases = TableDeviceLeaseStore.fromConnection(table('RoLeases'));
  deps = { guard: new DeviceGuard(leases, 60_000), leases, operations: TableOperationsStore.fromConnection(table('RoOps')),
    store: TableRolloutStore.fromConnection(table('RoRollouts')) };
});
after(async () => {
  await azurite.stop();
});

async function newRollout(deviceIds: string[]): Promise<string> {
  const rolloutId = newRolloutId();
  await deps.store.create({ rolloutId, operation: 'reboot', state: 'running', targetKind: 'deviceIds', total: deviceIds.length,
    counters: initialCounters(deviceIds.length), waves: [100], currentWave: 0, rate: null, budget: null, currentRate: null, eta: null,
    startAt: null, retryAfterSeconds: 1, cancelRequested: false, forceCancel: false, pauseRequested: false, reason: null, createdAt: T0, updatedAt: T0, completedAt: null });
  await deps.store.saveDevices(rolloutId, targetRows(deviceIds, [100], T0));
  return rolloutId;
}

const batch = (rolloutId: string, to: number): AcquireBatchInput => ({
  rolloutId, operation: 'reboot', requestedAt: T0, from: 0, to, counters: initialCounters(to), currentWave: 1, currentRate: null,
});

test('a batch acquires free devices, reports a busy one, and a re-run answers the same without new leases', async () => {
  const ids = ['ra-1', 'ra-busy', 'ra-3'];
  const holder = await deps.guard.acquire({ deviceId: 'ra-busy', operation: 'factoryReset', requestedAt: '2025-06-01T09:59:00.000Z',
    instanceIdFor: (s) => operationInstanceId('factoryReset', 'ra-busy', s), sequenceHint: async () => 0, holderState: async () => 'active' });
  assert.equal(holder.kind, 'acquired');
  const rolloutId = await newRollout(ids);

  const first = await acquireRolloutBatch(batch(rolloutId, 3), deps);
  assert.deepEqual(first, { kind: 'acquired', devices: [
    { ordinal: 0, deviceId: 'ra-1', instanceId: operationInstanceId('reboot', 'ra-1', 1) },
    { ordinal: 1, deviceId: 'ra-busy', instanceId: null },
    { ordinal: 2, deviceId: 'ra-3', instanceId: operationInstanceId('reboot', 'ra-3', 1) },
  ] });
  const rows = await deps.store.devicesBetween(rolloutId, 0, 3);
  assert.deepEqual(rows.map((r) => [r.state, r.instanceId]), [
    ['inProgress', operationInstanceId('reboot', 'ra-1', 1)],
    ['busy', operationInstanceId('factoryReset', 'ra-busy', 1)],
    ['inProgress', operationInstanceId('reboot', 'ra-3', 1)],
  ]);
  const summary = await deps.store.read(rolloutId);
  assert.deepEqual([summary?.counters.inProgress, summary?.counters.busy, summary?.counters.queued], [2, 1, 0]);

  assert.deepEqual(await acquireRolloutBatch(batch(rolloutId, 3), deps), first);
  assert.equal((await deps.leases.read('ra-1'))?.sequence, 1, 'no second lease');
  assert.equal((await deps.leases.read('ra-busy'))?.instanceId, operationInstanceId('factoryReset', 'ra-busy', 1));
});

test('a re-run after a crash between acquiring and writing the rows reuses its own lease', async () => {
  const rolloutId = await newRollout(['rc-1']);
  const [row] = await deps.store.devicesBetween(rolloutId, 0, 1);
  // The first run marked the row and acquired the lease, then the host died.
  await deps.store.saveDevices(rolloutId, [{ ...row!, attemptAt: T0 }]);
  const own = await acquireForRollout('rc-1', 'reboot', T0, false, deps);
  assert.equal(own.kind, 'acquired');
  const rerun = await acquireRolloutBatch(batch(rolloutId, 1), deps);
  assert.deepEqual(rerun, { kind: 'acquired', devices: [{ ordinal: 0, deviceId: 'rc-1', instanceId: operationInstanceId('reboot', 'rc-1', 1) }] });
  assert.equal((await deps.leases.read('rc-1'))?.sequence, 1);
});

test('without its own mark, a lease taken at the same moment by someone else is busy', async () => {
  const rolloutId = await newRollout(['rs-1']);
  const other = await acquireForRollout('rs-1', 'reboot', T0, false, deps);
  assert.equal(other.kind, 'acquired');
  const result = await acquireRolloutBatch(batch(rolloutId, 1), deps);
  assert.deepEqual(result, { kind: 'acquired', devices: [{ ordinal: 0, deviceId: 'rs-1', instanceId: null }] });
});

test('a holder whose operation record is final is taken over; a claimed one without a record is busy', async () => {
  const done = await acquireForRollout('rt-1', 'reboot', '2025-06-01T09:00:00.000Z', false, deps);
  assert.ok(done.kind === 'acquired');
  await deps.guard.claim('rt-1', done.instanceId);
  await deps.operations.save({ deviceId: 'rt-1', instanceId: done.instanceId, operation: 'reboot', phase: 'completed', outcome: 'Succeeded',
    delivery: 'delivered', requestedAt: '2025-06-01T09:00:00.000Z', acceptedAt: null, completedAt: '2025-06-01T09:01:00.000Z', durationMs: 60_000,
    deadline: '2025-06-01T09:10:00.000Z', polls: 1, step: null, firmwareVersion: null, methodResponse: null, lastReported: null,
    deviceActivity: null, error: null, updatedAt: '2025-06-01T09:01:00.000Z' });
  const taken = await acquireForRollout('rt-1', 'reboot', T0, false, deps);
  assert.deepEqual(taken, { kind: 'acquired', instanceId: operationInstanceId('reboot', 'rt-1', 2) });

  const running = await acquireForRollout('rt-2', 'reboot', '2025-06-01T09:00:00.000Z', false, deps);
  assert.ok(running.kind === 'acquired');
  await deps.guard.claim('rt-2', running.instanceId);
  assert.deepEqual(await acquireForRollout('rt-2', 'reboot', T0, false, deps), { kind: 'busy', holder: running.instanceId });
});

test('a cancel request stops the next batch before any lease is taken; closing cancels the queued rows', async () => {
  const rolloutId = await newRollout(['rx-1', 'rx-2', 'rx-3']);
  const first = await acquireRolloutBatch(batch(rolloutId, 1), deps);
  assert.equal(first.kind, 'acquired');
  await recordRolloutBatch({ rolloutId, results: [{ ordinal: 0, deviceId: 'rx-1', instanceId: operationInstanceId('reboot', 'rx-1', 1), outcome: 'Succeeded' }],
    counters: { ...initialCounters(2), succeeded: 1 }, currentWave: 1, currentRate: null, eta: null, at: T0 }, deps);
  await deps.store.requestCancel(rolloutId, T0);
  assert.deepEqual(await acquireRolloutBatch({ ...batch(rolloutId, 3), from: 1 }, deps), { kind: 'canceled' });
  assert.equal(await deps.leases.read('rx-2'), null);
  await closeRollout({ rolloutId, state: 'canceled', counters: { ...initialCounters(0), succeeded: 1, canceled: 2 }, currentWave: 1, reason: null,
    from: 1, total: 3, at: T0 }, deps);
  const rows = await deps.store.devicesBetween(rolloutId, 0, 3);
  assert.deepEqual(rows.map((r) => [r.state, r.outcome]), [['succeeded', 'Succeeded'], ['canceled', null], ['canceled', null]]);
  const summary = await deps.store.read(rolloutId);
  assert.deepEqual([summary?.state, summary?.cancelRequested, summary?.counters.canceled], ['canceled', true, 2]);
});

test('an abandoned lease (acquired, never claimed, past the start grace) is taken over through the guard; a fresh one is busy', async () => {
  // Leases left by a crash between acquiring and starting: no operation record, state `starting`.
  const abandoned = await acquireForRollout('rg-1', 'factoryReset', '2025-06-01T09:58:00.000Z', false, deps);
  const fresh = await acquireForRollout('rg-2', 'factoryReset', '2025-06-01T09:59:30.000Z', false, deps);
  assert.ok(abandoned.kind === 'acquired' && fresh.kind === 'acquired');
  const rolloutId = await newRollout(['rg-1', 'rg-2']);
  const result = await acquireRolloutBatch(batch(rolloutId, 2), deps);
  assert.deepEqual(result, { kind: 'acquired', devices: [
    { ordinal: 0, deviceId: 'rg-1', instanceId: operationInstanceId('reboot', 'rg-1', 2) },
    { ordinal: 1, deviceId: 'rg-2', instanceId: null },
  ] });
  assert.equal((await deps.leases.read('rg-1'))?.instanceId, operationInstanceId('reboot', 'rg-1', 2));
  assert.equal((await deps.leases.read('rg-2'))?.instanceId, fresh.instanceId);
});

test('retries: a device whose attempt ended is acquired again under a new instance; a re-run reuses it; a pause stops retries', async () => {
  const rolloutId = await newRollout(['rr-1', 'rr-2']);
  const first = await acquireRolloutBatch(batch(rolloutId, 2), deps);
  assert.ok(first.kind === 'acquired');
  for (const d of first.devices) await deps.guard.release(d.deviceId, d.instanceId!); // the attempts ended (TimedOut)
  const T1 = '2025-06-01T10:01:00.000Z';
  const input = { rolloutId, operation: 'reboot' as const, requestedAt: T1,
    devices: first.devices.map((d) => ({ ordinal: d.ordinal, deviceId: d.deviceId, previousInstanceId: d.instanceId!, attempts: 1 })) };
  const again = await acquireRolloutRetries(input, deps);
  const expected = { kind: 'acquired', devices: [
    { ordinal: 0, deviceId: 'rr-1', instanceId: operationInstanceId('reboot', 'rr-1', 2) },
    { ordinal: 1, deviceId: 'rr-2', instanceId: operationInstanceId('reboot', 'rr-2', 2) },
  ] };
  assert.deepEqual(again, expected);
  assert.deepEqual(await acquireRolloutRetries(input, deps), expected, 'a re-run answers the same');
  const rows = await deps.store.devicesBetween(rolloutId, 0, 2);
  assert.deepEqual(rows.map((r) => [r.state, r.attempts, r.instanceId]), expected.devices.map((d) => ['inProgress', 2, d.instanceId]));

  for (const d of expected.devices) await deps.guard.release(d.deviceId, d.instanceId);
  await deps.store.setPaused(rolloutId, true, T1);
  const paused = await acquireRolloutRetries({ ...input, requestedAt: '2025-06-01T10:02:00.000Z',
    devices: expected.devices.map((d) => ({ ordinal: d.ordinal, deviceId: d.deviceId, previousInstanceId: d.instanceId, attempts: 2 })) }, deps);
  assert.deepEqual(paused, { kind: 'stopped' });
  assert.equal((await deps.leases.read('rr-1'))?.state, 'free');
  assert.deepEqual(await acquireRolloutBatch(batch(rolloutId, 2), deps), { kind: 'paused' });
});

test('outcomes of devices an earlier execution started come from their records; running and unwritten ones are left out', async () => {
  const at = '2025-06-01T11:00:00.000Z';
  const record = (deviceId: string, changes: Partial<OperationRecord>): OperationRecord => ({
    deviceId, instanceId: `${deviceId}-op`, operation: 'reboot', phase: 'completed', outcome: 'Succeeded', delivery: 'delivered', requestedAt: at,
    acceptedAt: null, completedAt: '2025-06-01T11:00:31.000Z', durationMs: 31_000, deadline: '2025-06-01T11:10:00.000Z', polls: 1, step: null,
    firmwareVersion: null, methodResponse: null, lastReported: null, deviceActivity: null, error: null, updatedAt: at, ...changes,
  });
  await deps.operations.save(record('rc-ok', {}));
  await deps.operations.save(record('rc-running', { phase: 'awaiting-report', outcome: null, completedAt: null, durationMs: null }));
  await deps.operations.save(record('rc-refused', { outcome: 'Failed', delivery: 'notDelivered', durationMs: 2_000,
    error: { code: 'MethodNotDelivered', message: 'IoT Hub did not deliver the method in 3 attempt(s): HTTP 429, error 429001' } }));
  await deps.operations.save(record('rc-timedout', { outcome: 'TimedOut', durationMs: 600_000 }));
  const devices = ['rc-ok', 'rc-running', 'rc-refused', 'rc-timedout', 'rc-unwritten']
    .map((deviceId, ordinal) => ({ ordinal, deviceId, instanceId: `${deviceId}-op`, requestedAt: at }));
  assert.deepEqual(await collectRolloutOutcomes({ devices }, deps), { ended: [
    { ordinal: 0, outcome: 'Succeeded', hubRefused: false, durationMs: 31_000 },
    { ordinal: 2, outcome: 'Failed', hubRefused: true, durationMs: 2_000 },
    { ordinal: 3, outcome: 'TimedOut', hubRefused: false, durationMs: 600_000 },
  ] });
});
