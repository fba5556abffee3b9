// A twin PATCH that sets a whole section to null empties it, as IoT Hub does: desired properties are replaced with
// nothing (new $version, new etag) and the connected device is told, so its copy ends empty too (SDK e2e
// twin_e2e_tests.js "can null out all desired properties"). Tags set to null are emptied the same way.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Twin as DeviceTwin } from 'azure-iot-device';
import { openDeviceClient, useIotHubEmulator } from '../../support/iothub';

function nextDesired(twin: DeviceTwin, version: number): Promise<Record<string, unknown>> {
  return new Promise((resolve) => {
    const listener = (patch: Record<string, unknown>) => {
      if (patch.$version !== version) return;
      twin.removeListener('properties.desired', listener);
      resolve(patch);
    };
    twin.on('properties.desired', listener);
  });
}

function withoutMeta(document: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(document).filter(([key, value]) => !key.startsWith('$') && typeof value !== 'function'));
}

describe('twin PATCH with a null section', () => {
  const hub = useIotHubEmulator();

  it('replaces desired properties with nothing, bumps $version and etag, and notifies the device', async () => {
    const { emulator, service } = hub;
    await emulator.admin.createDevices(['null-desired']);
    const device = await openDeviceClient(emulator, 'null-desired');
    try {
      const deviceTwin = await device.getTwin();
      const filled = nextDesired(deviceTwin, 2);
      await service.registry.updateTwin('null-desired', { properties: { desired: { fw: '1.0', telemetry: { interval: 5 } } } }, '*');
      await filled;
      assert.deepEqual(withoutMeta(deviceTwin.properties.desired), { fw: '1.0', telemetry: { interval: 5 } });

      const before = (await service.registry.getTwin('null-desired')).responseBody;
      const emptied = nextDesired(deviceTwin, 3);
      const { responseBody: after } = await service.registry.updateTwin('null-desired', { properties: { desired: null } }, before.etag);
      const notification = await emptied;

      const desired = (after.properties as { desired: Record<string, unknown> }).desired;
      assert.equal(desired.$version, 3);
      assert.deepEqual(withoutMeta(desired), {});
      assert.deepEqual(Object.keys(desired.$metadata as object).filter((key) => !key.startsWith('$')), []);
      assert.notEqual(after.etag, before.etag);
      assert.deepEqual(notification, { fw: null, telemetry: null, $version: 3 });
      assert.deepEqual(withoutMeta(deviceTwin.properties.desired), {}, "the device's copy of desired is empty");
    } finally {
      await device.close();
    }
  });

  it('empties tags set to null and moves the twin version', async () => {
    const { emulator, service } = hub;
    await emulator.admin.createDevices(['null-tags'], { tags: { site: 'north' } });
    const before = (await service.registry.getTwin('null-tags')).responseBody;
    const { responseBody: after } = await service.registry.updateTwin('null-tags', { tags: null }, '*');
    assert.deepEqual(after.tags ?? {}, {});
    assert.equal((after as unknown as { version: number }).version, (before as unknown as { version: number }).version + 1);
  });
});
