// Retention of the built-in endpoint's in-memory partitions: by count, oldest first; sequence numbers and offsets
// keep growing, and a consumer whose position fell out of the log starts at the oldest event still kept.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { earliestEventPosition } from '@azure/event-hubs';
import { BuiltInEndpoint } from '../../../../local/iothub/eventhubs/builtInEndpoint';
import { readPartition, useEventHubsEmulator } from '../../../support/eventHubs';
import { elementAt } from '../../../support/elementAt';

describe('built-in endpoint: retention', () => {
  it('keeps the newest events up to the capacity of each partition', () => {
    const endpoint = new BuiltInEndpoint({ partitionCount: 1, capacityPerPartition: 3 });
    const event = (n: number) => ({ deviceId: 'd', body: Buffer.from(String(n)), properties: {}, annotations: {}, applicationProperties: {}, enqueuedAtMs: n });
    const offsets = [1, 2, 3, 4, 5].map((n) => endpoint.write(event(n)).offset);
    const log = elementAt(endpoint.partitions, 0);
    assert.deepEqual([log.oldest?.sequenceNumber, log.newest?.sequenceNumber, log.endSequenceNumber], [2, 4, 5]);
    assert.deepEqual(log.fromSequenceNumber(0, 10).map((e) => e.body.toString()), ['3', '4', '5'], 'a position that fell out starts at the oldest kept');
    assert.ok(offsets.every((offset, i) => i === 0 || offset > elementAt(offsets, i - 1)), 'offsets grow');
    assert.throws(() => new BuiltInEndpoint({ partitionCount: 0 }), /partitionCount/);
  });

  describe('through the consumer', () => {
    const fixture = useEventHubsEmulator(['ret-a'], { eventHubs: { partitionCount: 1, capacityPerPartition: 2 } });

    it('serves earliest as the oldest event kept', async () => {
      const device = fixture.emulator.admin.connectVirtualDevice('ret-a', { onMethod: async () => ({ status: 200, payload: null }) });
      for (let step = 1; step <= 4; step += 1) device.updateReported({ step });
      const info = await fixture.consumer.getPartitionProperties('0');
      assert.deepEqual([info.beginningSequenceNumber, info.lastEnqueuedSequenceNumber], [2, 3]);
      const events = await readPartition(fixture.consumer, '0', earliestEventPosition, (all) => all.length >= 2);
      assert.deepEqual(events.map((e) => e.sequenceNumber), [2, 3]);
    });
  });
});
