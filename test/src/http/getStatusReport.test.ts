// GET /api/reports/{operation} with a stand-in hub gateway (the real query runs against the emulator in the adapter tests).
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { HttpRequest } from '@azure/functions';
import { OPERATION_KINDS } from '../../../src/domain/operations/operationKind';
import { HubRequestError, TransientHubError, type FleetQuery, type IotHubGateway, type StatusCount } from '../../../src/domain/ports';
import { getStatusReport } from '../../../src/http/getStatusReport';
import { body, context, errorOf, headers } from './httpTestSupport';

const request = (operation: string, query = ''): HttpRequest => new HttpRequest({ method: 'GET', url: `http://localhost:7071/api/reports/${operation}?${query}` });

function hub(answer: () => Promise<StatusCount[]>): Pick<IotHubGateway, 'countByStatus'> & { calls: [string, FleetQuery][] } {
  const calls: [string, FleetQuery][] = [];
  return { calls, countByStatus: async (section, query) => { calls.push([section, query]); return answer(); } };
}

test("each kind: counts by its section's reported status with a total; validated filters reach the gateway", async (t) => {
  const counts: StatusCount[] = [{ status: 'completed', devices: 7 }, { status: null, devices: 3 }, { status: 'failed', devices: 1 }];
  for (const kind of OPERATION_KINDS) {
    await t.test(kind, async () => {
      const gateway = hub(async () => counts);
      const response = await getStatusReport(request(kind, 'code=k&connectionState=Connected&tagName=site&tagValue=north'), context(), {
        iotHub: gateway, now: () => new Date('2025-06-01T00:00:00Z'),
      });
      assert.equal(response.status, 200);
      assert.deepEqual(body(response), {
        operation: kind,
        reportedProperty: `iothubDM.${kind}.status`,
        generatedAt: '2025-06-01T00:00:00.000Z',
        filters: { connectionState: 'Connected', tag: { name: 'site', value: 'north' } },
        totalDevices: 11,
        byStatus: counts,
      });
      assert.deepEqual(gateway.calls, [[kind, { connectionState: 'Connected', tag: { name: 'site', value: 'north' } }]]);
    });
  }
});

test('an unknown report is 404 naming the kinds, and no query runs', async (t) => {
  for (const name of ['restart', 'Reboot', 'firmware', '__proto__', 'constructor', 'x'.repeat(300)]) {
    await t.test(name.slice(0, 20), async () => {
      const gateway = hub(async () => []);
      const response = await getStatusReport(request(name), context(), { iotHub: gateway });
      assert.equal(response.status, 404);
      assert.equal(errorOf(response).code, 'ReportNotFound');
      assert.equal(errorOf(response).target, 'operation');
      assert.match(errorOf(response).message, /reboot, factoryReset, firmwareUpdate/);
      assert.ok(errorOf(response).message.length < 200, 'the caller text is cut');
      assert.deepEqual(gateway.calls, []);
    });
  }
});

test('IoT Hub throttling → 503 with Retry-After; a refused query → 502; a bug → 500; none leaks details', async () => {
  const busy = await getStatusReport(request('reboot'), context(), { iotHub: hub(async () => { throw new TransientHubError('the twin query failed transiently: HTTP 429, error 429001'); }) });
  assert.equal(busy.status, 503);
  assert.equal(headers(busy)['Retry-After'], '10');
  assert.equal(errorOf(busy).code, 'IotHubUnavailable');
  assert.doesNotMatch(JSON.stringify(busy.jsonBody), /429001/);
  const refused = await getStatusReport(request('factoryReset'), context(), { iotHub: hub(async () => { throw new HubRequestError('the twin query failed: IoT Hub answered HTTP 401'); }) });
  assert.equal(refused.status, 502);
  assert.doesNotMatch(JSON.stringify(refused.jsonBody), /401/);
  const bug = await getStatusReport(request('firmwareUpdate'), context(), { iotHub: hub(async () => { throw new TypeError('boom'); }) });
  assert.equal(bug.status, 500);
  assert.doesNotMatch(JSON.stringify(bug.jsonBody), /boom|TypeError|at /);
});
