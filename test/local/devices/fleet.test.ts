// startSimulatedFleet over MQTT: identities created in bulk, per-device behaviours, setBehaviour and stop.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fleetIds, startSimulatedFleet } from '../../../local/devices/index.js';
import { hubErrorCode, useIotHubEmulator } from '../../support/iothub.js';

const hub = useIotHubEmulator();

test('fleetIds: generated from count and prefix, or the given list; refuses ambiguity and duplicates', () => {
  assert.deepEqual(fleetIds({ count: 3 }), ['sim-1', 'sim-2', 'sim-3']);
  assert.deepEqual(fleetIds({ count: 2, prefix: 'pump-' }), ['pump-1', 'pump-2']);
  assert.deepEqual(fleetIds({ ids: ['a', 'b'] }), ['a', 'b']);
  assert.throws(() => fleetIds({ ids: ['a'], count: 1 }), /either ids or count/);
  assert.throws(() => fleetIds({ ids: ['a', 'a'] }), /unique/);
  assert.throws(() => fleetIds({}), /count/);
});

test('an MQTT fleet with per-device behaviours; setBehaviour changes one device; stop disconnects all', async () => {
  const fleet = await startSimulatedFleet({
    emulator: hub.emulator,
    count: 4,
    prefix: 'fleet-',
    transport: 'mqtt',
    rebootDurationMs: 200,
    behaviours: { 'fleet-2': { kind: 'reject', status: 403, payload: { reason: 'busy' } }, 'fleet-3': { kind: 'offline' } },
  });
  try {
    assert.equal(fleet.transport, 'mqtt');
    assert.deepEqual(fleet.ids, ['fleet-1', 'fleet-2', 'fleet-3', 'fleet-4']);
    const states = await Promise.all(fleet.ids.map((id) => hub.service.connectionState(id)));
    assert.deepEqual(states, ['Connected', 'Connected', 'Disconnected', 'Connected']);

    assert.equal((await hub.service.invoke('fleet-1', 'reboot')).status, 200);
    assert.deepEqual(await hub.service.invoke('fleet-2', 'reboot'), { status: 403, payload: { reason: 'busy' } });
    await assert.rejects(hub.service.invoke('fleet-3', 'reboot'), (e: unknown) => hubErrorCode(e) === 404103);

    await fleet.setBehaviour('fleet-2', { kind: 'normal' });
    assert.deepEqual(await hub.service.invoke('fleet-2', 'reboot'), { status: 200, payload: 'Reboot started' });
    await fleet.setBehaviour('fleet-3', { kind: 'normal' });
    assert.equal(await hub.service.connectionState('fleet-3'), 'Connected');
    await assert.rejects(fleet.setBehaviour('nope', { kind: 'normal' }), /No simulated device 'nope'/);
  } finally {
    await fleet.stop();
  }
  const after = await Promise.all(fleet.ids.map((id) => hub.service.connectionState(id)));
  assert.deepEqual(after, ['Disconnected', 'Disconnected', 'Disconnected', 'Disconnected']);
  assert.ok([...fleet.devices.values()].every((d) => d.powerState === 'stopped'));
});

test('startSimulatedFleet refuses behaviours for devices outside the fleet, before creating anything', async () => {
  await assert.rejects(startSimulatedFleet({ emulator: hub.emulator, count: 1, prefix: 'typo-', behaviours: { 'typo-2': { kind: 'offline' } } }), /'typo-2', which is not in the fleet/);
  await assert.rejects(hub.service.connectionState('typo-1'), /not found/i);
});
