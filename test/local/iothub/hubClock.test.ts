// The emulator on the stack's clock (local/clock): on a virtual clock its waits — connectTimeoutInSeconds for a
// device that is not connected, a slow-answer fault up to responseTimeoutInSeconds — are skipped (nothing is in
// flight while the hub waits), and the times it writes (connection state, twin $metadata) follow the clock.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createStackClock, type StackClock } from '../../../local/clock';
import { startIotHubEmulator, type RunningIotHubEmulator, type VirtualDeviceConnection } from '../../../local/iothub/index';
import { fields, restCall } from '../../support/iothub';

describe('IoT Hub emulator on a virtual clock', () => {
  let clock: StackClock;
  let emulator: RunningIotHubEmulator;
  const connections: VirtualDeviceConnection[] = [];

  before(async () => {
    clock = createStackClock('virtual');
    emulator = await startIotHubEmulator({ clock });
    assert.equal(emulator.clock, clock);
    await emulator.admin.createDevices(['away', 'slow']);
    connections.push(emulator.admin.connectVirtualDevice('slow', { onMethod: async () => ({ status: 200, payload: 'late' }) }));
  });
  after(async () => {
    for (const connection of connections) connection.disconnect();
    await emulator.stop();
    clock.dispose();
  });

  const cases = [
    {
      name: 'waits connectTimeoutInSeconds for a device that never connects: 404103 after two minutes of hub time',
      deviceId: 'away',
      body: { methodName: 'reboot', connectTimeoutInSeconds: 120, responseTimeoutInSeconds: 5 },
      status: 404, code: 'DeviceNotOnline', hubMs: 120_000,
    },
    {
      name: 'waits responseTimeoutInSeconds for a 10-minute slow-answer fault: 504101 after a minute of hub time',
      deviceId: 'slow',
      body: { methodName: 'reboot', responseTimeoutInSeconds: 60 },
      fault: { kind: 'methodDelay', ms: 600_000 } as const,
      status: 504, code: 'GatewayTimeout', hubMs: 60_000,
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      if (c.fault) emulator.admin.setFault(c.deviceId, c.fault);
      const wall = Date.now();
      const start = clock.now();
      const answer = await restCall(emulator, 'POST', `/twins/${c.deviceId}/methods`, { body: c.body });
      const hubMs = clock.now() - start;
      const wallMs = Date.now() - wall;
      emulator.admin.setFault(c.deviceId, null);
      assert.equal(answer.status, c.status, JSON.stringify(answer.body));
      assert.equal(answer.headers['iothub-errorcode'], c.code);
      assert.ok(hubMs >= c.hubMs && hubMs < c.hubMs + 5_000, `the hub clock moved ${hubMs} ms`);
      // Generous: a loaded 2-core machine; the real waits are minutes.
      assert.ok(wallMs < 10_000, `took ${wallMs} ms of wall time`);
    });
  }

  it('stamps connection state and twin $metadata with the hub clock', async () => {
    assert.ok(clock.skipped.ms >= 170_000, `the waits above moved the clock by ${clock.skipped.ms} ms`);
    connections.push(emulator.admin.connectVirtualDevice('away', { onMethod: async () => ({ status: 200, payload: null }) }));
    const identity = fields((await restCall(emulator, 'GET', '/devices/away')).body);
    const connectedAt = Date.parse(String(identity.connectionStateUpdatedTime));
    assert.ok(connectedAt >= Date.now() + 170_000, `connected at ${String(identity.connectionStateUpdatedTime)}, hub time, ahead of the wall clock`);
    connections.at(-1)!.updateReported({ state: 'on' });
    const twin = fields((await restCall(emulator, 'GET', '/twins/away')).body);
    const reported = fields(fields(twin.properties).reported);
    const stamped = Date.parse(String(fields(fields(reported.$metadata).state).$lastUpdated));
    assert.ok(Math.abs(stamped - clock.now()) < 5_000, 'reported $lastUpdated is hub time');
  });
});
