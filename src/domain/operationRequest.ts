// The start request body shared by every operation kind: every field optional, ranges from IoT Hub's
// direct-method limits (responseTimeoutInSeconds 5–300, connectTimeoutInSeconds 0–300, payload ≤ 128 KB:
// iot-hub-devguide-direct-methods, iot-hub-devguide-quotas-throttling) and from ARCHITECTURE.md §2.
// A kind adds its own payload rule (firmwareUpdate requires `payload.fwPackageUri`).
import { RequestError, invalid } from './requestError';
import { jsonByteLength } from './jsonSize';
import { printable } from './text';

export const MAX_METHOD_PAYLOAD_BYTES = 128 * 1024;

export interface OperationRequest {
  /** Sent as the direct-method payload; `null` when the caller gave none. */
  payload: unknown;
  responseTimeoutInSeconds: number;
  connectTimeoutInSeconds: number;
  pollIntervalSeconds: number;
  timeoutSeconds: number;
}

interface IntegerField {
  name: Exclude<keyof OperationRequest, 'payload'>;
  min: number;
  max: number;
  defaultValue: number;
}

export const OPERATION_REQUEST_FIELDS: readonly IntegerField[] = Object.freeze([
  { name: 'responseTimeoutInSeconds', min: 5, max: 300, defaultValue: 30 },
  { name: 'connectTimeoutInSeconds', min: 0, max: 300, defaultValue: 0 },
  { name: 'pollIntervalSeconds', min: 1, max: 300, defaultValue: 5 },
  { name: 'timeoutSeconds', min: 10, max: 86_400, defaultValue: 600 },
]);

const KNOWN_FIELDS: readonly string[] = ['payload', ...OPERATION_REQUEST_FIELDS.map((f) => f.name)];

export const DEFAULT_OPERATION_REQUEST: Readonly<OperationRequest> = Object.freeze({
  payload: null, responseTimeoutInSeconds: 30, connectTimeoutInSeconds: 0, pollIntervalSeconds: 5, timeoutSeconds: 600,
});

/** A kind's extra rule for the payload: returns the payload to send or throws RequestError naming the field. */
export type PayloadRule = (payload: unknown) => unknown;

/**
 * Validates an already JSON-parsed body (`undefined` = no body) and fills in defaults.
 * Throws RequestError naming the first offending field.
 */
export function parseOperationRequest(body: unknown, payloadRule?: PayloadRule,
  defaults: Readonly<OperationRequest> = DEFAULT_OPERATION_REQUEST): OperationRequest {
  if (body !== undefined && (typeof body !== 'object' || body === null || Array.isArray(body))) {
    throw invalid('body', 'The request body must be a JSON object.');
  }
  const fields = (body ?? {}) as Record<string, unknown>;
  for (const name of Object.keys(fields)) {
    if (!KNOWN_FIELDS.includes(name)) {
      throw invalid(printable(name), `Unknown field '${printable(name)}'. Allowed fields: ${KNOWN_FIELDS.join(', ')}.`);
    }
  }
  const request: OperationRequest = { ...defaults };
  if (Object.prototype.hasOwnProperty.call(fields, 'payload')) {
    const size = jsonByteLength(fields.payload);
    if (size > MAX_METHOD_PAYLOAD_BYTES) {
      throw new RequestError('tooLarge', 'PayloadTooLarge',
        `The method payload is ${size} bytes of JSON; IoT Hub accepts at most ${MAX_METHOD_PAYLOAD_BYTES}.`, 'payload');
    }
    request.payload = fields.payload ?? null;
  }
  if (payloadRule !== undefined) request.payload = payloadRule(request.payload);
  for (const field of OPERATION_REQUEST_FIELDS) {
    if (!Object.prototype.hasOwnProperty.call(fields, field.name)) continue;
    request[field.name] = integerInRange(fields[field.name], field);
  }
  // A default interval (e.g. the 30 s safety net with twin events) never makes a short timeout invalid.
  if (!Object.prototype.hasOwnProperty.call(fields, 'pollIntervalSeconds')) {
    request.pollIntervalSeconds = Math.min(request.pollIntervalSeconds, request.timeoutSeconds);
  }
  if (request.pollIntervalSeconds > request.timeoutSeconds) {
    throw invalid('pollIntervalSeconds',
      `pollIntervalSeconds (${request.pollIntervalSeconds}) must not exceed timeoutSeconds (${request.timeoutSeconds}).`);
  }
  return request;
}

function integerInRange(value: unknown, field: IntegerField): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < field.min || value > field.max) {
    throw invalid(field.name, `${field.name} must be an integer from ${field.min} to ${field.max} (default ${field.defaultValue}).`);
  }
  return value;
}
