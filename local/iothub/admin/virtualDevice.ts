// In-process devices without MQTT (for simulating fleets of thousands cheaply): the hub treats a connected virtual
// device exactly like a connected MQTT device subscribed to methods (and to desired updates when it gives
// onDesired). Twin reads and reported updates go through the same engine, validation and quotas as MQTT ones.
import type { DeviceConnection, MethodAnswer, MethodCall, PendingMethodCall } from '../connections/deviceConnection';
import { hubErrors } from '../errors';
import type { IotHub } from '../hub';
import type { JsonObject } from '../twin/json';
import type { VirtualDeviceConnection, VirtualDeviceHandler } from '../types';

export class VirtualDevice implements DeviceConnection, VirtualDeviceConnection {
  readonly transport = 'virtual' as const;
  readonly methodsEnabled = true;
  private isConnected = false;

  constructor(
    private readonly hub: IotHub,
    readonly deviceId: string,
    private readonly handler: VirtualDeviceHandler,
  ) {}

  get desiredEnabled(): boolean {
    return this.handler.onDesired !== undefined;
  }

  get connected(): boolean {
    return this.isConnected;
  }

  // ---- DeviceConnection (the hub's side) ----

  sendMethodRequest(call: MethodCall): PendingMethodCall {
    let cancelled = false;
    const answer = Promise.resolve()
      .then(() => this.handler.onMethod(call.methodName, JSON.parse(call.payloadJson)))
      .then((result): MethodAnswer => {
        if (cancelled) return { status: 0, payload: null };
        if (!result || !Number.isInteger(result.status)) throw new TypeError('onMethod must resolve to { status: integer, payload }');
        // What a real device sends is JSON.stringify(payload): the caller gets plain JSON, undefined becomes null.
        const payloadJson = JSON.stringify(result.payload ?? null);
        this.hub.registry.touch(this.hub.registry.require(this.deviceId));
        return { status: result.status, payload: JSON.parse(payloadJson) };
      });
    answer.catch((error: unknown) => {
      this.hub.log(`virtual device ${JSON.stringify(this.deviceId)}: onMethod failed, no answer sent: ${String(error)}`);
    });
    return { answer, cancel: () => { cancelled = true; } };
  }

  sendDesiredPatch(patch: JsonObject): void {
    const onDesired = this.handler.onDesired;
    if (!onDesired) return;
    // Delivered asynchronously, like a publish: the service call that caused it does not wait for the device.
    setImmediate(() => {
      if (!this.isConnected) return;
      try {
        onDesired.call(this.handler, patch);
      } catch (error) {
        this.hub.log(`virtual device ${JSON.stringify(this.deviceId)}: onDesired threw: ${String(error)}`);
      }
    });
  }

  close(): void {
    // Closed by the hub (another connection for this device, identity deleted or disabled, dropConnection fault).
    this.isConnected = false;
  }

  // ---- VirtualDeviceConnection (the simulated device's side) ----

  updateReported(patch: Record<string, unknown>): { version: number } {
    this.assertConnected();
    return { version: this.hub.deviceUpdateReported(this.deviceId, patch) };
  }

  getTwin(): { desired: Record<string, unknown>; reported: Record<string, unknown> } {
    this.assertConnected();
    return this.hub.deviceGetTwin(this.deviceId);
  }

  disconnect(): void {
    if (!this.isConnected) return;
    this.isConnected = false;
    this.hub.connections.detach(this);
  }

  reconnect(): void {
    const device = this.hub.registry.require(this.deviceId);
    if (device.status !== 'enabled') throw hubErrors.unauthorized(`Device ${JSON.stringify(this.deviceId)} is disabled.`);
    if (this.isConnected && this.hub.connections.get(this.deviceId) === this) return;
    this.isConnected = true;
    this.hub.connections.attach(this);
    this.hub.counters.increment('virtualConnections');
  }

  private assertConnected(): void {
    if (!this.isConnected) throw hubErrors.unauthorized(`Virtual device ${JSON.stringify(this.deviceId)} is not connected.`);
  }
}
