// The built-in Event Hubs-compatible endpoint, read by the unmodified @azure/event-hubs consumer: device telemetry
// sent by the unmodified device SDK over MQTT arrives with the hub's annotations, each device in one stable partition.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { earliestEventPosition, type ReceivedEventData } from '@azure/event-hubs';
import { Message } from 'azure-iot-device';
import { openDeviceClient } from '../../../support/iothub';
import { readPartition, useEventHubsEmulator } from '../../../support/eventHubs';
import { partitionIndexFor } from '../../../../local/iothub/eventhubs/partitioner';
import { elementAt } from '../../../support/elementAt';

const DEVICES = ['tel-a', 'tel-b', 'tel-c', 'tel-d', 'tel-e', 'tel-f'];

describe('built-in endpoint: device telemetry', () => {
  const fixture = useEventHubsEmulator(DEVICES);

  it('delivers a device-to-cloud message with its properties and the hub annotations', async () => {
    const { emulator, consumer } = fixture;
    const device = await openDeviceClient(emulator, 'tel-a');
    try {
      const message = new Message(JSON.stringify({ temperature: 21.5 }));
      message.messageId = 'm-1';
      message.correlationId = 'c-1';
      message.contentType = 'application/json';
      message.contentEncoding = 'utf-8';
      message.properties.add('alert', 'none');
      await device.sendEvent(message);
      await device.sendEvent(new Message('plain'));
    } finally {
      await device.close();
    }
    const partitionId = emulator.eventHubsEndpoint.partitionIdFor('tel-a');
    const [event, plain] = await readPartition(consumer, partitionId, earliestEventPosition, (events) => events.length >= 2);
    assert.ok(event && plain);
    assert.deepEqual(event.body, { temperature: 21.5 }, 'a JSON body is parsed by the SDK, as from a real hub');
    assert.equal(event.messageId, 'm-1');
    assert.equal(event.correlationId, 'c-1');
    assert.equal(event.contentType, 'application/json');
    assert.deepEqual(event.properties, { alert: 'none' });
    const system = event.systemProperties ?? {};
    assert.equal(system['iothub-connection-device-id'], 'tel-a');
    assert.equal(system['iothub-message-source'], 'Telemetry');
    assert.equal(system['iothub-connection-auth-method'], '{"scope":"device","type":"sas","issuer":"iothub","acceptingIpFilterRule":null}');
    assert.equal(system['iothub-enqueuedtime'], event.enqueuedTimeUtc.getTime());
    const captured = elementAt(emulator.admin.telemetry('tel-a'), 0);
    assert.equal(event.enqueuedTimeUtc.toISOString(), captured.enqueuedTime, 'the endpoint and the admin API agree on the enqueued time');
    assert.deepEqual([event.sequenceNumber, plain.sequenceNumber], [0, 1]);
    assert.ok(Number(plain.offset) > Number(event.offset), 'offsets grow');
    assert.deepEqual(plain.body, Buffer.from('plain'), 'a non-JSON body stays bytes');
  });

  it('puts every device in one partition chosen by a hash of its id', async (t) => {
    const { emulator, consumer } = fixture;
    const partitionIds = await consumer.getPartitionIds();
    assert.deepEqual(partitionIds, ['0', '1', '2', '3'], 'four partitions by default, as IoT Hub');
    for (const deviceId of DEVICES.slice(1)) {
      const device = await openDeviceClient(emulator, deviceId);
      try {
        for (let i = 0; i < 2; i += 1) await device.sendEvent(new Message(`${deviceId}#${i}`));
      } finally {
        await device.close();
      }
    }
    const used = new Set<string>();
    for (const deviceId of DEVICES.slice(1)) {
      await t.test(deviceId, async () => {
        const expected = emulator.eventHubsEndpoint.partitionIdFor(deviceId);
        assert.equal(expected, String(partitionIndexFor(deviceId, 4)), 'the same hash whatever the emulator instance');
        used.add(expected);
        const mine = (events: ReceivedEventData[]) =>
          events.filter((e) => e.systemProperties?.['iothub-connection-device-id'] === deviceId);
        const events = await readPartition(consumer, expected, earliestEventPosition, (all) => mine(all).length >= 2);
        assert.deepEqual(mine(events).map((e) => String(e.body)), [`${deviceId}#0`, `${deviceId}#1`], 'in order, in its partition');
        for (const other of partitionIds.filter((p) => p !== expected)) {
          const info = await consumer.getPartitionProperties(other);
          if (info.isEmpty) continue;
          const elsewhere = await readPartition(consumer, other, earliestEventPosition, (all) => all.length >= info.lastEnqueuedSequenceNumber + 1);
          assert.equal(mine(elsewhere).length, 0, `no event of ${deviceId} in partition ${other}`);
        }
      });
    }
    assert.ok(used.size > 1, 'the devices spread over more than one partition');
  });
});
