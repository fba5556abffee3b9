// The in-process admin API (EmulatorAdmin); the HTTPS admin API under /_emulator/ calls the same functions.
import { hubErrors } from '../errors';
import type { IotHub } from '../hub';
import type { CounterSnapshot } from '../counters';
import type { DeviceFault, EmulatorAdmin, HubFault, TelemetryMessage, VirtualDeviceConnection, VirtualDeviceHandler } from '../types';
import { validateDeviceFault, validateHubFault } from './faults';
import { VirtualDevice } from './virtualDevice';

export function createEmulatorAdmin(hub: IotHub): EmulatorAdmin {
  return {
    async createDevices(ids: string[], opts?: { tags?: object }): Promise<void> {
      if (!Array.isArray(ids)) throw hubErrors.argumentInvalid('ids must be an array of device ids.');
      hub.registry.createMany(ids, opts?.tags);
    },

    reset(): void {
      hub.reset();
    },

    setFault(deviceId: string, fault: DeviceFault | null): void {
      if (fault === null) {
        hub.faults.setDevice(deviceId, null);
      } else {
        validateDeviceFault(fault);
        if (fault.kind === 'dropConnection') {
          hub.connections.drop(deviceId, 'dropConnection fault');
        } else {
          hub.faults.setDevice(deviceId, fault);
        }
      }
      // Clearing 'offline' may let a method waiting for connectTimeoutInSeconds through.
      hub.connections.changed(deviceId);
    },

    setHubFault(fault: HubFault | null): void {
      if (fault !== null) validateHubFault(fault);
      hub.faults.setHub(fault);
    },

    telemetry(deviceId?: string): TelemetryMessage[] {
      return hub.telemetry.list(deviceId);
    },

    counters(): CounterSnapshot {
      return hub.counters.snapshot();
    },

    connectVirtualDevice(deviceId: string, handler: VirtualDeviceHandler): VirtualDeviceConnection {
      if (!handler || typeof handler.onMethod !== 'function') throw new TypeError('handler.onMethod is required');
      const device = new VirtualDevice(hub, deviceId, handler);
      device.reconnect();
      return device;
    },
  };
}
