// How a simulated device reacts to a management method. One description, read by the shared scripts
// (scripts.ts), so an MQTT device and an in-emulator virtual device with the same behaviour act the same.

/**
 * - `normal`: answers 200 and runs the full sequence (reboot: report `rebooting`, go away, come back, report `completed`).
 * - `reject`: answers with `status` (≥300) and `payload`, and does nothing else.
 * - `neverReturn`: answers 200, reports the start, disconnects and never reconnects.
 * - `reportFailed`: answers 200, runs the sequence but ends by reporting a failure (`reason` is reported with it;
 *   for `firmwareUpdate`, `firmwarePhase` picks which sample failure string: download or apply, default apply).
 * - `slow`: waits `answerDelayMs` before answering, then behaves normally (a late answer is dropped by the hub).
 * - `offline`: never connects; set at run time, it disconnects the device.
 */
export type DeviceBehaviour =
  | { kind: 'normal' }
  | { kind: 'reject'; status: number; payload?: unknown }
  | { kind: 'neverReturn' }
  | { kind: 'reportFailed'; reason?: string; firmwarePhase?: 'download' | 'apply' }
  | { kind: 'slow'; answerDelayMs: number }
  | { kind: 'offline' };

/** How long each simulated phase takes. */
export interface DeviceTimings {
  /** Time between disconnecting for a reboot and connecting again. */
  rebootDurationMs: number;
  /** Time between disconnecting for a factory reset and connecting again. */
  factoryResetDurationMs: number;
  /** Time spent "downloading" the firmware image. */
  firmwareDownloadMs: number;
  /** Time spent "applying" the firmware image. */
  firmwareApplyMs: number;
}

/**
 * The Microsoft firmware sample simulates each phase with `setTimeout(..., 4000)`
 * (azure-iot-sdk-node device/samples/javascript/dmpatterns_fwupdate_device.js); reboot and reset are our choice.
 */
export const DEFAULT_TIMINGS: Readonly<DeviceTimings> = Object.freeze({
  rebootDurationMs: 3000,
  factoryResetDurationMs: 5000,
  firmwareDownloadMs: 4000,
  firmwareApplyMs: 4000,
});

export const NORMAL: DeviceBehaviour = Object.freeze({ kind: 'normal' });

/** Merges partial timings over the defaults and rejects negative or non-finite durations. */
export function resolveTimings(partial: Partial<DeviceTimings> = {}): DeviceTimings {
  const timings: DeviceTimings = { ...DEFAULT_TIMINGS };
  for (const key of Object.keys(DEFAULT_TIMINGS) as (keyof DeviceTimings)[]) {
    const value = partial[key];
    if (value === undefined) continue;
    assertDuration(value, key);
    timings[key] = value;
  }
  return timings;
}

/** Throws a TypeError naming the problem when `behaviour` is not a valid DeviceBehaviour; returns it otherwise. */
export function validateBehaviour(behaviour: DeviceBehaviour): DeviceBehaviour {
  if (behaviour === null || typeof behaviour !== 'object') throw new TypeError('A device behaviour must be an object');
  switch (behaviour.kind) {
    case 'normal':
    case 'neverReturn':
    case 'offline':
      return behaviour;
    case 'reject':
      // A device status below 300 would be read as success by the service (iot-hub-devguide-direct-methods).
      if (!Number.isInteger(behaviour.status) || behaviour.status < 300 || behaviour.status > 999) {
        throw new TypeError(`reject.status must be an integer from 300 to 999, got ${String(behaviour.status)}`);
      }
      return behaviour;
    case 'reportFailed':
      if (behaviour.reason !== undefined && typeof behaviour.reason !== 'string') {
        throw new TypeError('reportFailed.reason must be a string');
      }
      if (behaviour.firmwarePhase !== undefined && behaviour.firmwarePhase !== 'download' && behaviour.firmwarePhase !== 'apply') {
        throw new TypeError("reportFailed.firmwarePhase must be 'download' or 'apply'");
      }
      return behaviour;
    case 'slow':
      assertDuration(behaviour.answerDelayMs, 'slow.answerDelayMs');
      return behaviour;
    default:
      throw new TypeError(`Unknown device behaviour kind: ${String((behaviour as { kind?: unknown }).kind)}`);
  }
}

function assertDuration(value: number, name: string): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new TypeError(`${name} must be a finite number of milliseconds ≥ 0, got ${String(value)}`);
  }
}
