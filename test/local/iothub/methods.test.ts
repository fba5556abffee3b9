// Direct methods through the unmodified service Client and device Client: payload round trips, the two failure
// codes (404103 DeviceNotOnline, 504101 GatewayTimeout) as the SDK surfaces them, connectTimeoutInSeconds, argument
// checks, method faults, and virtual devices.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { NoRetry } from 'azure-iot-common';
import type { Client as DeviceClient } from 'azure-iot-device';
import { startIotHubEmulator, type RunningIotHubEmulator } from '../../../local/iothub/index';
import { type ServiceClients, deviceClient, fields, openDeviceClient, restCall, serviceClients, serviceErrors, waitUntil } from '../../support/iothub';

// Twin JSON is navigated freely in assertions; a wrong path fails the assertion.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = Record<string, any>;

interface ErrorWithResponse extends Error {
  responseBody?: string;
  response?: { statusCode: number; headers: Record<string, string> };
}

/** The envelope-2 object the service nests as a JSON string in envelope 1's Message. */
function nestedEnvelope(error: ErrorWithResponse): { errorCode: number; message: string; trackingId: string; timestampUtc: string } {
  return JSON.parse(JSON.parse(String(error.responseBody)).Message);
}

describe('direct methods', () => {
  let emulator: RunningIotHubEmulator;
  let service: ServiceClients;
  let echo: DeviceClient;
  const received: unknown[] = [];
  const opened: DeviceClient[] = [];

  before(async () => {
    emulator = await startIotHubEmulator();
    service = serviceClients(emulator);
    await emulator.admin.createDevices(['echo', 'silent', 'late', 'offline', 'faulty', 'virtual-1', 'virtual-2']);
    echo = await openDeviceClient(emulator, 'echo');
    opened.push(echo);
    echo.onDeviceMethod('echo', (request, response) => {
      received.push(request.payload);
      response.send(200, request.payload, () => undefined);
    });
    echo.onDeviceMethod('created', (_request, response) => response.send(201, { made: 'it' }, () => undefined));
  });
  after(async () => {
    await Promise.all(opened.map((d) => d.close()));
    service.close();
    await emulator.stop();
  });

  it('round-trips payloads null, "", "foo", {} and {k:"v"} exactly', async () => {
    const payloads: unknown[] = [null, '', 'foo', {}, { k: 'v' }, [1, { two: 2 }], 42];
    for (const payload of payloads) {
      const { result } = await service.client.invokeDeviceMethod('echo', { methodName: 'echo', payload, responseTimeoutInSeconds: 5 });
      assert.deepEqual(result, { status: 200, payload }, JSON.stringify(payload));
      assert.deepEqual(received.at(-1), payload, 'the device received the payload as sent');
    }
  });

  it('passes the device status through', async () => {
    const { result } = await service.client.invokeDeviceMethod('echo', { methodName: 'created' });
    assert.deepEqual(result, { status: 201, payload: { made: 'it' } });
  });

  it('answers 404103 for a device that is not connected, nested as the service does', async () => {
    await assert.rejects(service.client.invokeDeviceMethod('offline', { methodName: 'reboot' }), (error: ErrorWithResponse) => {
      assert.equal(error.message, 'Not found', 'the SDK does not map 404103 (research §5.3)');
      assert.equal(error.response?.statusCode, 404);
      assert.equal(error.response?.headers['iothub-errorcode'], 'DeviceNotOnline');
      const inner = nestedEnvelope(error);
      assert.equal(inner.errorCode, 404103);
      assert.match(inner.message, /isn't online/);
      assert.ok(inner.trackingId && !Number.isNaN(Date.parse(inner.timestampUtc)));
      return true;
    });
  });

  it('answers 404103 when the device is connected but has no method subscription', async () => {
    const device = await openDeviceClient(emulator, 'late');
    opened.push(device);
    await assert.rejects(service.client.invokeDeviceMethod('late', { methodName: 'x' }), (error: ErrorWithResponse) => nestedEnvelope(error).errorCode === 404103);
  });

  it('waits up to connectTimeoutInSeconds for the device to connect and subscribe', async () => {
    const call = service.client.invokeDeviceMethod('late', { methodName: 'hello', payload: 'p', connectTimeoutInSeconds: 10, responseTimeoutInSeconds: 5 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const late = opened.at(-1) as DeviceClient;
    late.onDeviceMethod('hello', (request, response) => response.send(200, `hi ${String(request.payload)}`, () => undefined));
    const { result } = await call;
    assert.deepEqual(result, { status: 200, payload: 'hi p' });
  });

  it('answers 504101 (GatewayTimeoutError) when the device never answers', async () => {
    const silent = await openDeviceClient(emulator, 'silent');
    opened.push(silent);
    silent.onDeviceMethod('reboot', () => undefined);
    const started = Date.now();
    await assert.rejects(service.client.invokeDeviceMethod('silent', { methodName: 'reboot', responseTimeoutInSeconds: 5 }), (error: ErrorWithResponse) => {
      assert.ok(error instanceof serviceErrors.GatewayTimeoutError);
      assert.equal(error.response?.headers['iothub-errorcode'], 'GatewayTimeout');
      assert.equal(nestedEnvelope(error).errorCode, 504101);
      return true;
    });
    assert.ok(Date.now() - started >= 4900, 'the hub waited the full response timeout');
    assert.equal(emulator.admin.counters().methodTimeouts, 1);
  });

  it('validates the request: timeouts, method name, payload size, unknown device', async () => {
    const call = (body: unknown, id = 'echo') => restCall(emulator, 'POST', `/twins/${id}/methods`, { body });
    const tooShort = await call({ methodName: 'echo', responseTimeoutInSeconds: 3 });
    assert.equal(tooShort.status, 400);
    assert.match((tooShort.body as { Message: string }).Message, /responseTimeoutInSeconds must be within \[5; 300\]/);
    assert.equal((await call({ methodName: 'echo', connectTimeoutInSeconds: 301 })).status, 400);
    assert.equal((await call({ payload: 1 })).status, 400);
    const huge = await call({ methodName: 'echo', payload: 'x'.repeat(130 * 1024) });
    assert.equal(huge.status, 413);
    assert.equal(huge.headers['iothub-errorcode'], 'MessageTooLarge');
    const missing = await call({ methodName: 'echo' }, 'nobody');
    assert.equal(missing.status, 404);
    assert.equal(missing.headers['iothub-errorcode'], 'DeviceNotFound');
  });

  it('applies device faults: offline, canned status, delay', async () => {
    const faulty = await openDeviceClient(emulator, 'faulty');
    opened.push(faulty);
    faulty.onDeviceMethod('ping', (_request, response) => response.send(200, 'pong', () => undefined));
    assert.deepEqual((await service.client.invokeDeviceMethod('faulty', { methodName: 'ping' })).result, { status: 200, payload: 'pong' });

    emulator.admin.setFault('faulty', { kind: 'offline' });
    const offline = await restCall(emulator, 'POST', '/twins/faulty/methods', { body: { methodName: 'ping' } });
    assert.equal(offline.status, 404);
    assert.equal(offline.headers['iothub-errorcode'], 'DeviceNotOnline');

    emulator.admin.setFault('faulty', { kind: 'methodStatus', status: 500, payload: { injected: true } });
    assert.deepEqual((await service.client.invokeDeviceMethod('faulty', { methodName: 'ping' })).result, { status: 500, payload: { injected: true } });

    emulator.admin.setFault('faulty', { kind: 'methodDelay', ms: 400 });
    const started = Date.now();
    assert.deepEqual((await service.client.invokeDeviceMethod('faulty', { methodName: 'ping' })).result, { status: 200, payload: 'pong' });
    assert.ok(Date.now() - started >= 390);

    emulator.admin.setFault('faulty', null);
    assert.deepEqual((await service.client.invokeDeviceMethod('faulty', { methodName: 'ping' })).result, { status: 200, payload: 'pong' });
  });

  it('lets an offline fault lifted during connectTimeoutInSeconds through', async () => {
    emulator.admin.setFault('faulty', { kind: 'offline' });
    setTimeout(() => emulator.admin.setFault('faulty', null), 300);
    const { result } = await service.client.invokeDeviceMethod('faulty', { methodName: 'ping', connectTimeoutInSeconds: 5 });
    assert.deepEqual(result, { status: 200, payload: 'pong' });
  });

  it('serves virtual devices like connected devices: methods, reported properties, desired patches, disconnect', async () => {
    const desired: Record<string, unknown>[] = [];
    const virtual = emulator.admin.connectVirtualDevice('virtual-1', {
      async onMethod(name, payload) {
        return { status: 200, payload: { name, payload } };
      },
      onDesired(patch) {
        desired.push(patch);
      },
    });
    assert.equal(virtual.connected, true);
    const { result } = await service.client.invokeDeviceMethod('virtual-1', { methodName: 'reboot', payload: { delay: 0 } });
    assert.deepEqual(result, { status: 200, payload: { name: 'reboot', payload: { delay: 0 } } });

    assert.deepEqual(virtual.updateReported({ state: 'rebooting' }), { version: 2 });
    const { responseBody: twin } = await service.registry.getTwin('virtual-1');
    assert.equal(fields(twin).connectionState, 'Connected');
    assert.equal((twin.properties as Loose).reported.state, 'rebooting');

    await service.registry.updateTwin('virtual-1', { properties: { desired: { mode: 'eco' } } }, '*');
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(desired, [{ mode: 'eco', $version: 2 }]);
    assert.deepEqual(virtual.getTwin(), { desired: { mode: 'eco', $version: 2 }, reported: { state: 'rebooting', $version: 2 } });

    virtual.disconnect();
    assert.equal(virtual.connected, false);
    assert.equal(fields((await service.registry.getTwin('virtual-1')).responseBody).connectionState, 'Disconnected');
    const offline = await restCall(emulator, 'POST', '/twins/virtual-1/methods', { body: { methodName: 'reboot' } });
    assert.equal(offline.status, 404);
    assert.throws(() => virtual.updateReported({ x: 1 }), /not connected/);
    virtual.reconnect();
    assert.equal((await service.client.invokeDeviceMethod('virtual-1', { methodName: 'again' })).result.status, 200);
  });

  it('drops a virtual connection when the same device connects over MQTT, and the reverse', async () => {
    const virtual = emulator.admin.connectVirtualDevice('virtual-2', { onMethod: async () => ({ status: 299, payload: 'virtual' }) });
    const mqtt = await deviceClient(emulator, 'virtual-2');
    opened.push(mqtt);
    mqtt.onDeviceMethod('who', (_request, response) => response.send(200, 'mqtt', () => undefined));
    await mqtt.open();
    assert.equal(virtual.connected, false);
    await waitUntil(async () => (await restCall(emulator, 'POST', '/twins/virtual-2/methods', { body: { methodName: 'who' } })).status === 200, 'the MQTT device to take over');
    assert.deepEqual((await service.client.invokeDeviceMethod('virtual-2', { methodName: 'who' })).result, { status: 200, payload: 'mqtt' });
    mqtt.setRetryPolicy(new NoRetry()); // once replaced, it must not reconnect and take the session back
    virtual.reconnect();
    assert.deepEqual((await service.client.invokeDeviceMethod('virtual-2', { methodName: 'who' })).result, { status: 299, payload: 'virtual' });
  });
});
