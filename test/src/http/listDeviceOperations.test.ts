// GET /api/devices/{deviceId}/operations against the store on real Azurite.
import { after, before, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { HttpRequest } from '@azure/functions';
import { startAzurite, type RunningAzurite } from '../../../local/azurite';
import { TableOperationsStore } from '../../../src/adapters/operationsStore';
import { operationInstanceId } from '../../../src/domain/operationIds';
import type { OperationRecord } from '../../../src/domain/operationRecord';
import { OPERATION_KINDS } from '../../../src/domain/operations/operationKind';
import { listDeviceOperations } from '../../../src/http/listDeviceOperations';
import { BASE, body, context } from './httpTestSupport';

let azurite: RunningAzurite;
let store: TableOperationsStore;

before(async () => {
  azurite = await startAzurite();
  store = TableOperationsStore.fromConnection({ kind: 'connectionString', connectionString: azurite.connectionString, tableName: 'HistoryRouteTest' });
});
after(async () => {
  await azurite.stop();
});

function record(deviceId: string, n: number): OperationRecord {
  const requestedAt = new Date(Date.UTC(2025, 1, 1, 0, n)).toISOString();
  const kind = OPERATION_KINDS[n % 3]!;
  return {
    deviceId, instanceId: operationInstanceId(kind, deviceId, n), operation: kind, phase: 'completed', outcome: 'Succeeded', delivery: 'delivered',
    requestedAt, acceptedAt: requestedAt, completedAt: requestedAt, durationMs: 1000, deadline: requestedAt, polls: 1, step: null,
    firmwareVersion: kind === 'firmwareUpdate' ? '1.0.1' : null, methodResponse: { status: 200, payload: 'started' }, lastReported: null,
    deviceActivity: null, error: null, updatedAt: requestedAt,
  };
}

test('every kind, newest first, paged with top and continuationToken; nextLink is followable as-is', async () => {
  const deviceId = "line#3?o'hara";
  for (let n = 1; n <= 5; n++) await store.save(record(deviceId, n));
  await store.save(record('line#3', 9));
  const seen: string[] = [];
  let url: string | null = `${BASE}/devices/${encodeURIComponent(deviceId)}/operations?top=2&code=key`;
  while (url !== null) {
    const response = await listDeviceOperations(new HttpRequest({ method: 'GET', url }), context(), { operations: store });
    assert.equal(response.status, 200);
    const page = body(response);
    assert.equal(page.deviceId, deviceId);
    const operations = page.operations as (OperationRecord & { statusUrl: string })[];
    assert.ok(operations.length <= 2);
    for (const op of operations) {
      assert.equal(op.deviceId, deviceId);
      assert.equal(op.statusUrl, `${BASE}/operations/${op.instanceId}?code=key`);
      const { statusUrl: _statusUrl, ...stored } = op;
      assert.deepEqual(stored, record(deviceId, Number(op.instanceId.split('-').at(-1))), 'the stored record as it is');
    }
    seen.push(...operations.map((op) => op.instanceId));
    url = page.nextLink as string | null;
    if (url !== null) assert.equal(new URL(url).searchParams.get('code'), 'key');
  }
  assert.deepEqual(seen, [5, 4, 3, 2, 1].map((n) => record(deviceId, n).instanceId));
});

test('a device with no operations: an empty page', async () => {
  const response = await listDeviceOperations(new HttpRequest({ method: 'GET', url: `${BASE}/devices/nobody/operations` }), context(), { operations: store });
  assert.equal(response.status, 200);
  assert.deepEqual(body(response), { deviceId: 'nobody', operations: [], continuationToken: null, nextLink: null });
});
