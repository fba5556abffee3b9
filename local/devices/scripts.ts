// The management sequences, written once against a small port so both transports (MQTT through the
// unmodified azure-iot-device SDK, and the emulator's in-process virtual devices) run the very same steps.
import type { DeviceBehaviour, DeviceTimings } from './behaviour.js';
import {
  ANSWER_FACTORY_RESET_STARTED,
  ANSWER_FIRMWARE_INVALID_URL,
  ANSWER_FIRMWARE_UPDATE_STARTED,
  ANSWER_REBOOT_STARTED,
  DEFAULT_FAILURE_REASON,
  FIRMWARE_STATUS,
  METHOD_FACTORY_RESET,
  METHOD_FIRMWARE_UPDATE,
  METHOD_REBOOT,
  factoryResetPatch,
  firmwareUpdatePatch,
  rebootPatch,
  type FactoryResetReport,
  type RebootReport,
} from './deviceManagement.js';

/** What a sequence may do to the device it runs on. Every step resolves when the hub has it (or rejects). */
export interface DevicePort {
  /** Answers the method being handled (once). */
  answer(status: number, payload: unknown): Promise<void>;
  /** Sends a reported-properties patch and waits for the hub's acknowledgement. */
  reportProperties(patch: Record<string, unknown>): Promise<void>;
  /** Goes away on purpose (the device is restarting): the hub sees it Disconnected. */
  disconnect(): Promise<void>;
  /** Comes back after a restart: a fresh connection, methods registered and the twin fetched again. */
  reconnect(): Promise<void>;
  /** Waits; rejects when the device is stopped meanwhile, which ends the sequence. */
  sleep(ms: number): Promise<void>;
  /** The device clock as an ISO 8601 string (may be skewed on purpose). */
  now(): string;
}

/** Runs the sequence of a management method; resolves when it is over (possibly with the device left down). */
export async function runDeviceMethod(
  methodName: string, payload: unknown, behaviour: DeviceBehaviour, timings: DeviceTimings, port: DevicePort,
): Promise<void> {
  switch (methodName) {
    case METHOD_REBOOT: return rebootSequence(port, behaviour, timings);
    case METHOD_FACTORY_RESET: return factoryResetSequence(port, behaviour, timings);
    case METHOD_FIRMWARE_UPDATE: return firmwareUpdateSequence(port, behaviour, timings, payload);
    default: return; // not registered by the device: the hub times out, as with a real SDK device
  }
}

/** What differs between the restart-style methods; the steps themselves are the same. */
interface RestartMethod {
  methodName: string;
  answer: string;
  /** The patch under this method's iothubDM section. */
  patch(report: Record<string, unknown>): Record<string, unknown>;
  /** Status while the device goes away, and the device-clock fields stamped at the start and at completion. */
  startedStatus: string;
  startedField: string;
  completedField: string;
  durationMs(timings: DeviceTimings): number;
}

const REBOOT: RestartMethod = {
  methodName: METHOD_REBOOT, answer: ANSWER_REBOOT_STARTED, patch: (r) => rebootPatch(r as RebootReport),
  startedStatus: 'rebooting', startedField: 'startedRebootTime', completedField: 'lastReboot', durationMs: (t) => t.rebootDurationMs,
};

const FACTORY_RESET: RestartMethod = {
  methodName: METHOD_FACTORY_RESET, answer: ANSWER_FACTORY_RESET_STARTED, patch: (r) => factoryResetPatch(r as FactoryResetReport),
  startedStatus: 'resetting', startedField: 'startedFactoryResetTime', completedField: 'lastFactoryReset', durationMs: (t) => t.factoryResetDurationMs,
};

/**
 * Answer, report the start, disconnect, wait, reconnect, report `completed` (or `failed`). The start is reported
 * before going away, as the samples do ("Report the reboot before the physical restart"); it also clears the
 * failure fields of an earlier attempt.
 */
async function restartSequence(port: DevicePort, behaviour: DeviceBehaviour, timings: DeviceTimings, method: RestartMethod): Promise<void> {
  if (!(await answerUnlessRejected(port, behaviour, method.methodName, method.answer))) return;
  await port.reportProperties(method.patch({ status: method.startedStatus, [method.startedField]: port.now(), failedTime: null, reason: null }));
  await port.disconnect();
  await port.sleep(method.durationMs(timings));
  if (behaviour.kind === 'neverReturn') return;
  await port.reconnect();
  if (behaviour.kind === 'reportFailed') {
    await port.reportProperties(method.patch({ status: 'failed', failedTime: port.now(), reason: behaviour.reason ?? DEFAULT_FAILURE_REASON }));
    return;
  }
  await port.reportProperties(method.patch({ status: 'completed', [method.completedField]: port.now() }));
}

