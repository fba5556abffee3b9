// The in-memory durable client the HTTP tests use answers the way durable-functions' DurableClient does against
// the extension: errors and silences included, so a handler tested with it meets no surprise on the real host.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { FUNCTION } from '../../../src/functionNames';
import { findInstance } from '../../../src/http/durableStatus';
import { FakeDurableClient, NON_RUNNING_STATES, type RuntimeStatus } from '../../support/fakeDurableClient';

const ALL: RuntimeStatus[] = ['Pending', 'Running', 'Completed', 'Failed', 'Terminated', 'Canceled', 'ContinuedAsNew', 'Suspended'];

test('startNew over an existing instance: only NonRunningStates may be replaced', async (t) => {
  for (const runtimeStatus of ALL) {
    await t.test(runtimeStatus, async () => {
      const client = new FakeDurableClient();
      client.put('id-1', { runtimeStatus });
      const start = client.startNew(FUNCTION.deviceOperationOrchestrator, { instanceId: 'id-1', input: { a: 1 } });
      if (NON_RUNNING_STATES.includes(runtimeStatus)) {
        assert.equal(await start, 'id-1');
        assert.equal(client.instances.get('id-1')?.runtimeStatus, 'Pending');
      } else {
        await assert.rejects(start, /unexpected status code/);
        assert.equal(client.instances.get('id-1')?.runtimeStatus, runtimeStatus);
      }
    });
  }
});

test('raiseEvent: an unknown instance rejects as the client does on 404; a finished one is dropped silently (410)', async (t) => {
  for (const runtimeStatus of ALL) {
    await t.test(runtimeStatus, async () => {
      const client = new FakeDurableClient();
      client.put('id-2', { runtimeStatus });
      await client.raiseEvent('id-2', 'cancel', { x: 1 });
      assert.deepEqual(client.events, [{ instanceId: 'id-2', eventName: 'cancel', eventData: { x: 1 }, delivered: !NON_RUNNING_STATES.includes(runtimeStatus) }]);
    });
  }
  await t.test('unknown instance', async () => {
    await assert.rejects(new FakeDurableClient().raiseEvent('nope', 'cancel', null), { message: "No instance with ID 'nope' found." });
  });
  await t.test('no event name', async () => {
    await assert.rejects(new FakeDurableClient().raiseEvent('nope', '', null), { message: 'eventName must be a valid string.' });
  });
});

test("getStatus: the library's status object; an unknown instance is the client's 404 error, which findInstance reads as null", async () => {
  const client = new FakeDurableClient();
  client.put('id-3', { runtimeStatus: 'Running', input: { deviceId: 'd' }, customStatus: { phase: 'invoking' } });
  const status = await client.getStatus('id-3');
  assert.equal(status.constructor.name, 'DurableOrchestrationStatus');
  assert.deepEqual([status.name, status.runtimeStatus, status.input, status.customStatus], [FUNCTION.deviceOperationOrchestrator, 'Running', { deviceId: 'd' }, { phase: 'invoking' }]);
  await assert.rejects(client.getStatus('nope'), /HTTP 404/);
  assert.equal(await findInstance(client, 'nope'), null);
});
