// The admin API under /_emulator/ (x-emulator-admin-key) and its in-process twin: bulk devices, faults per device
// and per hub, captured telemetry, counters, reset.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Message } from 'azure-iot-device';
import { ADMIN_KEY_HEADER, startIotHubEmulator, type RunningIotHubEmulator } from '../../../local/iothub/index';
import { openDeviceClient, restCall } from '../../support/iothub';
import type { CounterSnapshot } from '../../../local/iothub/counters';
import { elementAt } from '../../support/elementAt';

describe('admin API', () => {
  let emulator: RunningIotHubEmulator;
  const admin = (method: string, path: string, body?: unknown, key?: string | null) =>
    restCall(emulator, method, `/_emulator${path}`, {
      body,
      policy: null,
      headers: key === null ? {} : { [ADMIN_KEY_HEADER]: key ?? emulator.adminKey },
    });

  before(async () => {
    emulator = await startIotHubEmulator({ adminKey: 'test-admin-key' });
  });
  after(() => emulator.stop());

  it('refuses requests without the right admin key (401)', async () => {
    assert.equal(emulator.adminKey, 'test-admin-key');
    for (const key of [null, 'wrong', '']) {
      const response = await admin('GET', '/counters', undefined, key);
      assert.equal(response.status, 401);
      assert.equal(response.headers['iothub-errorcode'], 'IotHubUnauthorizedAccess');
    }
    const sasIsNotEnough = await restCall(emulator, 'GET', '/_emulator/counters');
    assert.equal(sasIsNotEnough.status, 401, 'a service SAS token does not open the admin API');
  });

  it('creates devices in bulk and refuses duplicates and invalid ids without creating any', async () => {
    const created = await admin('POST', '/devices', { deviceIds: ['bulk-1', 'bulk-2'], tags: { batch: 'a' } });
    assert.equal(created.status, 200);
    assert.deepEqual(created.body, { created: 2 });
    const twin = await restCall(emulator, 'GET', '/twins/bulk-2');
    assert.deepEqual((twin.body as { tags: unknown }).tags, { batch: 'a' });
    const duplicate = await admin('POST', '/devices', { deviceIds: ['bulk-3', 'bulk-1'] });
    assert.equal(duplicate.status, 409);
    const invalid = await admin('POST', '/devices', { deviceIds: ['ok-1', 'bad/id'] });
    assert.equal(invalid.status, 400);
    assert.equal((await restCall(emulator, 'GET', '/devices/bulk-3')).status, 404);
    assert.equal((await restCall(emulator, 'GET', '/devices/ok-1')).status, 404);
    assert.equal((await admin('POST', '/devices', { ids: 'nope' })).status, 400);
    await assert.rejects(emulator.admin.createDevices(['bulk-1']), /already registered/);
  });

  it('injects per-device method faults over HTTPS and lifts them', async () => {
    const virtual = emulator.admin.connectVirtualDevice('bulk-1', { onMethod: async () => ({ status: 200, payload: 'real' }) });
    assert.equal((await admin('PUT', '/faults/devices/bulk-1', { kind: 'methodStatus', status: 503, payload: { busy: true } })).status, 204);
    const canned = await restCall(emulator, 'POST', '/twins/bulk-1/methods', { body: { methodName: 'x' } });
    assert.deepEqual(canned.body, { status: 503, payload: { busy: true } });
    assert.equal((await admin('PUT', '/faults/devices/bulk-1', { kind: 'offline' })).status, 204);
    assert.equal((await restCall(emulator, 'POST', '/twins/bulk-1/methods', { body: { methodName: 'x' } })).status, 404);
    assert.equal((await admin('DELETE', '/faults/devices/bulk-1')).status, 204);
    assert.deepEqual((await restCall(emulator, 'POST', '/twins/bulk-1/methods', { body: { methodName: 'x' } })).body, { status: 200, payload: 'real' });
    assert.equal((await admin('PUT', '/faults/devices/bulk-1', { kind: 'dropConnection' })).status, 204);
    assert.equal(virtual.connected, false);
    assert.equal((await admin('PUT', '/faults/devices/bulk-1', { kind: 'explode' })).status, 400);
  });

  it('injects hub faults: a burst of 429s, then 5xx, for the next N service requests only', async () => {
    assert.equal((await admin('PUT', '/faults/hub', { kind: 'throttle', count: 2 })).status, 204);
    const first = await restCall(emulator, 'GET', '/devices/bulk-2');
    const second = await restCall(emulator, 'GET', '/twins/bulk-2');
    const third = await restCall(emulator, 'GET', '/devices/bulk-2');
    assert.deepEqual([first.status, second.status, third.status], [429, 429, 200]);
    assert.equal(first.headers['iothub-errorcode'], 'ThrottlingException');

    emulator.admin.setHubFault({ kind: 'serverError', status: 503, count: 1 });
    const unavailable = await restCall(emulator, 'GET', '/devices/bulk-2');
    assert.equal(unavailable.status, 503);
    assert.equal(unavailable.headers['iothub-errorcode'], 'ServiceUnavailable');
    emulator.admin.setHubFault({ kind: 'serverError', status: 500, count: 5 });
    assert.equal((await restCall(emulator, 'GET', '/devices/bulk-2')).status, 500);
    assert.equal((await admin('DELETE', '/faults/hub')).status, 204);
    assert.equal((await restCall(emulator, 'GET', '/devices/bulk-2')).status, 200);
    assert.equal((await admin('PUT', '/faults/hub', { kind: 'serverError', status: 502, count: 1 })).status, 400);
  });

  it('serves captured telemetry and counters', async () => {
    const device = await openDeviceClient(emulator, 'bulk-2');
    const message = new Message('hello');
    message.properties.add('k', 'v');
    await device.sendEvent(message);
    await device.close();
    const telemetry = await admin('GET', '/telemetry?deviceId=bulk-2');
    const captured = elementAt(telemetry.body as { deviceId: string; body: string; properties: Record<string, string> }[], 0);
    assert.equal(captured.deviceId, 'bulk-2');
    assert.equal(Buffer.from(captured.body, 'base64').toString(), 'hello');
    assert.deepEqual(captured.properties, { k: 'v' });
    assert.equal(((await admin('GET', '/telemetry?deviceId=bulk-1')).body as unknown[]).length, 0);
    const counters = (await admin('GET', '/counters')).body as CounterSnapshot;
    assert.equal(counters.telemetryMessages, 1);
    assert.equal(counters.methodInvocations, 3);
    assert.ok(counters.throttled >= 2);
    assert.ok(counters.mqttConnections >= 1);
  });

  it('resets everything', async () => {
    assert.equal((await admin('POST', '/reset')).status, 204);
    assert.equal((await restCall(emulator, 'GET', '/devices/bulk-1')).status, 404);
    assert.deepEqual((await admin('GET', '/telemetry')).body, []);
    const counters = (await admin('GET', '/counters')).body as CounterSnapshot;
    assert.equal(counters.telemetryMessages, 0);
    assert.equal((await admin('GET', '/nothing-here')).status, 400);
  });
});
