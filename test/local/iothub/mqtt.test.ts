// The device-facing MQTT endpoint: topic whitelist, replies to the requesting client only, refused publishes,
// telemetry capture with property bags, one connection per device, dropped connections, and device ids full of
// special characters — with the device SDK and, for protocol details it hides, a raw mqtt.js client.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { NoRetry } from 'azure-iot-common';
import { type Client as DeviceClient, Message } from 'azure-iot-device';
import type { MqttClient } from 'mqtt';
import { startIotHubEmulator, type RunningIotHubEmulator } from '../../../local/iothub/index';
import { type ServiceClients, deviceClient, deviceKey, fields, openDeviceClient, rawMqttConnect, sasToken, serviceClients, waitUntil } from '../../support/iothub';
import { elementAt } from '../../support/elementAt';

// Twin JSON is navigated freely in assertions; a wrong path fails the assertion.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = Record<string, any>;

const SPECIAL_ID = "dev?%'():=@$;x";

describe('MQTT endpoint', () => {
  let emulator: RunningIotHubEmulator;
  let service: ServiceClients;
  const cleanups: (() => Promise<unknown>)[] = [];

  function raw(deviceId: string): Promise<MqttClient> {
    return rawMqttConnect(emulator, { clientId: deviceId, password: sasToken(`${emulator.hostName}/devices/${deviceId}`, deviceKey(emulator, deviceId), 300) }).then((client) => {
      cleanups.push(() => client.endAsync(true));
      return client;
    });
  }

  async function sdk(deviceId: string): Promise<DeviceClient> {
    const device = await openDeviceClient(emulator, deviceId);
    cleanups.push(() => device.close());
    return device;
  }

  before(async () => {
    emulator = await startIotHubEmulator();
    service = serviceClients(emulator);
    await emulator.admin.createDevices(['raw-1', 'raw-2', 'tel-1', 'single', 'drop', SPECIAL_ID]);
  });
  after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
    service.close();
    await emulator.stop();
  });

  it('grants only the documented subscription filters, QoS 2 downgraded to 1', async () => {
    const client = await raw('raw-1');
    const requests: [string, 0 | 1 | 2][] = [
      ['$iothub/methods/POST/#', 0],
      ['$iothub/twin/res/#', 2],
      ['$iothub/twin/PATCH/properties/desired/#', 1],
      ['devices/raw-1/messages/devicebound/#', 1],
      ['devices/raw-2/messages/devicebound/#', 1],
      ['#', 0],
      ['$iothub/#', 0],
      ['devices/raw-1/messages/events/', 0],
    ];
    const granted: [string, number][] = [];
    for (const [topic, qos] of requests) {
      // mqtt.js 5 rejects the promise when SUBACK refuses (0x80); the packet is on the error.
      const result = await client.subscribeAsync(topic, { qos }).then(
        (grants) => elementAt(grants, 0).qos,
        (error: Error & { packet?: { granted: number[] } }) => error.packet?.granted[0] ?? -1,
      );
      granted.push([topic, result]);
    }
    assert.deepEqual(granted, [
      ['$iothub/methods/POST/#', 0],
      ['$iothub/twin/res/#', 1],
      ['$iothub/twin/PATCH/properties/desired/#', 1],
      ['devices/raw-1/messages/devicebound/#', 1],
      ['devices/raw-2/messages/devicebound/#', 128],
      ['#', 128],
      ['$iothub/#', 128],
      ['devices/raw-1/messages/events/', 128],
    ]);
  });

  it('answers twin requests only to the client that asked', async () => {
    const asker = await raw('raw-1');
    const bystander = await raw('raw-2');
    await asker.subscribeAsync('$iothub/twin/res/#');
    await bystander.subscribeAsync('$iothub/twin/res/#');
    const leaked: string[] = [];
    bystander.on('message', (topic) => leaked.push(topic));
    const reply = new Promise<{ topic: string; body: string }>((resolve) => {
      asker.on('message', (topic, payload) => resolve({ topic, body: payload.toString() }));
    });
    await asker.publishAsync('$iothub/twin/GET/?$rid=r-42', ' ');
    const { topic, body } = await reply;
    assert.equal(topic, '$iothub/twin/res/200/?$rid=r-42');
    assert.deepEqual(JSON.parse(body), { desired: { $version: 1 }, reported: { $version: 1 } });

    const patched = new Promise<string>((resolve) => {
      asker.on('message', (t) => {
        if (t.includes('rid=r-43')) resolve(t);
      });
    });
    await asker.publishAsync('$iothub/twin/PATCH/properties/reported/?$rid=r-43', JSON.stringify({ a: 1 }));
    assert.equal(await patched, '$iothub/twin/res/204/?$rid=r-43&$version=2');
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.deepEqual(leaked, []);
  });

  it('answers a malformed reported patch with a 400 envelope on the response topic', async () => {
    const client = await raw('raw-2');
    await client.subscribeAsync('$iothub/twin/res/#');
    const reply = new Promise<{ topic: string; body: Record<string, unknown> }>((resolve) => {
      client.on('message', (topic, payload) => resolve({ topic, body: JSON.parse(payload.toString()) }));
    });
    await client.publishAsync('$iothub/twin/PATCH/properties/reported/?$rid=bad', '{not json');
    const { topic, body } = await reply;
    assert.equal(topic, '$iothub/twin/res/400/?$rid=bad');
    assert.equal(body.errorCode, 400006);
    assert.ok(body.trackingId && body.timestampUtc && typeof body.message === 'string');
  });

  it('closes the session on a publish to a topic the device may not use, or with QoS 2', async () => {
    for (const [topic, qos] of [['devices/raw-2/messages/events/', 1], ['some/other/topic', 0], ['devices/raw-1/messages/events/', 2]] as const) {
      const client = await raw('raw-1');
      const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
      client.publish(topic, 'x', { qos });
      await closed;
    }
  });

  it('captures telemetry with decoded system and application properties', async () => {
    const device = await sdk('tel-1');
    const message = new Message(JSON.stringify({ temperature: 21.5 }));
    message.messageId = 'm-1';
    message.correlationId = 'c-1';
    message.contentType = 'application/json';
    message.contentEncoding = 'utf-8';
    message.properties.add('alert', 'yes & no');
    message.properties.add('ünï=code', 'v/1');
    await device.sendEvent(message);
    await device.sendEvent(new Message('plain'));
    const captured = emulator.admin.telemetry('tel-1');
    assert.equal(captured.length, 2);
    const json = elementAt(captured, 0);
    const plain = elementAt(captured, 1);
    assert.deepEqual(JSON.parse(json.body.toString()), { temperature: 21.5 });
    assert.deepEqual(json.properties, { alert: 'yes & no', 'ünï=code': 'v/1' });
    assert.equal(json.systemProperties.messageId, 'm-1');
    assert.equal(json.systemProperties.correlationId, 'c-1');
    assert.equal(json.systemProperties.contentType, 'application/json');
    assert.equal(json.systemProperties.contentEncoding, 'utf-8');
    assert.equal(json.systemProperties['iothub-connection-device-id'], 'tel-1');
    assert.ok(!Number.isNaN(Date.parse(json.enqueuedTime)));
    assert.equal(plain.body.toString(), 'plain');
    assert.deepEqual(plain.properties, {});
    assert.equal(emulator.admin.telemetry().length, 2);
    assert.equal(emulator.admin.counters().telemetryMessages, 2);
  });

  it('keeps one connection per device: a new session drops the old one', async () => {
    const first = await deviceClient(emulator, 'single');
    first.setRetryPolicy(new NoRetry());
    await first.open();
    cleanups.push(() => first.close());
    const firstGone = new Promise((resolve) => first.once('disconnect', resolve));
    const second = await sdk('single');
    second.onDeviceMethod('who', (_request, response) => response.send(200, 'second', () => undefined));
    await firstGone;
    await waitUntil(async () => {
      try {
        return (await service.client.invokeDeviceMethod('single', { methodName: 'who' })).result.payload === 'second';
      } catch {
        return false;
      }
    });
    assert.equal((await service.registry.getTwin('single')).responseBody.deviceId, 'single');
    assert.equal(fields((await service.registry.get('single')).responseBody).connectionState, 'Connected');
  });

  it('drops a connection on the dropConnection fault; the SDK reconnects by itself', async () => {
    const device = await sdk('drop');
    device.onDeviceMethod('ping', (_request, response) => response.send(200, 'pong', () => undefined));
    const connectionsBefore = emulator.admin.counters().mqttConnections;
    emulator.admin.setFault('drop', { kind: 'dropConnection' });
    assert.equal(fields((await service.registry.getTwin('drop')).responseBody).connectionState, 'Disconnected');
    // The SDK re-opens and re-subscribes on its own (retry policy); the method waits for it (connectTimeoutInSeconds).
    const { result } = await service.client.invokeDeviceMethod('drop', { methodName: 'ping', connectTimeoutInSeconds: 30 });
    assert.deepEqual(result, { status: 200, payload: 'pong' });
    assert.equal(emulator.admin.counters().mqttConnections, connectionsBefore + 1);
  });

  it('serves a device whose id holds ? % \' ( ) : = @ $ ; over MQTT: twin, methods, telemetry', async () => {
    const device = await sdk(SPECIAL_ID);
    device.onDeviceMethod('echo', (request, response) => response.send(200, request.payload, () => undefined));
    const twin = await device.getTwin();
    await new Promise<void>((resolve, reject) => twin.properties.reported.update({ ok: true }, (e?: Error) => (e ? reject(e) : resolve())));
    const { responseBody } = await service.registry.getTwin(SPECIAL_ID);
    assert.equal((responseBody.properties as Loose).reported.ok, true);
    assert.equal(fields(responseBody).connectionState, 'Connected');
    const { result } = await service.client.invokeDeviceMethod(SPECIAL_ID, { methodName: 'echo', payload: { id: SPECIAL_ID } });
    assert.deepEqual(result, { status: 200, payload: { id: SPECIAL_ID } });
    await device.sendEvent(new Message('special'));
    assert.equal(elementAt(emulator.admin.telemetry(SPECIAL_ID), 0).body.toString(), 'special');
  });

  it('serves a device whose id holds # through twin and methods (telemetry topics cannot carry #)', async () => {
    const id = 'hash#id';
    await emulator.admin.createDevices([id]);
    const device = await sdk(id);
    device.onDeviceMethod('echo', (request, response) => response.send(200, request.payload, () => undefined));
    const twin = await device.getTwin();
    assert.equal(twin.properties.reported.$version, 1);
    assert.deepEqual((await service.client.invokeDeviceMethod(id, { methodName: 'echo', payload: 1 })).result, { status: 200, payload: 1 });
  });
});
