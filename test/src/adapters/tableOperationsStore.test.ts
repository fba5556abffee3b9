// The operations store against a real Azurite Table service started by the test.
import { after, before, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { TableClient } from '@azure/data-tables';
import { startAzurite, type RunningAzurite } from '../../../local/azurite';
import { TableOperationsStore } from '../../../src/adapters/operationsStore';
import type { OperationRecord } from '../../../src/domain/operationRecord';
import { partitionKeyFor } from '../../../src/domain/operationRecord';
import { rebootInstanceId } from '../../../src/domain/operationIds';
import { RequestError } from '../../../src/domain/requestError';
import { hasControlCharacters } from '../../../src/domain/text';

let azurite: RunningAzurite;
let store: TableOperationsStore;

before(async () => {
  azurite = await startAzurite();
  store = TableOperationsStore.fromConnection({ kind: 'connectionString', connectionString: azurite.connectionString, tableName: 'DeviceOperations' });
});
after(async () => {
  await azurite.stop();
});

function record(deviceId: string, sequence: number, requestedAt: string, patch: Partial<OperationRecord> = {}): OperationRecord {
  return {
    deviceId, instanceId: rebootInstanceId(deviceId, sequence), operation: 'reboot', phase: 'invoking', outcome: null,
    requestedAt, acceptedAt: null, completedAt: null, durationMs: null, deadline: new Date(Date.parse(requestedAt) + 600_000).toISOString(),
    polls: 0, methodResponse: null, lastReported: null, error: null, updatedAt: requestedAt, ...patch,
  };
}

test('save then read back: every field round-trips, and a later save replaces the row (no stale fields)', async () => {
  const first = record('dev-roundtrip', 1, '2025-01-01T00:00:00.000Z', { error: { code: 'MethodOutcomeUnknown', message: 'hub timed out' } });
  await store.save(first);
  assert.deepEqual(await store.latest('dev-roundtrip'), first);
  const final = record('dev-roundtrip', 1, '2025-01-01T00:00:00.000Z', {
    phase: 'completed', outcome: 'Succeeded', acceptedAt: '2025-01-01T00:00:01.000Z', completedAt: '2025-01-01T00:00:09.000Z',
    durationMs: 9000, polls: 2, methodResponse: { status: 200, payload: { text: 'Reboot started', n: [1, 2] } },
    lastReported: { reboot: { status: 'completed' }, lastUpdated: { status: '2025-01-01T00:00:08.000Z' }, connectionState: 'Connected',
      connectionStateUpdatedTime: null, reportedVersion: 7 },
    updatedAt: '2025-01-01T00:00:09.000Z',
  });
  await store.save(final);
  const page = await store.list('dev-roundtrip', { pageSize: 10 });
  assert.equal(page.records.length, 1, 'one row per operation');
  assert.deepEqual(page.records[0], final, 'error cleared, all new fields present');
  assert.equal(page.continuationToken, null);
});

test('saving the same state twice is harmless (activities run at least once)', async () => {
  const r = record('dev-idempotent', 1, '2025-01-02T00:00:00.000Z');
  await store.save(r);
  await store.save(r);
  assert.equal((await store.list('dev-idempotent', { pageSize: 10 })).records.length, 1);
});

test('list is newest first and pages with continuation tokens', async () => {
  const device = 'dev-paging';
  for (let i = 1; i <= 5; i++) {
    await store.save(record(device, i, new Date(Date.UTC(2025, 0, 3, 0, i)).toISOString()));
  }
  const seen: string[] = [];
  let token: string | undefined;
  let pages = 0;
  do {
    const page = await store.list(device, { pageSize: 2, continuationToken: token });
    seen.push(...page.records.map((r) => r.instanceId));
    token = page.continuationToken ?? undefined;
    pages++;
  } while (token !== undefined);
  assert.deepEqual(seen, [5, 4, 3, 2, 1].map((i) => rebootInstanceId(device, i)));
  assert.ok(pages >= 3);
  // A token from another device's listing never yields that device's rows: the partition filter still applies.
  const other = await store.list('dev-paging-other', { pageSize: 2 });
  assert.deepEqual(other.records, []);
  const firstPage = await store.list(device, { pageSize: 2 });
  const crossed = await store.list('dev-roundtrip', { pageSize: 2, continuationToken: firstPage.continuationToken! });
  assert.ok(crossed.records.every((r) => r.deviceId === 'dev-roundtrip'));
  assert.equal((await store.latest(device))?.instanceId, rebootInstanceId(device, 5));
});

test("device ids with # ? % ' ( ) : = @ $ ; are kept apart and round-trip through table keys", async () => {
  const ids = ["a#b", 'a?b', 'a%23b', 'a_23b', "o'hara", '(x):=@$;', 'a#b#', 'A#B'];
  for (const [i, id] of ids.entries()) await store.save(record(id, 1, new Date(Date.UTC(2025, 0, 4, 0, i)).toISOString()));
  for (const id of ids) {
    const latest = await store.latest(id);
    assert.equal(latest?.deviceId, id);
    assert.equal((await store.list(id, { pageSize: 10 })).records.length, 1, `only ${id}'s own row`);
  }
  // The raw keys contain none of the characters Azure Tables forbid.
  const table = TableClient.fromConnectionString(azurite.connectionString, 'DeviceOperations', { allowInsecureConnection: true });
  for await (const entity of table.listEntities()) {
    for (const key of [entity.partitionKey!, entity.rowKey!]) {
      assert.doesNotMatch(key, /[/\\#?]/);
      assert.equal(hasControlCharacters(key), false);
    }
  }
  assert.equal(partitionKeyFor('a#b'), 'a_23b');
  assert.notEqual(partitionKeyFor('a_23b'), partitionKeyFor('a#b'));
});

test('large method payloads and reports are capped so the entity stays within Table limits', async () => {
  const big = 'x'.repeat(128 * 1024 - 10);
  const r = record('dev-big', 1, '2025-01-05T00:00:00.000Z', {
    methodResponse: { status: 200, payload: big },
    lastReported: { reboot: { blob: 'y'.repeat(40_000) }, lastUpdated: {}, connectionState: null, connectionStateUpdatedTime: null, reportedVersion: null },
  });
  await store.save(r);
  const back = await store.latest('dev-big');
  assert.equal(back?.methodResponse?.status, 200);
  assert.deepEqual(back?.methodResponse?.payload, { truncated: true, originalBytes: big.length + 2 });
  assert.deepEqual(back?.lastReported?.reboot, { truncated: true, originalBytes: 40_000 + 11 });
});

test('an unknown device has no operations', async () => {
  assert.equal(await store.latest('never-seen'), null);
  assert.deepEqual(await store.list('never-seen', { pageSize: 5 }), { records: [], continuationToken: null });
});

test("malformed continuation tokens are refused as the caller's mistake", async () => {
  for (const token of ['not base64!', Buffer.from('{"nextRowKey":"x"}').toString('base64'), Buffer.from('[]').toString('base64'), Buffer.from('{').toString('base64')]) {
    await assert.rejects(store.list('dev-paging', { pageSize: 2, continuationToken: token }),
      (err: unknown) => err instanceof RequestError && err.status === 400 && err.target === 'continuationToken');
  }
});
