// POST /api/operations/{instanceId}/cancel: 202 and a `cancel` event for a running operation, 409 naming the
// outcome once it is over, 404 for ids that are not operations of this app.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { HttpRequest } from '@azure/functions';
import { operationInstanceId } from '../../../src/domain/operationIds';
import { CANCEL_NOTE, cancelOperation } from '../../../src/http/cancelOperation';
import { CANCEL_EVENT } from '../../../src/orchestrations/deviceOperation';
import { FakeDurableClient, type RuntimeStatus } from '../../support/fakeDurableClient';
import { BASE, body, context, errorOf, headers } from './httpTestSupport';

const ID = operationInstanceId('firmwareUpdate', 'dev-c', 3);
const STATUS_URL = `${BASE}/operations/${ID}?code=key-9`;

function cancel(id: string, text?: string, query = '?code=key-9', contentType = 'application/json'): HttpRequest {
  return new HttpRequest({ method: 'POST', url: `${BASE}/operations/${id}/cancel${query}`, body: text === undefined ? undefined : { string: text },
    headers: { 'content-type': contentType } });
}

test('a running operation: 202 Canceling, Location → its status, and exactly one cancel event raised on it', async (t) => {
  for (const runtimeStatus of ['Running', 'Pending', 'Suspended', 'ContinuedAsNew'] as const) {
    await t.test(runtimeStatus, async () => {
      const client = new FakeDurableClient();
      client.put(ID, { runtimeStatus, input: { deviceId: 'dev-c' } });
      const response = await cancelOperation(cancel(ID), client, context());
      assert.equal(response.status, 202);
      assert.deepEqual(body(response), { instanceId: ID, status: 'Canceling', statusUrl: STATUS_URL, note: CANCEL_NOTE });
      assert.equal(headers(response).Location, STATUS_URL);
      assert.equal(headers(response)['Retry-After'], '1');
      assert.equal(client.events.length, 1);
      const [event] = client.events;
      assert.equal(event!.instanceId, ID);
      assert.equal(event!.eventName, CANCEL_EVENT);
      assert.equal(event!.delivered, true);
      assert.ok(!Number.isNaN(Date.parse((event!.eventData as { requestedAt: string }).requestedAt)));
    });
  }
  await t.test('an empty JSON object as body is accepted', async () => {
    const client = new FakeDurableClient();
    client.put(ID, { runtimeStatus: 'Running' });
    assert.equal((await cancelOperation(cancel(ID, '{}'), client, context())).status, 202);
  });
});

test('an operation that is over: 409 naming its outcome, no event', async (t) => {
  const cases: { runtimeStatus: RuntimeStatus; output: unknown; outcome: string }[] = [
    { runtimeStatus: 'Completed', output: { outcome: 'Succeeded' }, outcome: 'Succeeded' },
    { runtimeStatus: 'Completed', output: { outcome: 'Canceled' }, outcome: 'Canceled' },
    { runtimeStatus: 'Completed', output: { outcome: 'DeliveryUnconfirmed' }, outcome: 'DeliveryUnconfirmed' },
    { runtimeStatus: 'Terminated', output: 'by operator', outcome: 'Canceled' },
    { runtimeStatus: 'Failed', output: 'boom', outcome: 'Failed' },
  ];
  for (const c of cases) {
    await t.test(`${c.runtimeStatus} → ${c.outcome}`, async () => {
      const client = new FakeDurableClient();
      client.put(ID, { runtimeStatus: c.runtimeStatus, output: c.output });
      const response = await cancelOperation(cancel(ID), client, context());
      assert.equal(response.status, 409);
      assert.deepEqual(errorOf(response), { code: 'OperationFinished', message: `The operation is already over with outcome ${c.outcome}.`, target: 'instanceId' });
      assert.deepEqual([body(response).instanceId, body(response).outcome, body(response).statusUrl], [ID, c.outcome, STATUS_URL]);
      assert.equal(headers(response).Location, STATUS_URL);
      assert.deepEqual(client.events, []);
    });
  }
});

test('404: unknown ids, ids that are not ours (never asked of Durable), other orchestrations', async (t) => {
  const client = new FakeDurableClient();
  client.put(operationInstanceId('reboot', 'x', 1), { runtimeStatus: 'Running', name: 'anotherOrchestrator' });
  for (const id of [operationInstanceId('reboot', 'nobody', 1), 'not-an-operation', operationInstanceId('reboot', 'x', 1)]) {
    await t.test(id, async () => {
      const response = await cancelOperation(cancel(id), client, context());
      assert.equal(response.status, 404);
      assert.equal(errorOf(response).code, 'OperationNotFound');
    });
  }
  assert.deepEqual(client.statusQueries, [operationInstanceId('reboot', 'nobody', 1), operationInstanceId('reboot', 'x', 1)]);
  assert.deepEqual(client.events, []);
});

test('bad requests: a body with fields, not JSON, or unknown query parameters; nothing raised', async (t) => {
  const cases: [string, HttpRequest, number, string][] = [
    ['a body with fields', cancel(ID, '{"reason":"because"}'), 400, 'body'],
    ['a JSON array', cancel(ID, '[]'), 400, 'body'],
    ['not JSON', cancel(ID, 'cancel please'), 400, 'body'],
    ['form data', cancel(ID, 'a=b', '?code=key-9', 'application/x-www-form-urlencoded'), 415, 'Content-Type'],
    ['an unknown query parameter', cancel(ID, undefined, '?code=k&force=true'), 400, 'force'],
    ['a body over 1 KB', cancel(ID, JSON.stringify({ pad: 'x'.repeat(2000) })), 413, 'body'],
  ];
  for (const [name, request, status, target] of cases) {
    await t.test(name, async () => {
      const client = new FakeDurableClient();
      client.put(ID, { runtimeStatus: 'Running' });
      const response = await cancelOperation(request, client, context());
      assert.equal(response.status, status);
      assert.equal(errorOf(response).target, target);
      assert.deepEqual(client.events, []);
    });
  }
});

test('the fake answers like the real client: an event for a finished instance is dropped silently, an unknown one rejects', async () => {
  const client = new FakeDurableClient();
  client.put(ID, { runtimeStatus: 'Completed' });
  await client.raiseEvent(ID, CANCEL_EVENT, {});
  assert.deepEqual(client.events.map((e) => e.delivered), [false]);
  await assert.rejects(client.raiseEvent('nope', CANCEL_EVENT, {}), /No instance with ID 'nope' found/);
});
