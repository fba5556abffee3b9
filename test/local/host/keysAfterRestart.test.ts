// Keys live in the host's store: a restarted host on the same storage honours every URL it handed out
// (function key in app URLs, system key in the Durable management URLs, master key); pinned keys win and
// are kept for later starts.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startAzurite, type RunningAzurite } from '../../../local/azurite/index';
import { MemoryStore, type LocalHost } from '../../../local/host/index';
import { startScenarioHost, waitForStatus } from './helpers';

/** The same path and query on another host (the port of a restarted host may differ). */
function on(host: LocalHost, url: string): string {
  const u = new URL(url);
  return `${host.baseUrl}${u.pathname}${u.search}`;
}

describe('local host: keys survive restarts', () => {
  let azurite: RunningAzurite;
  before(async () => {
    azurite = await startAzurite();
  });
  after(async () => {
    await azurite.stop();
  });

  it('a restarted host on Azurite answers the URLs the first one handed out', async () => {
    const first = await startScenarioHost({ storage: azurite.connectionString });
    let handedOut: { statusQueryGetUri: string; terminatePostUri: string; id: string };
    let functionUrl: string;
    try {
      functionUrl = `${first.baseUrl}/api/orchestrators/Waiter?code=${encodeURIComponent(first.functionKey)}`;
      const res = await fetch(functionUrl, { method: 'POST' });
      assert.equal(res.status, 202);
      handedOut = (await res.json()) as typeof handedOut;
    } finally {
      await first.stop();
    }
    const second = await startScenarioHost({ storage: azurite.connectionString });
    try {
      assert.equal(second.functionKey, first.functionKey);
      assert.equal(second.systemKey, first.systemKey);
      assert.equal(second.masterKey, first.masterKey);
      const status = await fetch(on(second, handedOut.statusQueryGetUri));
      assert.equal(status.status, 202, 'the status URL (system key) still works');
      assert.equal(((await status.json()) as { runtimeStatus: string }).runtimeStatus, 'Running');
      const again = await fetch(on(second, functionUrl), { method: 'POST' });
      assert.equal(again.status, 202, 'the function URL (function key) still works');
      const terminate = await fetch(on(second, handedOut.terminatePostUri.replace('{text}', 'bye')), { method: 'POST' });
      assert.equal(terminate.status, 202);
      const admin = await fetch(`${second.baseUrl}/api/client-payload`, { headers: { 'x-functions-key': first.masterKey } });
      assert.equal(admin.status, 200, 'the master key still works');
      const wrong = await fetch(`${second.baseUrl}/api/orchestrators/Waiter?code=not-a-key`, { method: 'POST' });
      assert.equal(wrong.status, 401);
    } finally {
      await second.stop();
    }
  });

  it('pinned keys win and are kept for the next start; a store of its own gets new keys', async () => {
    const store = new MemoryStore();
    const pinned = await startScenarioHost({ storage: store, keys: { functionKey: 'pinned-function-key' } });
    const generatedMaster = pinned.masterKey;
    await pinned.stop();
    const later = await startScenarioHost({ storage: store });
    try {
      assert.equal(later.functionKey, 'pinned-function-key');
      assert.equal(later.masterKey, generatedMaster);
      const id = 'pinned-key-run';
      const res = await fetch(`${later.baseUrl}/api/orchestrators/Sequence/${id}?code=pinned-function-key`, { method: 'POST' });
      assert.equal(res.status, 202);
      assert.equal((await waitForStatus(later, id)).runtimeStatus, 'Completed');
    } finally {
      await later.stop();
    }
    const other = await startScenarioHost({ storage: new MemoryStore() });
    try {
      assert.notEqual(other.functionKey, 'pinned-function-key');
      assert.notEqual(other.masterKey, generatedMaster);
    } finally {
      await other.stop();
    }
  });
});
