// The Azure Table store on a real Azurite: orchestrations, queries with continuation, purge, and
// payloads beyond the 64 KiB property / 1 MiB entity limits (chunked).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TableClient } from '@azure/data-tables';
import { startAzurite, type RunningAzurite } from '../../../local/azurite/index';
import type { LocalHost } from '../../../local/host/index';
import { encodeKey, TableStore } from '../../../local/host/store/tableStore';
import { getStatus, idTrail, startInstance, startScenarioHost, waitForStatus, webhook } from './helpers';

describe('local host: Azure Table store (Azurite)', () => {
  let azurite: RunningAzurite;
  let host: LocalHost;
  before(async () => {
    azurite = await startAzurite();
    host = await startScenarioHost({ storage: azurite.connectionString });
  });
  after(async () => {
    await host.stop();
    await azurite.stop();
  });

  it('runs orchestrations with retries and sub-orchestrations on tables named after the hub', async () => {
    const id = await startInstance(host, 'SubOrchestrationWithRetry');
    const status = await waitForStatus(host, id);
    assert.equal(status.runtimeStatus, 'Completed', JSON.stringify(status));
    assert.equal(idTrail(await host.history(id)).length, 8);
    const table = TableClient.fromConnectionString(azurite.connectionString, 'ScenarioHubInstances', { allowInsecureConnection: true });
    const row = await table.getEntity<Record<string, unknown>>(encodeKey(id), '');
    assert.equal(row.RuntimeStatus, 'Completed');
  });

  it('stores inputs and outputs beyond the Azure Table size limits', async () => {
    const medium = 'm'.repeat(100_000); // > 64 KiB as UTF-16: chunked inside the entity
    const large = 'é'.repeat(1_500_000); // > 1 MiB: overflow rows
    for (const input of [medium, large]) {
      const id = await startInstance(host, 'BigEcho', input);
      const status = await waitForStatus(host, id, undefined, 60_000);
      assert.equal(status.runtimeStatus, 'Completed');
      // Booleans, not the values: a failure must not print megabytes.
      assert.ok(status.output === input, `output of ${String((status.output as string | undefined)?.length)} chars round-trips`);
      assert.deepEqual(status.customStatus, { length: input.length });
      const history = await host.history(id);
      const result = history.find((e) => e.EventType === 5)?.Result;
      assert.ok(result === JSON.stringify(input), `TaskCompleted.Result of ${String((result as string | undefined)?.length)} chars round-trips`);
    }
  });

  it('pages instance queries with a continuation token and purges', async () => {
    for (let i = 0; i < 3; i++) await waitForStatus(host, await startInstance(host, 'Sequence', undefined, `tbl page%${i}`));
    const first = await fetch(webhook(host, `instances/?instanceIdPrefix=${encodeURIComponent('tbl page%')}&top=2`));
    const token = first.headers.get('x-ms-continuation-token');
    assert.equal(((await first.json()) as unknown[]).length, 2);
    assert.ok(token);
    const second = await fetch(webhook(host, `instances/?instanceIdPrefix=${encodeURIComponent('tbl page%')}&top=2`), { headers: { 'x-ms-continuation-token': token } });
    assert.deepEqual(((await second.json()) as { instanceId: string }[]).map((s) => s.instanceId), ['tbl page%2']);
    assert.equal(second.headers.get('x-ms-continuation-token'), null);
    const purge = await fetch(webhook(host, `instances/${encodeURIComponent('tbl page%0')}`), { method: 'DELETE' });
    assert.equal(purge.status, 200);
    assert.equal((await getStatus(host, 'tbl page%0')).status, 404);
    assert.deepEqual(await host.history('tbl page%0'), []);
  });

  it('keeps Event Hubs trigger checkpoints per scope and partition, replacing each one', async () => {
    const store = new TableStore(azurite.connectionString, 'CheckpointHub');
    await store.init();
    const scope = 'sb://127.0.0.1:5671/hub/$default';
    await store.putCheckpoint({ scope, partitionId: '0', offset: '10', sequenceNumber: 3 });
    await store.putCheckpoint({ scope, partitionId: '0', offset: '42', sequenceNumber: 7 });
    await store.putCheckpoint({ scope, partitionId: '1', offset: '5', sequenceNumber: 1 });
    await store.putCheckpoint({ scope: `${scope}-other`, partitionId: '0', offset: '1', sequenceNumber: 0 });
    const rows = (await store.listCheckpoints(scope)).sort((a, b) => a.partitionId.localeCompare(b.partitionId));
    assert.deepEqual(rows, [
      { scope, partitionId: '0', offset: '42', sequenceNumber: 7 },
      { scope, partitionId: '1', offset: '5', sequenceNumber: 1 },
    ]);
  });
});
