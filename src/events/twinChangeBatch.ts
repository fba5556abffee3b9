// Reads a batch of IoT Hub twin change events as the Functions Event Hubs trigger hands it to a Node function
// (cardinality `many`): the bodies in order, and per event the trigger metadata arrays `systemPropertiesArray` and
// `propertiesArray` (the extension's SystemPropertiesArray / PropertiesArray binding data; @azure/functions only
// lower-cases the first letter of each key, so the hub's `iothub-*` names arrive unchanged).
// What IoT Hub puts in them (azure-docs iot-hub-non-telemetry-event-schema): system properties
// `iothub-message-source: twinChangeEvents`, `iothub-connection-device-id`, `iothub-connection-module-id` (module
// twins); application properties `deviceId`, `opType` (updateTwin | replaceTwin), `iothub-message-schema`; the body
// is the patch `{ version, properties: { reported: { …, $version } } }`, or the whole twin on replaceTwin.
// Events may be duplicated or coalesced (iot-hub-devguide-device-twins): one change per device comes out of a
// batch, with the highest reported `$version` seen; the twin read it leads to decides, never the event itself.

export const TWIN_CHANGE_SOURCE = 'twinChangeEvents';

/** The reported-state change of one device in a batch. */
export interface TwinChange {
  deviceId: string;
  /** The highest `properties.reported.$version` among its events; null when none showed one. */
  reportedVersion: number | null;
  /**
   * Per `iothubDM` section its patches touched, that section's value in each patch, in batch order ('*' when a patch
   * cleared iothubDM, 'other' with no values when a patch touched only other properties); 'all' when an event
   * replaced the twin or showed no patch shape.
   */
  sections: ReadonlyMap<string, readonly unknown[]> | 'all';
}

export interface BatchMetadata {
  systemPropertiesArray?: unknown;
  propertiesArray?: unknown;
}

export interface BatchReading {
  changes: TwinChange[];
  /** Events that were not device twin changes (telemetry, lifecycle, connection state, module twins, unreadable). */
  skipped: number;
}

export function readTwinChangeBatch(messages: unknown, metadata: BatchMetadata | undefined): BatchReading {
  const bodies = Array.isArray(messages) ? messages : [messages];
  const system = Array.isArray(metadata?.systemPropertiesArray) ? metadata.systemPropertiesArray : [];
  const application = Array.isArray(metadata?.propertiesArray) ? metadata.propertiesArray : [];
  const byDevice = new Map<string, { reportedVersion: number | null; sections: Map<string, unknown[]> | 'all' }>();
  let skipped = 0;
  bodies.forEach((raw, i) => {
    const sys = record(system[i]);
    const app = record(application[i]);
    const source = text(sys['iothub-message-source']) ?? text(app['iothub-message-source']);
    const moduleId = text(sys['iothub-connection-module-id']) ?? text(app.moduleId);
    const deviceId = text(sys['iothub-connection-device-id']) ?? text(app.deviceId);
    if (source !== TWIN_CHANGE_SOURCE || moduleId !== null || deviceId === null) {
      skipped += 1;
      return;
    }
    const body = record(parseBody(raw));
    const reported = record(record(body.properties).reported);
    const version = typeof reported.$version === 'number' && Number.isSafeInteger(reported.$version) ? reported.$version : null;
    const patch = text(app.opType) === 'replaceTwin' || body.properties === undefined ? 'all' : touchedSections(reported);
    if (patch !== 'all' && patch.size === 0) {
      skipped += 1; // a desired-property or tag change: nothing a device reported
      return;
    }
    const seen = byDevice.get(deviceId);
    if (seen === undefined) {
      byDevice.set(deviceId, { reportedVersion: version, sections: patch });
      return;
    }
    if (version !== null && (seen.reportedVersion === null || version > seen.reportedVersion)) seen.reportedVersion = version;
    if (seen.sections === 'all') return;
    if (patch === 'all') {
      seen.sections = 'all';
      return;
    }
    for (const [section, values] of patch) seen.sections.set(section, [...seen.sections.get(section) ?? [], ...values]);
  });
  return { changes: [...byDevice].map(([deviceId, change]) => ({ deviceId, ...change })), skipped };
}

/** Per `iothubDM.<section>` of a reported patch, its value; a patch without iothubDM touches no section ('other' marks it). */
function touchedSections(reported: Record<string, unknown>): Map<string, unknown[]> {
  const keys = Object.keys(reported).filter((k) => !k.startsWith('$'));
  if (keys.length === 0) return new Map();
  const dm = reported.iothubDM;
  // `iothubDM: null` clears every section: treat it as touching all of them.
  if (dm === null) return new Map([['*', [null]]]);
  const sections = new Map(Object.entries(record(dm)).map(([section, value]): [string, unknown[]] => [section, [value]]));
  if (sections.size === 0) sections.set('other', []);
  return sections;
}

/**
 * The values one section took in a change's patches: 'all' when the change may have touched it in any way (replaced
 * twin, cleared iothubDM), an empty list when it did not touch it.
 */
export function sectionReports(change: TwinChange, section: string): readonly unknown[] | 'all' {
  if (change.sections === 'all' || change.sections.has('*')) return 'all';
  return change.sections.get(section) ?? [];
}

function parseBody(raw: unknown): unknown {
  if (typeof raw === 'string' || raw instanceof Uint8Array) {
    try {
      return JSON.parse(typeof raw === 'string' ? raw : Buffer.from(raw).toString('utf8')) as unknown;
    } catch {
      return undefined;
    }
  }
  return raw;
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? value as Record<string, unknown> : {};
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}
