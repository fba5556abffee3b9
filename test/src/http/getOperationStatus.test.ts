// GET /api/operations/{instanceId}: 202 while running, 200 once over (whatever the outcome), 404 when unknown.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { HttpRequest, InvocationContext, type HttpResponseInit } from '@azure/functions';
import { rebootInstanceId } from '../../../src/domain/operationIds';
import type { RebootOperationOutput } from '../../../src/domain/outcomes';
import { getOperationStatus } from '../../../src/http/getOperationStatus';
import { FakeDurableClient } from '../../support/fakeDurableClient';

const BASE = 'http://localhost:7071/api';
const ID = rebootInstanceId('dev-7', 2);
const input = { deviceId: 'dev-7', methodName: 'reboot', request: { pollIntervalSeconds: 12 } };
const context = (): InvocationContext => new InvocationContext({ functionName: 'getOperationStatus', invocationId: 'inv', logHandler: () => undefined });
const get = (id: string, query = '?code=key-1'): HttpRequest => new HttpRequest({ method: 'GET', url: `${BASE}/operations/${id}${query}` });
const json = (r: HttpResponseInit): Record<string, unknown> => r.jsonBody as Record<string, unknown>;
const headers = (r: HttpResponseInit): Record<string, string> => r.headers as Record<string, string>;

test('running (and pending, suspended, continued-as-new): 202 + Location to itself + Retry-After = the poll interval, custom status in the body', async () => {
  for (const runtimeStatus of ['Running', 'Pending', 'Suspended', 'ContinuedAsNew'] as const) {
    const client = new FakeDurableClient();
    const customStatus = { phase: 'awaiting-report', polls: 3, lastReported: null, deadline: '2025-01-01T00:10:00.000Z' };
    client.put(ID, { runtimeStatus, input, customStatus });
    const response = await getOperationStatus(get(ID), client, context());
    assert.equal(response.status, 202, runtimeStatus);
    assert.equal(headers(response).Location, `${BASE}/operations/${ID}?code=key-1`);
    assert.equal(headers(response)['Retry-After'], '12');
    assert.equal(json(response).runtimeStatus, runtimeStatus);
    assert.deepEqual(json(response).customStatus, customStatus);
    assert.equal(json(response).deviceId, 'dev-7');
  }
});

test('completed: 200 with the orchestration output, for every outcome', async () => {
  for (const outcome of ['Succeeded', 'TimedOut', 'Rejected', 'DeviceOffline', 'DeviceNotFound', 'Failed'] as const) {
    const client = new FakeDurableClient();
    const output: RebootOperationOutput = {
      deviceId: 'dev-7', operation: 'reboot', outcome, methodResponse: outcome === 'Rejected' ? { status: 409, payload: 'busy' } : null,
      requestedAt: '2025-01-01T00:00:00.000Z', acceptedAt: null, completedAt: '2025-01-01T00:00:30.000Z', durationMs: 30_000, polls: 0, lastReported: null,
    };
    client.put(ID, { runtimeStatus: 'Completed', input, output });
    const response = await getOperationStatus(get(ID), client, context());
    assert.equal(response.status, 200, outcome);
    assert.equal(headers(response).Location, undefined);
    assert.equal(json(response).outcome, outcome);
    assert.equal(json(response).runtimeStatus, 'Completed');
    assert.equal(json(response).durationMs, 30_000);
    assert.deepEqual(json(response).methodResponse, output.methodResponse);
  }
});

test('failed (exhausted retries, bugs) and terminated: 200 with outcome Failed and a sanitized reason', async () => {
  const client = new FakeDurableClient();
  client.put(ID, { runtimeStatus: 'Failed', input,
    output: "Orchestrator function 'rebootDevice' failed: RetriesExhausted: invoking 'reboot' failed 5 times: IoT Hub answered HTTP 503\n   at stack frame" });
  const failed = await getOperationStatus(get(ID), client, context());
  assert.equal(failed.status, 200);
  assert.equal(json(failed).outcome, 'Failed');
  assert.deepEqual(json(failed).error, { code: 'OperationFailed', message: "RetriesExhausted: invoking 'reboot' failed 5 times: IoT Hub answered HTTP 503" });

  client.put(ID, { runtimeStatus: 'Terminated', input, output: 'stopped by operator' });
  const terminated = await getOperationStatus(get(ID), client, context());
  assert.equal(terminated.status, 200);
  assert.equal(json(terminated).runtimeStatus, 'Terminated');
  assert.equal((json(terminated).error as { code: string }).code, 'OperationTerminated');
});

test('404 for an unknown id, for ids that are not reboot operations, and for other orchestrations', async () => {
  const client = new FakeDurableClient();
  const unknown = await getOperationStatus(get(rebootInstanceId('nobody', 1)), client, context());
  assert.equal(unknown.status, 404);
  assert.deepEqual(json(unknown).error, { code: 'OperationNotFound', message: 'No reboot operation has this id.', target: 'instanceId' });

  const queriesBefore = client.statusQueries.length;
  for (const id of ['abc', 'reboot-x', '..%2F..', '%zz']) {
    const response = await getOperationStatus(get(id), client, context());
    assert.ok(response.status === 404 || response.status === 400, id);
  }
  assert.equal(client.statusQueries.length, queriesBefore, 'malformed ids never reach the durable client');

  client.put(rebootInstanceId('other', 1), { runtimeStatus: 'Completed', name: 'someOtherOrchestrator', output: { secret: 'x' } });
  const other = await getOperationStatus(get(rebootInstanceId('other', 1)), client, context());
  assert.equal(other.status, 404);
});
