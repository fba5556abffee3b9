// An ES module app with an empty route prefix and overridableExistingInstanceStates = NonRunningStates.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startLocalHost, type LocalHost } from '../../../local/host/index';
import { fixtureApp, raiseEvent, waitForStatus, webhook } from './helpers';

describe('local host: ES module app, empty route prefix, 409 on running instance ids', () => {
  let host: LocalHost;
  before(async () => {
    host = await startLocalHost({ appRoot: fixtureApp('strict-app') });
  });
  after(async () => {
    await host.stop();
  });

  it('loads the ES module entry point and routes without a prefix', async () => {
    assert.deepEqual(host.functions.map((f) => f.name).sort(), ['Hold', 'Ping']);
    assert.equal(host.hubName, 'StrictHub');
    const res = await fetch(`${host.baseUrl}/ping`);
    assert.equal(res.status, 200);
    assert.equal(await res.text(), 'pong');
    assert.equal((await fetch(`${host.baseUrl}/api/ping`)).status, 404);
  });

  it('answers 409 when starting an id that is still running, and accepts it once finished', async () => {
    const start = () => fetch(webhook(host, 'orchestrators/Hold/held'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '1' });
    assert.equal((await start()).status, 202);
    await waitForStatus(host, 'held', (s) => s.runtimeStatus === 'Running');
    const conflict = await start();
    assert.equal(conflict.status, 409);
    assert.match(((await conflict.json()) as { Message: string }).Message, /already exists/);
    assert.equal(await raiseEvent(host, 'held', 'Release', 'bye'), 202);
    assert.equal((await waitForStatus(host, 'held')).output, 'bye');
    assert.equal((await start()).status, 202);
  });
});
