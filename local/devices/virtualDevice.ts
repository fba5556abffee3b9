// A simulated device living inside the emulator process (no MQTT): the same program and sequences as the
// MQTT device, carried by the emulator's VirtualDeviceConnection, so one process can hold 10,000 of them.
import { setImmediate as nextTurn } from 'node:timers/promises';
import { DEVICE_METHODS } from './deviceManagement.js';
import { DeviceProgram, type DeviceLink, type DeviceLinkHooks, type DeviceProgramOptions } from './deviceProgram.js';
import type { VirtualDeviceConnection, VirtualDeviceHost, VirtualMethodResult } from './hubAccess.js';

export interface VirtualDeviceOptions extends DeviceProgramOptions {
  /** The emulator's admin (only `connectVirtualDevice` is used). */
  hub: VirtualDeviceHost;
}

export class VirtualDevice extends DeviceProgram {
  constructor(options: VirtualDeviceOptions) {
    super(options, (hooks) => new VirtualDeviceLink(options.deviceId, options.hub, hooks));
  }
}

/** The emulator keeps one registration per device; reconnect() after disconnect() is a device restart. */
class VirtualDeviceLink implements DeviceLink {
  readonly transport = 'virtual' as const;
  private connection: VirtualDeviceConnection | undefined;

  constructor(
    private readonly deviceId: string,
    private readonly hub: VirtualDeviceHost,
    private readonly hooks: DeviceLinkHooks,
  ) {}

  get isOpen(): boolean {
    return this.connection?.connected === true;
  }

  async open(): Promise<void> {
    if (!this.connection) {
      this.connection = this.hub.connectVirtualDevice(this.deviceId, {
        onMethod: (methodName, payload) => this.onMethod(methodName, payload),
      });
    } else if (!this.connection.connected) {
      this.connection.reconnect();
    }
  }

  async close(): Promise<void> {
    if (this.connection?.connected) this.connection.disconnect();
  }

  async reportProperties(patch: Record<string, unknown>): Promise<void> {
    if (!this.isOpen || !this.connection) throw new Error('not connected');
    this.connection.updateReported(patch);
  }

  private onMethod(methodName: string, payload: unknown): Promise<VirtualMethodResult> {
    return new Promise<VirtualMethodResult>((resolve) => {
      // Methods the device does not register stay unanswered, as on MQTT: the hub times them out (504101).
      if (!DEVICE_METHODS.includes(methodName)) return;
      this.hooks.onMethod(methodName, payload, async (status, answerPayload) => {
        resolve({ status, payload: answerPayload });
        // Let the hub take the answer before the sequence goes on (it may disconnect right after).
        await nextTurn();
      });
    });
  }
}
