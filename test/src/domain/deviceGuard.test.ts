// The device guard on a real Azurite lease table (TableDeviceLeaseStore): ETag-conditional writes decide every race.
import { after, before, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { startAzurite, type RunningAzurite } from '../../../local/azurite';
import { TableDeviceLeaseStore } from '../../../src/adapters/operationsStore';
import { DeviceGuard, LeaseContentionError, type AcquireRequest, type HolderState } from '../../../src/domain/deviceGuard';
import type { LeaseState } from '../../../src/domain/deviceLease';
import { operationInstanceId } from '../../../src/domain/operationIds';
import type { OperationKind } from '../../../src/domain/operations/operationKind';
import type { DeviceLeaseStore } from '../../../src/domain/ports';

const GRACE_MS = 60_000;
const T0 = Date.parse('2025-06-01T10:00:00.000Z');
const at = (offsetMs: number): string => new Date(T0 + offsetMs).toISOString();

let azurite: RunningAzurite;
let leases: TableDeviceLeaseStore;
let guard: DeviceGuard;

before(async () => {
  azurite = await startAzurite();
  leases = TableDeviceLeaseStore.fromConnection({ kind: 'connectionString', connectionString: azurite.connectionString, tableName: 'GuardTestLeases' });
  guard = new DeviceGuard(leases, GRACE_MS);
});
after(async () => {
  await azurite.stop();
});

function request(deviceId: string, overrides: Partial<AcquireRequest> & { operation?: OperationKind } = {}): AcquireRequest & { asked: string[] } {
  const asked: string[] = [];
  const operation = overrides.operation ?? 'reboot';
  return {
    deviceId, operation, requestedAt: at(0),
    instanceIdFor: (sequence) => operationInstanceId(operation, deviceId, sequence),
    sequenceHint: async () => 0,
    holderState: async (instanceId) => {
      asked.push(instanceId);
      return 'active';
    },
    ...overrides,
    asked,
  };
}

/** Acquires the device for `kind`, claims it when `state` is running, and returns the holder's instance id. */
async function hold(deviceId: string, state: Exclude<LeaseState, 'free'>, acquiredAt = at(0), kind: OperationKind = 'reboot'): Promise<string> {
  const result = await guard.acquire(request(deviceId, { requestedAt: acquiredAt, operation: kind }));
  assert.equal(result.kind, 'acquired');
  const instanceId = result.kind === 'acquired' ? result.lease.instanceId : '';
  if (state === 'running') assert.deepEqual(await guard.claim(deviceId, instanceId), { kind: 'claimed' });
  return instanceId;
}

test('first acquire: sequence from the history hint, lease starting, instance id from the sequence', async () => {
  const result = await guard.acquire(request('g-first', { sequenceHint: async () => 41, operation: 'firmwareUpdate' }));
  assert.equal(result.kind, 'acquired');
  assert.ok(result.kind === 'acquired');
  assert.equal(result.takenOver, null);
  assert.deepEqual({ ...result.lease, etag: 'x' }, {
    deviceId: 'g-first', instanceId: operationInstanceId('firmwareUpdate', 'g-first', 42), operation: 'firmwareUpdate', state: 'starting',
    sequence: 42, acquiredAt: at(0), methodAttempt: 0, methodSentAt: null, etag: 'x',
  });
  const stored = await leases.read('g-first');
  assert.equal(stored?.etag, result.lease.etag, 'the returned ETag is the stored one');
});

test('20 concurrent acquires of one device (any kinds): exactly one wins, the others see it busy', async () => {
  const kinds: OperationKind[] = ['reboot', 'factoryReset', 'firmwareUpdate'];
  const results = await Promise.all(Array.from({ length: 20 }, (_, i) => guard.acquire(request('g-race', { operation: kinds[i % 3] }))));
  const winners = results.filter((r) => r.kind === 'acquired');
  assert.equal(winners.length, 1);
  const winner = winners[0]!;
  assert.ok(winner.kind === 'acquired');
  for (const r of results) {
    if (r.kind === 'busy') assert.equal(r.holder.instanceId, winner.lease.instanceId);
  }
  const stored = await leases.read('g-race');
  assert.equal(stored?.instanceId, winner.lease.instanceId);
  assert.equal(stored?.sequence, 1);
});

test('a free lease is taken without asking Durable, with the next sequence number', async () => {
  const first = await hold('g-free', 'running');
  await guard.release('g-free', first);
  const next = request('g-free', { operation: 'factoryReset', sequenceHint: async () => assert.fail('the lease has the counter') });
  const result = await guard.acquire(next);
  assert.ok(result.kind === 'acquired');
  assert.equal(result.takenOver, null);
  assert.equal(result.lease.sequence, 2);
  assert.equal(result.lease.instanceId, operationInstanceId('factoryReset', 'g-free', 2));
  assert.deepEqual(next.asked, [], 'no status query for a free lease');
});

test('take-over rules: a holder that is over or never started in time is replaced; an active one never', async (t) => {
  const cases: { name: string; lease: Exclude<LeaseState, 'free'>; holder: HolderState; ageMs: number; takenOver: boolean }[] = [
    { name: 'terminal holder of a running lease', lease: 'running', holder: 'terminal', ageMs: 1000, takenOver: true },
    { name: 'terminal holder of a starting lease', lease: 'starting', holder: 'terminal', ageMs: 1000, takenOver: true },
    { name: 'missing holder of a running lease (purged)', lease: 'running', holder: 'missing', ageMs: 1000, takenOver: true },
    { name: 'missing holder of a starting lease past the grace', lease: 'starting', holder: 'missing', ageMs: GRACE_MS + 1, takenOver: true },
    { name: 'missing holder of a starting lease within the grace', lease: 'starting', holder: 'missing', ageMs: GRACE_MS - 1, takenOver: false },
    { name: 'missing holder exactly at the grace', lease: 'starting', holder: 'missing', ageMs: GRACE_MS, takenOver: false },
    { name: 'pending holder of a starting lease past the grace', lease: 'starting', holder: 'pending', ageMs: GRACE_MS + 1, takenOver: true },
    { name: 'pending holder of a starting lease within the grace', lease: 'starting', holder: 'pending', ageMs: 5000, takenOver: false },
    { name: 'pending holder of a running lease, however old', lease: 'running', holder: 'pending', ageMs: 10 * GRACE_MS, takenOver: false },
    { name: 'active holder of a starting lease, however old', lease: 'starting', holder: 'active', ageMs: 10 * GRACE_MS, takenOver: false },
    { name: 'active holder of a running lease, however old', lease: 'running', holder: 'active', ageMs: 100 * GRACE_MS, takenOver: false },
  ];
  for (const [i, c] of cases.entries()) {
    await t.test(c.name, async () => {
      const deviceId = `g-take-${i}`;
      const holder = await hold(deviceId, c.lease, at(0), 'firmwareUpdate');
      const attempt = request(deviceId, { requestedAt: at(c.ageMs), holderState: async (id) => (id === holder ? c.holder : assert.fail(id)) });
      const result = await guard.acquire(attempt);
      if (c.takenOver) {
        assert.ok(result.kind === 'acquired', JSON.stringify(result));
        assert.equal(result.takenOver?.state, c.holder);
        assert.equal(result.takenOver?.lease.instanceId, holder);
        assert.equal(result.takenOver?.lease.state, c.lease);
        assert.equal(result.lease.sequence, 2);
        assert.equal(result.lease.acquiredAt, at(c.ageMs));
        assert.equal((await leases.read(deviceId))?.instanceId, operationInstanceId('reboot', deviceId, 2));
      } else {
        assert.ok(result.kind === 'busy', JSON.stringify(result));
        assert.equal(result.holder.instanceId, holder);
        assert.equal(result.holder.operation, 'firmwareUpdate', 'busy across kinds');
        assert.equal((await leases.read(deviceId))?.instanceId, holder, 'unchanged');
      }
    });
  }
});

test('claim: only the instance the lease was acquired for; repeating it is harmless', async () => {
  const holder = await hold('g-claim', 'starting');
  const other = operationInstanceId('reboot', 'g-claim', 7);
  assert.deepEqual(await guard.claim('g-claim', other), { kind: 'lost', holder });
  assert.equal((await leases.read('g-claim'))?.state, 'starting', 'a wrong claim changes nothing');
  assert.deepEqual(await guard.claim('g-claim', holder), { kind: 'claimed' });
  const claimed = await leases.read('g-claim');
  assert.equal(claimed?.state, 'running');
  assert.deepEqual(await guard.claim('g-claim', holder), { kind: 'claimed' });
  assert.equal((await leases.read('g-claim'))?.etag, claimed?.etag, 'a repeated claim writes nothing');
  assert.deepEqual(await guard.claim('g-nobody', holder), { kind: 'lost', holder: null });
});

test('claim after a take-over: the old instance has lost the device', async () => {
  const old = await hold('g-claim-late', 'starting', at(0));
  const taken = await guard.acquire(request('g-claim-late', { requestedAt: at(GRACE_MS + 1), holderState: async () => 'pending' }));
  assert.ok(taken.kind === 'acquired');
  assert.deepEqual(await guard.claim('g-claim-late', old), { kind: 'lost', holder: taken.lease.instanceId });
});

test('journalAttempt: once per attempt; a second execution of the same attempt is told it was replayed', async () => {
  const holder = await hold('g-journal', 'running');
  assert.deepEqual(await guard.journalAttempt('g-journal', holder, 1, at(1000)), { kind: 'send', sentAt: at(1000) });
  assert.deepEqual(await guard.journalAttempt('g-journal', holder, 1, at(5000)), { kind: 'replayed', sentAt: at(1000) }, 'the first send time');
  let lease = await leases.read('g-journal');
  assert.equal(lease?.methodAttempt, 1);
  assert.equal(lease?.methodSentAt, at(1000));
  assert.deepEqual(await guard.journalAttempt('g-journal', holder, 2, at(9000)), { kind: 'send', sentAt: at(9000) });
  assert.equal((await guard.journalAttempt('g-journal', holder, 1, at(9500))).kind, 'replayed', 'an older attempt is never sent again');
  lease = await leases.read('g-journal');
  assert.deepEqual([lease?.methodAttempt, lease?.methodSentAt, lease?.state], [2, at(9000), 'running']);
});

test('journalAttempt needs a claimed lease held by the caller', async () => {
  const starting = await hold('g-journal-unclaimed', 'starting');
  assert.deepEqual(await guard.journalAttempt('g-journal-unclaimed', starting, 1, at(1)), { kind: 'lost', holder: starting });
  const running = await hold('g-journal-other', 'running');
  const other = operationInstanceId('factoryReset', 'g-journal-other', 9);
  assert.deepEqual(await guard.journalAttempt('g-journal-other', other, 1, at(1)), { kind: 'lost', holder: running });
  assert.equal((await leases.read('g-journal-other'))?.methodAttempt, 0, 'nothing journaled');
  await guard.release('g-journal-other', running);
  assert.deepEqual(await guard.journalAttempt('g-journal-other', running, 1, at(1)), { kind: 'lost', holder: running }, 'released: nothing more may be sent');
  assert.deepEqual(await guard.journalAttempt('g-journal-nobody', running, 1, at(1)), { kind: 'lost', holder: null });
});

test('concurrent executions of one attempt: exactly one may send', async () => {
  const holder = await hold('g-journal-race', 'running');
  const results = await Promise.all(Array.from({ length: 12 }, (_, i) => guard.journalAttempt('g-journal-race', holder, 1, at(i))));
  assert.equal(results.filter((r) => r.kind === 'send').length, 1, JSON.stringify(results));
  assert.equal(results.filter((r) => r.kind === 'replayed').length, 11);
  const sent = results.find((r) => r.kind === 'send')!;
  assert.ok(sent.kind === 'send');
  for (const r of results) if (r.kind === 'replayed') assert.equal(r.sentAt, sent.sentAt, 'every loser learns when the winner sent');
});

test('release: only by the holder, idempotent, and the freed lease keeps its counter', async () => {
  const holder = await hold('g-release', 'running');
  await guard.journalAttempt('g-release', holder, 1, at(10));
  const intruder = operationInstanceId('reboot', 'g-release', 99);
  await guard.release('g-release', intruder);
  assert.equal((await leases.read('g-release'))?.state, 'running', 'not the holder: no-op');
  await guard.release('g-release', holder);
  const freed = await leases.read('g-release');
  assert.equal(freed?.state, 'free');
  assert.deepEqual([freed?.instanceId, freed?.sequence, freed?.methodAttempt], [holder, 1, 1]);
  await guard.release('g-release', holder);
  assert.equal((await leases.read('g-release'))?.etag, freed?.etag, 'a second release writes nothing');
  await guard.release('g-release-nobody', holder);
  assert.equal(await leases.read('g-release-nobody'), null, 'no lease is created');
  // The next operation gets sequence 2 and starts with a clean journal.
  const next = await guard.acquire(request('g-release'));
  assert.ok(next.kind === 'acquired');
  assert.deepEqual([next.lease.sequence, next.lease.methodAttempt, next.lease.methodSentAt], [2, 0, null]);
});

test('a lease that keeps changing under every conditional write ends in LeaseContentionError, not a loop', async () => {
  const holder = await hold('g-contention', 'running');
  const jittery: DeviceLeaseStore = {
    read: (id) => leases.read(id), create: (l) => leases.create(l), listHeld: (o) => leases.listHeld(o),
    replace: async () => 'conflict',
  };
  await assert.rejects(new DeviceGuard(jittery, GRACE_MS).journalAttempt('g-contention', holder, 1, at(1)), LeaseContentionError);
  assert.equal((await leases.read('g-contention'))?.methodAttempt, 0);
});
