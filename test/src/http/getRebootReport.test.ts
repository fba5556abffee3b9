// GET /api/reports/reboot with a stand-in hub gateway (the real query runs against the emulator in the adapter tests).
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { HttpRequest, InvocationContext, type HttpResponseInit } from '@azure/functions';
import { HubRequestError, TransientHubError, type FleetQuery, type RebootStatusCount } from '../../../src/domain/ports';
import { getRebootReport } from '../../../src/http/getRebootReport';

const context = (): InvocationContext => new InvocationContext({ functionName: 'getRebootReport', invocationId: 'inv', logHandler: () => undefined });
const request = (query: string): HttpRequest => new HttpRequest({ method: 'GET', url: `http://localhost:7071/api/reports/reboot?${query}` });
const json = (r: HttpResponseInit): Record<string, unknown> => r.jsonBody as Record<string, unknown>;

test('counts by reported status with a total; validated filters reach the gateway', async () => {
  const seen: FleetQuery[] = [];
  const counts: RebootStatusCount[] = [{ status: 'completed', devices: 7 }, { status: null, devices: 3 }, { status: 'failed', devices: 1 }];
  const response = await getRebootReport(request('code=k&connectionState=Connected&tagName=site&tagValue=north'), context(), {
    iotHub: { countByRebootStatus: async (q) => { seen.push(q); return counts; } },
    now: () => new Date('2025-06-01T00:00:00Z'),
  });
  assert.equal(response.status, 200);
  assert.deepEqual(json(response), {
    generatedAt: '2025-06-01T00:00:00.000Z',
    filters: { connectionState: 'Connected', tag: { name: 'site', value: 'north' } },
    totalDevices: 11,
    byStatus: counts,
  });
  assert.deepEqual(seen, [{ connectionState: 'Connected', tag: { name: 'site', value: 'north' } }]);
});

test('IoT Hub throttling → 503 with Retry-After; a refused query → 502; neither leaks details', async () => {
  const busy = await getRebootReport(request(''), context(), { iotHub: { countByRebootStatus: async () => { throw new TransientHubError('the twin query failed transiently: IoT Hub answered HTTP 429 (HTTP 429, error 429001)'); } } });
  assert.equal(busy.status, 503);
  assert.equal((busy.headers as Record<string, string>)['Retry-After'], '10');
  assert.equal((json(busy).error as { code: string }).code, 'IotHubUnavailable');
  const refused = await getRebootReport(request(''), context(), { iotHub: { countByRebootStatus: async () => { throw new HubRequestError('the twin query failed: IoT Hub answered HTTP 401'); } } });
  assert.equal(refused.status, 502);
  assert.doesNotMatch(JSON.stringify(json(refused)), /401/);
  const bug = await getRebootReport(request(''), context(), { iotHub: { countByRebootStatus: async () => { throw new TypeError('boom'); } } });
  assert.equal(bug.status, 500);
  assert.doesNotMatch(JSON.stringify(json(bug)), /boom|TypeError|at /);
});
