// Caller mistakes on every route: each answers 4xx with the error envelope naming the field — never 500,
// never a stack trace — and starts nothing.
import { after, before, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { HttpRequest, InvocationContext, type HttpResponseInit } from '@azure/functions';
import { startAzurite, type RunningAzurite } from '../../../local/azurite';
import { TableOperationsStore } from '../../../src/adapters/operationsStore';
import type { FleetQuery, IotHubGateway } from '../../../src/domain/ports';
import { getRebootReport } from '../../../src/http/getRebootReport';
import { listDeviceOperations } from '../../../src/http/listDeviceOperations';
import { startReboot, type StartRebootDependencies } from '../../../src/http/startReboot';
import { FakeDurableClient } from '../../support/fakeDurableClient';

const BASE = 'http://localhost:7071/api';
const RETRY = { firstRetryIntervalMs: 1000, maxAttempts: 3, backoffCoefficient: 2, maxRetryIntervalMs: 10_000 };

let azurite: RunningAzurite;
let store: TableOperationsStore;
let deps: StartRebootDependencies;
const queries: FleetQuery[] = [];
const hub: Pick<IotHubGateway, 'countByRebootStatus'> = {
  countByRebootStatus: async (query) => {
    queries.push(query);
    return [];
  },
};

before(async () => {
  azurite = await startAzurite();
  store = TableOperationsStore.fromConnection({ kind: 'connectionString', connectionString: azurite.connectionString, tableName: 'BadRequestTest' });
  deps = { operations: store, rebootMethodName: 'reboot', retry: { invoke: RETRY, read: RETRY, record: RETRY } };
});
after(async () => {
  await azurite.stop();
});

const context = (): InvocationContext => new InvocationContext({ functionName: 'test', invocationId: 'inv', logHandler: () => undefined });

interface Case {
  name: string;
  status: number;
  target: string;
  run: (client: FakeDurableClient) => Promise<HttpResponseInit>;
}

function start(deviceSegment: string, body?: string, contentType = 'application/json'): (client: FakeDurableClient) => Promise<HttpResponseInit> {
  return (client) => startReboot(new HttpRequest({
    method: 'POST', url: `${BASE}/devices/${deviceSegment}/reboot?code=k`,
    body: body === undefined ? undefined : { string: body }, headers: { 'content-type': contentType },
  }), client, context(), deps);
}
const startWith = (fields: Record<string, unknown>): ((client: FakeDurableClient) => Promise<HttpResponseInit>) => start('dev-1', JSON.stringify(fields));
const history = (deviceSegment: string, query = ''): (() => Promise<HttpResponseInit>) =>
  () => listDeviceOperations(new HttpRequest({ method: 'GET', url: `${BASE}/devices/${deviceSegment}/operations?code=k${query}` }), context(), { operations: store });
const report = (query: string): (() => Promise<HttpResponseInit>) =>
  () => getRebootReport(new HttpRequest({ method: 'GET', url: `${BASE}/reports/reboot?${query}` }), context(), { iotHub: hub });

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
  // Body.
  { name: 'body is not JSON', status: 400, target: 'body', run: start('dev-1', '{"timeoutSeconds": ') },
  { name: 'body is a JSON array', status: 400, target: 'body', run: start('dev-1', '[]') },
  { name: 'body is a JSON string', status: 400, target: 'body', run: start('dev-1', '"reboot"') },
  { name: 'body is JSON null', status: 400, target: 'body', run: start('dev-1', 'null') },
  { name: 'unknown field', status: 400, target: 'foo', run: startWith({ foo: 1 }) },
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
  { name: 'body over the size limit', status: 413, target: 'body', run: start('dev-1', JSON.stringify({ payload: 'y'.repeat(300 * 1024) })) },
  { name: 'body that is not JSON by Content-Type', status: 415, target: 'Content-Type', run: start('dev-1', 'reboot=now', 'application/x-www-form-urlencoded') },
  // Device history.
  { name: 'history: top = 0', status: 400, target: 'top', run: history('dev-1', '&top=0') },
  { name: 'history: top above 100', status: 400, target: 'top', run: history('dev-1', '&top=101') },
  { name: 'history: top not a number', status: 400, target: 'top', run: history('dev-1', '&top=ten') },
  { name: 'history: unknown query parameter', status: 400, target: 'since', run: history('dev-1', '&since=yesterday') },
  { name: 'history: malformed continuationToken', status: 400, target: 'continuationToken', run: history('dev-1', '&continuationToken=%25%25%25') },
  { name: 'history: empty continuationToken', status: 400, target: 'continuationToken', run: history('dev-1', '&continuationToken=') },
  { name: 'history: invalid device id', status: 400, target: 'deviceId', run: history('a%20b') },
  // Fleet report.
  { name: 'report: connectionState not an enum value', status: 400, target: 'connectionState', run: report('connectionState=online') },
  { name: 'report: tagName without tagValue', status: 400, target: 'tagValue', run: report('tagName=site') },
  { name: 'report: tagName with a quote', status: 400, target: 'tagName', run: report("tagName=a'b&tagValue=x") },
  { name: 'report: deviceIdPrefix with a space', status: 400, target: 'deviceIdPrefix', run: report('deviceIdPrefix=a%20b') },
  { name: 'report: unknown filter', status: 400, target: 'status', run: report('status=failed') },
];

test(`${CASES.length} bad requests: each answers its 4xx with { error: { code, message, target } } naming the field`, async () => {
  assert.ok(CASES.filter((c) => c.status === 400).length >= 25);
  for (const c of CASES) {
    const client = new FakeDurableClient();
    const response = await c.run(client);
    assert.equal(response.status, c.status, `${c.name}: status`);
    const json = response.jsonBody as { error: { code: string; message: string; target: string } };
    assert.equal(json.error.target, c.target, `${c.name}: target`);
    assert.equal(typeof json.error.code, 'string', c.name);
    assert.ok(json.error.message.length > 0 && !/\n\s+at /.test(json.error.message), `${c.name}: a message, no stack`);
    assert.match((response.headers as Record<string, string>)['Content-Type']!, /^application\/json/, c.name);
    assert.equal(client.started.length, 0, `${c.name}: nothing started`);
  }
  assert.equal(queries.length, 0, 'no twin query ran for a bad filter');
});
