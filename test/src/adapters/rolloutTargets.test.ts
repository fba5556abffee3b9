// The rollout target resolver against the local emulator with the real azure-iothub SDK: a target larger than
// one query page (1,000 twins) is read page by page, each page once. Before the fix, Query.next() was called
// without the continuation token, which azure-iothub's promise form takes as "page one again": a 10,000-device
// target re-read page one until the hub throttled the query (S1: 20/min) and the rollout failed.
import { after, before, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { startIotHubEmulator, type RunningIotHubEmulator } from '../../../local/iothub';
import { createServiceClients } from '../../../src/adapters/iothub/serviceClients';
import { TwinQueryTargetSource } from '../../../src/adapters/iothub/rolloutTargets';
import { parseServiceConnectionString } from '../../../src/config';

let hub: RunningIotHubEmulator;
const ids = (prefix: string, count: number): string[] => Array.from({ length: count }, (_, i) => `${prefix}-${String(i).padStart(5, '0')}`);
const TAGGED = ids('target', 2_345);

before(async () => {
  hub = await startIotHubEmulator();
  await hub.admin.createDevices(TAGGED, { tags: { ring: 'wide' } });
  await hub.admin.createDevices(ids('other', 10));
});
after(async () => {
  await hub.stop();
});

function source(): TwinQueryTargetSource {
  return new TwinQueryTargetSource(createServiceClients(parseServiceConnectionString(hub.serviceConnectionString), hub.caCertPem).registry);
}

test('a target of several query pages: every matching device once, one query per page', { timeout: 30_000 }, async () => {
  const before = hub.admin.counters().queries;
  const resolution = await source().resolve({ tags: [{ name: 'ring', value: 'wide' }] }, 10_000);
  assert.deepEqual(resolution, { kind: 'resolved', deviceIds: TAGGED });
  assert.equal(hub.admin.counters().queries - before, 3, '2,345 twins in pages of 1,000');
});

test('beyond the limit: tooMany, found while paging', { timeout: 30_000 }, async () => {
  const resolution = await source().resolve({ tags: [{ name: 'ring', value: 'wide' }] }, 1_500);
  assert.deepEqual(resolution, { kind: 'tooMany', limit: 1_500 });
});
