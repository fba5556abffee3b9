// Direct-method dispatch shared by MQTT devices and virtual devices. The hub waits up to connectTimeoutInSeconds for
// the device to be connected and subscribed to methods (else 404103 DeviceNotOnline), then up to
// responseTimeoutInSeconds for its answer (else 504101 GatewayTimeout) (iot-hub-devguide-direct-methods.md).
// Both waits are on the hub's clock; waiting for a device to connect is not work in flight (the device's
// reconnection is), while a request on its way to a connected device and its answer are.
import type { StackClock } from '../../clock';
import type { ConnectionTable } from '../connections/connectionTable';
import type { MethodAnswer } from '../connections/deviceConnection';
import type { Counters } from '../counters';
import { hubErrors } from '../errors';
import type { FaultTable } from '../admin/faults';
import type { QuotaGate } from '../quota/quotaGate';
import { methodMeterUnits } from '../quota/throttles';
import type { DeviceRegistry } from '../registry/deviceRegistry';
import type { MethodRequest } from './methodRequest';

export class MethodDispatcher {
  /** Cancels every wait in progress; used at stop so no timer outlives the emulator. */
  private readonly aborts = new Set<() => void>();

  constructor(
    private readonly registry: DeviceRegistry,
    private readonly connections: ConnectionTable,
    private readonly faults: FaultTable,
    private readonly counters: Counters,
    private readonly quota: () => QuotaGate,
    private readonly clock: StackClock,
  ) {}

  /** `metered: false` for a job's invocations, which count against the jobs throttle instead (jobs/jobScheduler.ts). */
  async invoke(deviceId: string, request: MethodRequest, options: { metered?: boolean } = {}): Promise<MethodAnswer> {
    this.registry.require(deviceId);
    this.counters.increment('methodInvocations');
    const metered = options.metered ?? true;
    if (metered && !this.quota().admit('directMethods', methodMeterUnits(Buffer.byteLength(request.payloadJson, 'utf8')))) {
      this.counters.increment('throttled');
      throw hubErrors.throttled();
    }
    const cannedAnswer = this.faults.device(deviceId);
    if (cannedAnswer?.kind === 'methodStatus') {
      this.counters.increment('methodResponses');
      return { status: cannedAnswer.status, payload: cannedAnswer.payload ?? null };
    }

    const online = await this.connections.waitFor(deviceId, () => this.readyForMethods(deviceId), request.connectTimeoutInSeconds * 1000);
    if (!online) {
      this.counters.increment('methodDeviceNotOnline');
      throw hubErrors.deviceNotOnline();
    }

    const deadline = this.clock.now() + request.responseTimeoutInSeconds * 1000;
    const delay = this.faults.device(deviceId);
    if (delay?.kind === 'methodDelay' && delay.ms > 0) {
      // A slow device simulated by the hub: nothing is in flight while it "thinks".
      const waited = await this.clock.idleWhile(this.sleep(Math.min(delay.ms, deadline - this.clock.now())));
      if (!waited || this.clock.now() >= deadline) return this.timedOut(request);
      if (!this.readyForMethods(deviceId)) {
        this.counters.increment('methodDeviceNotOnline');
        throw hubErrors.deviceNotOnline();
      }
    }

    const connection = this.connections.get(deviceId);
    if (!connection) throw hubErrors.deviceNotOnline();
    const pending = connection.sendMethodRequest({ methodName: request.methodName, payloadJson: request.payloadJson });
    const answer = await this.race(pending.answer, deadline - this.clock.now());
    if (answer === undefined) {
      pending.cancel();
      return this.timedOut(request);
    }
    this.counters.increment('methodResponses');
    return answer;
  }

  private timedOut(request: MethodRequest): never {
    this.counters.increment('methodTimeouts');
    throw hubErrors.gatewayTimeout(request.responseTimeoutInSeconds);
  }

  private readyForMethods(deviceId: string): boolean {
    const device = this.registry.get(deviceId);
    const connection = this.connections.get(deviceId);
    return device !== undefined && device.status === 'enabled' && connection !== undefined && connection.methodsEnabled &&
      this.faults.device(deviceId)?.kind !== 'offline';
  }

  /** Resolves with the answer, or undefined after `ms` (or at shutdown). A device-side failure counts as no answer. */
  private race(answer: Promise<MethodAnswer>, ms: number): Promise<MethodAnswer | undefined> {
    return new Promise((resolve) => {
      let settled = false;
      const finish = (value: MethodAnswer | undefined) => {
        if (settled) return;
        settled = true;
        timer.cancel();
        this.aborts.delete(abort);
        resolve(value);
      };
      const abort = () => finish(undefined);
      const timer = this.clock.setTimer(abort, ms);
      this.aborts.add(abort);
      answer.then(finish, () => {
        // A virtual device whose handler threw never answered: the caller sees the timeout, as with a silent device.
      });
    });
  }

  /** Resolves true after `ms`, false when aborted by shutdown. */
  private sleep(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const abort = () => {
        timer.cancel();
        this.aborts.delete(abort);
        resolve(false);
      };
      const timer = this.clock.setTimer(() => {
        this.aborts.delete(abort);
        resolve(true);
      }, ms);
      this.aborts.add(abort);
    });
  }

  shutdown(): void {
    for (const abort of [...this.aborts]) abort();
    this.connections.abortWaiters();
  }
}
