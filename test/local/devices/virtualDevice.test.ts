// Virtual devices inside the emulator (no MQTT): the same scenarios as the MQTT device, and a 10,000-device fleet.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startSimulatedFleet } from '../../../local/devices/index.js';
import { describeDeviceScenarios } from './support/deviceScenarios.js';
import { at, useIotHubEmulator } from '../../support/iothub.js';
import { elementAt } from '../../support/elementAt';

describeDeviceScenarios('virtual');

describe('a fleet of 10,000 virtual devices', () => {
  const hub = useIotHubEmulator();

  test('all are created, connected, answer a reboot through the service SDK and report completed', async () => {
    const COUNT = 10_000;
    const fleet = await startSimulatedFleet({ emulator: hub.emulator, count: COUNT, prefix: 'bulk-', transport: 'virtual', rebootDurationMs: 50 });
    try {
      assert.equal(fleet.devices.size, COUNT);
      assert.equal(fleet.ids[0], 'bulk-1');
      assert.equal(fleet.ids[COUNT - 1], 'bulk-10000');
      assert.equal([...fleet.devices.values()].filter((d) => d.connected).length, COUNT);

      const statuses = new Map<number, number>();
      let next = 0;
      const worker = async (): Promise<void> => {
        while (next < COUNT) {
          const id = elementAt(fleet.ids, next++);
          const { status } = await hub.service.invoke(id, 'reboot');
          statuses.set(status, (statuses.get(status) ?? 0) + 1);
        }
      };
      await Promise.all(Array.from({ length: 32 }, worker));
      assert.deepEqual([...statuses], [[200, COUNT]]);

      await Promise.all([...fleet.devices.values()].map((d) => d.whenIdle()));
      const completed = [...fleet.devices.values()].filter((d) => d.connected && at(d.reports.at(-1)?.patch, 'iothubDM', 'reboot', 'status') === 'completed');
      assert.equal(completed.length, COUNT);
      // Spot-check the hub's view of a few devices.
      for (const id of [0, 4999, COUNT - 1].map((i) => elementAt(fleet.ids, i))) {
        assert.equal(at(await hub.service.reported(id), 'iothubDM', 'reboot', 'status'), 'completed');
      }
    } finally {
      await fleet.stop();
    }
  });
});
