// POST /api/devices/{deviceId}/{kind} through real HttpRequest objects, the lease and operations stores on real
// Azurite, and an in-memory durable client (the binding input).
import { after, before, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { HttpRequest } from '@azure/functions';
import { startAzurite, type RunningAzurite } from '../../../local/azurite';
import { claimOperation } from '../../../src/activities/claimOperation';
import { TableDeviceLeaseStore, TableOperationsStore } from '../../../src/adapters/operationsStore';
import { DeviceGuard } from '../../../src/domain/deviceGuard';
import { operationInstanceId } from '../../../src/domain/operationIds';
import type { OperationRecord } from '../../../src/domain/operationRecord';
import { OPERATION_KINDS, type OperationKind } from '../../../src/domain/operations/operationKind';
import { FUNCTION } from '../../../src/functionNames';
import { getOperationStatus } from '../../../src/http/getOperationStatus';
import { MAX_JSON_DEPTH } from '../../../src/http/requestBody';
import { startOperation, type StartDependencies } from '../../../src/http/startOperation';
import type { DeviceOperationInput } from '../../../src/orchestrations/deviceOperationInput';
import { DURABLE_BASE, FakeDurableClient, SYSTEM_KEY } from '../../support/fakeDurableClient';
import { BASE, body, context, errorOf, headers, RETRY } from './httpTestSupport';

const GRACE_MS = 60_000;
const T0 = Date.parse('2025-08-01T09:00:00.000Z');

let azurite: RunningAzurite;
let leases: TableDeviceLeaseStore;
let operations: TableOperationsStore;
let guard: DeviceGuard;
let deps: StartDependencies;

before(async () => {
  azurite = await startAzurite();
  leases = TableDeviceLeaseStore.fromConnection({ kind: 'connectionString', connectionString: azurite.connectionString, tableName: 'StartTestLeases' });
  operations = TableOperationsStore.fromConnection({ kind: 'connectionString', connectionString: azurite.connectionString, tableName: 'StartTest' });
  guard = new DeviceGuard(leases, GRACE_MS);
  deps = { guard, operations, retry: RETRY, now: () => new Date(T0) };
});
after(async () => {
  await azurite.stop();
});

const logs: string[] = [];
const ctx = () => context('startOperation', logs);
const FW = { fwPackageUri: 'https://firmware.example.com/v2.bin' };
const bodyFor = (kind: OperationKind, extra: Record<string, unknown> = {}): string =>
  JSON.stringify(kind === 'firmwareUpdate' ? { payload: FW, ...extra } : extra);

function post(kind: OperationKind, deviceSegment: string, text?: string, extraHeaders: Record<string, string> = {}, query = '?code=caller-key'): HttpRequest {
  return new HttpRequest({
    method: 'POST', url: `${BASE}/devices/${deviceSegment}/${kind}${query}`,
    body: text === undefined ? undefined : { string: text }, headers: { 'content-type': 'application/json', ...extraHeaders },
  });
}
const start = (kind: OperationKind, deviceSegment: string, text = bodyFor(kind), client = new FakeDurableClient(), d: StartDependencies = deps) =>
  startOperation(kind, post(kind, deviceSegment, text), client, ctx(), d);

test('202 for each kind: ids and our own status/cancel URLs only — no Durable management URL, no system key', async (t) => {
  for (const kind of OPERATION_KINDS) {
    await t.test(kind, async () => {
      const client = new FakeDurableClient();
      const deviceId = `s-${kind}`;
      const response = await startOperation(kind, post(kind, deviceId, bodyFor(kind, { pollIntervalSeconds: 7 })), client, ctx(), deps);
      assert.equal(response.status, 202);
      const instanceId = operationInstanceId(kind, deviceId, 1);
      const statusUrl = `${BASE}/operations/${instanceId}?code=caller-key`;
      assert.deepEqual(body(response), { instanceId, deviceId, operation: kind, statusUrl, cancelUrl: `${BASE}/operations/${instanceId}/cancel?code=caller-key` });
      assert.deepEqual(headers(response), { 'Content-Type': 'application/json; charset=utf-8', Location: statusUrl, 'Retry-After': '7' });
      const everything = JSON.stringify(response);
      for (const secret of [SYSTEM_KEY, DURABLE_BASE, 'runtime/webhooks', 'durabletask', 'taskHub=']) assert.ok(!everything.includes(secret), secret);

      assert.equal(client.started.length, 1);
      const started = client.started[0]!;
      assert.equal(started.name, FUNCTION.deviceOperationOrchestrator);
      assert.equal(started.instanceId, instanceId);
      assert.deepEqual(started.input as DeviceOperationInput, {
        deviceId, operation: kind, requestedAt: new Date(T0).toISOString(), retry: RETRY,
        request: { payload: kind === 'firmwareUpdate' ? FW : null, responseTimeoutInSeconds: 30, connectTimeoutInSeconds: 0, pollIntervalSeconds: 7, timeoutSeconds: 600 },
      });
      assert.ok(!JSON.stringify(started.input).includes('methodName'), 'the input never names the method');
      const lease = await leases.read(deviceId);
      assert.deepEqual([lease?.instanceId, lease?.state, lease?.operation, lease?.acquiredAt], [instanceId, 'starting', kind, new Date(T0).toISOString()]);
    });
  }
});

test('Location is followable as-is: it answers 202 while running, with the same Location and a cancel URL', async () => {
  const client = new FakeDurableClient();
  const started = await start('reboot', 's-follow', '', client);
  const location = headers(started).Location!;
  const poll = await getOperationStatus(new HttpRequest({ method: 'GET', url: location }), client, ctx());
  assert.equal(poll.status, 202);
  assert.equal(headers(poll).Location, location);
  assert.equal(headers(poll)['Retry-After'], '5', 'the default poll interval');
  assert.equal(body(poll).cancelUrl, body(started).cancelUrl);
});

test('the key presented as x-functions-key is carried into the URLs as ?code=; no key, no code', async () => {
  const client = new FakeDurableClient();
  const withHeader = await startOperation('reboot', post('reboot', 's-hdr', undefined, { 'x-functions-key': 'k/with+chars' }, ''), client, ctx(), deps);
  assert.equal(new URL(headers(withHeader).Location!).searchParams.get('code'), 'k/with+chars');
  assert.equal(new URL(body(withHeader).cancelUrl as string).searchParams.get('code'), 'k/with+chars');
  const anonymous = await startOperation('reboot', post('reboot', 's-anon', undefined, {}, ''), client, ctx(), deps);
  assert.equal(new URL(headers(anonymous).Location!).search, '');
});

test('409 while the device is busy, across kinds: the running operation named; nothing started', async (t) => {
  for (const [first, second] of [['reboot', 'factoryReset'], ['factoryReset', 'firmwareUpdate'], ['firmwareUpdate', 'reboot'], ['reboot', 'reboot']] as const) {
    await t.test(`${first} then ${second}`, async () => {
      const deviceId = `s-busy-${first}-${second}`;
      const client = new FakeDurableClient();
      const one = await start(first, deviceId, bodyFor(first), client);
      assert.equal(one.status, 202);
      client.put(body(one).instanceId as string, { runtimeStatus: 'Running' });
      const two = await start(second, deviceId, bodyFor(second), client);
      assert.equal(two.status, 409);
      const running = operationInstanceId(first, deviceId, 1);
      assert.deepEqual(errorOf(two), { code: 'OperationInProgress', message: `Device '${deviceId}' is busy with a ${first} operation (${running}).`, target: 'deviceId' });
      assert.equal(body(two).instanceId, running);
      assert.equal(body(two).operation, first);
      assert.equal(body(two).statusUrl, `${BASE}/operations/${running}?code=caller-key`);
      assert.equal(headers(two).Location, body(two).statusUrl);
      assert.equal(client.started.length, 1);
    });
  }
});

test('a second start right after the first gets 409 (the first is still Pending, within the start grace)', async () => {
  const client = new FakeDurableClient();
  const first = await start('reboot', 's-twice', '', client);
  const second = await startOperation('reboot', post('reboot', 's-twice'), client, ctx(), { ...deps, now: () => new Date(T0 + GRACE_MS - 1) });
  assert.deepEqual([first.status, second.status], [202, 409]);
  assert.equal(body(second).instanceId, body(first).instanceId);
});

test('20 concurrent starts of one device, any kinds: exactly one 202', async () => {
  const client = new FakeDurableClient();
  const responses = await Promise.all(Array.from({ length: 20 }, (_, i) => {
    const kind = OPERATION_KINDS[i % 3]!;
    return start(kind, 's-storm', bodyFor(kind), client);
  }));
  assert.equal(responses.filter((r) => r.status === 202).length, 1);
  assert.equal(responses.filter((r) => r.status === 409).length, 19);
  assert.equal(client.started.length, 1);
});

test('after a finished operation the next one gets the next sequence number, whatever its kind', async () => {
  const client = new FakeDurableClient();
  const first = await start('reboot', 's-seq', '', client);
  const firstId = body(first).instanceId as string;
  await guard.claim('s-seq', firstId);
  await guard.release('s-seq', firstId);
  client.put(firstId, { runtimeStatus: 'Completed' });
  const second = await start('firmwareUpdate', 's-seq', bodyFor('firmwareUpdate'), client);
  assert.equal(second.status, 202);
  assert.equal(body(second).instanceId, operationInstanceId('firmwareUpdate', 's-seq', 2));
});

test("a device's first lease continues the sequence of its history (rows written before leases existed)", async () => {
  const client = new FakeDurableClient();
  const old: OperationRecord = {
    deviceId: 's-history', instanceId: operationInstanceId('reboot', 's-history', 7), operation: 'reboot', phase: 'completed', outcome: 'Succeeded',
    delivery: 'delivered', requestedAt: '2025-01-01T00:00:00.000Z', acceptedAt: null, completedAt: '2025-01-01T00:01:00.000Z', durationMs: 60_000,
    deadline: '2025-01-01T00:10:00.000Z', polls: 3, step: null, firmwareVersion: null, methodResponse: null, lastReported: null, deviceActivity: null,
    error: null, updatedAt: '2025-01-01T00:01:00.000Z',
  };
  await operations.save(old);
  const response = await start('factoryReset', 's-history', '', client);
  assert.equal(body(response).instanceId, operationInstanceId('factoryReset', 's-history', 8));
});

test('take-over: a holder that never started within the grace is replaced; the start is not blocked forever', async () => {
  const client = new FakeDurableClient();
  const first = await start('reboot', 's-stale', '', client);
  assert.equal(first.status, 202);
  // Its orchestration never ran (still Pending): past the grace the device is free to take.
  const later = { ...deps, now: () => new Date(T0 + GRACE_MS + 1) };
  const second = await startOperation('factoryReset', post('factoryReset', 's-stale'), client, ctx(), later);
  assert.equal(second.status, 202);
  assert.equal(body(second).instanceId, operationInstanceId('factoryReset', 's-stale', 2));
  // The old instance, should it run now, has lost the device.
  assert.deepEqual(await guard.claim('s-stale', body(first).instanceId as string), { kind: 'lost', holder: body(second).instanceId });
});

test('take-over of an orchestration that ended without its final record: the row is closed, the next start proceeds', async () => {
  const client = new FakeDurableClient();
  const first = await start('firmwareUpdate', 's-ended', bodyFor('firmwareUpdate'), client);
  const instanceId = body(first).instanceId as string;
  const requestedAt = new Date(T0).toISOString();
  const row: OperationRecord = {
    deviceId: 's-ended', instanceId, operation: 'firmwareUpdate', phase: 'invoking', outcome: null, delivery: 'notDelivered', requestedAt,
    acceptedAt: null, completedAt: null, durationMs: null, deadline: new Date(T0 + 600_000).toISOString(), polls: 0, step: null, firmwareVersion: null,
    methodResponse: null, lastReported: null, deviceActivity: null, error: null, updatedAt: requestedAt,
  };
  assert.deepEqual(await claimOperation({ deviceId: 's-ended', instanceId, record: row }, { guard, operations }), { kind: 'claimed' });
  assert.equal((await guard.journalAttempt('s-ended', instanceId, 1, requestedAt)).kind, 'send');
  client.put(instanceId, { runtimeStatus: 'Terminated' });
  const second = await start('reboot', 's-ended', '', client);
  assert.equal(second.status, 202);
  const closed = await operations.find('s-ended', requestedAt, instanceId);
  assert.equal(closed?.outcome, 'Failed');
  assert.equal(closed?.phase, 'completed');
  assert.equal(closed?.error?.code, 'OperationEnded');
  assert.equal(closed?.delivery, 'unknown', 'an attempt was journaled: it may have reached the device');
});

test('an active holder is never taken over, however old its lease', async () => {
  const client = new FakeDurableClient();
  const first = await start('reboot', 's-active', '', client);
  client.put(body(first).instanceId as string, { runtimeStatus: 'Running' });
  const muchLater = { ...deps, now: () => new Date(T0 + 100 * GRACE_MS) };
  assert.equal((await startOperation('reboot', post('reboot', 's-active'), client, ctx(), muchLater)).status, 409);
});

test('startNew fails: the device is freed again and the caller gets a 500 without details', async () => {
  const client = new FakeDurableClient();
  client.startError = new Error('connect ECONNREFUSED 127.0.0.1:7071');
  const failed = await start('reboot', 's-startfail', '', client);
  assert.equal(failed.status, 500);
  assert.doesNotMatch(JSON.stringify(failed.jsonBody), /ECONNREFUSED|7071/);
  assert.equal((await leases.read('s-startfail'))?.state, 'free');
  client.startError = undefined;
  const retried = await start('reboot', 's-startfail', '', client);
  assert.equal(retried.status, 202);
  assert.equal(body(retried).instanceId, operationInstanceId('reboot', 's-startfail', 2));
});

test('the extension refuses to start over an active instance of the same id: 409, not 500', async () => {
  const client = new FakeDurableClient();
  client.beforeStart = (instanceId) => {
    client.beforeStart = undefined;
    client.put(instanceId, { runtimeStatus: 'Running' });
  };
  const response = await start('reboot', 's-race', '', client);
  assert.equal(response.status, 409);
  assert.equal(body(response).instanceId, operationInstanceId('reboot', 's-race', 1));
  assert.equal(client.started.length, 0);
});

test('the kind comes from the route alone: the body cannot name an operation or a method', async (t) => {
  for (const field of ['operation', 'methodName', 'kind']) {
    await t.test(field, async () => {
      const client = new FakeDurableClient();
      const response = await start('reboot', `s-kind-${field}`, JSON.stringify({ [field]: 'factoryReset' }), client);
      assert.equal(response.status, 400);
      assert.equal(errorOf(response).target, field);
      assert.equal(client.started.length, 0);
      assert.equal(await leases.read(`s-kind-${field}`), null, 'no lease taken for a bad request');
    });
  }
});

test("device ids with # ? % ' ( ) : = @ $ ; survive the URL, the instance id and the status route intact", async () => {
  const ids = ['a#b', 'q?x', 'p%25', 'p%', "o'hara", '(x)', 'a:b', 'k=v', 'u@h', '$d', 's;t', '%23', 'x+y', "-:.+%_#*?!(),=@;$'"];
  const client = new FakeDurableClient();
  const instanceIds = new Set<string>();
  for (const deviceId of ids) {
    const response = await start('reboot', encodeURIComponent(deviceId), '', client);
    assert.equal(response.status, 202, deviceId);
    const started = client.started.at(-1)!;
    assert.equal((started.input as DeviceOperationInput).deviceId, deviceId);
    assert.equal(body(response).deviceId, deviceId);
    assert.match(started.instanceId, /^reboot-[A-Za-z0-9._~-]+-1$/, 'URL- and table-key-safe');
    instanceIds.add(started.instanceId);
    client.put(started.instanceId, { runtimeStatus: 'Completed', input: started.input, output: { deviceId, outcome: 'Succeeded' } });
    const status = await getOperationStatus(new HttpRequest({ method: 'GET', url: headers(response).Location! }), client, ctx());
    assert.equal(status.status, 200, deviceId);
    assert.equal(body(status).deviceId, deviceId);
    assert.equal(body(status).instanceId, started.instanceId);
  }
  assert.equal(instanceIds.size, ids.length, 'distinct devices, distinct instance ids');
});

test('no log line carries the function key or the durable system key', () => {
  assert.ok(logs.length > 0);
  for (const line of logs) assert.ok(!line.includes('caller-key') && !line.includes(SYSTEM_KEY), line);
});

test('hardened body, the allowed side: JSON nested exactly to the depth limit, and __proto__ as text, are accepted', async (t) => {
  const client = new FakeDurableClient();
  await t.test(`depth ${MAX_JSON_DEPTH}`, async () => {
    // The body object is level 1; the payload adds MAX_JSON_DEPTH − 1 levels of arrays.
    const text = `{"payload":${'['.repeat(MAX_JSON_DEPTH - 1)}${']'.repeat(MAX_JSON_DEPTH - 1)}}`;
    const response = await start('reboot', 's-depth', text, client);
    assert.equal(response.status, 202);
  });
  await t.test('__proto__ inside a string', async () => {
    const response = await start('reboot', 's-proto-text', JSON.stringify({ payload: { note: '__proto__', '__proto_': 1 } }), client);
    assert.equal(response.status, 202);
    assert.deepEqual((client.started.at(-1)!.input as DeviceOperationInput).request.payload, { note: '__proto__', '__proto_': 1 });
  });
  await t.test('charset utf-8 spelled as the RFC allows', async () => {
    const response = await startOperation('reboot', post('reboot', 's-charset', '{}', { 'content-type': 'Application/JSON; Charset="UTF-8"' }), client, ctx(), deps);
    assert.equal(response.status, 202);
  });
});
