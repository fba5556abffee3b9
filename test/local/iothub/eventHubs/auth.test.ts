// Claims-based security on the built-in endpoint: only tokens signed with the key of a hub policy that has
// ServiceConnect are accepted, for the management requests and the partition receivers alike.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EventHubConsumerClient, earliestEventPosition } from '@azure/event-hubs';
import { consumerClient, readPartition, useEventHubsEmulator } from '../../../support/eventHubs';
import { policyKey } from '../../../support/iothub';

describe('built-in endpoint: authorization', () => {
  const fixture = useEventHubsEmulator(['auth-a']);

  it('accepts the iothubowner and service policies', async (t) => {
    for (const policy of ['iothubowner', 'service'] as const) {
      await t.test(policy, async () => {
        const client = consumerClient(fixture.emulator, policy);
        try {
          assert.deepEqual(await client.getPartitionIds(), ['0', '1', '2', '3']);
          fixture.emulator.admin.connectVirtualDevice('auth-a', { onMethod: async () => ({ status: 200, payload: null }) }).updateReported({ policy });
          const partitionId = fixture.emulator.eventHubsEndpoint.partitionIdFor('auth-a');
          const events = await readPartition(client, partitionId, earliestEventPosition, (all) => all.some((e) => JSON.stringify(e.body).includes(policy)));
          assert.ok(events.length >= 1);
        } finally {
          await client.close();
        }
      });
    }
  });

  it('refuses a wrong key, a policy without ServiceConnect and another hub name', async (t) => {
    const { emulator } = fixture;
    const registryReadKey = policyKey(emulator, 'registryRead');
    const cases: { name: string; connectionString: string }[] = [
      { name: 'wrong key for service', connectionString: emulator.eventHubsEndpoint.connectionString('service').replace(/SharedAccessKey=[^;]*/, `SharedAccessKey=${Buffer.alloc(32, 7).toString('base64')}`) },
      { name: 'iothubowner name with the service key', connectionString: emulator.eventHubsEndpoint.connectionString('service').replace('SharedAccessKeyName=service', 'SharedAccessKeyName=iothubowner') },
      { name: 'registryRead (no ServiceConnect) with its own key', connectionString: emulator.eventHubsEndpoint.connectionString('service').replace(/SharedAccessKeyName=service;SharedAccessKey=[^;]*/, `SharedAccessKeyName=registryRead;SharedAccessKey=${registryReadKey}`) },
      { name: 'unknown policy', connectionString: emulator.eventHubsEndpoint.connectionString('service').replace('SharedAccessKeyName=service', 'SharedAccessKeyName=nobody') },
    ];
    for (const { name, connectionString } of cases) {
      await t.test(name, async () => {
        const client = new EventHubConsumerClient('$Default', connectionString, { retryOptions: { maxRetries: 0, timeoutInMs: 10_000 } });
        try {
          await assert.rejects(client.getPartitionIds(), (error: Error & { code?: string }) => {
            assert.equal(error.code, 'UnauthorizedError', `${error.name}: ${error.message}`);
            return true;
          });
          await assert.rejects(readPartition(client, '0', earliestEventPosition, () => true), (error: Error & { code?: string }) => {
            assert.equal(error.code, 'UnauthorizedError', `${error.name}: ${error.message}`);
            return true;
          });
        } finally {
          await client.close();
        }
      });
    }
    await t.test('another event hub name', async () => {
      const client = new EventHubConsumerClient('$Default', emulator.eventHubsEndpoint.connectionString('service').replace('EntityPath=localhost', 'EntityPath=otherhub'), {
        retryOptions: { maxRetries: 0, timeoutInMs: 10_000 },
      });
      try {
        await assert.rejects(client.getPartitionIds(), (error: Error & { code?: string }) => {
          assert.equal(error.code, 'MessagingEntityNotFoundError', `${error.name}: ${error.message}`);
          return true;
        });
      } finally {
        await client.close();
      }
    });
  });
});
