// The operations store against a real Azurite Table service started by the test.
import { after, before, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { TableClient } from '@azure/data-tables';
import { startAzurite, type RunningAzurite } from '../../../local/azurite';
import { TableOperationsStore } from '../../../src/adapters/operationsStore';
import type { OperationRecord } from '../../../src/domain/operationRecord';
import { partitionKeyFor, rowKeyFor } from '../../../src/domain/operationRecord';
import { operationInstanceId } from '../../../src/domain/operationIds';
import type { OperationKind } from '../../../src/domain/operations/operationKind';
import { RequestError } from '../../../src/domain/requestError';
import { hasControlCharacters } from '../../../src/domain/text';

const TABLE = 'DeviceOperations';
let azurite: RunningAzurite;
let store: TableOperationsStore;

before(async () => {
  azurite = await startAzurite();
  store = TableOperationsStore.fromConnection({ kind: 'connectionString', connectionString: azurite.connectionString, tableName: TABLE });
});
after(async () => {
  await azurite.stop();
});

function record(deviceId: string, sequence: number, requestedAt: string, patch: Partial<OperationRecord> = {}, kind: OperationKind = 'reboot'): OperationRecord {
  return {
    deviceId, instanceId: operationInstanceId(kind, deviceId, sequence), operation: kind, phase: 'starting', outcome: null, delivery: 'notDelivered',
    requestedAt, acceptedAt: null, completedAt: null, durationMs: null, deadline: new Date(Date.parse(requestedAt) + 600_000).toISOString(),
    polls: 0, step: null, firmwareVersion: null, methodResponse: null, lastReported: null, deviceActivity: null, error: null, updatedAt: requestedAt, ...patch,
  };
}

test('save then find: every field round-trips, and a later save replaces the row (no stale fields)', async () => {
  const requestedAt = '2025-01-01T00:00:00.000Z';
  const first = record('dev-roundtrip', 1, requestedAt, { phase: 'awaiting-report', delivery: 'unknown', error: { code: 'DeliveryUnknown', message: 'hub timed out' },
    step: 'downloading' }, 'firmwareUpdate');
  await store.save(first);
  assert.deepEqual(await store.find('dev-roundtrip', requestedAt, first.instanceId), first);
  const final = record('dev-roundtrip', 1, requestedAt, {
    phase: 'completed', outcome: 'Succeeded', delivery: 'delivered', acceptedAt: '2025-01-01T00:00:01.000Z', completedAt: '2025-01-01T00:00:09.000Z',
    durationMs: 9000, polls: 2, step: 'apply firmware image complete', firmwareVersion: '2.1.0',
    methodResponse: { status: 200, payload: { text: 'Update started', n: [1, 2] } },
    lastReported: { values: { status: 'apply firmware image complete', fwVersion: '2.1.0' }, lastUpdated: { status: '2025-01-01T00:00:08.000Z', $section: '2025-01-01T00:00:08.000Z' },
      connectionState: 'Connected', connectionStateUpdatedTime: '2025-01-01T00:00:07.000Z', reportedVersion: 7 },
    deviceActivity: { connectionState: 'Connected', connectionStateUpdatedTime: null, connectionChangedAfterMethod: false, reportedAfterMethod: true, lastReportedStep: 'applying' },
    updatedAt: '2025-01-01T00:00:09.000Z',
  }, 'firmwareUpdate');
  await store.save(final);
  const page = await store.list('dev-roundtrip', { pageSize: 10 });
  assert.equal(page.items.length, 1, 'one row per operation');
  assert.deepEqual(page.items[0], final, 'error cleared, all new fields present');
  assert.equal(page.continuationToken, null);
  assert.deepEqual(await store.find('dev-roundtrip', requestedAt, final.instanceId), final);
});

test('find: by the key parts; another requestedAt or instance id is another row', async () => {
  const r = record('dev-find', 3, '2025-01-06T00:00:00.000Z');
  await store.save(r);
  assert.equal(await store.find('dev-find', '2025-01-06T00:00:00.001Z', r.instanceId), null);
  assert.equal(await store.find('dev-find', r.requestedAt, operationInstanceId('reboot', 'dev-find', 4)), null);
  assert.equal(await store.find('dev-other', r.requestedAt, r.instanceId), null);
  assert.throws(() => rowKeyFor('not a date', r.instanceId), RangeError);
});

test('saving the same state twice is harmless (activities run at least once)', async () => {
  const r = record('dev-idempotent', 1, '2025-01-02T00:00:00.000Z');
  await store.save(r);
  await store.save(r);
  assert.equal((await store.list('dev-idempotent', { pageSize: 10 })).items.length, 1);
});

test('list is newest first across kinds and pages with continuation tokens; latest is the newest', async () => {
  const device = 'dev-paging';
  const kinds: OperationKind[] = ['reboot', 'factoryReset', 'firmwareUpdate', 'reboot', 'factoryReset'];
  for (let i = 1; i <= 5; i++) await store.save(record(device, i, new Date(Date.UTC(2025, 0, 3, 0, i)).toISOString(), {}, kinds[i - 1]));
  const seen: string[] = [];
  let token: string | undefined;
  let pages = 0;
  do {
    const page = await store.list(device, { pageSize: 2, continuationToken: token });
    assert.ok(page.items.length <= 2);
    seen.push(...page.items.map((r) => r.instanceId));
    token = page.continuationToken ?? undefined;
    pages++;
  } while (token !== undefined);
  assert.deepEqual(seen, [5, 4, 3, 2, 1].map((i) => operationInstanceId(kinds[i - 1]!, device, i)));
  assert.ok(pages >= 3);
  assert.equal((await store.latest(device))?.instanceId, operationInstanceId('factoryReset', device, 5));
  // A token from another device's listing never yields that device's rows: the partition filter still applies.
  const firstPage = await store.list(device, { pageSize: 2 });
  const crossed = await store.list('dev-roundtrip', { pageSize: 2, continuationToken: firstPage.continuationToken! });
  assert.ok(crossed.items.every((r) => r.deviceId === 'dev-roundtrip'));
});

test("device ids with # ? % ' ( ) : = @ $ ; are kept apart and round-trip through table keys", async () => {
  const ids = ['a#b', 'a?b', 'a%23b', 'a_23b', "o'hara", '(x):=@$;', 'a#b#', 'A#B'];
  for (const [i, id] of ids.entries()) await store.save(record(id, 1, new Date(Date.UTC(2025, 0, 4, 0, i)).toISOString()));
  for (const id of ids) {
    assert.equal((await store.latest(id))?.deviceId, id);
    assert.equal((await store.list(id, { pageSize: 10 })).items.length, 1, `only ${id}'s own row`);
  }
  const table = TableClient.fromConnectionString(azurite.connectionString, TABLE, { allowInsecureConnection: true });
  for await (const entity of table.listEntities()) {
    for (const key of [entity.partitionKey!, entity.rowKey!]) {
      assert.doesNotMatch(key, /[/\\#?]/);
      assert.equal(hasControlCharacters(key), false);
    }
  }
  assert.equal(partitionKeyFor('a#b'), 'a_23b');
  assert.notEqual(partitionKeyFor('a_23b'), partitionKeyFor('a#b'));
});

test('large method payloads, reports and error messages are capped so the entity stays within Table limits', async () => {
  const big = 'x'.repeat(128 * 1024 - 10);
  const r = record('dev-big', 1, '2025-01-05T00:00:00.000Z', {
    methodResponse: { status: 200, payload: big },
    lastReported: { values: { blob: 'y'.repeat(40_000) }, lastUpdated: {}, connectionState: null, connectionStateUpdatedTime: null, reportedVersion: null },
    error: { code: 'X', message: 'm'.repeat(5000) },
    step: 's'.repeat(1000),
  });
  await store.save(r);
  const back = await store.latest('dev-big');
  assert.equal(back?.methodResponse?.status, 200);
  assert.deepEqual(back?.methodResponse?.payload, { truncated: true, originalBytes: big.length + 2 });
  assert.deepEqual(back?.lastReported?.values, { truncated: true, originalBytes: 40_000 + 11 });
  assert.equal(back?.error?.message.length, 1024);
  assert.equal(back?.step?.length, 256);
});

test('an unknown device has no operations', async () => {
  assert.equal(await store.latest('never-seen'), null);
  assert.deepEqual(await store.list('never-seen', { pageSize: 5 }), { items: [], continuationToken: null });
});

test("malformed continuation tokens are refused as the caller's mistake", async (t) => {
  const tokens = ['not base64!', Buffer.from('{"nextRowKey":"x"}').toString('base64'), Buffer.from('[]').toString('base64'),
    Buffer.from('{').toString('base64'), Buffer.from('null').toString('base64'), 'A'.repeat(4097)];
  for (const token of tokens) {
    await t.test(token.slice(0, 30), async () => {
      await assert.rejects(store.list('dev-paging', { pageSize: 2, continuationToken: token }),
        (err: unknown) => err instanceof RequestError && err.code === 'InvalidRequest' && err.target === 'continuationToken');
    });
  }
});
