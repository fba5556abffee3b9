// The device-management vocabulary the simulated devices speak: method names, method answers and the
// reported-property schema under `iothubDM`. Quoted from the Microsoft Node.js samples where they exist
// (azure-iot-sdk-node device/samples/javascript/dmpatterns_reboot_device.js and dmpatterns_fwupdate_device.js);
// the `status` field of reboot/factoryReset and the `completed`/`failed` values are this project's own addition.

export const METHOD_REBOOT = 'reboot';
export const METHOD_FACTORY_RESET = 'factoryReset';
export const METHOD_FIRMWARE_UPDATE = 'firmwareUpdate';

/** The methods a simulated device registers; any other method name is never answered (504101 at the service). */
export const DEVICE_METHODS: readonly string[] = Object.freeze([METHOD_REBOOT, METHOD_FACTORY_RESET, METHOD_FIRMWARE_UPDATE]);

/** Method answer payloads. Reboot and firmware strings are the samples' `response.send(...)` arguments. */
export const ANSWER_REBOOT_STARTED = 'Reboot started';
export const ANSWER_FACTORY_RESET_STARTED = 'Factory reset started';
export const ANSWER_FIRMWARE_UPDATE_STARTED = 'Firmware update started.';
export const ANSWER_FIRMWARE_INVALID_URL = 'Invalid URL format.  Must use https:// protocol.';
/** Answered (409) when a method arrives while another management operation is still running on the device. */
export const ANSWER_BUSY = 'Another device management operation is in progress';

/**
 * The start of a new operation deletes (twin patch `null`) the failure fields a previous failed run left behind,
 * so a twin never shows `rebooting` next to an old failure reason.
 */
export interface ClearsFailure { failedTime?: null; reason?: null }

/** `iothubDM.reboot`: `startedRebootTime` is the SDK sample's field, `lastReboot` the tutorial's. */
export type RebootReport =
  | ({ status: 'rebooting'; startedRebootTime: string } & ClearsFailure)
  | { status: 'completed'; lastReboot: string }
  | { status: 'failed'; failedTime: string; reason: string };

/** `iothubDM.factoryReset`, shaped like the reboot report. */
export type FactoryResetReport =
  | ({ status: 'resetting'; startedFactoryResetTime: string } & ClearsFailure)
  | { status: 'completed'; lastFactoryReset: string }
  | { status: 'failed'; failedTime: string; reason: string };

/** The firmware sample's status strings, exactly (including the capitalised failure strings). */
export const FIRMWARE_STATUS = Object.freeze({
  downloading: 'downloading',
  downloadComplete: 'download complete',
  downloadFailed: 'Download image failed',
  applying: 'applying',
  applyComplete: 'apply firmware image complete',
  applyFailed: 'Apply image failed',
} as const);

/** `iothubDM.firmwareUpdate`, field names as in the sample. `reason` on failures is our addition. */
export type FirmwareUpdateReport =
  | { status: typeof FIRMWARE_STATUS.downloading; startedDownloadingTime: string; reason?: null }
  | { status: typeof FIRMWARE_STATUS.downloadComplete; downloadCompleteTime: string }
  | { status: typeof FIRMWARE_STATUS.applying; startedApplyingImage: string }
  | { status: typeof FIRMWARE_STATUS.applyComplete; lastFirmwareUpdate: string; firmwareVersion?: string }
  | { status: typeof FIRMWARE_STATUS.downloadFailed | typeof FIRMWARE_STATUS.applyFailed; reason?: string };

export const DEFAULT_FAILURE_REASON = 'Simulated failure';

export function rebootPatch(report: RebootReport): Record<string, unknown> {
  return { iothubDM: { reboot: report } };
}

export function factoryResetPatch(report: FactoryResetReport): Record<string, unknown> {
  return { iothubDM: { factoryReset: report } };
}

export function firmwareUpdatePatch(report: FirmwareUpdateReport): Record<string, unknown> {
  return { iothubDM: { firmwareUpdate: report } };
}
