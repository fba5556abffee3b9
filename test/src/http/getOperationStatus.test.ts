// GET /api/operations/{instanceId}: 202 while running, 200 once over (whatever the outcome), 404 when unknown.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { HttpRequest } from '@azure/functions';
import { operationInstanceId } from '../../../src/domain/operationIds';
import { OPERATION_KINDS } from '../../../src/domain/operations/operationKind';
import { OUTCOMES, type OperationOutput } from '../../../src/domain/outcomes';
import { getOperationStatus } from '../../../src/http/getOperationStatus';
import { FakeDurableClient, type RuntimeStatus } from '../../support/fakeDurableClient';
import { BASE, body, context, errorOf, headers } from './httpTestSupport';

const ID = operationInstanceId('factoryReset', 'dev-7', 2);
const input = { deviceId: 'dev-7', operation: 'factoryReset', request: { pollIntervalSeconds: 12 } };
const get = (id: string, query = '?code=key-1'): HttpRequest => new HttpRequest({ method: 'GET', url: `${BASE}/operations/${id}${query}` });

function output(outcome: OperationOutput['outcome']): OperationOutput {
  return {
    deviceId: 'dev-7', operation: 'factoryReset', outcome, delivery: outcome === 'DeliveryUnconfirmed' ? 'unknown' : 'delivered',
    methodResponse: outcome === 'Rejected' ? { status: 409, payload: 'busy' } : null, requestedAt: '2025-01-01T00:00:00.000Z', acceptedAt: null,
    completedAt: '2025-01-01T00:00:30.000Z', durationMs: 30_000, polls: 0, step: null, firmwareVersion: null, lastReported: null, deviceActivity: null,
    error: outcome === 'Succeeded' ? null : { code: outcome, message: 'why' },
  };
}

test('running, pending, suspended, continued-as-new: 202 + Location to itself + Retry-After = the poll interval + cancel URL', async (t) => {
  for (const runtimeStatus of ['Running', 'Pending', 'Suspended', 'ContinuedAsNew'] as const) {
    await t.test(runtimeStatus, async () => {
      const client = new FakeDurableClient();
      const customStatus = { phase: 'awaiting-report', delivery: 'delivered', step: 'resetting', polls: 3, lastReported: null, deadline: '2025-01-01T00:10:00.000Z' };
      client.put(ID, { runtimeStatus, input, customStatus });
      const response = await getOperationStatus(get(ID), client, context());
      assert.equal(response.status, 202);
      assert.equal(headers(response).Location, `${BASE}/operations/${ID}?code=key-1`);
      assert.equal(headers(response)['Retry-After'], '12');
      assert.deepEqual(body(response), {
        instanceId: ID, deviceId: 'dev-7', operation: 'factoryReset', runtimeStatus, createdTime: '2025-01-01T00:00:00.000Z',
        lastUpdatedTime: '2025-01-01T00:00:05.000Z', customStatus, statusUrl: `${BASE}/operations/${ID}?code=key-1`,
        cancelUrl: `${BASE}/operations/${ID}/cancel?code=key-1`,
      });
      assert.ok(!JSON.stringify(response).includes('pollIntervalSeconds'), 'the input itself is not shown');
    });
  }
});

test('completed: 200 with the orchestration output, for every outcome', async (t) => {
  for (const outcome of OUTCOMES) {
    await t.test(outcome, async () => {
      const client = new FakeDurableClient();
      client.put(ID, { runtimeStatus: 'Completed', input, output: output(outcome) });
      const response = await getOperationStatus(get(ID), client, context());
      assert.equal(response.status, 200);
      assert.equal(headers(response).Location, undefined);
      assert.deepEqual(body(response), {
        instanceId: ID, runtimeStatus: 'Completed',
        createdTime: '2025-01-01T00:00:00.000Z', lastUpdatedTime: '2025-01-01T00:00:05.000Z', ...output(outcome),
      });
    });
  }
});

test('the operation kind is read from the instance id for every kind', async (t) => {
  for (const kind of OPERATION_KINDS) {
    await t.test(kind, async () => {
      const client = new FakeDurableClient();
      const id = operationInstanceId(kind, 'dev-k', 1);
      client.put(id, { runtimeStatus: 'Running', input: { deviceId: 'dev-k' } });
      assert.equal(body(await getOperationStatus(get(id), client, context())).operation, kind);
    });
  }
});

