// Entities and callHttp are not implemented: the host says so, naming the API and the README's list of
// differences, at startup (an app that registers an entity) or at first use (an orchestrator's action, a client's
// call to the entities HTTP API).
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import { startLocalHost } from '../../../local/host/index';
import { completes, loadDurableTestEnvironment } from '../../../local/host/testing/durableTestEnvironment';
import { fixtureApp, webhook } from './helpers';

const README_POINTER = /What it does not implement.*README\.md/;

test('an app that registers a durable entity is refused at startup, naming the entity and the README', async () => {
  await assert.rejects(startLocalHost({ appRoot: fixtureApp('entity-app') }), (err: Error) => {
    assert.match(err.message, /df\.app\.entity: Counter/);
    assert.match(err.message, README_POINTER);
    return true;
  });
});

test('an orchestrator that calls an unimplemented API fails at that call with a message naming it', async (t) => {
  const env = loadDurableTestEnvironment([path.join(fixtureApp('entity-app'), 'orchestrations.cjs')]);
  const cases: [string, RegExp][] = [
    ['UsesCallHttp', /called context\.df\.callHttp/],
    ['UsesCallEntity', /called context\.df\.callEntity/],
    ['UsesSignalEntity', /called context\.df\.signalEntity/],
  ];
  for (const [orchestratorName, api] of cases) {
    await t.test(orchestratorName, async () => {
      const result = await env.run({ orchestratorName, instanceId: `i-${orchestratorName}`, input: null, startAt: new Date('2025-01-01T00:00:00Z'), activities: { Echo: (call) => completes(call.input) } });
      assert.equal(result.runtimeStatus, 'Failed');
      assert.match(result.error ?? '', api);
      assert.match(result.error ?? '', README_POINTER);
      assert.deepEqual(result.calls, [], 'nothing after the refused call ran');
    });
  }
  await t.test('an orchestrator using only supported APIs completes (the refusal is specific)', async () => {
    const result = await env.run({ orchestratorName: 'Supported', instanceId: 'i-supported', input: 'hi', startAt: new Date('2025-01-01T00:00:00Z'), activities: { Echo: (call) => completes(call.input) } });
    assert.equal(result.runtimeStatus, 'Completed', result.error);
    assert.equal(result.output, 'hi');
  });
});

test('the entities HTTP API answers 501 naming the client APIs and the README', async (t) => {
  const host = await startLocalHost({ appRoot: fixtureApp('timeout-app') });
  t.after(() => host.stop());
  for (const [method, route] of [['GET', 'entities/Counter/c1'], ['POST', 'entities/Counter/c1?op=add'], ['GET', 'entities']] as const) {
    await t.test(`${method} ${route}`, async () => {
      const res = await fetch(webhook(host, route), { method, body: method === 'POST' ? '1' : undefined, headers: method === 'POST' ? { 'content-type': 'application/json' } : {} });
      assert.equal(res.status, 501);
      const body = (await res.json()) as { Message: string };
      assert.match(body.Message, /client\.signalEntity, client\.readEntityState/);
      assert.match(body.Message, README_POINTER);
    });
  }
});
