// Caller mistakes on every route: each answers 4xx with the error envelope naming the field — never 500, never a
// stack trace — and starts, locks, raises and queries nothing.
import { after, before, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { HttpRequest, type HttpResponseInit } from '@azure/functions';
import { startAzurite, type RunningAzurite } from '../../../local/azurite';
import { TableDeviceLeaseStore, TableOperationsStore } from '../../../src/adapters/operationsStore';
import { DeviceGuard } from '../../../src/domain/deviceGuard';
import { operationInstanceId } from '../../../src/domain/operationIds';
import type { OperationKind } from '../../../src/domain/operations/operationKind';
import type { FleetQuery, IotHubGateway } from '../../../src/domain/ports';
import { cancelOperation } from '../../../src/http/cancelOperation';
import { getOperationStatus } from '../../../src/http/getOperationStatus';
import { getStatusReport } from '../../../src/http/getStatusReport';
import { listDeviceOperations } from '../../../src/http/listDeviceOperations';
import { listRunningOperations } from '../../../src/http/listRunningOperations';
import { MAX_JSON_DEPTH } from '../../../src/http/requestBody';
import { startOperation, type StartDependencies } from '../../../src/http/startOperation';
import { FakeDurableClient } from '../../support/fakeDurableClient';
import { BASE, context, RETRY } from './httpTestSupport';

let azurite: RunningAzurite;
let store: TableOperationsStore;
let leases: TableDeviceLeaseStore;
let deps: StartDependencies;
const queries: FleetQuery[] = [];
const hub: Pick<IotHubGateway, 'countByStatus'> = {
  countByStatus: async (_section, query) => {
    queries.push(query);
    return [];
  },
};

before(async () => {
  azurite = await startAzurite();
  store = TableOperationsStore.fromConnection({ kind: 'connectionString', connectionString: azurite.connectionString, tableName: 'BadRequestTest' });
  leases = TableDeviceLeaseStore.fromConnection({ kind: 'connectionString', connectionString: azurite.connectionString, tableName: 'BadRequestTestLeases' });
  deps = { guard: new DeviceGuard(leases, 60_000), operations: store, retry: RETRY };
});
after(async () => {
  await azurite.stop();
});

type Run = (client: FakeDurableClient) => Promise<HttpResponseInit>;
interface Case { name: string; status: number; target: string; run: Run }

const RUNNING_ID = operationInstanceId('reboot', 'dev-1', 1);

function start(deviceSegment: string, body?: string | Uint8Array, contentType: string | null = 'application/json', kind: OperationKind = 'reboot', query = '?code=k'): Run {
  return (client) => startOperation(kind, new HttpRequest({
    method: 'POST', url: `${BASE}/devices/${deviceSegment}/${kind}${query}`,
    body: body === undefined ? undefined : typeof body === 'string' ? { string: body } : { bytes: body },
    headers: contentType === null ? {} : { 'content-type': contentType },
  }), client, context(), deps);
}
const startWith = (fields: Record<string, unknown>, kind: OperationKind = 'reboot'): Run => start('dev-1', JSON.stringify(fields), 'application/json', kind);
const firmware = (payload: unknown): Run => startWith({ payload }, 'firmwareUpdate');
const history = (deviceSegment: string, query = ''): Run =>
  () => listDeviceOperations(new HttpRequest({ method: 'GET', url: `${BASE}/devices/${deviceSegment}/operations?code=k${query}` }), context(), { operations: store });
const running = (query: string): Run =>
  () => listRunningOperations(new HttpRequest({ method: 'GET', url: `${BASE}/operations?code=k${query}` }), context(), { leases });
const report = (query: string, operation = 'reboot'): Run =>
  () => getStatusReport(new HttpRequest({ method: 'GET', url: `${BASE}/reports/${operation}?${query}` }), context(), { iotHub: hub });
const status = (id: string, query = ''): Run => (client) => getOperationStatus(new HttpRequest({ method: 'GET', url: `${BASE}/operations/${id}?code=k${query}` }), client, context());
const cancel = (id: string, body?: string, query = ''): Run => (client) => cancelOperation(new HttpRequest({
  method: 'POST', url: `${BASE}/operations/${id}/cancel?code=k${query}`, body: body === undefined ? undefined : { string: body }, headers: { 'content-type': 'application/json' },
}), client, context());
const nested = (depth: number): string => `${'['.repeat(depth)}${']'.repeat(depth)}`;

const CASES: Case[] = [
  // Device id in the route.
  { name: 'device id longer than 128', status: 400, target: 'deviceId', run: start('x'.repeat(129)) },
  { name: 'device id with a space', status: 400, target: 'deviceId', run: start('a%20b') },
  { name: "device id with '&'", status: 400, target: 'deviceId', run: start('a%26b') },
  { name: 'device id with a non-ASCII letter', status: 400, target: 'deviceId', run: start(encodeURIComponent('gerät')) },
  { name: "device id with '~'", status: 400, target: 'deviceId', run: start('a~b') },
  { name: "device id with '<'", status: 400, target: 'deviceId', run: start('a%3Cb') },
  { name: 'device id with malformed percent-encoding', status: 400, target: 'deviceId', run: start('a%zzb') },
  { name: 'device id with an encoded slash', status: 400, target: 'deviceId', run: start('a%2Fb') },
  { name: 'device id with an encoded NUL', status: 400, target: 'deviceId', run: start('a%00b') },
  // Query string of the start.
  { name: 'start: unknown query parameter', status: 400, target: 'operation', run: start('dev-1', undefined, 'application/json', 'reboot', '?code=k&operation=factoryReset') },
  { name: 'start: repeated code', status: 400, target: 'code', run: start('dev-1', undefined, 'application/json', 'reboot', '?code=k&code=j') },
  // Body: syntax and hardening.
  { name: 'body is not JSON', status: 400, target: 'body', run: start('dev-1', '{"timeoutSeconds": ') },
  { name: 'body is a JSON array', status: 400, target: 'body', run: start('dev-1', '[]') },
  { name: 'body is a JSON string', status: 400, target: 'body', run: start('dev-1', '"reboot"') },
  { name: 'body is JSON null', status: 400, target: 'body', run: start('dev-1', 'null') },
  { name: 'body is not UTF-8', status: 400, target: 'body', run: start('dev-1', Uint8Array.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d])) },
  { name: 'body nested deeper than the limit', status: 400, target: 'body', run: start('dev-1', `{"payload":${nested(MAX_JSON_DEPTH)}}`) },
  { name: '__proto__ at the top', status: 400, target: '__proto__', run: start('dev-1', '{"__proto__":{"polluted":true}}') },
  { name: '__proto__ inside the payload', status: 400, target: 'payload.a[0].__proto__', run: start('dev-1', '{"payload":{"a":[{"__proto__":{}}]}}') },
  { name: 'body that is not JSON by Content-Type', status: 415, target: 'Content-Type', run: start('dev-1', 'reboot=now', 'application/x-www-form-urlencoded') },
  { name: 'body without a Content-Type', status: 415, target: 'Content-Type', run: start('dev-1', '{}', null) },
  { name: 'text/plain', status: 415, target: 'Content-Type', run: start('dev-1', '{}', 'text/plain') },
  { name: 'a +json media type', status: 415, target: 'Content-Type', run: start('dev-1', '{}', 'application/merge-patch+json') },
  { name: 'json-seq', status: 415, target: 'Content-Type', run: start('dev-1', '{}', 'application/json-seq') },
  { name: 'charset latin1', status: 415, target: 'Content-Type', run: start('dev-1', '{}', 'application/json; charset=iso-8859-1') },
  { name: 'an unknown media type parameter', status: 415, target: 'Content-Type', run: start('dev-1', '{}', 'application/json; profile=x') },
  { name: 'body over the size limit', status: 413, target: 'body', run: start('dev-1', JSON.stringify({ payload: 'y'.repeat(300 * 1024) })) },
  // Body: fields.
  { name: 'unknown field', status: 400, target: 'foo', run: startWith({ foo: 1 }) },
  { name: 'the kind in the body', status: 400, target: 'operation', run: startWith({ operation: 'factoryReset' }) },
  { name: 'a method name in the body', status: 400, target: 'methodName', run: startWith({ methodName: 'selfDestruct' }) },
  { name: "the SDK's misnamed timeoutInSeconds", status: 400, target: 'timeoutInSeconds', run: startWith({ timeoutInSeconds: 30 }) },
  { name: 'responseTimeoutInSeconds below 5', status: 400, target: 'responseTimeoutInSeconds', run: startWith({ responseTimeoutInSeconds: 4 }) },
  { name: 'responseTimeoutInSeconds above 300', status: 400, target: 'responseTimeoutInSeconds', run: startWith({ responseTimeoutInSeconds: 301 }) },
  { name: 'responseTimeoutInSeconds as a string', status: 400, target: 'responseTimeoutInSeconds', run: startWith({ responseTimeoutInSeconds: '30' }) },
  { name: 'responseTimeoutInSeconds not an integer', status: 400, target: 'responseTimeoutInSeconds', run: startWith({ responseTimeoutInSeconds: 30.5 }) },
  { name: 'connectTimeoutInSeconds negative', status: 400, target: 'connectTimeoutInSeconds', run: startWith({ connectTimeoutInSeconds: -1 }) },
  { name: 'connectTimeoutInSeconds above 300', status: 400, target: 'connectTimeoutInSeconds', run: startWith({ connectTimeoutInSeconds: 301 }) },
  { name: 'pollIntervalSeconds 0', status: 400, target: 'pollIntervalSeconds', run: startWith({ pollIntervalSeconds: 0 }) },
  { name: 'pollIntervalSeconds above 300', status: 400, target: 'pollIntervalSeconds', run: startWith({ pollIntervalSeconds: 301 }) },
  { name: 'timeoutSeconds below 10', status: 400, target: 'timeoutSeconds', run: startWith({ timeoutSeconds: 9 }) },
  { name: 'timeoutSeconds above a day', status: 400, target: 'timeoutSeconds', run: startWith({ timeoutSeconds: 86_401 }) },
  { name: 'timeoutSeconds null', status: 400, target: 'timeoutSeconds', run: startWith({ timeoutSeconds: null }) },
  { name: 'timeoutSeconds boolean', status: 400, target: 'timeoutSeconds', run: startWith({ timeoutSeconds: true }) },
  { name: 'pollIntervalSeconds longer than timeoutSeconds', status: 400, target: 'pollIntervalSeconds', run: startWith({ pollIntervalSeconds: 60, timeoutSeconds: 30 }) },
  { name: 'method payload over 128 KB', status: 413, target: 'payload', run: startWith({ payload: 'x'.repeat(128 * 1024) }) },
  // Firmware update payload.
  { name: 'firmware: no body', status: 400, target: 'payload.fwPackageUri', run: start('dev-1', undefined, 'application/json', 'firmwareUpdate') },
  { name: 'firmware: no fwPackageUri', status: 400, target: 'payload.fwPackageUri', run: firmware({ version: '2' }) },
  { name: 'firmware: http URL', status: 400, target: 'payload.fwPackageUri', run: firmware({ fwPackageUri: 'http://fw.example.com/x.bin' }) },
  { name: 'firmware: URL with credentials', status: 400, target: 'payload.fwPackageUri', run: firmware({ fwPackageUri: 'https://u:p@fw.example.com/x.bin' }) },
  { name: 'firmware: URL too long', status: 400, target: 'payload.fwPackageUri', run: firmware({ fwPackageUri: `https://fw.example.com/${'a'.repeat(2100)}` }) },
  { name: 'firmware: not a URL', status: 400, target: 'payload.fwPackageUri', run: firmware({ fwPackageUri: 'firmware.bin' }) },
  // Device history.
  { name: 'history: top = 0', status: 400, target: 'top', run: history('dev-1', '&top=0') },
  { name: 'history: top above 100', status: 400, target: 'top', run: history('dev-1', '&top=101') },
  { name: 'history: top not a number', status: 400, target: 'top', run: history('dev-1', '&top=ten') },
  { name: 'history: top repeated', status: 400, target: 'top', run: history('dev-1', '&top=1&top=2') },
  { name: 'history: unknown query parameter', status: 400, target: 'since', run: history('dev-1', '&since=yesterday') },
  { name: 'history: malformed continuationToken', status: 400, target: 'continuationToken', run: history('dev-1', '&continuationToken=%25%25%25') },
  { name: 'history: empty continuationToken', status: 400, target: 'continuationToken', run: history('dev-1', '&continuationToken=') },
  { name: 'history: invalid device id', status: 400, target: 'deviceId', run: history('a%20b') },
  // Running operations.
  { name: 'running: state other than running', status: 400, target: 'state', run: running('&state=completed') },
  { name: 'running: top too large', status: 400, target: 'top', run: running('&top=1000') },
  { name: 'running: unknown parameter', status: 400, target: 'deviceId', run: running('&deviceId=dev-1') },
  { name: 'running: malformed continuationToken', status: 400, target: 'continuationToken', run: running('&continuationToken=!!') },
  // Status and cancel.
  { name: 'status: unknown query parameter', status: 400, target: 'showInput', run: status(RUNNING_ID, '&showInput=true') },
  { name: 'status: malformed percent-encoding in the id', status: 400, target: 'instanceId', run: status('reboot-%zz-1') },
  { name: 'cancel: a body with fields', status: 400, target: 'body', run: cancel(RUNNING_ID, '{"force":true}') },
  { name: 'cancel: unknown query parameter', status: 400, target: 'reason', run: cancel(RUNNING_ID, undefined, '&reason=x') },
  // Fleet report.
  { name: 'report: unknown kind', status: 404, target: 'operation', run: report('', 'upgrade') },
  { name: 'report: connectionState not an enum value', status: 400, target: 'connectionState', run: report('connectionState=online') },
  { name: 'report: tagName without tagValue', status: 400, target: 'tagValue', run: report('tagName=site', 'firmwareUpdate') },
  { name: 'report: tagName with a quote', status: 400, target: 'tagName', run: report("tagName=a'b&tagValue=x", 'factoryReset') },
  { name: 'report: deviceIdPrefix with a space', status: 400, target: 'deviceIdPrefix', run: report('deviceIdPrefix=a%20b') },
  { name: 'report: unknown filter', status: 400, target: 'status', run: report('status=failed') },
  { name: 'report: repeated filter', status: 400, target: 'connectionState', run: report('connectionState=Connected&connectionState=Connected') },
];

test(`${CASES.length} bad requests: each answers its 4xx with { error: { code, message, target } } and does nothing`, async (t) => {
  assert.ok(CASES.filter((c) => c.status === 400).length >= 50);
  for (const c of CASES) {
    await t.test(c.name, async () => {
      const client = new FakeDurableClient();
      client.put(RUNNING_ID, { runtimeStatus: 'Running', input: { deviceId: 'dev-1' } });
      const response = await c.run(client);
      assert.equal(response.status, c.status, 'status');
      const json = response.jsonBody as { error: { code: string; message: string; target: string } };
      assert.equal(json.error.target, c.target, 'target');
      assert.equal(typeof json.error.code, 'string');
      assert.ok(json.error.message.length > 0 && !/\n\s+at /.test(json.error.message), 'a message, no stack');
      assert.match((response.headers as Record<string, string>)['Content-Type']!, /^application\/json/);
      assert.equal(client.started.length, 0, 'nothing started');
      assert.deepEqual(client.events, [], 'nothing raised');
    });
  }
  assert.equal(queries.length, 0, 'no twin query ran for a bad filter');
  assert.deepEqual((await leases.listHeld({ pageSize: 10 })).items, [], 'no device was locked by a bad request');
});
