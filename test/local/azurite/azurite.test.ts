import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as net from 'node:net';
import { TableClient } from '@azure/data-tables';
import { startAzurite } from '../../../local/azurite';

test('Azurite starts on a free loopback port, stores an entity, and releases the port at stop()', async () => {
  const azurite = await startAzurite();
  assert.ok(azurite.tablePort > 0);
  const table = TableClient.fromConnectionString(azurite.connectionString, 'Probe', { allowInsecureConnection: true });
  await table.createTable();
  await table.createEntity({ partitionKey: 'p', rowKey: 'r', value: 42 });
  const entity = await table.getEntity<{ value: number }>('p', 'r');
  assert.equal(entity.value, 42);
  await azurite.stop();
  await new Promise<void>((resolve, reject) => {
    const server = net.createServer().once('error', reject).listen(azurite.tablePort, '127.0.0.1', () => server.close(() => resolve()));
  });
});
