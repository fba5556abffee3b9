// Counts, at the devices themselves, how many times each device received each direct method (a request that
// reached the device's SDK handler, whether it then answered 200, 409 busy or not at all), and lets a test wait
// for a condition on those counts instead of sleeping.
import type { SimulatedFleet } from '../../../local/devices';

export interface Delivery {
  deviceId: string;
  methodName: string;
  /** Process-relative time of arrival (performance.now()). */
  at: number;
}

interface Waiter {
  done(): boolean;
  resolve(): void;
}

export class DeliveryCounter {
  private readonly counts = new Map<string, Map<string, number>>();
  private readonly log: Delivery[] = [];
  private readonly waiters = new Set<Waiter>();
  private readonly listeners = new Set<(delivery: Delivery) => void>();
  private readonly unsubscribe: (() => void)[] = [];

  constructor(fleet: SimulatedFleet) {
    for (const [deviceId, device] of fleet.devices) {
      this.counts.set(deviceId, new Map());
      const listener = (methodName: string): void => this.record(deviceId, methodName);
      device.on('method', listener);
      this.unsubscribe.push(() => device.off('method', listener));
    }
  }

  /** How many times `deviceId` received `methodName`. */
  count(deviceId: string, methodName: string): number {
    return this.counts.get(deviceId)?.get(methodName) ?? 0;
  }

  /** How many devices received `methodName` at least once. */
  devicesReached(methodName: string): number {
    let n = 0;
    for (const perDevice of this.counts.values()) if ((perDevice.get(methodName) ?? 0) > 0) n++;
    return n;
  }

  /** Every delivery so far, oldest first. */
  deliveries(): readonly Delivery[] {
    return this.log;
  }

  /** Called synchronously on every delivery (e.g. to disarm a proxy for that device). Returns an unsubscribe. */
  onDelivery(listener: (delivery: Delivery) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /**
   * Resolves as soon as `condition` holds (checked now and after every delivery); rejects after `timeoutMs` with
   * `what` and the counts so far.
   */
  waitUntil(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
    if (condition()) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        done: condition,
        resolve: () => {
          clearTimeout(timer);
          this.waiters.delete(waiter);
          resolve();
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for: ${what} (${this.log.length} deliveries so far)`));
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }

  /** Stops counting. */
  close(): void {
    for (const off of this.unsubscribe.splice(0)) off();
  }

  private record(deviceId: string, methodName: string): void {
    const perDevice = this.counts.get(deviceId) ?? new Map<string, number>();
    this.counts.set(deviceId, perDevice);
    perDevice.set(methodName, (perDevice.get(methodName) ?? 0) + 1);
    const delivery: Delivery = { deviceId, methodName, at: performance.now() };
    this.log.push(delivery);
    for (const listener of [...this.listeners]) listener(delivery);
    for (const waiter of [...this.waiters]) if (waiter.done()) waiter.resolve();
  }
}
