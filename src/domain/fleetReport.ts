// The fleet report of one operation kind: optional filters read from query parameters and the one IoT Hub twin query built
// from them. Caller text never reaches the query as syntax: enumerations are mapped to constants, names must
// match a strict identifier pattern, and values are emitted as escaped string literals
// (grammar: iot-hub-devguide-query-language.md; escapes \' \\ as in ../shared/research/iothub-emulator.md §7).
import { deviceIdProblem } from './deviceId';
import type { FleetQuery } from './ports';
import { invalid } from './requestError';
import { hasControlCharacters, printable } from './text';

export const REPORT_PARAMETERS = ['connectionState', 'deviceIdPrefix', 'tagName', 'tagValue'] as const;

/** The reported property a report groups by: the section's `status`. */
export function statusPath(section: string): string {
  if (!/^[A-Za-z][A-Za-z0-9]{0,63}$/.test(section)) throw new RangeError(`not a section name: ${section}`);
  return `properties.reported.iothubDM.${section}.status`;
}
export const STATUS_ALIAS = 'reportedStatus';
export const COUNT_ALIAS = 'deviceCount';

const TAG_SEGMENT = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
const MAX_TAG_DEPTH = 5;
const MAX_TAG_VALUE_LENGTH = 256;
/** Words IoT Hub's query grammar reserves; a property with such a name is written `[[name]]`. */
const RESERVED = new Set(['SELECT', 'TOP', 'FROM', 'WHERE', 'GROUP', 'BY', 'AS', 'AND', 'OR', 'NOT', 'IN', 'NIN',
  'TRUE', 'FALSE', 'NULL', 'UNDEFINED']);

/** Reads the report's query parameters (`code` is the function key and is ignored); throws RequestError. */
export function parseFleetQuery(params: URLSearchParams): FleetQuery {
  const allowed = new Set<string>([...REPORT_PARAMETERS, 'code']);
  for (const name of new Set(params.keys())) {
    if (!allowed.has(name)) {
      throw invalid(printable(name), `Unknown query parameter. Allowed: ${REPORT_PARAMETERS.join(', ')}.`);
    }
    if (params.getAll(name).length > 1) throw invalid(name, `${name} may be given only once.`);
  }
  const query: FleetQuery = {};
  const connectionState = params.get('connectionState');
  if (connectionState !== null) {
    const canonical = ({ connected: 'Connected', disconnected: 'Disconnected' } as const)[connectionState.toLowerCase() as 'connected'];
    if (canonical === undefined) throw invalid('connectionState', 'connectionState must be Connected or Disconnected.');
    query.connectionState = canonical;
  }
  const prefix = params.get('deviceIdPrefix');
  if (prefix !== null) {
    const problem = deviceIdProblem(prefix);
    if (problem !== undefined) throw invalid('deviceIdPrefix', problem.replace('The device id', 'deviceIdPrefix'));
    query.deviceIdPrefix = prefix;
  }
  const tagName = params.get('tagName');
  const tagValue = params.get('tagValue');
  if ((tagName === null) !== (tagValue === null)) {
    throw invalid(tagName === null ? 'tagName' : 'tagValue', 'tagName and tagValue must be given together.');
  }
  if (tagName !== null && tagValue !== null) {
    const segments = tagName.split('.');
    if (segments.length > MAX_TAG_DEPTH || !segments.every((s) => TAG_SEGMENT.test(s))) {
      throw invalid('tagName',
        `tagName must be up to ${MAX_TAG_DEPTH} dot-separated names of letters, digits and '_' (not starting with a digit).`);
    }
    if (tagValue.length === 0 || tagValue.length > MAX_TAG_VALUE_LENGTH || hasControlCharacters(tagValue)) {
      throw invalid('tagValue', `tagValue must be 1–${MAX_TAG_VALUE_LENGTH} characters without control characters.`);
    }
    query.tag = { name: tagName, value: tagValue };
  }
  return query;
}

/** A single-quoted IoT Hub query string literal. */
export function stringLiteral(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

export function tagPath(name: string): string {
  return ['tags', ...name.split('.').map((s) => (RESERVED.has(s.toUpperCase()) ? `[[${s}]]` : s))].join('.');
}

/** SELECT … COUNT() … GROUP BY the section's reported status, with the filters ANDed together. */
export function buildStatusQuery(section: string, query: FleetQuery): string {
  const conditions: string[] = [];
  if (query.connectionState !== undefined) conditions.push(`connectionState = ${stringLiteral(query.connectionState)}`);
  if (query.deviceIdPrefix !== undefined) conditions.push(`STARTSWITH(deviceId, ${stringLiteral(query.deviceIdPrefix)})`);
  if (query.tag !== undefined) conditions.push(`${tagPath(query.tag.name)} = ${stringLiteral(query.tag.value)}`);
  const where = conditions.length > 0 ? ` WHERE ${conditions.join(' AND ')}` : '';
  const path = statusPath(section);
  return `SELECT ${path} AS ${STATUS_ALIAS}, COUNT() AS ${COUNT_ALIAS} FROM devices${where} GROUP BY ${path}`;
}
