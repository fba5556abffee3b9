// A fleet of in-process virtual devices: thousands connected at once, each answering methods and reporting through
// the same hub paths as MQTT devices, visible to queries and connection state.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startIotHubEmulator, type RunningIotHubEmulator, type VirtualDeviceConnection } from '../../../local/iothub/index';
import { type ServiceClients, serviceClients } from '../../support/iothub';
import { elementAt } from '../../support/elementAt';

const FLEET = 5000;

describe('virtual device fleet', () => {
  let emulator: RunningIotHubEmulator;
  let service: ServiceClients;
  const fleet = new Map<string, VirtualDeviceConnection>();
  const rebooted = new Set<string>();

  before(async () => {
    emulator = await startIotHubEmulator();
    service = serviceClients(emulator);
    const ids = Array.from({ length: FLEET }, (_, i) => `fleet-${String(i).padStart(5, '0')}`);
    await emulator.admin.createDevices(ids);
    for (const id of ids) {
      const connection = emulator.admin.connectVirtualDevice(id, {
        async onMethod(name) {
          if (name !== 'reboot') return { status: 404, payload: { error: `unknown method ${name}` } };
          rebooted.add(id);
          connection.updateReported({ lastReboot: 'requested' });
          return { status: 200, payload: { accepted: true } };
        },
      });
      fleet.set(id, connection);
    }
  });
  after(async () => {
    service.close();
    await emulator.stop();
  });

  it('holds the whole fleet connected', async () => {
    const { result } = await service.registry.createQuery("SELECT COUNT() AS n FROM devices WHERE connectionState = 'Connected'").next();
    assert.deepEqual(result, [{ n: FLEET }]);
  });

  it('answers concurrent method calls from many devices, each reaching the right one', async () => {
    const targets = [...fleet.keys()].filter((_, i) => i % 25 === 0);
    const results = await Promise.all(targets.map((id) => service.client.invokeDeviceMethod(id, { methodName: 'reboot' })));
    assert.ok(results.every(({ result }) => result.status === 200));
    assert.deepEqual([...rebooted].sort(), targets);
    const { result: unknown } = await service.client.invokeDeviceMethod(elementAt(targets, 0), { methodName: 'dance' });
    assert.deepEqual(unknown, { status: 404, payload: { error: 'unknown method dance' } });
    const { result } = await service.registry.createQuery("SELECT COUNT() AS n FROM devices WHERE properties.reported.lastReboot = 'requested'").next();
    assert.deepEqual(result, [{ n: targets.length }]);
  });

  it('marks disconnected devices and refuses their methods with 404103', async () => {
    const id = 'fleet-00001';
    fleet.get(id)?.disconnect();
    await assert.rejects(service.client.invokeDeviceMethod(id, { methodName: 'reboot' }), (error: Error & { responseBody?: string }) =>
      JSON.parse(JSON.parse(String(error.responseBody)).Message).errorCode === 404103);
    const { result } = await service.registry.createQuery("SELECT deviceId FROM devices WHERE connectionState = 'Disconnected'").next();
    assert.deepEqual(result, [{ deviceId: id }]);
  });

  it('disconnects a virtual device whose identity is deleted', async () => {
    const id = 'fleet-00002';
    await service.registry.delete(id);
    assert.equal(fleet.get(id)?.connected, false);
    assert.throws(() => fleet.get(id)?.reconnect(), /not found/);
  });
});
