// GET /api/devices/{deviceId}/operations against the store on real Azurite.
import { after, before, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { HttpRequest, InvocationContext, type HttpResponseInit } from '@azure/functions';
import { startAzurite, type RunningAzurite } from '../../../local/azurite';
import { TableOperationsStore } from '../../../src/adapters/operationsStore';
import { rebootInstanceId } from '../../../src/domain/operationIds';
import type { OperationRecord } from '../../../src/domain/operationRecord';
import { listDeviceOperations } from '../../../src/http/listDeviceOperations';

const BASE = 'http://localhost:7071/api';
let azurite: RunningAzurite;
let store: TableOperationsStore;

before(async () => {
  azurite = await startAzurite();
  store = TableOperationsStore.fromConnection({ kind: 'connectionString', connectionString: azurite.connectionString, tableName: 'HistoryRouteTest' });
});
after(async () => {
  await azurite.stop();
});

const context = (): InvocationContext => new InvocationContext({ functionName: 'listDeviceOperations', invocationId: 'inv', logHandler: () => undefined });
const json = (r: HttpResponseInit): Record<string, unknown> => r.jsonBody as Record<string, unknown>;

function record(deviceId: string, n: number): OperationRecord {
  const requestedAt = new Date(Date.UTC(2025, 1, 1, 0, n)).toISOString();
  return {
    deviceId, instanceId: rebootInstanceId(deviceId, n), operation: 'reboot', phase: 'completed', outcome: 'Succeeded', requestedAt,
    acceptedAt: requestedAt, completedAt: requestedAt, durationMs: 1000, deadline: requestedAt, polls: 1,
    methodResponse: { status: 200, payload: 'Reboot started' }, lastReported: null, error: null, updatedAt: requestedAt,
  };
}

test('newest first, paged with top and continuationToken; nextLink is followable as-is', async () => {
  const deviceId = "line#3?o'hara";
  for (let n = 1; n <= 5; n++) await store.save(record(deviceId, n));
  const seen: string[] = [];
  let url: string | null = `${BASE}/devices/${encodeURIComponent(deviceId)}/operations?top=2&code=key`;
  while (url !== null) {
    const response = await listDeviceOperations(new HttpRequest({ method: 'GET', url }), context(), { operations: store });
    assert.equal(response.status, 200);
    const body = json(response);
    assert.equal(body.deviceId, deviceId);
    const operations = body.operations as (OperationRecord & { statusUrl: string })[];
    for (const op of operations) {
      assert.equal(op.deviceId, deviceId);
      assert.equal(op.statusUrl, `${BASE}/operations/${op.instanceId}?code=key`);
    }
    seen.push(...operations.map((op) => op.instanceId));
    url = body.nextLink as string | null;
    if (url !== null) assert.equal(new URL(url).searchParams.get('code'), 'key');
  }
  assert.deepEqual(seen, [5, 4, 3, 2, 1].map((n) => rebootInstanceId(deviceId, n)));
});

test('a device with no operations: an empty page', async () => {
  const response = await listDeviceOperations(new HttpRequest({ method: 'GET', url: `${BASE}/devices/nobody/operations` }), context(), { operations: store });
  assert.equal(response.status, 200);
  assert.deepEqual(json(response), { deviceId: 'nobody', operations: [], continuationToken: null, nextLink: null });
});
