// JSON responses and the error envelope `{ "error": { "code", "message", "target" } }` (ARCHITECTURE.md §2).
// Caller mistakes get 4xx with the field at fault; anything else is logged and answered without details.
import type { HttpResponseInit, InvocationContext } from '@azure/functions';
import { ConfigError } from '../config';
import { RequestError, type RequestProblem } from '../domain/requestError';
import { HubRequestError, TransientHubError } from '../domain/ports';
import { LeaseContentionError } from '../domain/deviceGuard';

/** The HTTP status of each kind of caller mistake. */
const STATUS_OF: Readonly<Record<RequestProblem, number>> = Object.freeze({ invalid: 400, notFound: 404, tooLarge: 413, unsupportedMediaType: 415 });

export interface ErrorBody {
  error: { code: string; message: string; target?: string };
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): HttpResponseInit {
  return { status, jsonBody: body, headers: { 'Content-Type': 'application/json; charset=utf-8', ...headers } };
}

export function errorJson(status: number, code: string, message: string, target?: string, headers: Record<string, string> = {},
  extra: Record<string, unknown> = {}): HttpResponseInit {
  const body: ErrorBody = { error: target === undefined ? { code, message } : { code, message, target } };
  return json(status, { ...body, ...extra }, headers);
}

/** Maps an error thrown while serving a request to a response; never includes stack traces or setting values. */
export function errorResponse(err: unknown, context: InvocationContext): HttpResponseInit {
  if (err instanceof RequestError) return errorJson(STATUS_OF[err.problem], err.code, err.message, err.target);
  if (err instanceof TransientHubError) {
    context.warn(err.message);
    return errorJson(503, 'IotHubUnavailable', 'IoT Hub is busy or unavailable; try again later.', undefined, { 'Retry-After': '10' });
  }
  if (err instanceof HubRequestError) {
    context.error(err.message);
    return errorJson(502, 'IotHubError', 'IoT Hub refused the request; see the function logs.');
  }
  if (err instanceof LeaseContentionError) {
    context.warn(err.message);
    return errorJson(503, 'DeviceBusy', 'The device is being changed by other requests right now; try again.', 'deviceId', { 'Retry-After': '2' });
  }
  if (err instanceof ConfigError) {
    // The message names the setting; it is for the operator's log, never for the caller.
    context.error(err.message);
    return errorJson(500, 'ConfigurationError', 'The app is misconfigured; see the function logs.');
  }
  context.error(`Unexpected error: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
  return errorJson(500, 'InternalError', 'The request could not be completed; see the function logs.');
}
