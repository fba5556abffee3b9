// The built-in Event Hubs-compatible endpoint, read by the unmodified @azure/event-hubs consumer: device telemetry
// sent by the unmodified device SDK over MQTT arrives with the hub's annotations, in the device's partition.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { earliestEventPosition, type EventHubConsumerClient } from '@azure/event-hubs';
import { Message } from 'azure-iot-device';
import { openDeviceClient, useIotHubEmulator } from '../../../support/iothub';
import { consumerClient, readPartition } from '../../../support/eventHubs';

describe('built-in endpoint: device telemetry', () => {
  const fixture = useIotHubEmulator();
  let consumer: EventHubConsumerClient;
  before(async () => {
    await fixture.emulator.admin.createDevices(['tel-a']);
    consumer = consumerClient(fixture.emulator);
  });
  after(async () => {
    await consumer.close();
  });

  it('delivers a device-to-cloud message with its properties and the hub annotations', async () => {
    const { emulator } = fixture;
    const device = await openDeviceClient(emulator, 'tel-a');
    try {
      const message = new Message(JSON.stringify({ temperature: 21.5 }));
      message.messageId = 'm-1';
      message.contentType = 'application/json';
      message.contentEncoding = 'utf-8';
      message.properties.add('alert', 'none');
      await device.sendEvent(message);
    } finally {
      await device.close();
    }
    const partitionId = emulator.eventHubsEndpoint.partitionIdFor('tel-a');
    const [event] = await readPartition(consumer, partitionId, earliestEventPosition, (events) => events.length >= 1);
    assert.deepEqual(event.body, { temperature: 21.5 });
    assert.equal(event.messageId, 'm-1');
    assert.equal(event.contentType, 'application/json');
    assert.deepEqual(event.properties, { alert: 'none' });
    assert.equal(event.systemProperties?.['iothub-connection-device-id'], 'tel-a');
    assert.equal(event.systemProperties?.['iothub-message-source'], 'Telemetry');
    assert.equal(typeof event.systemProperties?.['iothub-enqueuedtime'], 'number');
    assert.equal(event.sequenceNumber, 0);
    assert.ok(event.enqueuedTimeUtc instanceof Date);
  });
});
