// The IoT Hub adapter against the local emulator over TLS: the real azure-iothub SDK built by the adapter from a
// `HostName=host:port` connection string plus the emulator's CA, and every method outcome the orchestration acts on.
import { after, before, beforeEach, test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as net from 'node:net';
import { startIotHubEmulator, type RunningIotHubEmulator, type VirtualDeviceConnection, type VirtualDeviceHandler } from '../../../local/iothub';
import { createIotHubGateway } from '../../../src/adapters/iothub';
import { parseServiceConnectionString } from '../../../src/config';
import type { MethodRequest } from '../../../src/domain/methodInvocation';
import { allOperations } from '../../../src/domain/operations/registry';
import { REBOOT } from '../../../src/domain/operations/reboot';
import { HubRequestError, TransientHubError, type IotHubGateway } from '../../../src/domain/ports';
import { SectionReading } from '../../../src/domain/reportedSection';

let hub: RunningIotHubEmulator;
let gateway: IotHubGateway;
const devices: VirtualDeviceConnection[] = [];
const servers: net.Server[] = [];

before(async () => {
  hub = await startIotHubEmulator();
  gateway = createIotHubGateway(parseServiceConnectionString(hub.serviceConnectionString), hub.caCertPem);
});
after(async () => {
  for (const device of devices) if (device.connected) device.disconnect();
  for (const server of servers) {
    server.close();
  }
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
  onMethod: VirtualDeviceHandler['onMethod'] = async (name, payload) => ({ status: 200, payload: { ran: name, echo: payload } })): Promise<VirtualDeviceConnection> {
  await hub.admin.createDevices([deviceId]);
  const device = hub.admin.connectVirtualDevice(deviceId, { onMethod });
  devices.push(device);
  return device;
}

/** A TCP server on a free port that does `onConnection` with every socket. */
async function tcpServer(onConnection: (socket: net.Socket) => void): Promise<number> {
  const server = net.createServer(onConnection);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as net.AddressInfo).port;
}

test('accepted: the device answers 200; the method name and payload reach it; the hub time of the answer comes back', async () => {
  await connected('gw-accept');
  const before = Date.now();
  const result = await gateway.invokeMethod(method('gw-accept', { methodName: 'firmwareUpdate', payload: { fwPackageUri: 'https://x/y.bin' } }));
  assert.ok(result.kind === 'accepted', JSON.stringify(result));
  assert.deepEqual(result.response, { status: 200, payload: { ran: 'firmwareUpdate', echo: { fwPackageUri: 'https://x/y.bin' } } });
  assert.ok(result.hubTime !== null);
  assert.ok(Math.abs(Date.parse(result.hubTime) - before) < 5000, 'the Date header of the hub answer');
});

test('rejected: a device status ≥ 300 keeps status and payload, also when the hub answers for the device', async () => {
  await connected('gw-reject', async () => ({ status: 409, payload: 'Another device management operation is in progress' }));
  const result = await gateway.invokeMethod(method('gw-reject'));
  assert.deepEqual(result.kind === 'rejected' && result.response, { status: 409, payload: 'Another device management operation is in progress' });
  hub.admin.setFault('gw-reject', { kind: 'methodStatus', status: 501, payload: { error: 'not implemented' } });
  const faulted = await gateway.invokeMethod(method('gw-reject'));
  assert.deepEqual(faulted.kind === 'rejected' && faulted.response, { status: 501, payload: { error: 'not implemented' } });
  hub.admin.setFault('gw-reject', null);
});

test('404001: an unregistered device is deviceNotFound', async () => {
  const result = await gateway.invokeMethod(method('gw-nobody'));
  assert.equal(result.kind, 'deviceNotFound');
  assert.match(result.kind === 'deviceNotFound' ? result.message : '', /404001/);
});

test('404103: a registered device that is not connected, and the offline fault, are deviceOffline (the SDK only says "Not found")', async () => {
  await hub.admin.createDevices(['gw-never-connected']);
  const never = await gateway.invokeMethod(method('gw-never-connected'));
  assert.equal(never.kind, 'deviceOffline');
  assert.match(never.kind === 'deviceOffline' ? never.message : '', /404103/);

  const device = await connected('gw-offline');
  hub.admin.setFault('gw-offline', { kind: 'offline' });
  assert.equal((await gateway.invokeMethod(method('gw-offline'))).kind, 'deviceOffline');
  hub.admin.setFault('gw-offline', null);
  device.disconnect();
  assert.equal((await gateway.invokeMethod(method('gw-offline'))).kind, 'deviceOffline');
  device.reconnect();
  assert.equal((await gateway.invokeMethod(method('gw-offline'))).kind, 'accepted');
});

test('504101: a device that never answers → maybeDelivered after responseTimeoutInSeconds (the method may have run)', async () => {
  let calls = 0;
  await connected('gw-silent', () => {
    calls += 1;
    return new Promise(() => undefined);
  });
  const started = Date.now();
  const result = await gateway.invokeMethod(method('gw-silent', { responseTimeoutInSeconds: 5 }));
  const elapsed = Date.now() - started;
  assert.equal(result.kind, 'maybeDelivered');
  assert.match(result.kind === 'maybeDelivered' ? result.message : '', /504101/);
  assert.equal(calls, 1, 'the device did get it');
  assert.ok(elapsed >= 4500, `waited ${elapsed} ms`);
});

test('429 throttling and 500/503: notDelivered at once, with the reason — the SDK internal 240 s retry is off', async (t) => {
  await connected('gw-throttle');
  const cases = [
    { fault: { kind: 'throttle', count: 1 } as const, reason: 'throttled', text: /HTTP 429, error 429001/ },
    { fault: { kind: 'serverError', status: 503, count: 1 } as const, reason: 'unavailable', text: /HTTP 503/ },
    { fault: { kind: 'serverError', status: 500, count: 1 } as const, reason: 'unavailable', text: /HTTP 500/ },
  ];
  for (const c of cases) {
    await t.test(c.fault.kind === 'throttle' ? '429' : String(c.fault.status), async () => {
      hub.admin.setHubFault(c.fault);
      const started = Date.now();
      const result = await gateway.invokeMethod(method('gw-throttle'));
      assert.ok(result.kind === 'notDelivered', JSON.stringify(result));
      assert.equal(result.reason, c.reason);
      assert.match(result.message, c.text);
      assert.ok(Date.now() - started < 3000, 'no hidden retry');
      // One faulted request only: the next attempt (the orchestration's retry) goes through.
      assert.equal((await gateway.invokeMethod(method('gw-throttle'))).kind, 'accepted');
    });
  }
});

test('network: a refused connection proves nothing was sent; a reset or a silent hub may have delivered it', async (t) => {
  const access = parseServiceConnectionString(hub.serviceConnectionString);
  await t.test('ECONNREFUSED → notDelivered', async () => {
    const port = await tcpServer(() => undefined);
    await new Promise<void>((resolve) => servers.pop()!.close(() => resolve()));
    const refused = createIotHubGateway({ ...access, port }, hub.caCertPem);
    const result = await refused.invokeMethod(method('gw-any'));
    assert.ok(result.kind === 'notDelivered', JSON.stringify(result));
    assert.match(result.message, /ECONNREFUSED/);
    await refused.close();
  });
  await t.test('connection reset → maybeDelivered', async () => {
    const port = await tcpServer((socket) => socket.resetAndDestroy());
    const reset = createIotHubGateway({ ...access, port }, hub.caCertPem);
    const result = await reset.invokeMethod(method('gw-any'));
    assert.equal(result.kind, 'maybeDelivered', JSON.stringify(result));
    await reset.close();
  });
  await t.test('no answer past the hub timeouts + grace → maybeDelivered', async () => {
    const sockets: net.Socket[] = [];
    const port = await tcpServer((socket) => sockets.push(socket));
    const silent = createIotHubGateway({ ...access, port }, hub.caCertPem, { methodGraceMs: 300 });
    const started = Date.now();
    const result = await silent.invokeMethod(method('gw-any', { responseTimeoutInSeconds: 0 }));
    assert.ok(result.kind === 'maybeDelivered', JSON.stringify(result));
    assert.match(result.message, /no answer from IoT Hub/);
    assert.ok(Date.now() - started < 3000);
    await silent.close();
    for (const socket of sockets) socket.destroy();
  });
});

test('a wrong key (401) is failed, not retried; the key never appears in the message', async () => {
  const access = parseServiceConnectionString(hub.serviceConnectionString);
  const wrongKey = Buffer.from('this-is-not-the-right-key-000000').toString('base64');
  const wrong = createIotHubGateway({ ...access, key: wrongKey }, hub.caCertPem);
  const result = await wrong.invokeMethod(method('gw-accept'));
  assert.ok(result.kind === 'failed', JSON.stringify(result));
  assert.match(result.message, /401/);
  assert.ok(!result.message.includes(wrongKey) && !result.message.includes(access.key));
  await assert.rejects(wrong.readConnection('gw-accept'), HubRequestError, 'a refused registry read is not transient');
  assert.equal((await wrong.readTwinSection('gw-accept', 'reboot')).kind, 'failed');
  await assert.rejects(wrong.countByStatus('reboot', {}), HubRequestError);
  await wrong.close();
});

test('without the emulator CA the TLS handshake fails: failed (permanent), not retried forever', async () => {
  const untrusting = createIotHubGateway(parseServiceConnectionString(hub.serviceConnectionString), null);
  assert.equal((await untrusting.invokeMethod(method('gw-accept'))).kind, 'failed');
  await untrusting.close();
});

test("readTwinSection: each kind's section with the hub's $metadata times, nothing of the other sections", async (t) => {
  const device = await connected('gw-twin');
  const since = new Date(Date.now() - 1000).toISOString();
  for (const { section } of allOperations()) {
    await t.test(section, async () => {
      const empty = await gateway.readTwinSection('gw-twin', `${section}Unused`);
      assert.ok(empty.kind === 'observed');
      assert.equal(empty.state.values, null, 'a section the device never reported');
      assert.deepEqual(empty.state.lastUpdated, {});
      device.updateReported({ iothubDM: { [section]: { status: `${section} in progress`, startedAt: '1970-01-01T00:00:00Z' } } });
      const read = await gateway.readTwinSection('gw-twin', section);
      assert.ok(read.kind === 'observed');
      assert.deepEqual(read.state.values, { status: `${section} in progress`, startedAt: '1970-01-01T00:00:00Z' }, 'own fields only, no $metadata');
      assert.equal(read.state.connectionState, 'Connected');
      assert.equal(read.state.connectionStateUpdatedTime, null, 'the twin does not carry it');
      assert.ok(Date.parse(read.state.lastUpdated.status!) >= Date.parse(since), 'hub time, not the 1970 the device wrote');
      assert.ok(read.state.lastUpdated.$section !== undefined);
      assert.ok((read.state.reportedVersion ?? 0) >= 2);
    });
  }
  await t.test('a null in a patch deletes the field', async () => {
    device.updateReported({ iothubDM: { reboot: { lastReboot: '1970-01-01T00:00:00Z' } } });
    const before = await gateway.readTwinSection('gw-twin', 'reboot');
    assert.equal(before.kind === 'observed' && before.state.values?.lastReboot, '1970-01-01T00:00:00Z');
    device.updateReported({ iothubDM: { reboot: { lastReboot: null } } });
    const read = await gateway.readTwinSection('gw-twin', 'reboot');
    assert.ok(read.kind === 'observed');
    assert.equal(read.state.values?.lastReboot, undefined);
  });
});

test('readConnection: the identity registry\'s connection state and time; SDK-sample reboot judged with it', async () => {
  const device = await connected('gw-sample');
  const since = new Date(Date.now() - 1000).toISOString();
  const first = await gateway.readConnection('gw-sample');
  assert.equal(first?.connectionState, 'Connected');
  assert.ok(first?.connectionStateUpdatedTime !== null && first?.connectionStateUpdatedTime !== undefined);
  device.updateReported({ iothubDM: { reboot: { startedRebootTime: new Date().toISOString() } } });
  device.disconnect();
  const away = await gateway.readConnection('gw-sample');
  assert.equal(away?.connectionState, 'Disconnected');
  assert.ok(Date.parse(away!.connectionStateUpdatedTime!) >= Date.parse(first!.connectionStateUpdatedTime!));
  device.reconnect();
  const back = await gateway.readConnection('gw-sample');
  assert.equal(back?.connectionState, 'Connected');
  const read = await gateway.readTwinSection('gw-sample', 'reboot');
  assert.ok(read.kind === 'observed');
  read.state.connectionStateUpdatedTime = back!.connectionStateUpdatedTime;
  assert.equal(REBOOT.judge(new SectionReading(read.state, since)).state, 'completed', 'reconnected after startedRebootTime');
  assert.equal(await gateway.readConnection('gw-missing'), null);
});

test('reads: unknown device → deviceNotFound; throttled → TransientHubError', async () => {
  assert.equal((await gateway.readTwinSection('gw-missing', 'reboot')).kind, 'deviceNotFound');
  await connected('gw-read-throttle');
  hub.admin.setHubFault({ kind: 'throttle', count: 1 });
  await assert.rejects(gateway.readTwinSection('gw-read-throttle', 'reboot'), TransientHubError);
  hub.admin.setHubFault({ kind: 'serverError', status: 503, count: 1 });
  await assert.rejects(gateway.readConnection('gw-read-throttle'), TransientHubError);
  assert.equal((await gateway.readTwinSection('gw-read-throttle', 'reboot')).kind, 'observed', 'the fault is used up');
});

test("special device ids (# ? % ' ( ) : = @ $ ;) reach the right device through the SDK's URL encoding", async () => {
  const id = "a#b?c%d'e(f)g:h=i@j$k;l";
  const device = await connected(id);
  device.updateReported({ iothubDM: { factoryReset: { status: 'completed' } } });
  const invoked = await gateway.invokeMethod(method(id, { payload: 'x' }));
  assert.deepEqual(invoked.kind === 'accepted' && invoked.response.payload, { ran: 'reboot', echo: 'x' });
  const read = await gateway.readTwinSection(id, 'factoryReset');
  assert.equal(read.kind === 'observed' && read.state.values?.status, 'completed');
  assert.equal((await gateway.readConnection(id))?.connectionState, 'Connected');
});

test('countByStatus: one GROUP BY query per section, filters applied by the hub, quotes in values handled', async () => {
  const ids = ['fleet-1', 'fleet-2', 'fleet-3', 'fleet-4', 'fleet-5'];
  await hub.admin.createDevices(ids.slice(0, 3), { tags: { site: "O'Brien" } });
  await hub.admin.createDevices(ids.slice(3), { tags: { site: 'north' } });
  const reboot = ['completed', 'completed', 'failed', 'rebooting', null];
  const firmware = ['downloading', 'apply firmware image complete', null, 'downloading', 'Download image failed'];
  for (const [i, id] of ids.entries()) {
    const device = hub.admin.connectVirtualDevice(id, { onMethod: async () => ({ status: 200, payload: null }) });
    devices.push(device);
    const dm: Record<string, unknown> = {};
    if (reboot[i] !== null) dm.reboot = { status: reboot[i] };
    if (firmware[i] !== null) dm.firmwareUpdate = { status: firmware[i] };
    device.updateReported({ iothubDM: dm });
    if (i === 4) device.disconnect();
  }
  assert.deepEqual(await gateway.countByStatus('reboot', { deviceIdPrefix: 'fleet-' }),
    [{ status: 'completed', devices: 2 }, { status: 'failed', devices: 1 }, { status: 'rebooting', devices: 1 }, { status: null, devices: 1 }]);
  assert.deepEqual(await gateway.countByStatus('firmwareUpdate', { deviceIdPrefix: 'fleet-' }),
    [{ status: 'downloading', devices: 2 }, { status: 'apply firmware image complete', devices: 1 }, { status: 'Download image failed', devices: 1 }, { status: null, devices: 1 }]);
  assert.deepEqual(await gateway.countByStatus('factoryReset', { deviceIdPrefix: 'fleet-' }), [{ status: null, devices: 5 }]);
  assert.deepEqual(await gateway.countByStatus('reboot', { deviceIdPrefix: 'fleet-', tag: { name: 'site', value: "O'Brien" } }),
    [{ status: 'completed', devices: 2 }, { status: 'failed', devices: 1 }]);
  assert.deepEqual(await gateway.countByStatus('firmwareUpdate', { deviceIdPrefix: 'fleet-', connectionState: 'Disconnected' }),
    [{ status: 'Download image failed', devices: 1 }]);
  assert.deepEqual(await gateway.countByStatus('reboot', { deviceIdPrefix: 'fleet-', tag: { name: 'site', value: "x' OR deviceId != '" } }), [], 'the value stayed a literal');
  // One group per page: the counts must come from every page once (the SDK's promise form restarts at page one
  // unless the continuation token is passed back).
  const paged = createIotHubGateway(parseServiceConnectionString(hub.serviceConnectionString), hub.caCertPem, { queryPageSize: 1 });
  try {
    assert.deepEqual(await paged.countByStatus('reboot', { deviceIdPrefix: 'fleet-' }),
      [{ status: 'completed', devices: 2 }, { status: 'failed', devices: 1 }, { status: 'rebooting', devices: 1 }, { status: null, devices: 1 }]);
  } finally {
    await paged.close();
  }
  hub.admin.setHubFault({ kind: 'throttle', count: 1 });
  await assert.rejects(gateway.countByStatus('reboot', {}), TransientHubError);
});
