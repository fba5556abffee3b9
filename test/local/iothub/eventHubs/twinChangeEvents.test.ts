// Twin change events on the built-in endpoint, in the documented format (azure-docs
// iot-hub-non-telemetry-event-schema.md): a device's reported patch over MQTT, a service's desired patch and a
// service's twin replacement, each read by the unmodified @azure/event-hubs consumer from the device's partition.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ReceivedEventData } from '@azure/event-hubs';
import { openDeviceClient, restCall, serviceClients } from '../../../support/iothub';
import { readPartition, useEventHubsEmulator } from '../../../support/eventHubs';

// Event bodies are navigated freely in assertions; a wrong path fails the assertion.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = Record<string, any>;

describe('built-in endpoint: twin change events', () => {
  const fixture = useEventHubsEmulator(['twin-a', 'twin-b']);

  /** Starts reading the device's partition at its end, runs `change`, and returns the first `count` twin change events. */
  async function twinEventsAfter(deviceId: string, count: number, change: () => Promise<void>): Promise<ReceivedEventData[]> {
    const { emulator, consumer } = fixture;
    const partitionId = emulator.eventHubsEndpoint.partitionIdFor(deviceId);
    const before = await consumer.getPartitionProperties(partitionId);
    await change();
    const twinEvents = (events: ReceivedEventData[]) => events.filter((e) => e.systemProperties?.['iothub-message-source'] === 'twinChangeEvents');
    const start = before.isEmpty ? { sequenceNumber: -1 } : { sequenceNumber: before.lastEnqueuedSequenceNumber };
    const events = await readPartition(consumer, partitionId, start, (all) => twinEvents(all).length >= count);
    return twinEvents(events);
  }

  function assertEnvelope(event: ReceivedEventData, deviceId: string, opType: string): void {
    assert.deepEqual(Object.keys(event.properties ?? {}).sort(), ['deviceId', 'hubName', 'iothub-message-schema', 'opType', 'operationTimestamp']);
    const properties = event.properties as Loose;
    assert.equal(properties.hubName, 'localhost');
    assert.equal(properties.deviceId, deviceId);
    assert.equal(properties['iothub-message-schema'], 'twinChangeNotification');
    assert.equal(properties.opType, opType);
    assert.match(properties.operationTimestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    const system = event.systemProperties as Loose;
    assert.equal(system['iothub-message-source'], 'twinChangeEvents');
    assert.equal(system['iothub-connection-device-id'], deviceId);
    assert.equal(system['iothub-enqueuedtime'], Date.parse(properties.operationTimestamp));
    assert.equal(system.contentType, 'application/json');
    assert.equal(system.contentEncoding, 'utf-8');
    // user-id is binary in AMQP; the SDK hands its bytes over as an index-keyed object.
    assert.equal(Buffer.from(Object.values(system.userId as object) as number[]).toString(), 'localhost', 'user-id is the hub name');
    assert.equal(typeof event.messageId, 'string');
    assert.equal(typeof event.correlationId, 'string');
  }

  it('routes a reported-properties patch from an MQTT device as updateTwin with only what changed', async () => {
    const device = await openDeviceClient(fixture.emulator, 'twin-a');
    try {
      const twin = await device.getTwin();
      const [event] = await twinEventsAfter('twin-a', 1, async () => {
        await new Promise<void>((resolve, reject) => twin.properties.reported.update({ firmware: { state: 'rebooting' } }, (err?: Error) => (err ? reject(err) : resolve())));
      });
      assert.ok(event, 'one twin change event');
      assertEnvelope(event, 'twin-a', 'updateTwin');
      const body = event.body as Loose;
      assert.deepEqual(Object.keys(body).sort(), ['properties', 'version']);
      assert.deepEqual(Object.keys(body.properties), ['reported']);
      const reported = body.properties.reported;
      assert.deepEqual(reported.firmware, { state: 'rebooting' });
      assert.equal(reported.$version, 2);
      assert.equal(typeof reported.$metadata.$lastUpdated, 'string');
      assert.equal(typeof reported.$metadata.firmware.state.$lastUpdated, 'string');
      // The twin version in the event is the twin's version after the change (what consumers dedupe on).
      const current = await restCall(fixture.emulator, 'GET', '/twins/twin-a');
      assert.equal(body.version, (current.body as Loose).version);
    } finally {
      await device.close();
    }
  });

  it('routes a service desired patch as updateTwin and a twin replacement as replaceTwin', async () => {
    const { registry, close } = serviceClients(fixture.emulator);
    try {
      const [desired] = await twinEventsAfter('twin-b', 1, async () => {
        await registry.updateTwin('twin-b', { tags: { site: 'plant-1' }, properties: { desired: { interval: 30 } } }, '*');
      });
      assert.ok(desired, 'one twin change event');
      assertEnvelope(desired, 'twin-b', 'updateTwin');
      const body = desired.body as Loose;
      assert.deepEqual(body.tags, { site: 'plant-1' });
      assert.equal(body.properties.desired.interval, 30);
      assert.equal(body.properties.desired.$version, 2);
      assert.equal(body.properties.desired.$metadata.interval.$lastUpdatedVersion, 2);
      assert.equal(body.properties.reported, undefined, 'reported did not change');
    } finally {
      close();
    }
    const [replaced] = await twinEventsAfter('twin-b', 1, async () => {
      const result = await restCall(fixture.emulator, 'PUT', '/twins/twin-b', { body: { tags: { site: 'plant-2' }, properties: { desired: { interval: 60 } } } });
      assert.equal(result.status, 200);
    });
    assert.ok(replaced, 'one twin change event');
    assertEnvelope(replaced, 'twin-b', 'replaceTwin');
    const whole = replaced.body as Loose;
    assert.equal(whole.deviceId, 'twin-b');
    assert.equal(typeof whole.etag, 'string');
    assert.deepEqual(whole.tags, { site: 'plant-2' });
    assert.equal(whole.properties.desired.interval, 60);
    assert.equal(whole.properties.reported.$version, 1, 'the whole twin, reported included');
  });

  it('sends nothing for a twin update that changes nothing', async () => {
    const { emulator, consumer } = fixture;
    const partitionId = emulator.eventHubsEndpoint.partitionIdFor('twin-b');
    const before = await consumer.getPartitionProperties(partitionId);
    const result = await restCall(emulator, 'PATCH', '/twins/twin-b', { body: { properties: {} } });
    assert.equal(result.status, 200);
    const after = await consumer.getPartitionProperties(partitionId);
    assert.equal(after.lastEnqueuedSequenceNumber, before.lastEnqueuedSequenceNumber);
  });
});
