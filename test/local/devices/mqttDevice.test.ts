// The simulated MQTT device (unmodified azure-iot-device + azure-iot-device-mqtt) against the emulator over TLS.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SimulatedDevice } from '../../../local/devices/index.js';
import { describeDeviceScenarios } from './support/deviceScenarios.js';
import { pollUntil, useIotHubEmulator } from '../../support/iothub.js';

describeDeviceScenarios('mqtt');

describe('simulated mqtt device: connection handling', () => {
  const hub = useIotHubEmulator();

  test('a connection dropped by the hub is re-established by the device, which then answers again', async () => {
    await hub.emulator.admin.createDevices(['mqtt-drop']);
    const device = new SimulatedDevice({ deviceId: 'mqtt-drop', connectionString: hub.emulator.deviceConnectionString('mqtt-drop'), ca: hub.emulator.caCertPem });
    try {
      await device.start();
      assert.equal(device.connections, 1);
      hub.emulator.admin.setFault('mqtt-drop', { kind: 'dropConnection' });
      await pollUntil(async () => device.connections, (n) => n === 2, 'the device to connect again');
      assert.equal(await hub.service.connectionState('mqtt-drop'), 'Connected');
      assert.deepEqual(await hub.service.invoke('mqtt-drop', 'reboot'), { status: 200, payload: 'Reboot started' });
    } finally {
      await device.stop();
    }
  });

  test('start() fails with the SDK error when the device key is wrong, and leaves nothing running', async () => {
    await hub.emulator.admin.createDevices(['mqtt-badkey']);
    const good = hub.emulator.deviceConnectionString('mqtt-badkey');
    const bad = good.replace(/SharedAccessKey=[^;]+/, `SharedAccessKey=${Buffer.alloc(32, 7).toString('base64')}`);
    const device = new SimulatedDevice({ deviceId: 'mqtt-badkey', connectionString: bad, ca: hub.emulator.caCertPem });
    await assert.rejects(device.start(), (e: unknown) => {
      assert.ok(e instanceof Error);
      assert.equal(e.name, 'UnauthorizedError');
      assert.match(e.message, /Not authorized/);
      assert.doesNotMatch(e.message, /SharedAccessKey/, 'no secret in the error');
      return true;
    });
    assert.equal(device.powerState, 'off');
    assert.equal(await hub.service.connectionState('mqtt-badkey'), 'Disconnected');
    await device.stop();
  });

  test('stop() while the device is restarting closes everything; the hub sees it Disconnected', async () => {
    await hub.emulator.admin.createDevices(['mqtt-stop']);
    const device = new SimulatedDevice({ deviceId: 'mqtt-stop', connectionString: hub.emulator.deviceConnectionString('mqtt-stop'), ca: hub.emulator.caCertPem, timings: { rebootDurationMs: 60_000 } });
    await device.start();
    await hub.service.invoke('mqtt-stop', 'reboot');
    await pollUntil(async () => device.powerState, (s) => s === 'restarting', 'the restart');
    await device.stop();
    assert.equal(device.connected, false);
    assert.equal(await hub.service.connectionState('mqtt-stop'), 'Disconnected');
  });
});
