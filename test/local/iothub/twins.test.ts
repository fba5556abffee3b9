// Device twins with the unmodified SDKs on both sides: versions, etags, $metadata, merge patches with null deletes,
// desired-property notifications, IoT Hub's limits (400004), and connection state on the twin.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Client as DeviceClient, Twin as DeviceTwin } from 'azure-iot-device';
import { createStackClock } from '../../../local/clock';
import { startIotHubEmulator, type RunningIotHubEmulator } from '../../../local/iothub/index';
import { type ServiceClients, fields, openDeviceClient, restCall, serviceClients, serviceErrors, waitUntil } from '../../support/iothub';

// Twin JSON is navigated freely in assertions; a wrong path fails the assertion.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = Record<string, any>;

function reportedUpdate(twin: DeviceTwin, patch: unknown): Promise<void> {
  return new Promise((resolve, reject) => twin.properties.reported.update(patch, (error?: Error) => (error ? reject(error) : resolve())));
}

function nextDesired(twin: DeviceTwin, predicate: (patch: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> {
  return new Promise((resolve) => {
    const listener = (patch: Record<string, unknown>) => {
      if (!predicate(patch)) return;
      twin.removeListener('properties.desired', listener);
      resolve(patch);
    };
    twin.on('properties.desired', listener);
  });
}

describe('device twins', () => {
  let emulator: RunningIotHubEmulator;
  let service: ServiceClients;
  const devices: DeviceClient[] = [];

  before(async () => {
    // A manual clock: $metadata stamps move only when the test moves time.
    emulator = await startIotHubEmulator({ clock: createStackClock('manual') });
    service = serviceClients(emulator);
    await emulator.admin.createDevices(['twin-1', 'twin-2', 'twin-limits', 'twin-conn']);
  });
  after(async () => {
    await Promise.all(devices.map((d) => d.close()));
    service.close();
    await emulator.stop();
  });

  it('starts a new twin at version 1 with desired and reported $version 1', async () => {
    const { responseBody: twin } = await service.registry.getTwin('twin-1');
    const raw = await restCall(emulator, 'GET', '/twins/twin-1');
    const body = raw.body as Loose;
    assert.equal(body.version, 1);
    assert.equal(body.etag, 'AAAAAAAAAAE=');
    assert.equal(raw.headers.etag, '"AAAAAAAAAAE="');
    assert.equal(body.properties.desired.$version, 1);
    assert.equal(body.properties.reported.$version, 1);
    assert.equal(body.tags, undefined, 'no tags member while there are none');
    assert.equal(body.connectionState, 'Disconnected');
    assert.equal(body.statusUpdateTime, '0001-01-01T00:00:00Z');
    assert.equal(twin.deviceId, 'twin-1');
  });

  it('merges service patches, deletes with null, versions each section and keeps $metadata', async () => {
    const { responseBody: t0 } = await service.registry.getTwin('twin-1');
    const { responseBody: t1 } = await service.registry.updateTwin(
      'twin-1',
      { tags: { site: { building: '43', floor: 1 } }, properties: { desired: { telemetry: { interval: 5, mode: 'fast' }, fw: '1.0' } } },
      t0.etag,
    );
    const p1 = t1.properties as Loose;
    assert.equal((t1 as unknown as { version: number }).version, 2);
    assert.equal(p1.desired.$version, 2);
    assert.equal(p1.reported.$version, 1);
    assert.deepEqual(t1.tags, { site: { building: '43', floor: 1 } });
    const meta1 = p1.desired.$metadata;
    assert.equal(meta1.$lastUpdatedVersion, 2);
    assert.equal(meta1.telemetry.interval.$lastUpdatedVersion, 2);
    assert.ok(!Number.isNaN(Date.parse(meta1.telemetry.mode.$lastUpdated)));

    emulator.clock.advance(1_000);
    const { responseBody: t2 } = await service.registry.updateTwin(
      'twin-1',
      { tags: { site: { floor: null } }, properties: { desired: { telemetry: { mode: null }, extra: [1, 2] } } },
      t1.etag,
    );
    const p2 = t2.properties as Loose;
    assert.equal(p2.desired.$version, 3);
    assert.deepEqual(t2.tags, { site: { building: '43' } });
    assert.deepEqual(p2.desired.telemetry, { interval: 5 });
    assert.deepEqual(p2.desired.extra, [1, 2]);
    assert.equal(p2.desired.fw, '1.0');
    const meta2 = p2.desired.$metadata;
    assert.equal(meta2.telemetry.mode, undefined, 'metadata of a deleted key is gone');
    assert.equal(meta2.telemetry.$lastUpdatedVersion, 3, 'the parent of a deleted key records the update');
    assert.equal(meta2.telemetry.interval.$lastUpdatedVersion, 2, 'untouched leaves keep their stamp');
    assert.equal(meta2.fw.$lastUpdated, meta1.fw.$lastUpdated);
    assert.ok(Date.parse(meta2.$lastUpdated) - Date.parse(meta1.$lastUpdated) >= 1_000, 'stamped on the hub clock');
  });

  it('rejects a stale twin etag with 412 (InvalidEtagError) and accepts "*"', async () => {
    await assert.rejects(service.registry.updateTwin('twin-1', { tags: { x: 1 } }, 'AAAAAAAAAAE='), serviceErrors.InvalidEtagError);
    const { responseBody } = await service.registry.updateTwin('twin-1', { tags: { x: 1 } }, '*');
    assert.equal(responseBody.tags.x, 1);
    await assert.rejects(service.registry.getTwin('no-such-device'), serviceErrors.DeviceNotFoundError);
  });

  it('replaces tags and desired properties with PUT /twins/{id}', async () => {
    await service.registry.updateTwin('twin-2', { tags: { a: 1 }, properties: { desired: { keep: false, drop: 1 } } }, '*');
    const replaced = await restCall(emulator, 'PUT', '/twins/twin-2', { body: { tags: { b: 2 }, properties: { desired: { keep: true } } } });
    assert.equal(replaced.status, 200);
    const body = replaced.body as Loose;
    assert.deepEqual(body.tags, { b: 2 });
    assert.equal(body.properties.desired.keep, true);
    assert.equal(body.properties.desired.drop, undefined);
    assert.equal(body.properties.desired.$version, 3);
  });

  it('round-trips reported properties from an MQTT device, with $version in the reply and metadata on the service side', async () => {
    const device = await openDeviceClient(emulator, 'twin-2');
    devices.push(device);
    const twin = await device.getTwin();
    assert.equal(twin.properties.reported.$version, 1);
    assert.equal(twin.properties.desired.keep, true);
    assert.equal((twin.properties.desired as Record<string, unknown>).$metadata, undefined, 'MQTT GET omits $metadata');
    await reportedUpdate(twin, { firmware: { version: '2.0', state: 'ok' }, uptime: 12 });
    await reportedUpdate(twin, { firmware: { state: null } });
    const { responseBody } = await service.registry.getTwin('twin-2');
    const reported = (responseBody.properties as Loose).reported;
    assert.equal(reported.$version, 3);
    assert.deepEqual(reported.firmware, { version: '2.0' });
    assert.equal(reported.uptime, 12);
    assert.ok(reported.$metadata.firmware.version.$lastUpdated);
    assert.equal(reported.$metadata.firmware.version.$lastUpdatedVersion, undefined, 'reported metadata has no $lastUpdatedVersion');
    const refreshed = await twin.get();
    assert.equal(refreshed.properties.reported.$version, 3);
  });

  it('delivers desired-property patches to the subscribed device with their $version', async () => {
    const device = await openDeviceClient(emulator, 'twin-1');
    devices.push(device);
    const twin = await device.getTwin();
    const current = twin.properties.desired.$version as number;
    const received = nextDesired(twin, (patch) => patch.$version === current + 1);
    await service.registry.updateTwin('twin-1', { properties: { desired: { telemetry: { interval: 30 }, fw: null } } }, '*');
    const patch = await received;
    assert.deepEqual(patch, { telemetry: { interval: 30 }, fw: null, $version: current + 1 });
    assert.equal(twin.properties.desired.fw, undefined, 'the SDK applied the null delete');
    const tagsOnly = await service.registry.updateTwin('twin-1', { tags: { only: 'tags' } }, '*');
    assert.equal((tagsOnly.responseBody.properties as Loose).desired.$version, current + 1, 'tags do not move desired $version');
  });

  it('rejects twin documents that break IoT Hub limits with 400004', async () => {
    const nest = (depth: number): Record<string, unknown> => (depth === 0 ? { leaf: 1 } : { n: nest(depth - 1) });
    const cases: [string, unknown][] = [
      ['key with a dot', { properties: { desired: { 'a.b': 1 } } }],
      ['key with $', { tags: { $x: 1 } }],
      ['key with a space', { properties: { desired: { 'a b': 1 } } }],
      ['key with a control character', { properties: { desired: { 'a\u0001': 1 } } }],
      ['string over 4 KB', { properties: { desired: { s: 'x'.repeat(4097) } } }],
      ['integer out of range', { properties: { desired: { n: 4503599627370496 } } }],
      ['objects nested 11 deep', { properties: { desired: nest(11) } }],
      ['tags over 8 KB', { tags: { a: 'x'.repeat(4000), b: 'x'.repeat(4000), c: 'x'.repeat(400) } }],
      ['desired over 32 KB', { properties: { desired: Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`k${i}`, 'x'.repeat(4000)])) } }],
      ['reported from the back end', { properties: { reported: { r: 1 } } }],
    ];
    for (const [name, body] of cases) {
      const response = await restCall(emulator, 'PATCH', '/twins/twin-limits', { body, headers: { 'if-match': '*' } });
      assert.equal(response.status, 400, name);
      assert.equal(response.headers['iothub-errorcode'], 'ArgumentInvalid', name);
      assert.match((response.body as { Message: string }).Message, /^ErrorCode:ArgumentInvalid;/, name);
    }
    const ok = await restCall(emulator, 'PATCH', '/twins/twin-limits', { body: { properties: { desired: { ...nest(10), s: 'x'.repeat(4096) } } }, headers: { 'if-match': '*' } });
    assert.equal(ok.status, 200, 'depth 10 and a 4 KB string are accepted');
    await assert.rejects(service.registry.updateTwin('twin-limits', { tags: { 'bad.key': 1 } }, '*'), serviceErrors.ArgumentError);
    const { responseBody } = await service.registry.getTwin('twin-limits');
    assert.equal((responseBody.properties as Loose).desired.$version, 2, 'rejected patches changed nothing');
  });

  it('rejects invalid reported patches from a device with an error and leaves the twin unchanged', async () => {
    const device = await openDeviceClient(emulator, 'twin-limits');
    devices.push(device);
    const twin = await device.getTwin();
    await assert.rejects(reportedUpdate(twin, { 'bad.key': 1 }), /invalid character/);
    await assert.rejects(reportedUpdate(twin, { big: 'x'.repeat(5000) }), /longer than 4096 bytes/);
    await reportedUpdate(twin, { fine: true });
    const { responseBody } = await service.registry.getTwin('twin-limits');
    const reported = (responseBody.properties as Loose).reported;
    assert.equal(reported.$version, 2);
    assert.deepEqual(Object.keys(reported).filter((k) => !k.startsWith('$')), ['fine']);
  });

  it('shows connectionState and lastActivityTime on the twin and the device identity', async () => {
    const before = (await service.registry.get('twin-conn')).responseBody;
    assert.equal(before.connectionState, 'Disconnected');
    const device = await openDeviceClient(emulator, 'twin-conn');
    const { responseBody: twin } = await service.registry.getTwin('twin-conn');
    assert.equal(fields(twin).connectionState, 'Connected');
    assert.ok(Date.parse(String(fields(twin).lastActivityTime)) > Date.parse('2020-01-01'));
    const identity = (await service.registry.get('twin-conn')).responseBody;
    assert.equal(identity.connectionState, 'Connected');
    assert.notEqual(identity.connectionStateUpdatedTime, '0001-01-01T00:00:00Z');
    await device.close();
    await waitUntil(async () => fields((await service.registry.getTwin('twin-conn')).responseBody).connectionState === 'Disconnected', 'the twin to show Disconnected');
  });
});
