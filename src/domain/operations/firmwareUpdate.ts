// firmwareUpdate: the `firmwareUpdate` direct method with `payload.fwPackageUri`, progress under
// `iothubDM.firmwareUpdate` with the Microsoft sample's exact statuses (azure-iot-sdk-node
// device/samples/javascript/dmpatterns_fwupdate_device.js; mission-anchors.md §1.3):
// downloading → download complete → applying → apply firmware image complete, failures
// `Download image failed` / `Apply image failed`. This project's devices may also say completed / failed.
import { invalid } from '../requestError';
import type { OperationDefinition } from './operationDefinition';
import { reportMayEnd } from './progressReports';
import type { SectionReading } from '../reportedSection';
import type { Verdict } from './verdict';

export const MAX_FW_PACKAGE_URI_LENGTH = 2048;

const COMPLETED = new Set(['apply firmware image complete', 'completed']);
const FAILED = new Set(['download image failed', 'apply image failed', 'failed']);
const ENDINGS: ReadonlySet<string> = new Set([...COMPLETED, ...FAILED]);
/** Fields a device may report its firmware version in, most specific first. */
const VERSION_FIELDS = ['firmwareVersion', 'fwVersion', 'currentFwVersion', 'version'];

export const FIRMWARE_UPDATE: OperationDefinition = Object.freeze<OperationDefinition>({
  kind: 'firmwareUpdate',
  defaultMethodName: 'firmwareUpdate',
  methodNameSetting: 'FIRMWARE_UPDATE_METHOD_NAME',
  section: 'firmwareUpdate',
  summary: 'Update the device firmware from payload.fwPackageUri (https) and wait until it reports the image applied.',
  payloadRule: requireFirmwarePackage,
  // waiting → downloading → downloadComplete → applying → applyComplete (+ a version report): up to 6 updates.
  reportedUpdates: 6,
  judge: judgeFirmwareUpdate,
  // downloading, download complete and applying are progress; a version field alone does not end it either.
  mayEnd: (patch) => reportMayEnd(patch, ENDINGS, ['lastFirmwareUpdate']),
  needsConnectionTime: () => false,
});

/** The payload must be an object with an `https:` `fwPackageUri` of at most 2,048 characters. */
export function requireFirmwarePackage(payload: unknown): unknown {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    throw invalid('payload.fwPackageUri', 'firmwareUpdate needs a payload object with fwPackageUri, the https URL of the firmware image.');
  }
  const uri = (payload as Record<string, unknown>).fwPackageUri;
  if (typeof uri !== 'string' || uri.length === 0) throw invalid('payload.fwPackageUri', 'payload.fwPackageUri is required: the https URL of the firmware image.');
  if (uri.length > MAX_FW_PACKAGE_URI_LENGTH) {
    throw invalid('payload.fwPackageUri', `payload.fwPackageUri must be at most ${MAX_FW_PACKAGE_URI_LENGTH} characters.`);
  }
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw invalid('payload.fwPackageUri', 'payload.fwPackageUri is not an absolute URL.');
  }
  if (url.protocol !== 'https:') throw invalid('payload.fwPackageUri', 'payload.fwPackageUri must be an https: URL.');
  if (url.username !== '' || url.password !== '') {
    throw invalid('payload.fwPackageUri', 'payload.fwPackageUri must not carry a user name or password.');
  }
  return payload;
}

export function judgeFirmwareUpdate(reading: SectionReading): Verdict {
  const status = reading.freshStatus();
  if (status !== undefined) {
    const reportedAt = reading.timeOf('status')!;
    if (COMPLETED.has(status.lower)) {
      const firmwareVersion = reportedVersion(reading);
      return { state: 'completed', reportedAt, evidence: `iothubDM.firmwareUpdate.status is ${JSON.stringify(status.raw)}`, step: status.raw,
        ...(firmwareVersion === undefined ? {} : { firmwareVersion }) };
    }
    if (FAILED.has(status.lower)) {
      return { state: 'failed', reportedAt, evidence: `iothubDM.firmwareUpdate.status is ${JSON.stringify(status.raw)}`, step: status.raw,
        reason: reading.freshText('reason') ?? status.raw };
    }
    return { state: 'pending', acted: true, waitingFor: 'completion', evidence: `iothubDM.firmwareUpdate.status is ${JSON.stringify(status.raw)}`, step: status.raw };
  }
  if (reading.isFresh('lastFirmwareUpdate')) {
    const firmwareVersion = reportedVersion(reading);
    return { state: 'completed', reportedAt: reading.timeOf('lastFirmwareUpdate')!, evidence: 'iothubDM.firmwareUpdate.lastFirmwareUpdate was reported', step: null,
      ...(firmwareVersion === undefined ? {} : { firmwareVersion }) };
  }
  return { state: 'pending', acted: reading.anyFresh() || reading.connectionChangedSince(), waitingFor: 'report',
    evidence: 'no iothubDM.firmwareUpdate report since the method was sent', step: null };
}

function reportedVersion(reading: SectionReading): string | undefined {
  for (const field of VERSION_FIELDS) {
    const value = reading.values[field];
    // Only a version written for this operation: a stale one is the firmware from before the update.
    if (reading.isFresh(field) && typeof value === 'string' && value.length > 0 && value.length <= 128) return value;
  }
  return undefined;
}
