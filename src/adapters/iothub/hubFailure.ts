// Reads the IoT Hub error code out of an azure-iothub error. The SDK's translateError only understands the
// `{"Message":"ErrorCode:<Name>;…"}` envelope; for anything else (404103 among them) it raises a plain
// Error('Not found') — the code is only in `err.responseBody` and the `iothub-errorcode` header
// (../shared/research/iothub-emulator.md §5.1–§5.3). Both envelopes are understood here, including the
// real service's habit of nesting envelope 2 as a JSON string inside envelope 1's Message.
import type { IncomingHttpHeaders } from 'node:http';
import { hubErrorCodeFromName, type HubFailure } from '../../domain/hubErrors';

interface SdkError {
  message?: unknown;
  code?: unknown;
  responseBody?: unknown;
  response?: { statusCode?: unknown; headers?: IncomingHttpHeaders };
}

export function toHubFailure(err: unknown): HubFailure {
  const e = (typeof err === 'object' && err !== null ? err : {}) as SdkError;
  const httpStatus = typeof e.response?.statusCode === 'number' ? e.response.statusCode : undefined;
  if (httpStatus === undefined) {
    const networkCode = typeof e.code === 'string' ? e.code : undefined;
    return { networkCode, message: 'no answer from IoT Hub' };
  }
  const errorCode = codeFromBody(e.responseBody) ?? codeFromHeader(e.response?.headers?.['iothub-errorcode']);
  return { httpStatus, errorCode, message: `IoT Hub answered HTTP ${httpStatus}` };
}

/** The hub's clock from an HTTP `Date` header, as ISO 8601; null when absent or unparsable. */
export function hubTimeFromHeaders(headers: IncomingHttpHeaders | undefined): string | null {
  const value = headers?.date;
  if (value === undefined) return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

function codeFromHeader(value: string | string[] | undefined): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (text === undefined) return undefined;
  if (/^\d{6}$/.test(text.trim())) return Number(text.trim());
  return hubErrorCodeFromName(text.trim());
}

function codeFromBody(body: unknown): number | undefined {
  if (typeof body !== 'string' || body.length === 0) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return sixDigitCode(body);
  }
  return codeFromEnvelope(parsed, 0);
}

function codeFromEnvelope(value: unknown, depth: number): number | undefined {
  if (typeof value !== 'object' || value === null || depth > 3) return undefined;
  const fields = value as Record<string, unknown>;
  // Envelope 2: {"errorCode":404103,"trackingId":…,"message":…}
  const direct = fields.errorCode ?? fields.ErrorCode;
  if (typeof direct === 'number' && Number.isInteger(direct)) return direct;
  if (typeof direct === 'string' && /^\d{6}$/.test(direct)) return Number(direct);
  // Envelope 1: {"Message":"ErrorCode:DeviceNotFound;…"} or {"Message":"{\"errorCode\":404103,…}"}
  const message = fields.Message ?? fields.message;
  if (typeof message === 'string') {
    const named = /ErrorCode:\s*([A-Za-z]+)/.exec(message);
    if (named !== null) {
      const code = hubErrorCodeFromName(named[1]);
      if (code !== undefined) return code;
    }
    try {
      const nested = codeFromEnvelope(JSON.parse(message), depth + 1);
      if (nested !== undefined) return nested;
    } catch {
      // not JSON: fall through to the text scan
    }
    return sixDigitCode(message);
  }
  return undefined;
}

function sixDigitCode(text: string): number | undefined {
  const match = /"?errorCode"?\s*[:=]\s*"?(\d{6})\b/i.exec(text);
  return match === null ? undefined : Number(match[1]);
}