/** reboot: `rebooting` (startedRebootTime) → down for rebootDurationMs → `completed` (lastReboot). */
export function rebootSequence(port: DevicePort, behaviour: DeviceBehaviour, timings: DeviceTimings): Promise<void> {
  return restartSequence(port, behaviour, timings, REBOOT);
}

/** factoryReset: the same steps under `iothubDM.factoryReset`, with its own status word, fields and duration. */
export function factoryResetSequence(port: DevicePort, behaviour: DeviceBehaviour, timings: DeviceTimings): Promise<void> {
  return restartSequence(port, behaviour, timings, FACTORY_RESET);
}

/**
 * firmwareUpdate, after the sample: 400 unless `payload.fwPackageUri` is https, else 200 then
 * `downloading` → `download complete` → `applying` → `apply firmware image complete`, each phase reported.
 * `reportFailed` ends with the sample's `Download image failed` or `Apply image failed`; `neverReturn`
 * goes dark in the middle of the download.
 */
export async function firmwareUpdateSequence(
  port: DevicePort, behaviour: DeviceBehaviour, timings: DeviceTimings, payload: unknown,
): Promise<void> {
  if (behaviour.kind === 'offline') return;
  if (behaviour.kind === 'slow') await port.sleep(behaviour.answerDelayMs);
  if (behaviour.kind === 'reject') {
    await port.answer(behaviour.status, behaviour.payload ?? rejectionPayload(METHOD_FIRMWARE_UPDATE));
    return;
  }
  if (!isHttpsUrl(fwPackageUriOf(payload))) {
    await port.answer(400, ANSWER_FIRMWARE_INVALID_URL);
    return;
  }
  await port.answer(200, ANSWER_FIRMWARE_UPDATE_STARTED);
  await port.reportProperties(firmwareUpdatePatch({ status: FIRMWARE_STATUS.downloading, startedDownloadingTime: port.now(), reason: null }));
  if (behaviour.kind === 'neverReturn') {
    await port.disconnect();
    return;
  }
  await port.sleep(timings.firmwareDownloadMs);
  const failure = behaviour.kind === 'reportFailed' ? behaviour : undefined;
  if (failure?.firmwarePhase === 'download') {
    await port.reportProperties(firmwareUpdatePatch(withReason(FIRMWARE_STATUS.downloadFailed, failure.reason)));
    return;
  }
  await port.reportProperties(firmwareUpdatePatch({ status: FIRMWARE_STATUS.downloadComplete, downloadCompleteTime: port.now() }));
  await port.reportProperties(firmwareUpdatePatch({ status: FIRMWARE_STATUS.applying, startedApplyingImage: port.now() }));
  await port.sleep(timings.firmwareApplyMs);
  if (failure) {
    await port.reportProperties(firmwareUpdatePatch(withReason(FIRMWARE_STATUS.applyFailed, failure.reason)));
    return;
  }
  // The sample reports no version; ours reports the one the payload names, as a real updater would read it off the image.
  const version = firmwareVersionOf(payload);
  await port.reportProperties(firmwareUpdatePatch({ status: FIRMWARE_STATUS.applyComplete, lastFirmwareUpdate: port.now(),
    ...(version === undefined ? {} : { firmwareVersion: version }) }));
}

/** Applies the answer-time behaviours; false when the sequence must stop here (rejected, or nobody is there). */
async function answerUnlessRejected(port: DevicePort, behaviour: DeviceBehaviour, methodName: string, accepted: string): Promise<boolean> {
  switch (behaviour.kind) {
    case 'offline':
      return false; // a powered-off device cannot answer; the hub reports the timeout
    case 'reject':
      await port.answer(behaviour.status, behaviour.payload ?? rejectionPayload(methodName));
      return false;
    case 'slow':
      await port.sleep(behaviour.answerDelayMs);
      break;
    default:
      break;
  }
  await port.answer(200, accepted);
  return true;
}

function rejectionPayload(methodName: string): { message: string } {
  return { message: `The device rejected '${methodName}'` };
}

function withReason<S extends typeof FIRMWARE_STATUS.downloadFailed | typeof FIRMWARE_STATUS.applyFailed>(
  status: S, reason: string | undefined,
): { status: S; reason?: string } {
  return reason === undefined ? { status } : { status, reason };
}

function firmwareVersionOf(payload: unknown): string | undefined {
  const version = payload !== null && typeof payload === 'object' ? (payload as { version?: unknown }).version : undefined;
  return typeof version === 'string' && version.length > 0 ? version : undefined;
}

function fwPackageUriOf(payload: unknown): unknown {
  return payload !== null && typeof payload === 'object' ? (payload as { fwPackageUri?: unknown }).fwPackageUri : undefined;
}

function isHttpsUrl(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  try {
    return new URL(value).protocol === 'https:';
  } catch {
    return false;
  }
}
