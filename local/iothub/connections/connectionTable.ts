// One connection per device: attaching a new connection closes the previous one (IoT Hub drops the old session,
// error 400027 ConnectionForcefullyClosedOnNewConnection). Keeps connectionState on the identity in step and lets
// callers wait until a device is connected and ready for methods (connectTimeoutInSeconds).
import type { StackClock } from '../../clock';
import type { DeviceRegistry } from '../registry/deviceRegistry';
import type { DeviceConnection } from './deviceConnection';

interface Waiter {
  check(): void;
  abort(): void;
}

export class ConnectionTable {
  private readonly connections = new Map<string, DeviceConnection>();
  private readonly waiters = new Map<string, Set<Waiter>>();

  constructor(private readonly registry: DeviceRegistry, private readonly clock: StackClock) {}

  get(deviceId: string): DeviceConnection | undefined {
    return this.connections.get(deviceId);
  }

  get size(): number {
    return this.connections.size;
  }

  /** Registers `connection` as the device's only connection; returns false when the identity no longer exists. */
  attach(connection: DeviceConnection): boolean {
    const device = this.registry.get(connection.deviceId);
    if (!device) return false;
    const previous = this.connections.get(connection.deviceId);
    this.connections.set(connection.deviceId, connection);
    if (previous && previous !== connection) previous.close('a new connection was opened for the same device');
    this.registry.setConnectionState(device, 'Connected');
    this.changed(connection.deviceId);
    return true;
  }

  /** Called by a connection when it ends; ignored when that connection was already replaced. */
  detach(connection: DeviceConnection): void {
    if (this.connections.get(connection.deviceId) !== connection) return;
    this.connections.delete(connection.deviceId);
    const device = this.registry.get(connection.deviceId);
    if (device) this.registry.setConnectionState(device, 'Disconnected');
    this.changed(connection.deviceId);
  }

  /** Closes the device's connection, if any (identity deleted or disabled, dropConnection fault). */
  drop(deviceId: string, reason: string): void {
    const connection = this.connections.get(deviceId);
    if (!connection) return;
    this.detach(connection);
    connection.close(reason);
  }

  dropAll(reason: string): void {
    for (const deviceId of [...this.connections.keys()]) this.drop(deviceId, reason);
  }

  /** Something that may satisfy a waiter changed for this device (connection, subscription, fault). */
  changed(deviceId: string): void {
    const waiting = this.waiters.get(deviceId);
    if (!waiting) return;
    for (const waiter of [...waiting]) waiter.check();
  }

  /**
   * Resolves true as soon as `ready()` holds, or false after `timeoutMs`. `ready` is re-evaluated whenever
   * `changed(deviceId)` is called. Waiting is not work in flight: the device's connecting is.
   */
  waitFor(deviceId: string, ready: () => boolean, timeoutMs: number): Promise<boolean> {
    if (ready()) return Promise.resolve(true);
    if (timeoutMs <= 0) return Promise.resolve(false);
    return this.clock.idleWhile(new Promise((resolve) => {
      let set = this.waiters.get(deviceId);
      if (!set) {
        set = new Set();
        this.waiters.set(deviceId, set);
      }
      const finish = (result: boolean) => {
        timer.cancel();
        set.delete(waiter);
        if (set.size === 0) this.waiters.delete(deviceId);
        resolve(result);
      };
      const waiter: Waiter = {
        check: () => {
          if (ready()) finish(true);
        },
        abort: () => finish(false),
      };
      const timer = this.clock.setTimer(() => finish(false), timeoutMs);
      set.add(waiter);
    }));
  }

  /** Ends every wait with "not ready" (used at stop so no timer outlives the emulator). */
  abortWaiters(): void {
    for (const set of [...this.waiters.values()]) for (const waiter of [...set]) waiter.abort();
  }
}
