// Extracts one operation's slice of a twin as returned by GET /twins/{id}: the reported `iothubDM.<section>`
// with the hub's `$metadata.…$lastUpdated` for each of its fields.
import type { ConnectionState, ReportedSection } from '../../domain/reportedSection';
import { SECTION_TIME } from '../../domain/reportedSection';

type Json = Record<string, unknown>;

const asObject = (value: unknown): Json | undefined =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined;

export function toReportedSection(twin: unknown, sectionName: string): ReportedSection {
  const root = asObject(twin) ?? {};
  const reported = asObject(asObject(root.properties)?.reported) ?? {};
  const section = asObject(asObject(reported.iothubDM)?.[sectionName]);
  const sectionMetadata = asObject(asObject(asObject(reported.$metadata)?.iothubDM)?.[sectionName]);

  let values: Json | null = null;
  const lastUpdated: Record<string, string> = {};
  if (section !== undefined) {
    values = {};
    for (const [key, value] of Object.entries(section)) {
      if (key.startsWith('$')) continue;
      values[key] = value;
      const at = asObject(sectionMetadata?.[key])?.$lastUpdated;
      if (typeof at === 'string') lastUpdated[key] = at;
    }
    const sectionAt = sectionMetadata?.$lastUpdated;
    if (typeof sectionAt === 'string') lastUpdated[SECTION_TIME] = sectionAt;
  }
  const version = reported.$version;
  return {
    values,
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
