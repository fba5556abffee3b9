// The body of POST /twins/{id}/methods: {"methodName","payload","responseTimeoutInSeconds","connectTimeoutInSeconds"}.
// Timeouts: response 5–300 s (default 30), connect 0–300 s (default 0, "the device must already be online"); out of
// range → 400004 "responseTimeoutInSeconds must be within [5; 300]." (research/mission-anchors.md §3.3). Payloads
// are JSON up to 128 KB (iot-hub-devguide-direct-methods.md).
import { hubErrors } from '../errors';
import { isJsonObject } from '../twin/json';

export const MAX_METHOD_PAYLOAD_BYTES = 128 * 1024;
export const RESPONSE_TIMEOUT_RANGE = { min: 5, max: 300, default: 30 } as const;
export const CONNECT_TIMEOUT_RANGE = { min: 0, max: 300, default: 0 } as const;

export interface MethodRequest {
  methodName: string;
  /** The payload serialised as the device will receive it (`null` when absent). */
  payloadJson: string;
  responseTimeoutInSeconds: number;
  connectTimeoutInSeconds: number;
}

function timeout(value: unknown, name: string, range: { min: number; max: number; default: number }): number {
  if (value === undefined || value === null) return range.default;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < range.min || value > range.max) {
    throw hubErrors.argumentInvalid(`${name} must be within [${range.min}; ${range.max}].`);
  }
  return value;
}

export function parseMethodRequest(body: unknown): MethodRequest {
  if (!isJsonObject(body)) throw hubErrors.argumentInvalid('The request body must be a JSON object with methodName.');
  const { methodName } = body;
  if (typeof methodName !== 'string' || methodName.length === 0) throw hubErrors.argumentInvalid('methodName is required.');
  // The name becomes one MQTT topic level: $iothub/methods/POST/{methodName}/?$rid={rid}.
  // eslint-disable-next-line no-control-regex
  if (/[/#+\u0000]/.test(methodName) || methodName.length > 256) {
    throw hubErrors.argumentInvalid(`methodName ${JSON.stringify(methodName)} is not a valid method name.`);
  }
  const payloadJson = JSON.stringify(body.payload === undefined ? null : body.payload);
  const payloadBytes = Buffer.byteLength(payloadJson, 'utf8');
  if (payloadBytes > MAX_METHOD_PAYLOAD_BYTES) throw hubErrors.messageTooLarge('The direct method payload', MAX_METHOD_PAYLOAD_BYTES);
  return {
    methodName,
    payloadJson,
    responseTimeoutInSeconds: timeout(body.responseTimeoutInSeconds, 'responseTimeoutInSeconds', RESPONSE_TIMEOUT_RANGE),
    connectTimeoutInSeconds: timeout(body.connectTimeoutInSeconds, 'connectTimeoutInSeconds', CONNECT_TIMEOUT_RANGE),
  };
}
