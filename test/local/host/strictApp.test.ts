// An ES module app with an empty route prefix and overridableExistingInstanceStates = AnyState.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startLocalHost, type LocalHost } from '../../../local/host/index';
import { fixtureApp, raiseEvent, waitForStatus, webhook } from './helpers';

describe('local host: ES module app, empty route prefix, AnyState overwrites running instance ids', () => {
  let host: LocalHost;
  before(async () => {
    host = await startLocalHost({ appRoot: fixtureApp('strict-app') });
  });
  after(async () => {
    await host.stop();
  });

  it('loads the ES module entry point and routes without a prefix', async () => {
    assert.deepEqual(host.functions.map((f) => f.name).sort(), ['Hold', 'Ping', 'Quick']);
    assert.equal(host.hubName, 'StrictHub');
    const res = await fetch(`${host.baseUrl}/ping`);
    assert.equal(res.status, 200);
    assert.equal(await res.text(), 'pong');
    assert.equal((await fetch(`${host.baseUrl}/api/ping`)).status, 404);
  });

  it('overwrites a running instance when host.json says overridableExistingInstanceStates = AnyState', async () => {
    const start = (name: string) => fetch(webhook(host, `orchestrators/${name}/held`), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '1' });
    assert.equal((await start('Hold')).status, 202);
    await waitForStatus(host, 'held', (s) => s.runtimeStatus === 'Running');
    assert.equal((await start('Quick')).status, 202);
    const status = await waitForStatus(host, 'held');
    assert.equal(status.name, 'Quick');
    assert.equal(status.output, 'quick 1');
    // The overwritten execution's events no longer reach anything.
    assert.equal(await raiseEvent(host, 'held', 'Release', 'late'), 410);
  });
});
