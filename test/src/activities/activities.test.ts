// The activities with the real lease and operations stores on Azurite and a counting stand-in for the hub.
import { after, before, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { startAzurite, type RunningAzurite } from '../../../local/azurite';
import { claimOperation } from '../../../src/activities/claimOperation';
import { ACTIVITY, type InvokeInput, type ReadInput } from '../../../src/activities/contracts';
import { invokeDeviceMethod, type InvokeDependencies } from '../../../src/activities/invokeDeviceMethod';
import { readDeviceState } from '../../../src/activities/readDeviceState';
import { recordOperation } from '../../../src/activities/recordOperation';
import { TableDeviceLeaseStore, TableOperationsStore } from '../../../src/adapters/operationsStore';
import { loadConfig } from '../../../src/config';
import { DeviceGuard } from '../../../src/domain/deviceGuard';
import type { HubMethodResult, MethodRequest } from '../../../src/domain/methodInvocation';
import { operationInstanceId } from '../../../src/domain/operationIds';
import type { OperationRecord } from '../../../src/domain/operationRecord';
import { OPERATION_KINDS, type OperationKind } from '../../../src/domain/operations/operationKind';
import { HubRequestError, TransientHubError, type ConnectionInfo, type IotHubGateway, type TwinReadResult } from '../../../src/domain/ports';

let azurite: RunningAzurite;
let leases: TableDeviceLeaseStore;
let operations: TableOperationsStore;
let guard: DeviceGuard;

before(async () => {
  azurite = await startAzurite();
  leases = TableDeviceLeaseStore.fromConnection({ kind: 'connectionString', connectionString: azurite.connectionString, tableName: 'ActivityTestLeases' });
  operations = TableOperationsStore.fromConnection({ kind: 'connectionString', connectionString: azurite.connectionString, tableName: 'ActivityTest' });
  guard = new DeviceGuard(leases, 60_000);
});
after(async () => {
  await azurite.stop();
});

const REQUESTED_AT = '2025-07-01T08:00:00.000Z';
const NOW = new Date('2025-07-01T08:00:02.000Z');

/** A hub that counts what it is asked to send and answers with `answer`. */
class CountingHub implements Pick<IotHubGateway, 'invokeMethod'> {
  readonly sent: MethodRequest[] = [];
  constructor(private readonly answer: (request: MethodRequest) => HubMethodResult | Promise<HubMethodResult> =
    () => ({ kind: 'accepted', response: { status: 200, payload: 'ok' }, hubTime: NOW.toISOString() })) {}

  async invokeMethod(request: MethodRequest): Promise<HubMethodResult> {
    this.sent.push(request);
    return this.answer(request);
  }
}

/** Acquires `deviceId` for an operation of `kind` and (unless told otherwise) claims it; returns the instance id. */
async function held(deviceId: string, kind: OperationKind = 'reboot', claim = true): Promise<string> {
  const acquired = await guard.acquire({
    deviceId, operation: kind, requestedAt: REQUESTED_AT, instanceIdFor: (n) => operationInstanceId(kind, deviceId, n),
    sequenceHint: async () => 0, holderState: async () => 'active',
  });
  assert.ok(acquired.kind === 'acquired');
  if (claim) assert.deepEqual(await guard.claim(deviceId, acquired.lease.instanceId), { kind: 'claimed' });
  return acquired.lease.instanceId;
}

const METHOD_NAMES: InvokeDependencies['methodNames'] = { reboot: 'restartNow', factoryReset: 'wipeAll', firmwareUpdate: 'fwApply' };

function invokeInput(deviceId: string, instanceId: string, patch: Partial<InvokeInput> = {}): InvokeInput {
  return { deviceId, instanceId, operation: 'reboot', attempt: 1, payload: { why: 'test' }, responseTimeoutInSeconds: 30, connectTimeoutInSeconds: 5, ...patch };
}

function record(deviceId: string, instanceId: string, patch: Partial<OperationRecord> = {}): OperationRecord {
  return {
    deviceId, instanceId, operation: 'reboot', phase: 'starting', outcome: null, delivery: 'notDelivered', requestedAt: REQUESTED_AT,
    acceptedAt: null, completedAt: null, durationMs: null, deadline: '2025-07-01T08:10:00.000Z', polls: 0, step: null, firmwareVersion: null,
    methodResponse: null, lastReported: null, deviceActivity: null, error: null, updatedAt: REQUESTED_AT, ...patch,
  };
}

test('invokeDeviceMethod: the same attempt executed twice sends once; the second execution says it may have run', async () => {
  const instanceId = await held('a-twice');
  const hub = new CountingHub();
  const deps = { guard, hub, methodNames: METHOD_NAMES, now: () => NOW };
  const first = await invokeDeviceMethod(invokeInput('a-twice', instanceId), deps);
  assert.deepEqual(first, { kind: 'accepted', response: { status: 200, payload: 'ok' }, hubTime: NOW.toISOString(), sentAt: NOW.toISOString() });
  const again = await invokeDeviceMethod(invokeInput('a-twice', instanceId), { ...deps, now: () => new Date(NOW.getTime() + 60_000) });
  assert.equal(again.kind, 'maybeDelivered');
  assert.ok(again.kind === 'maybeDelivered' && 'replayed' in again && again.replayed === true);
  assert.equal(again.sentAt, NOW.toISOString(), 'the time of the real send');
  assert.equal(hub.sent.length, 1);
  assert.equal(ACTIVITY.invokeDeviceMethod.decode(JSON.parse(JSON.stringify(again))).kind, 'maybeDelivered', 'the orchestration can read it back');
  // The next attempt is a new one: it is sent.
  const second = await invokeDeviceMethod(invokeInput('a-twice', instanceId, { attempt: 2 }), deps);
  assert.equal(second.kind, 'accepted');
  assert.equal(hub.sent.length, 2);
});

test('invokeDeviceMethod: concurrent executions of one attempt send once', async () => {
  const instanceId = await held('a-concurrent');
  const hub = new CountingHub();
  const results = await Promise.all(Array.from({ length: 6 }, () => invokeDeviceMethod(invokeInput('a-concurrent', instanceId), { guard, hub, methodNames: METHOD_NAMES })));
  assert.equal(hub.sent.length, 1);
  assert.equal(results.filter((r) => r.kind === 'accepted').length, 1);
  assert.equal(results.filter((r) => r.kind === 'maybeDelivered').length, 5);
});

test('invokeDeviceMethod: a lease held by another operation (or not claimed yet) → leaseLost, nothing sent', async (t) => {
  await t.test('held by another instance', async () => {
    const holder = await held('a-other', 'firmwareUpdate');
    const hub = new CountingHub();
    const result = await invokeDeviceMethod(invokeInput('a-other', operationInstanceId('reboot', 'a-other', 5)), { guard, hub, methodNames: METHOD_NAMES });
    assert.deepEqual(result, { kind: 'leaseLost', holder, message: 'the device is held by another operation; nothing was sent' });
    assert.equal(hub.sent.length, 0);
    assert.equal((await leases.read('a-other'))?.methodAttempt, 0);
  });
  await t.test('acquired but not claimed', async () => {
    const instanceId = await held('a-unclaimed', 'reboot', false);
    const hub = new CountingHub();
    assert.equal((await invokeDeviceMethod(invokeInput('a-unclaimed', instanceId), { guard, hub, methodNames: METHOD_NAMES })).kind, 'leaseLost');
    assert.equal(hub.sent.length, 0);
  });
  await t.test('released (the operation is over)', async () => {
    const instanceId = await held('a-released');
    await guard.release('a-released', instanceId);
    const hub = new CountingHub();
    assert.equal((await invokeDeviceMethod(invokeInput('a-released', instanceId), { guard, hub, methodNames: METHOD_NAMES })).kind, 'leaseLost');
    assert.equal(hub.sent.length, 0);
  });
  await t.test('no lease at all', async () => {
    const hub = new CountingHub();
    const result = await invokeDeviceMethod(invokeInput('a-no-lease', operationInstanceId('reboot', 'a-no-lease', 1)), { guard, hub, methodNames: METHOD_NAMES });
    assert.deepEqual(result.kind === 'leaseLost' && result.holder, null);
    assert.equal(hub.sent.length, 0);
  });
});

test('invokeDeviceMethod: the method name comes from the settings by kind, never from the input', async (t) => {
  for (const kind of OPERATION_KINDS) {
    await t.test(kind, async () => {
      const deviceId = `a-name-${kind}`;
      const instanceId = await held(deviceId, kind);
      const hub = new CountingHub();
      // A caller-controlled field smuggled into the input changes nothing.
      const input = { ...invokeInput(deviceId, instanceId, { operation: kind }), methodName: 'selfDestruct' } as InvokeInput;
      await invokeDeviceMethod(input, { guard, hub, methodNames: METHOD_NAMES });
      assert.deepEqual(hub.sent, [{ deviceId, methodName: METHOD_NAMES[kind], payload: { why: 'test' }, responseTimeoutInSeconds: 30, connectTimeoutInSeconds: 5 }]);
    });
  }
  await t.test('the names the app settings give', () => {
    const config = loadConfig({
      IOTHUB_CONNECTION_STRING: `HostName=h.example;SharedAccessKeyName=service;SharedAccessKey=${Buffer.from('k'.repeat(32)).toString('base64')}`,
      FACTORY_RESET_METHOD_NAME: 'wipeAll', FIRMWARE_UPDATE_METHOD_NAME: 'fw.apply-v2',
    });
    assert.deepEqual(config.methodNames, { reboot: 'reboot', factoryReset: 'wipeAll', firmwareUpdate: 'fw.apply-v2' });
  });
});

test('invokeDeviceMethod: hub outcomes pass through with the journaled send time; a throwing hub leaves the attempt journaled', async (t) => {
  const outcomes: HubMethodResult[] = [
    { kind: 'rejected', response: { status: 409, payload: 'busy' }, hubTime: null },
    { kind: 'deviceOffline', message: 'offline' },
    { kind: 'deviceNotFound', message: 'gone' },
    { kind: 'notDelivered', reason: 'throttled', message: '429' },
    { kind: 'maybeDelivered', message: '504101' },
    { kind: 'failed', message: '401' },
  ];
  for (const [i, outcome] of outcomes.entries()) {
    await t.test(outcome.kind, async () => {
      const deviceId = `a-outcome-${i}`;
      const instanceId = await held(deviceId);
      const result = await invokeDeviceMethod(invokeInput(deviceId, instanceId), { guard, hub: new CountingHub(() => outcome), methodNames: METHOD_NAMES, now: () => NOW });
      assert.deepEqual(result, { ...outcome, sentAt: NOW.toISOString() });
    });
  }
  await t.test('the hub call throws', async () => {
    const instanceId = await held('a-throws');
    const hub = new CountingHub(() => { throw new Error('socket hang up'); });
    await assert.rejects(invokeDeviceMethod(invokeInput('a-throws', instanceId), { guard, hub, methodNames: METHOD_NAMES }), /socket hang up/);
    const retried = await invokeDeviceMethod(invokeInput('a-throws', instanceId), { guard, hub, methodNames: METHOD_NAMES });
    assert.equal(retried.kind, 'maybeDelivered', 'the host retrying the activity does not send again');
    assert.equal(hub.sent.length, 1);
  });
});

test('claimOperation: claims the lease and writes the first record; a lost claim writes nothing', async () => {
  const instanceId = await held('a-claim', 'factoryReset', false);
  const first = record('a-claim', instanceId, { operation: 'factoryReset' });
  assert.deepEqual(await claimOperation({ deviceId: 'a-claim', instanceId, record: first }, { guard, operations }), { kind: 'claimed' });
  assert.equal((await leases.read('a-claim'))?.state, 'running');
  assert.deepEqual(await operations.find('a-claim', REQUESTED_AT, instanceId), first);
  assert.deepEqual(await claimOperation({ deviceId: 'a-claim', instanceId, record: first }, { guard, operations }), { kind: 'claimed' }, 'safe to repeat');

  const intruder = operationInstanceId('reboot', 'a-claim', 9);
  const lost = await claimOperation({ deviceId: 'a-claim', instanceId: intruder, record: record('a-claim', intruder) }, { guard, operations });
  assert.deepEqual(lost, { kind: 'lost', holder: instanceId });
  assert.equal(await operations.find('a-claim', REQUESTED_AT, intruder), null);
});

test('recordOperation: upserts the record; with release it frees the lease after writing, only for the holder', async () => {
  const instanceId = await held('a-record');
  await recordOperation({ record: record('a-record', instanceId, { phase: 'awaiting-report' }), release: false }, { guard, operations });
  assert.equal((await leases.read('a-record'))?.state, 'running');
  const final = record('a-record', instanceId, { phase: 'completed', outcome: 'Succeeded', completedAt: NOW.toISOString(), durationMs: 2000 });
  await recordOperation({ record: final, release: true }, { guard, operations });
  assert.deepEqual(await operations.find('a-record', REQUESTED_AT, instanceId), final);
  assert.equal((await leases.read('a-record'))?.state, 'free');
  // A later operation holds the device: a late final record of the old one must not free it.
  const next = await held('a-record');
  await recordOperation({ record: final, release: true }, { guard, operations });
  assert.equal((await leases.read('a-record'))?.instanceId, next);
  assert.equal((await leases.read('a-record'))?.state, 'running');
  assert.equal((await operations.list('a-record', { pageSize: 10 })).items.length, 1, 'the same row, rewritten');
});

test("readDeviceState: the kind's section; the identity read only when asked or when the judge needs it", async (t) => {
  const since = '2025-07-01T08:00:01.000Z';
  const fresh = '2025-07-01T08:00:03.000Z';
  const connection: ConnectionInfo = { connectionState: 'Connected', connectionStateUpdatedTime: '2025-07-01T08:00:09.000Z' };
  const stand = (values: Record<string, unknown> | null, identity: ConnectionInfo | null = connection) => {
    const calls: string[] = [];
    return {
      calls,
      hub: {
        readTwinSection: async (deviceId: string, section: string): Promise<TwinReadResult> => {
          calls.push(`twin:${deviceId}:${section}`);
          const lastUpdated = Object.fromEntries(Object.keys(values ?? {}).map((k) => [k, fresh]));
          return { kind: 'observed', state: { values, lastUpdated, connectionState: 'Connected', connectionStateUpdatedTime: null, reportedVersion: 4 } };
        },
        readConnection: async (deviceId: string): Promise<ConnectionInfo | null> => {
          calls.push(`identity:${deviceId}`);
          return identity;
        },
      },
    };
  };
  const input = (operation: OperationKind, withConnection = false): ReadInput => ({ deviceId: 'd1', operation, since, withConnection, attempts: 3 });
  for (const kind of OPERATION_KINDS) {
    await t.test(`${kind}: reads iothubDM.${kind} only`, async () => {
      const s = stand({ status: 'in progress' });
      const result = await readDeviceState(input(kind), s.hub);
      assert.equal(result.kind, 'observed');
      assert.deepEqual(s.calls, [`twin:d1:${kind}`]);
    });
  }
  await t.test('withConnection adds the identity time', async () => {
    const s = stand(null);
    const result = await readDeviceState(input('firmwareUpdate', true), s.hub);
    assert.deepEqual(s.calls, ['twin:d1:firmwareUpdate', 'identity:d1']);
    assert.equal(result.kind === 'observed' && result.state.connectionStateUpdatedTime, connection.connectionStateUpdatedTime);
  });
  await t.test('the SDK sample schema needs it: read without being asked', async () => {
    const s = stand({ startedRebootTime: 'device time' });
    const result = await readDeviceState(input('reboot'), s.hub);
    assert.deepEqual(s.calls, ['twin:d1:reboot', 'identity:d1']);
    assert.equal(result.kind === 'observed' && result.state.connectionStateUpdatedTime, connection.connectionStateUpdatedTime);
  });
  await t.test('the identity is gone by then: deviceNotFound', async () => {
    const s = stand(null, null);
    assert.equal((await readDeviceState(input('reboot', true), s.hub)).kind, 'deviceNotFound');
  });
  await t.test('transient failures are retried inside the activity, with short growing waits, up to `attempts`', async () => {
    const failing = (failures: number, error: () => Error) => {
      let calls = 0;
      return {
        get calls() { return calls; },
        hub: {
          readTwinSection: async (): Promise<TwinReadResult> => {
            calls += 1;
            if (calls <= failures) throw error();
            return { kind: 'observed', state: { values: null, lastUpdated: {}, connectionState: 'Connected', connectionStateUpdatedTime: null, reportedVersion: 1 } };
          },
          readConnection: async (): Promise<ConnectionInfo | null> => connection,
        },
      };
    };
    const waits: number[] = [];
    const wait = async (delay: number): Promise<void> => { waits.push(delay); };
    const twice = failing(2, () => new TransientHubError('HTTP 429'));
    assert.equal((await readDeviceState(input('reboot'), twice.hub, wait)).kind, 'observed');
    assert.deepEqual([twice.calls, waits], [3, [250, 500]]);
    waits.length = 0;
    const always = failing(99, () => new TransientHubError('HTTP 503'));
    await assert.rejects(readDeviceState(input('reboot'), always.hub, wait), TransientHubError);
    assert.deepEqual([always.calls, waits], [3, [250, 500]], 'three attempts, no wait after the last');
    waits.length = 0;
    const refused = failing(99, () => new HubRequestError('HTTP 401'));
    await assert.rejects(readDeviceState(input('reboot'), refused.hub, wait), HubRequestError);
    assert.deepEqual([refused.calls, waits], [1, []], 'a permanent failure is not retried');
  });
});
