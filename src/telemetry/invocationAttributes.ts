// Dimensions of one function invocation, read from what every operation function already carries: route
// parameters (deviceId, instanceId) of HTTP triggers, and the fields of activity inputs and results (deviceId,
// instanceId, operation, phase, outcome, kind, status). Only these named, non-secret fields are read; payloads,
// reported state and error messages never become attributes.
import type { Attributes } from '@opentelemetry/api';
import { ATTR } from './attributes';

/** Route parameters of an @azure/functions HttpRequest (params is a plain record). */
interface HttpRequestLike {
  method: string;
  url: string;
  params: Record<string, string>;
}

function isHttpRequest(value: unknown): value is HttpRequestLike {
  return typeof value === 'object' && value !== null && 'params' in value && 'method' in value && 'url' in value;
}

function text(value: unknown, max = 256): string | undefined {
  return typeof value === 'string' && value !== '' ? value.slice(0, max) : undefined;
}

function put(attributes: Attributes, key: string, value: string | number | undefined): void {
  if (value !== undefined) attributes[key] = value;
}

/** Attributes from the trigger input (first input of the invocation). */
export function inputAttributes(input: unknown): Attributes {
  const attributes: Attributes = {};
  if (isHttpRequest(input)) {
    put(attributes, ATTR.deviceId, text(input.params.deviceId));
    put(attributes, ATTR.instanceId, text(input.params.instanceId));
    return attributes;
  }
  if (typeof input === 'object' && input !== null) {
    const record = input as Record<string, unknown>;
    put(attributes, ATTR.deviceId, text(record.deviceId));
    put(attributes, ATTR.instanceId, text(record.instanceId));
    put(attributes, ATTR.operation, text(record.operation, 64));
    put(attributes, ATTR.phase, text(record.phase, 64));
    put(attributes, ATTR.outcome, text(record.outcome, 64));
  }
  return attributes;
}

/** Attributes from the handler's result: an activity's outcome or method result, an HTTP response's status. */
export function resultAttributes(result: unknown): Attributes {
  const attributes: Attributes = {};
  if (typeof result !== 'object' || result === null) return attributes;
  const record = result as Record<string, unknown>;
  put(attributes, ATTR.outcome, text(record.outcome, 64));
  put(attributes, ATTR.methodResult, text(record.kind, 64));
  const response = record.response as Record<string, unknown> | undefined;
  if (typeof response === 'object' && response !== null && typeof response.status === 'number') {
    put(attributes, ATTR.methodStatus, response.status);
  }
  return attributes;
}
