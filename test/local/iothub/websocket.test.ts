// MQTT over WebSockets on the HTTPS port (/$iothub/websocket), through the unmodified device SDK's MqttWs transport:
// the same authentication, twin and method topics as MQTT over TLS.
import assert from 'node:assert/strict';
import * as https from 'node:https';
import { describe, it } from 'node:test';
import { Client as DeviceClient, SharedAccessKeyAuthenticationProvider } from 'azure-iot-device';
import { MqttWs } from 'azure-iot-device-mqtt';
import { openWebSocketDeviceClient, useIotHubEmulator, waitUntil, webSocketAgentFor } from '../../support/iothub';

describe('MQTT over WebSockets', () => {
  const hub = useIotHubEmulator();

  it('serves twin reads, reported and desired properties and direct methods to an MqttWs device', async () => {
    const { emulator, service } = hub;
    await emulator.admin.createDevices(['ws-1']);
    const device = await openWebSocketDeviceClient(emulator, 'ws-1');
    try {
      assert.equal(await service.connectionState('ws-1'), 'Connected');
      assert.ok(emulator.admin.counters().mqttWebSocketConnections >= 1);
      const twin = await device.getTwin();
      await new Promise<void>((resolve, reject) => twin.properties.reported.update({ transport: 'ws' }, (error?: Error) => (error ? reject(error) : resolve())));
      assert.equal((await service.reported('ws-1')).transport, 'ws');

      const desired = new Promise<Record<string, unknown>>((resolve) => {
        twin.on('properties.desired', (patch: Record<string, unknown>) => {
          if (patch.mode !== undefined) resolve(patch);
        });
      });
      await service.registry.updateTwin('ws-1', { properties: { desired: { mode: 'eco' } } }, '*');
      assert.equal((await desired).mode, 'eco');

      device.onDeviceMethod('ping', (request, response) => {
        response.send(200, { echo: request.payload }, () => undefined);
      });
      await waitUntil(async () => (await service.invoke('ws-1', 'ping', { n: 1 }).then(() => true, () => false)), 'the method subscription');
      assert.deepEqual(await service.invoke('ws-1', 'ping', { n: 2 }), { status: 200, payload: { echo: { n: 2 } } });
    } finally {
      await device.close();
    }
  });

  it('refuses a device with a wrong key, as MQTT over TLS does', async () => {
    const { emulator } = hub;
    await emulator.admin.createDevices(['ws-bad']);
    const provider = new SharedAccessKeyAuthenticationProvider({ host: emulator.hostName, deviceId: 'ws-bad', sharedAccessKey: Buffer.alloc(32, 1).toString('base64') });
    const client = DeviceClient.fromAuthenticationProvider(provider, MqttWs);
    await client.setOptions({ ca: emulator.caCertPem, mqtt: { webSocketAgent: webSocketAgentFor(emulator) } });
    await assert.rejects(client.open(), (error: Error) => error.name === 'UnauthorizedError');
    await client.close();
  });

  it('answers 404 to an upgrade on another path', async () => {
    const { emulator } = hub;
    const status = await new Promise<number | undefined>((resolve, reject) => {
      const request = https.request({
        host: '127.0.0.1', port: emulator.httpsPort, servername: emulator.hostName, ca: emulator.caCertPem, path: '/elsewhere',
        headers: { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==' },
      });
      request.on('response', (response) => {
        response.resume();
        resolve(response.statusCode);
      });
      request.on('upgrade', () => resolve(101));
      request.on('error', reject);
      request.end();
    });
    assert.equal(status, 404);
  });
});
