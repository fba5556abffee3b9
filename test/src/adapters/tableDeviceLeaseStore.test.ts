// The device lease store against a real Azurite Table service: insert fails on an existing row, replace needs the
// current ETag — the two conditional writes the device guard is built on.
import { after, before, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { TableClient } from '@azure/data-tables';
import { startAzurite, type RunningAzurite } from '../../../local/azurite';
import { TableDeviceLeaseStore } from '../../../src/adapters/operationsStore';
import type { DeviceLease, LeaseWrite } from '../../../src/domain/deviceLease';
import { partitionKeyFor } from '../../../src/domain/operationRecord';
import { operationInstanceId } from '../../../src/domain/operationIds';
import { RequestError } from '../../../src/domain/requestError';

const TABLE = 'LeaseStoreTestLeases';
let azurite: RunningAzurite;
let store: TableDeviceLeaseStore;

before(async () => {
  azurite = await startAzurite();
  store = TableDeviceLeaseStore.fromConnection({ kind: 'connectionString', connectionString: azurite.connectionString, tableName: TABLE });
});
after(async () => {
  await azurite.stop();
});

const lease = (deviceId: string, patch: Partial<LeaseWrite> = {}): LeaseWrite => ({
  deviceId, instanceId: operationInstanceId('reboot', deviceId, 1), operation: 'reboot', state: 'starting', sequence: 1,
  acquiredAt: '2025-02-01T00:00:00.000Z', methodAttempt: 0, methodSentAt: null, ...patch,
});
const withoutEtag = ({ etag: _etag, ...rest }: DeviceLease): LeaseWrite => rest;

test('create → read: the lease round-trips with an ETag; a second create is a conflict', async () => {
  const written = await store.create(lease('l-create'));
  assert.notEqual(written, 'conflict');
  assert.ok(written !== 'conflict');
  assert.ok(written.etag.length > 0);
  const read = await store.read('l-create');
  assert.deepEqual(read, written);
  assert.equal(await store.create(lease('l-create', { instanceId: 'someone-else' })), 'conflict');
  assert.equal((await store.read('l-create'))?.instanceId, operationInstanceId('reboot', 'l-create', 1), 'the first writer stays');
  assert.equal(await store.read('l-nobody'), null);
});

test('replace with the current ETag wins and returns the new ETag; a stale ETag is a conflict', async () => {
  const created = await store.create(lease('l-replace'));
  assert.ok(created !== 'conflict');
  const running = await store.replace({ ...withoutEtag(created), state: 'running', methodAttempt: 1, methodSentAt: '2025-02-01T00:00:03.000Z' }, created.etag);
  assert.ok(running !== 'conflict');
  assert.notEqual(running.etag, created.etag);
  assert.deepEqual(await store.read('l-replace'), running);
  assert.equal(await store.replace({ ...withoutEtag(created), state: 'free' }, created.etag), 'conflict', 'written against a stale read');
  assert.equal((await store.read('l-replace'))?.state, 'running');
  // Of two writers holding the same ETag exactly one wins.
  const [a, b] = await Promise.all([
    store.replace({ ...withoutEtag(running), methodAttempt: 2 }, running.etag),
    store.replace({ ...withoutEtag(running), state: 'free' }, running.etag),
  ]);
  assert.equal([a, b].filter((r) => r === 'conflict').length, 1);
});

test('replace of a lease that does not exist is a conflict, not an insert', async () => {
  assert.equal(await store.replace(lease('l-ghost'), 'W/"datetime\'2025-01-01T00%3A00%3A00.0000000Z\'"'), 'conflict');
  assert.equal(await store.read('l-ghost'), null);
});

test('methodSentAt null is stored as an absent property and read back as null; only lease fields are written', async () => {
  const extra = { ...lease('l-fields'), etag: 'ignored', secret: 'not a lease field' } as LeaseWrite;
  const created = await store.create(extra);
  assert.ok(created !== 'conflict');
  assert.equal((await store.read('l-fields'))?.methodSentAt, null);
  const table = TableClient.fromConnectionString(azurite.connectionString, TABLE, { allowInsecureConnection: true });
  const entity = await table.getEntity(partitionKeyFor('l-fields'), 'lease');
  assert.equal('methodSentAt' in entity, false);
  assert.equal('secret' in entity, false);
});

test('listHeld: starting and running leases across devices, never free ones, paged', async () => {
  const ids = ['h-1', 'h-2', 'h-3', 'h-4', "h#5'"];
  for (const [i, id] of ids.entries()) {
    const created = await store.create(lease(id, { state: i % 2 === 0 ? 'starting' : 'running', operation: i === 4 ? 'firmwareUpdate' : 'reboot' }));
    assert.ok(created !== 'conflict');
  }
  const freed = await store.create(lease('h-free', { state: 'free' }));
  assert.ok(freed !== 'conflict');
  const held: DeviceLease[] = [];
  let token: string | undefined;
  do {
    const page = await store.listHeld({ pageSize: 2, continuationToken: token });
    assert.ok(page.items.length <= 2);
    held.push(...page.items);
    token = page.continuationToken ?? undefined;
  } while (token !== undefined);
  const heldIds = held.map((l) => l.deviceId);
  for (const id of ids) assert.ok(heldIds.includes(id), id);
  assert.ok(!heldIds.includes('h-free'));
  assert.ok(held.every((l) => l.state !== 'free' && l.etag.length > 0));
  assert.equal(held.find((l) => l.deviceId === "h#5'")?.operation, 'firmwareUpdate');
  await assert.rejects(store.listHeld({ pageSize: 2, continuationToken: 'garbage!' }), (err: unknown) => err instanceof RequestError && err.target === 'continuationToken');
});
