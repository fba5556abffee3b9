// The IoT Hub adapter against the local emulator over TLS: the real azure-iothub SDK built by the adapter from a
// `HostName=host:port` connection string plus the emulator's CA, and every classification the orchestration relies on.
import { after, before, beforeEach, test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as net from 'node:net';
import { startIotHubEmulator, type RunningIotHubEmulator, type VirtualDeviceConnection, type VirtualDeviceHandler } from '../../../local/iothub';
import { createIotHubGateway } from '../../../src/adapters/iothub';
import { parseServiceConnectionString } from '../../../src/config';
import type { MethodRequest } from '../../../src/domain/methodInvocation';
import { TransientHubError, type IotHubGateway } from '../../../src/domain/ports';
import { judgeReboot } from '../../../src/domain/rebootState';

let hub: RunningIotHubEmulator;
let gateway: IotHubGateway;
const devices: VirtualDeviceConnection[] = [];

before(async () => {
  hub = await startIotHubEmulator();
  gateway = createIotHubGateway(parseServiceConnectionString(hub.serviceConnectionString), hub.caCertPem);
});
after(async () => {
  for (const device of devices) if (device.connected) device.disconnect();
  await gateway.close();
  await hub.stop();
});
beforeEach(() => {
  hub.admin.setHubFault(null);
});

const method = (deviceId: string, overrides: Partial<MethodRequest> = {}): MethodRequest => ({
  deviceId, methodName: 'reboot', payload: null, responseTimeoutInSeconds: 5, connectTimeoutInSeconds: 0, ...overrides,
});

async function connected(deviceId: string,
  onMethod: VirtualDeviceHandler['onMethod'] = async (_name, payload) => ({ status: 200, payload: { started: true, echo: payload } })): Promise<VirtualDeviceConnection> {
  await hub.admin.createDevices([deviceId]);
  const device = hub.admin.connectVirtualDevice(deviceId, { onMethod });
  devices.push(device);
  return device;
}

test('the connection string carries host:port; the adapter reaches the emulator through public constructors and the CA', () => {
  const access = parseServiceConnectionString(hub.serviceConnectionString);
  assert.equal(access.port, hub.httpsPort);
  assert.equal(access.hostName, hub.hostName);
});

test('accepted: the device answers 200; its status and payload come back with the hub time of the answer', async () => {
  await connected('gw-accept');
  const before = Date.now();
  const result = await gateway.invokeMethod(method('gw-accept', { payload: { reason: 'maintenance' } }));
  assert.equal(result.kind, 'accepted');
  assert.ok(result.kind === 'accepted');
  assert.deepEqual(result.response, { status: 200, payload: { started: true, echo: { reason: 'maintenance' } } });
  assert.ok(result.hubTime !== null);
  assert.ok(Math.abs(Date.parse(result.hubTime) - before) < 5000, 'the Date header of the hub answer');
});

test('rejected: a device status ≥ 300 keeps status and payload', async () => {
  await connected('gw-reject', async () => ({ status: 409, payload: 'Another device management operation is in progress' }));
  const result = await gateway.invokeMethod(method('gw-reject'));
  assert.deepEqual(result.kind === 'rejected' && result.response, { status: 409, payload: 'Another device management operation is in progress' });
  // The hub answering for the device (methodStatus fault) is the same outcome.
  hub.admin.setFault('gw-reject', { kind: 'methodStatus', status: 501, payload: { error: 'not implemented' } });
  const faulted = await gateway.invokeMethod(method('gw-reject'));
  assert.deepEqual(faulted.kind === 'rejected' && faulted.response, { status: 501, payload: { error: 'not implemented' } });
  hub.admin.setFault('gw-reject', null);
});

test('404001: an unregistered device is DeviceNotFound', async () => {
  const result = await gateway.invokeMethod(method('gw-nobody'));
  assert.equal(result.kind, 'deviceNotFound');
  assert.equal(result.kind === 'deviceNotFound' && result.errorCode, 404001);
});

test('404103: a registered device that is not connected, and the offline fault, are DeviceOffline (the SDK only says "Not found")', async () => {
  await hub.admin.createDevices(['gw-never-connected']);
  const never = await gateway.invokeMethod(method('gw-never-connected'));
  assert.equal(never.kind, 'deviceOffline');
  assert.equal(never.kind === 'deviceOffline' && never.errorCode, 404103);

  const device = await connected('gw-offline');
  hub.admin.setFault('gw-offline', { kind: 'offline' });
  assert.equal((await gateway.invokeMethod(method('gw-offline'))).kind, 'deviceOffline');
  hub.admin.setFault('gw-offline', null);
  device.disconnect();
  assert.equal((await gateway.invokeMethod(method('gw-offline'))).kind, 'deviceOffline');
  device.reconnect();
  assert.equal((await gateway.invokeMethod(method('gw-offline'))).kind, 'accepted');
});

test('504101: a device that never answers gives an unknown outcome after responseTimeoutInSeconds, with the hub time', async () => {
  await connected('gw-silent', () => new Promise(() => undefined));
  const started = Date.now();
  const result = await gateway.invokeMethod(method('gw-silent', { responseTimeoutInSeconds: 5 }));
  const elapsed = Date.now() - started;
  assert.equal(result.kind, 'outcomeUnknown');
  assert.ok(result.kind === 'outcomeUnknown');
  assert.equal(result.errorCode, 504101);
  assert.ok(result.hubTime !== null);
  assert.ok(elapsed >= 4500, `waited ${elapsed} ms`);
});

test('429 throttling and 500/503: transient, thrown at once — the SDK internal 240 s retry is off', async () => {
  await connected('gw-throttle');
  for (const fault of [{ kind: 'throttle', count: 1 }, { kind: 'serverError', status: 503, count: 1 }, { kind: 'serverError', status: 500, count: 1 }] as const) {
    hub.admin.setHubFault(fault);
    const started = Date.now();
    await assert.rejects(gateway.invokeMethod(method('gw-throttle')), (err: unknown) => {
      assert.ok(err instanceof TransientHubError, String(err));
      assert.match(err.message, fault.kind === 'throttle' ? /HTTP 429, error 429001/ : new RegExp(`HTTP ${fault.status}`));
      return true;
    });
    assert.ok(Date.now() - started < 3000, 'no hidden retry');
    // One faulted request only: the next attempt (the orchestration's retry) goes through.
    assert.equal((await gateway.invokeMethod(method('gw-throttle'))).kind, 'accepted');
  }
});

test('network failures are transient; a hub that accepts the connection and never answers is an unknown outcome', async () => {
  // A port nothing listens on.
  const closed = net.createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const closedPort = (closed.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => closed.close(() => resolve()));
  const refused = createIotHubGateway({ ...parseServiceConnectionString(hub.serviceConnectionString), port: closedPort }, hub.caCertPem);
  await assert.rejects(refused.invokeMethod(method('gw-any')), (err: unknown) => err instanceof TransientHubError && /ECONNREFUSED/.test(err.message));
  await refused.close();

  // A server that takes the connection and says nothing: after the hub's own timeouts plus grace → outcome unknown.
  const sockets: net.Socket[] = [];
  const silent = net.createServer((socket) => sockets.push(socket));
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const silentGateway = createIotHubGateway({ ...parseServiceConnectionString(hub.serviceConnectionString), port: (silent.address() as net.AddressInfo).port },
    hub.caCertPem, { methodGraceMs: 200 });
  const result = await silentGateway.invokeMethod(method('gw-any', { responseTimeoutInSeconds: 5 }));
  assert.equal(result.kind, 'outcomeUnknown');
  assert.equal(result.kind === 'outcomeUnknown' && result.errorCode, null);
  await silentGateway.close();
  for (const socket of sockets) socket.destroy();
  await new Promise<void>((resolve) => silent.close(() => resolve()));
});

test('a wrong key (401) is a permanent failure, not retried; the key never appears in the message', async () => {
  const access = parseServiceConnectionString(hub.serviceConnectionString);
  const wrongKey = Buffer.from('this-is-not-the-right-key-000000').toString('base64');
  const wrong = createIotHubGateway({ ...access, key: wrongKey }, hub.caCertPem);
  const result = await wrong.invokeMethod(method('gw-accept'));
  assert.equal(result.kind, 'failed');
  assert.ok(result.kind === 'failed');
  assert.equal(result.httpStatus, 401);
  assert.ok(!result.message.includes(wrongKey) && !result.message.includes(access.key));
  await wrong.close();
});

test('without the emulator CA the TLS handshake fails: reported as a permanent failure, not retried forever', async () => {
  const untrusting = createIotHubGateway(parseServiceConnectionString(hub.serviceConnectionString), null);
  const result = await untrusting.invokeMethod(method('gw-accept'));
  assert.equal(result.kind, 'failed');
  await untrusting.close();
});

test("reads the reboot report with the hub's $metadata times; our devices' status schema", async () => {
  const device = await connected('gw-twin');
  const since = new Date(Date.now() - 1000).toISOString();
  const empty = await gateway.readRebootState('gw-twin', since);
  assert.equal(empty.kind, 'observed');
  assert.ok(empty.kind === 'observed');
  assert.equal(empty.state.reboot, null);
  assert.equal(empty.state.connectionState, 'Connected');

  device.updateReported({ iothubDM: { reboot: { status: 'rebooting', startedRebootTime: '1970-01-01T00:00:00Z' } } });
  const rebooting = await gateway.readRebootState('gw-twin', since);
  assert.ok(rebooting.kind === 'observed');
  assert.equal(rebooting.state.reboot?.status, 'rebooting');
  assert.ok(Date.parse(rebooting.state.lastUpdated.status!) >= Date.parse(since), 'hub time, not the 1970 the device wrote');
  assert.equal(judgeReboot(rebooting.state, since).state, 'pending');

  device.updateReported({ iothubDM: { reboot: { status: 'completed', lastReboot: '1970-01-01T00:00:00Z', startedRebootTime: null } } });
  const completed = await gateway.readRebootState('gw-twin', since);
  assert.ok(completed.kind === 'observed');
  assert.equal(completed.state.reboot?.startedRebootTime, undefined, 'null deleted the field');
  assert.equal(judgeReboot(completed.state, since).state, 'completed');
  assert.ok((completed.state.reportedVersion ?? 0) >= 3);
});

test('SDK sample schema: startedRebootTime then a reconnection, read from the identity registry', async () => {
  const device = await connected('gw-sample');
  const since = new Date(Date.now() - 1000).toISOString();
  device.updateReported({ iothubDM: { reboot: { startedRebootTime: new Date().toISOString() } } });
  const waiting = await gateway.readRebootState('gw-sample', since);
  assert.ok(waiting.kind === 'observed');
  assert.equal(judgeReboot(waiting.state, since).state, 'pending', 'connected since before the reboot started');
  device.disconnect();
  await new Promise((resolve) => setTimeout(resolve, 20));
  device.reconnect();
  const back = await gateway.readRebootState('gw-sample', since);
  assert.ok(back.kind === 'observed');
  assert.ok(back.state.connectionStateUpdatedTime !== null);
  assert.equal(judgeReboot(back.state, since).state, 'completed');
});

test('twin reads: unknown device → deviceNotFound; throttled → transient', async () => {
  assert.equal((await gateway.readRebootState('gw-missing', new Date().toISOString())).kind, 'deviceNotFound');
  await connected('gw-read-throttle');
  hub.admin.setHubFault({ kind: 'throttle', count: 1 });
  await assert.rejects(gateway.readRebootState('gw-read-throttle', new Date().toISOString()), TransientHubError);
});

test("special device ids (# ? % ' ( ) : = @ $ ;) reach the right device through the SDK's URL encoding", async () => {
  const id = "a#b?c%d'e(f)g:h=i@j$k;l";
  const device = await connected(id);
  device.updateReported({ iothubDM: { reboot: { status: 'completed' } } });
  const invoked = await gateway.invokeMethod(method(id, { payload: 'x' }));
  assert.deepEqual(invoked.kind === 'accepted' && invoked.response.payload, { started: true, echo: 'x' });
  const read = await gateway.readRebootState(id, new Date(0).toISOString());
  assert.equal(read.kind === 'observed' && read.state.reboot?.status, 'completed');
});

test('fleet report: one GROUP BY query, filters applied by the hub, quotes in values handled', async () => {
  const prefix = 'fleet-';
  const ids = ['fleet-1', 'fleet-2', 'fleet-3', 'fleet-4', 'fleet-5'];
  await hub.admin.createDevices(ids.slice(0, 3), { tags: { site: "O'Brien" } });
  await hub.admin.createDevices(ids.slice(3), { tags: { site: 'north' } });
  const statuses = ['completed', 'completed', 'failed', 'rebooting', null];
  for (const [i, id] of ids.entries()) {
    const device = hub.admin.connectVirtualDevice(id, { onMethod: async () => ({ status: 200, payload: null }) });
    devices.push(device);
    if (statuses[i] !== null) device.updateReported({ iothubDM: { reboot: { status: statuses[i] } } });
    if (i === 4) device.disconnect();
  }
  const all = await gateway.countByRebootStatus({ deviceIdPrefix: prefix });
  assert.deepEqual(all, [{ status: 'completed', devices: 2 }, { status: 'failed', devices: 1 }, { status: 'rebooting', devices: 1 }, { status: null, devices: 1 }]);
  const quoted = await gateway.countByRebootStatus({ deviceIdPrefix: prefix, tag: { name: 'site', value: "O'Brien" } });
  assert.deepEqual(quoted, [{ status: 'completed', devices: 2 }, { status: 'failed', devices: 1 }]);
  const offline = await gateway.countByRebootStatus({ deviceIdPrefix: prefix, connectionState: 'Disconnected' });
  assert.deepEqual(offline, [{ status: null, devices: 1 }]);
  const injection = await gateway.countByRebootStatus({ deviceIdPrefix: prefix, tag: { name: 'site', value: "x' OR deviceId != '" } });
  assert.deepEqual(injection, [], 'the value stayed a literal');
  hub.admin.setHubFault({ kind: 'throttle', count: 1 });
  await assert.rejects(gateway.countByRebootStatus({}), TransientHubError);
});
