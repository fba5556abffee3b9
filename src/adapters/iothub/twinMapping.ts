// Extracts the reboot-relevant slice of a twin as returned by GET /twins/{id}: the reported
// `iothubDM.reboot` section with the hub's `$metadata.…$lastUpdated` for each of its fields.
import type { ConnectionState, ReportedRebootState } from '../../domain/rebootState';
import { SECTION_TIME } from '../../domain/rebootState';

type Json = Record<string, unknown>;

const asObject = (value: unknown): Json | undefined =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined;

export function toReportedRebootState(twin: unknown): ReportedRebootState {
  const root = asObject(twin) ?? {};
  const reported = asObject(asObject(root.properties)?.reported) ?? {};
  const section = asObject(asObject(reported.iothubDM)?.reboot);
  const sectionMetadata = asObject(asObject(asObject(reported.$metadata)?.iothubDM)?.reboot);

  let reboot: Json | null = null;
  const lastUpdated: Record<string, string> = {};
  if (section !== undefined) {
    reboot = {};
    for (const [key, value] of Object.entries(section)) {
      if (key.startsWith('$')) continue;
      reboot[key] = value;
      const at = asObject(sectionMetadata?.[key])?.$lastUpdated;
      if (typeof at === 'string') lastUpdated[key] = at;
    }
    const sectionAt = sectionMetadata?.$lastUpdated;
    if (typeof sectionAt === 'string') lastUpdated[SECTION_TIME] = sectionAt;
  }
  const version = reported.$version;
  return {
    reboot,
    lastUpdated,
    connectionState: connectionState(root.connectionState),
    connectionStateUpdatedTime: null,
    reportedVersion: typeof version === 'number' ? version : null,
  };
}

/** The REST API spells it Connected/Disconnected; older payloads used lower case. */
export function connectionState(value: unknown): ConnectionState | null {
  if (typeof value !== 'string') return null;
  const lower = value.toLowerCase();
  return lower === 'connected' ? 'Connected' : lower === 'disconnected' ? 'Disconnected' : null;
}