test('ended without an output: terminated → Canceled; failed → Failed with a sanitized reason', async (t) => {
  const cases: { runtimeStatus: RuntimeStatus; output: unknown; outcome: string; error: { code: string; message: string } }[] = [
    { runtimeStatus: 'Terminated', output: 'stopped by operator', outcome: 'Canceled',
      error: { code: 'OperationTerminated', message: 'The operation was terminated before it finished.' } },
    { runtimeStatus: 'Failed', outcome: 'Failed',
      output: "Orchestrator function 'deviceOperation' failed: TypeError: boom\n   at stack frame (dist/x.js:1:1)",
      error: { code: 'OperationFailed', message: 'TypeError: boom' } },
    { runtimeStatus: 'Failed', output: null, outcome: 'Failed', error: { code: 'OperationFailed', message: 'The operation failed.' } },
    { runtimeStatus: 'Canceled', output: null, outcome: 'Failed', error: { code: 'OperationCanceled', message: 'The operation was canceled before it finished.' } },
  ];
  for (const c of cases) {
    await t.test(`${c.runtimeStatus} with ${JSON.stringify(c.output)?.slice(0, 30)}`, async () => {
      const client = new FakeDurableClient();
      client.put(ID, { runtimeStatus: c.runtimeStatus, input, output: c.output, customStatus: { phase: 'invoking' } });
      const response = await getOperationStatus(get(ID), client, context());
      assert.equal(response.status, 200);
      assert.equal(body(response).runtimeStatus, c.runtimeStatus);
      assert.equal(body(response).outcome, c.outcome);
      assert.deepEqual(body(response).error, c.error);
      assert.deepEqual(body(response).customStatus, { phase: 'invoking' });
      assert.doesNotMatch(JSON.stringify(response.jsonBody), /wwwroot|at stack/);
    });
  }
});

test('404 for unknown ids, ids that are not ours (never asked of Durable), and other orchestrations', async (t) => {
  const client = new FakeDurableClient();
  await t.test('unknown', async () => {
    const response = await getOperationStatus(get(operationInstanceId('reboot', 'nobody', 1)), client, context());
    assert.equal(response.status, 404);
    assert.deepEqual(errorOf(response), { code: 'OperationNotFound', message: 'No device operation has this id.', target: 'instanceId' });
  });
  for (const id of ['abc', 'reboot-x', '..%2F..', 'reboot-x-0', 'upgrade-x-1', 'reboot-x-1%2F..']) {
    await t.test(`not ours: ${id}`, async () => {
      const before = client.statusQueries.length;
      const response = await getOperationStatus(get(id), client, context());
      assert.equal(response.status, 404);
      assert.equal(client.statusQueries.length, before, 'never reaches the durable client');
    });
  }
  await t.test('malformed percent-encoding', async () => {
    assert.equal((await getOperationStatus(get('%zz'), client, context())).status, 400);
  });
  await t.test('another orchestration with an id of our shape', async () => {
    client.put(operationInstanceId('reboot', 'other', 1), { runtimeStatus: 'Completed', name: 'someOtherOrchestrator', output: { secret: 'x' } });
    const response = await getOperationStatus(get(operationInstanceId('reboot', 'other', 1)), client, context());
    assert.equal(response.status, 404);
    assert.doesNotMatch(JSON.stringify(response.jsonBody), /secret/);
  });
});

test('unknown or repeated query parameters are refused; code is allowed', async () => {
  const client = new FakeDurableClient();
  client.put(ID, { runtimeStatus: 'Running', input });
  assert.equal((await getOperationStatus(get(ID, '?showHistory=true'), client, context())).status, 400);
  assert.equal((await getOperationStatus(get(ID, '?code=a&code=b'), client, context())).status, 400);
  assert.equal((await getOperationStatus(get(ID, '?code=a'), client, context())).status, 202);
});

test('a Durable client failure other than 404 is a 500 without details', async () => {
  const client = new FakeDurableClient();
  client.getStatus = async () => { throw new Error('The operation failed with an unexpected status code: 500. Details: secret-stack'); };
  const response = await getOperationStatus(get(ID), client, context());
  assert.equal(response.status, 500);
  assert.doesNotMatch(JSON.stringify(response.jsonBody), /secret-stack/);
});
