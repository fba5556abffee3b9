// Injected faults: per device (offline, method delay, canned method status) and per hub (a burst of 429s or 5xx).
import { type IotHubError, hubErrors } from '../errors';
import type { DeviceFault, HubFault } from '../types';

export type StoredDeviceFault = Exclude<DeviceFault, { kind: 'dropConnection' }>;

export function validateDeviceFault(fault: unknown): asserts fault is DeviceFault {
  const f = fault as Partial<DeviceFault> | null;
  const valid =
    typeof f === 'object' && f !== null &&
    (f.kind === 'offline' ||
      f.kind === 'dropConnection' ||
      (f.kind === 'methodDelay' && Number.isFinite((f as { ms?: unknown }).ms) && (f as { ms: number }).ms >= 0) ||
      (f.kind === 'methodStatus' && Number.isInteger((f as { status?: unknown }).status)));
  if (!valid) {
    throw hubErrors.argumentInvalid('A device fault is {"kind":"offline"|"dropConnection"} | {"kind":"methodDelay","ms":n} | {"kind":"methodStatus","status":n,"payload"?:…}.');
  }
}

export function validateHubFault(fault: unknown): asserts fault is HubFault {
  const f = fault as Partial<HubFault> | null;
  const countOk = typeof f === 'object' && f !== null && Number.isInteger(f.count) && (f.count as number) >= 0;
  const valid = countOk && (f.kind === 'throttle' || (f.kind === 'serverError' && (f.status === 500 || f.status === 503)));
  if (!valid) {
    throw hubErrors.argumentInvalid('A hub fault is {"kind":"throttle","count":n} | {"kind":"serverError","status":500|503,"count":n}.');
  }
}

export class FaultTable {
  private readonly deviceFaults = new Map<string, StoredDeviceFault>();
  private hubFault: HubFault | undefined;

  device(deviceId: string): StoredDeviceFault | undefined {
    return this.deviceFaults.get(deviceId);
  }

  setDevice(deviceId: string, fault: StoredDeviceFault | null): void {
    if (fault === null) this.deviceFaults.delete(deviceId);
    else this.deviceFaults.set(deviceId, fault);
  }

  setHub(fault: HubFault | null): void {
    this.hubFault = fault === null || fault.count <= 0 ? undefined : { ...fault };
  }

  /** Consumes one request's worth of the hub fault, returning the error to answer with. */
  takeHubFault(): IotHubError | undefined {
    const fault = this.hubFault;
    if (!fault) return undefined;
    fault.count -= 1;
    if (fault.count <= 0) this.hubFault = undefined;
    return fault.kind === 'throttle' ? hubErrors.throttled() : hubErrors.serverError(fault.status);
  }

  clear(): void {
    this.deviceFaults.clear();
    this.hubFault = undefined;
  }
}
