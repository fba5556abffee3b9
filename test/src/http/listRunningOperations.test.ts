// GET /api/operations?state=running: the held device leases on real Azurite, across devices and kinds.
import { after, before, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { HttpRequest } from '@azure/functions';
import { startAzurite, type RunningAzurite } from '../../../local/azurite';
import { TableDeviceLeaseStore } from '../../../src/adapters/operationsStore';
import { DeviceGuard } from '../../../src/domain/deviceGuard';
import { operationInstanceId } from '../../../src/domain/operationIds';
import type { OperationKind } from '../../../src/domain/operations/operationKind';
import { listRunningOperations } from '../../../src/http/listRunningOperations';
import { BASE, body, context, errorOf } from './httpTestSupport';

let azurite: RunningAzurite;
let leases: TableDeviceLeaseStore;
let guard: DeviceGuard;

before(async () => {
  azurite = await startAzurite();
  leases = TableDeviceLeaseStore.fromConnection({ kind: 'connectionString', connectionString: azurite.connectionString, tableName: 'RunningTestLeases' });
  guard = new DeviceGuard(leases, 60_000);
});
after(async () => {
  await azurite.stop();
});

const list = (query: string) => listRunningOperations(new HttpRequest({ method: 'GET', url: `${BASE}/operations${query}` }), context(), { leases });

async function acquire(deviceId: string, kind: OperationKind, requestedAt: string): Promise<string> {
  const result = await guard.acquire({ deviceId, operation: kind, requestedAt, instanceIdFor: (n) => operationInstanceId(kind, deviceId, n),
    sequenceHint: async () => 0, holderState: async () => 'active' });
  assert.ok(result.kind === 'acquired');
  return result.lease.instanceId;
}

interface Item { instanceId: string; deviceId: string; operation: string; state: string; requestedAt: string; statusUrl: string; cancelUrl: string }

test('empty at first; then the starting and running operations of every kind, never finished ones, paged with followable nextLinks', async () => {
  assert.deepEqual(body(await list('')), { state: 'running', operations: [], continuationToken: null, nextLink: null });

  const a = await acquire('r-a', 'reboot', '2025-09-01T00:00:00.000Z');
  const b = await acquire("r-b#'", 'firmwareUpdate', '2025-09-01T00:00:01.000Z');
  await guard.claim("r-b#'", b);
  const c = await acquire('r-c', 'factoryReset', '2025-09-01T00:00:02.000Z');
  const done = await acquire('r-done', 'reboot', '2025-09-01T00:00:03.000Z');
  await guard.claim('r-done', done);
  await guard.release('r-done', done);

  const seen: Item[] = [];
  let url: string | null = `${BASE}/operations?state=running&top=2&code=key`;
  let pages = 0;
  while (url !== null) {
    const response = await listRunningOperations(new HttpRequest({ method: 'GET', url }), context(), { leases });
    assert.equal(response.status, 200);
    const page = body(response);
    assert.ok((page.operations as Item[]).length <= 2);
    seen.push(...(page.operations as Item[]));
    url = page.nextLink as string | null;
    if (url !== null) {
      assert.equal(new URL(url).searchParams.get('code'), 'key');
      assert.equal(new URL(url).searchParams.get('continuationToken'), page.continuationToken);
    }
    pages++;
  }
  assert.ok(pages >= 2);
  const byId = new Map(seen.map((item) => [item.instanceId, item]));
  assert.deepEqual([...byId.keys()].sort(), [a, b, c].sort());
  assert.deepEqual(byId.get(b), {
    instanceId: b, deviceId: "r-b#'", operation: 'firmwareUpdate', state: 'running', requestedAt: '2025-09-01T00:00:01.000Z',
    statusUrl: `${BASE}/operations/${b}?code=key`, cancelUrl: `${BASE}/operations/${b}/cancel?code=key`,
  });
  assert.equal(byId.get(c)?.state, 'starting');
});

test('bad parameters are refused naming the parameter', async (t) => {
  const cases: [string, string][] = [
    ['?state=finished', 'state'], ['?state=running&state=running', 'state'], ['?top=0', 'top'], ['?top=101', 'top'], ['?top=1e1', 'top'],
    ['?continuationToken=', 'continuationToken'], ['?continuationToken=%25%25', 'continuationToken'], ['?deviceId=x', 'deviceId'],
  ];
  for (const [query, target] of cases) {
    await t.test(query, async () => {
      const response = await list(query);
      assert.equal(response.status, 400);
      assert.equal(errorOf(response).target, target);
    });
  }
});
