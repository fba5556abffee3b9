// Property paths over a device twin document: canonical casing and lookup.
import { isReserved } from './keywords';

/**
 * Top-level fields of a twin as REST GET /twins/{id} returns them (azure-iothub swagger mapper `Twin`).
 * query-twins.md shows `SELECT DeviceId, LastActivityTime` returning `deviceId` and `lastActivityTime`, so
 * these names resolve case-insensitively and come out in this canonical case.
 */
const TWIN_FIELDS = [
  'deviceId', 'moduleId', 'etag', 'deviceEtag', 'version', 'status', 'statusReason', 'statusUpdateTime',
  'connectionState', 'lastActivityTime', 'cloudToDeviceMessageCount', 'authenticationType', 'x509Thumbprint',
  'capabilities', 'deviceScope', 'parentScopes', 'modelId', 'tags', 'properties',
];
const TWIN_FIELD_BY_LOWER = new Map(TWIN_FIELDS.map((name) => [name.toLowerCase(), name]));
const PROPERTY_SECTION_BY_LOWER = new Map([['desired', 'desired'], ['reported', 'reported']]);

/**
 * Canonical case for the twin's own structure: the top-level field and the `desired`/`reported` section.
 * Everything below (tag and property names) stays as written: twin keys are case-sensitive
 * (iot-hub-devguide-device-twins.md, "Tags and properties format").
 */
export function canonicalSegments(segments: readonly string[]): string[] {
  const [first, second, ...rest] = segments;
  if (first === undefined) return [];
  const top = TWIN_FIELD_BY_LOWER.get(first.toLowerCase()) ?? first;
  if (top !== 'properties' || second === undefined) return [top, ...segments.slice(1)];
  return [top, PROPERTY_SECTION_BY_LOWER.get(second.toLowerCase()) ?? second, ...rest];
}

/** The value at `segments`, or undefined when any step is missing or is not a JSON object. */
export function readPath(document: unknown, segments: readonly string[]): unknown {
  let current = document;
  for (const segment of segments) {
    if (typeof current !== 'object' || current === null || Array.isArray(current)) return undefined;
    // Own properties only: `tags.constructor` must not reach Object.prototype.
    if (!Object.prototype.hasOwnProperty.call(current, segment)) return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}

const PLAIN_SEGMENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** A path as it would be written in a query (for error messages). */
export function pathText(segments: readonly string[]): string {
  return segments.map((s) => (PLAIN_SEGMENT.test(s) && !isReserved(s) ? s : `[[${s}]]`)).join('.');
}

export function samePath(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((segment, i) => segment === b[i]);
}
