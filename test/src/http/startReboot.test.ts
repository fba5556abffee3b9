// POST /api/devices/{deviceId}/reboot through real HttpRequest objects, the operations store on real Azurite,
// and an in-memory durable client (the binding input).
import { after, before, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { HttpRequest, InvocationContext, type HttpResponseInit } from '@azure/functions';
import { startAzurite, type RunningAzurite } from '../../../local/azurite';
import { TableOperationsStore } from '../../../src/adapters/operationsStore';
import { rebootInstanceId } from '../../../src/domain/operationIds';
import type { OperationRecord } from '../../../src/domain/operationRecord';
import { FUNCTION } from '../../../src/functionNames';
import { getOperationStatus } from '../../../src/http/getOperationStatus';
import { startReboot, type StartRebootDependencies } from '../../../src/http/startReboot';
import type { RebootOrchestrationInput } from '../../../src/orchestrations/rebootOrchestrationInput';
import { FakeDurableClient, SYSTEM_KEY } from '../../support/fakeDurableClient';

const BASE = 'http://localhost:7071/api';
const RETRY = { firstRetryIntervalMs: 1000, maxAttempts: 3, backoffCoefficient: 2, maxRetryIntervalMs: 10_000 };

let azurite: RunningAzurite;
let store: TableOperationsStore;
let deps: StartRebootDependencies;

before(async () => {
  azurite = await startAzurite();
  store = TableOperationsStore.fromConnection({ kind: 'connectionString', connectionString: azurite.connectionString, tableName: 'StartRebootTest' });
  deps = { operations: store, rebootMethodName: 'reboot', retry: { invoke: RETRY, read: RETRY, record: RETRY } };
});
after(async () => {
  await azurite.stop();
});

const logs: string[] = [];
const context = (): InvocationContext =>
  new InvocationContext({ functionName: FUNCTION.startReboot, invocationId: 'inv', logHandler: (_level, ...args) => logs.push(args.join(' ')) });

function post(deviceSegment: string, body?: string, headers: Record<string, string> = {}): HttpRequest {
  return new HttpRequest({
    method: 'POST', url: `${BASE}/devices/${deviceSegment}/reboot?code=caller-key`,
    body: body === undefined ? undefined : { string: body }, headers: { 'content-type': 'application/json', ...headers },
  });
}

const headers = (response: HttpResponseInit): Record<string, string> => response.headers as Record<string, string>;
const body = (response: HttpResponseInit): Record<string, unknown> => response.jsonBody as Record<string, unknown>;

test('202: Location → the operation status route (with the caller key), Retry-After = poll interval, body with ids and URLs', async () => {
  const client = new FakeDurableClient();
  const response = await startReboot(post('dev-1', JSON.stringify({ pollIntervalSeconds: 7, payload: { why: 'test' } })), client, context(), deps);
  assert.equal(response.status, 202);
  const instanceId = rebootInstanceId('dev-1', 1);
  const location = `${BASE}/operations/${instanceId}?code=caller-key`;
  assert.equal(headers(response).Location, location);
  assert.equal(headers(response)['Retry-After'], '7');
  assert.match(headers(response)['Content-Type']!, /^application\/json/);
  const json = body(response);
  assert.equal(json.instanceId, instanceId);
  assert.equal(json.deviceId, 'dev-1');
  assert.equal(json.operation, 'reboot');
  assert.equal(json.statusUrl, location);
  const management = json.management as Record<string, string>;
  assert.equal(management.id, instanceId);
  assert.match(management.statusQueryGetUri!, new RegExp(`/instances/${instanceId}\\?.*code=${SYSTEM_KEY}`));
  for (const key of ['sendEventPostUri', 'terminatePostUri', 'purgeHistoryDeleteUri', 'suspendPostUri', 'resumePostUri']) {
    assert.ok(management[key]?.includes(instanceId), key);
  }
  // The orchestration got the validated request with defaults filled in, and the configured retry policies.
  assert.equal(client.started.length, 1);
  const started = client.started[0]!;
  assert.equal(started.name, FUNCTION.rebootOrchestrator);
  assert.equal(started.instanceId, instanceId);
  assert.deepEqual(started.input as RebootOrchestrationInput, {
    deviceId: 'dev-1', methodName: 'reboot',
    request: { payload: { why: 'test' }, responseTimeoutInSeconds: 30, connectTimeoutInSeconds: 0, pollIntervalSeconds: 7, timeoutSeconds: 600 },
    retry: deps.retry,
  });
});

test('Location is followable as-is: it answers 202 while running, with the same Location', async () => {
  const client = new FakeDurableClient();
  const started = await startReboot(post('dev-follow', undefined), client, context(), deps);
  const location = headers(started).Location!;
  // A poller that adds nothing: the key is in the URL.
  const poll = await getOperationStatus(new HttpRequest({ method: 'GET', url: location }), client, context());
  assert.equal(poll.status, 202);
  assert.equal(headers(poll).Location, location);
  assert.equal(headers(poll)['Retry-After'], '5', 'the default poll interval');
});

test('the key presented as x-functions-key is carried into Location as ?code=; no key, no code', async () => {
  const client = new FakeDurableClient();
  const withHeader = new HttpRequest({ method: 'POST', url: `${BASE}/devices/dev-hdr/reboot`, headers: { 'x-functions-key': 'k/with+chars' } });
  const response = await startReboot(withHeader, client, context(), deps);
  assert.equal(new URL(headers(response).Location!).searchParams.get('code'), 'k/with+chars');
  const anonymous = await startReboot(new HttpRequest({ method: 'POST', url: `${BASE}/devices/dev-anon/reboot` }), client, context(), deps);
  assert.equal(new URL(headers(anonymous).Location!).search, '');
});

test('409 while a reboot of the device runs: the running instance id and its status URL; nothing started', async () => {
  const client = new FakeDurableClient();
  const running = rebootInstanceId('dev-busy', 1);
  client.put(running, { runtimeStatus: 'Running', input: { deviceId: 'dev-busy' } });
  const response = await startReboot(post('dev-busy', '{}'), client, context(), deps);
  assert.equal(response.status, 409);
  const json = body(response);
  assert.deepEqual(json.error, { code: 'OperationInProgress', message: "A reboot of device 'dev-busy' is already running.", target: 'deviceId' });
  assert.equal(json.instanceId, running);
  assert.equal(json.statusUrl, `${BASE}/operations/${running}?code=caller-key`);
  assert.equal(headers(response).Location, json.statusUrl);
  assert.equal(client.started.length, 0);
});

test('a second start right after the first gets 409 (the first is still Pending, before it recorded anything)', async () => {
  const client = new FakeDurableClient();
  const first = await startReboot(post('dev-twice'), client, context(), deps);
  const second = await startReboot(post('dev-twice'), client, context(), deps);
  assert.equal(first.status, 202);
  assert.equal(second.status, 409);
  assert.equal(body(second).instanceId, body(first).instanceId);
});

test('after a finished operation the next one gets the next sequence number; the table hint keeps probes few', async () => {
  const client = new FakeDurableClient();
  const deviceId = 'dev-seq';
  for (let n = 1; n <= 3; n++) client.put(rebootInstanceId(deviceId, n), { runtimeStatus: n === 2 ? 'Failed' : 'Completed' });
  const newest: OperationRecord = {
    deviceId, instanceId: rebootInstanceId(deviceId, 3), operation: 'reboot', phase: 'completed', outcome: 'Succeeded',
    requestedAt: '2025-01-01T00:00:00.000Z', acceptedAt: null, completedAt: '2025-01-01T00:01:00.000Z', durationMs: 60_000,
    deadline: '2025-01-01T00:10:00.000Z', polls: 3, methodResponse: null, lastReported: null, error: null, updatedAt: '2025-01-01T00:01:00.000Z',
  };
  await store.save(newest);
  const response = await startReboot(post(deviceId), client, context(), deps);
  assert.equal(response.status, 202);
  assert.equal(body(response).instanceId, rebootInstanceId(deviceId, 4));
  assert.deepEqual(client.statusQueries, [rebootInstanceId(deviceId, 3), rebootInstanceId(deviceId, 4)]);
});

test('without table history, earlier instances are still found (galloping probe) and never reused', async () => {
  const client = new FakeDurableClient();
  for (let n = 1; n <= 37; n++) client.put(rebootInstanceId('dev-nohint', n), { runtimeStatus: 'Completed' });
  const response = await startReboot(post('dev-nohint'), client, context(), deps);
  assert.equal(body(response).instanceId, rebootInstanceId('dev-nohint', 38));
  assert.ok(client.statusQueries.length <= 14, `${client.statusQueries.length} probes`);
});

test('an unreadable operations table does not block a start: the durable probe finds the slot alone', async () => {
  const client = new FakeDurableClient();
  client.put(rebootInstanceId('dev-notable', 1), { runtimeStatus: 'Completed' });
  const broken = { ...deps, operations: { latest: async () => { throw new Error('ECONNREFUSED 127.0.0.1:10002'); } } };
  const response = await startReboot(post('dev-notable'), client, context(), broken);
  assert.equal(response.status, 202);
  assert.equal(body(response).instanceId, rebootInstanceId('dev-notable', 2));
  assert.ok(logs.some((line) => line.includes('Operations table not readable')));
});

test('race: another start wins the same instance id between probe and startNew → 409, not 500', async () => {
  const client = new FakeDurableClient();
  client.beforeStart = (instanceId) => {
    client.beforeStart = undefined;
    client.put(instanceId, { runtimeStatus: 'Pending' });
  };
  const response = await startReboot(post('dev-race'), client, context(), deps);
  assert.equal(response.status, 409);
  assert.equal(body(response).instanceId, rebootInstanceId('dev-race', 1));
});

test("device ids with # ? % ' ( ) : = @ $ ; survive the URL, the instance id and the status route intact", async () => {
  const ids = ['a#b', 'q?x', 'p%25', 'p%', "o'hara", '(x)', 'a:b', 'k=v', 'u@h', '$d', 's;t', "#?%'():=@$;", '%23', 'x+y', '-:.+%_#*?!(),=@;$\''];
  const client = new FakeDurableClient();
  const instanceIds = new Set<string>();
  for (const deviceId of ids) {
    const response = await startReboot(post(encodeURIComponent(deviceId)), client, context(), deps);
    assert.equal(response.status, 202, deviceId);
    const started = client.started.at(-1)!;
    assert.equal((started.input as RebootOrchestrationInput).deviceId, deviceId);
    assert.equal(body(response).deviceId, deviceId);
    assert.match(started.instanceId, /^reboot-[A-Za-z0-9._~-]+-1$/, 'URL- and table-key-safe');
    instanceIds.add(started.instanceId);
    // Follow the Location after the operation completed: the status route reports the same device id.
    client.put(started.instanceId, { runtimeStatus: 'Completed', input: started.input, output: { deviceId, outcome: 'Succeeded' } });
    const status = await getOperationStatus(new HttpRequest({ method: 'GET', url: headers(response).Location! }), client, context());
    assert.equal(status.status, 200, deviceId);
    assert.equal(body(status).deviceId, deviceId);
    assert.equal(body(status).instanceId, started.instanceId);
  }
  assert.equal(instanceIds.size, ids.length, 'distinct devices, distinct instance ids');
});

test('a device id that arrives already decoded in params (no URL match) is still validated', async () => {
  const client = new FakeDurableClient();
  const request = new HttpRequest({ method: 'POST', url: 'http://proxy.example/rewritten', params: { deviceId: 'a b' } });
  const response = await startReboot(request, client, context(), deps);
  assert.equal(response.status, 400);
  assert.equal((body(response).error as { target: string }).target, 'deviceId');
});

test('no log line or response carries the function key or the durable system key beyond the management URLs', () => {
  assert.ok(logs.length > 0);
  for (const line of logs) {
    assert.ok(!line.includes('caller-key') && !line.includes(SYSTEM_KEY), line);
  }
});
