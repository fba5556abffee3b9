// Every IoT Hub error the emulator can raise, and the two body envelopes the real service uses for them.
// Codes and names: azure-docs articles/iot-hub/troubleshoot-error-codes.md and the C# SDK's IotHubServiceErrorCode.cs
// (research/iothub-emulator.md §5). The service SDK (azure-iothub RestApiClient.translateError) picks the error class from
// the HTTP status and, for 404, from `ErrorCode:<Name>` inside envelope 1's Message.
import { randomBytes } from 'node:crypto';

/** Numeric IoT Hub error code → the name the service puts in `ErrorCode:<Name>` and in the `iothub-errorcode` header. */
export const IOT_HUB_ERROR_NAMES = {
  400004: 'ArgumentInvalid',
  400006: 'IotHubFormatError',
  401002: 'IotHubUnauthorizedAccess',
  404001: 'DeviceNotFound',
  404002: 'JobNotFound',
  404103: 'DeviceNotOnline',
  409001: 'DeviceAlreadyExists',
  409104: 'JobAlreadyExists',
  412001: 'PreconditionFailed',
  413001: 'MessageTooLarge',
  429001: 'ThrottlingException',
  429004: 'ThrottlingMaxActiveJobCountExceeded',
  500001: 'ServerError',
  503001: 'ServiceUnavailable',
  504101: 'GatewayTimeout',
} as const;

export type IotHubErrorCode = keyof typeof IOT_HUB_ERROR_NAMES;

/** Codes the real service reports in envelope 2 nested as a JSON string inside envelope 1 (direct-method gateway errors). */
const NESTED_ENVELOPE_CODES: ReadonlySet<IotHubErrorCode> = new Set<IotHubErrorCode>([404103, 504101]);

export class IotHubError extends Error {
  constructor(
    readonly code: IotHubErrorCode,
    message: string,
    readonly info: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'IotHubError';
  }

  /** HTTP status: the first three digits of the code. */
  get status(): number {
    return Math.floor(this.code / 1000);
  }

  get codeName(): string {
    return IOT_HUB_ERROR_NAMES[this.code];
  }
}

/** Envelope 2: `{"errorCode":404103,"trackingId":…,"message":…,"info":{},"timestampUtc":…}` (also the MQTT twin error body). */
export interface ErrorEnvelope2 {
  errorCode: number;
  trackingId: string;
  message: string;
  info: Record<string, unknown>;
  timestampUtc: string;
}

/** Envelope 1: `{"Message":"ErrorCode:<Name>;<text>","ExceptionMessage":"Tracking ID:…"}`. */
export interface ErrorEnvelope1 {
  Message: string;
  ExceptionMessage: string;
}

export function newTrackingId(): string {
  return randomBytes(16).toString('hex');
}

export function envelope2(error: IotHubError, trackingId = newTrackingId()): ErrorEnvelope2 {
  return {
    errorCode: error.code,
    trackingId,
    message: error.message,
    info: error.info,
    timestampUtc: new Date().toISOString(),
  };
}

function serviceTimestamp(date: Date): string {
  // The service's ExceptionMessage uses the US-style timestamp "MM/dd/yyyy HH:mm:ss".
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(date.getUTCMonth() + 1)}/${pad(date.getUTCDate())}/${date.getUTCFullYear()} ` +
    `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}`;
}

export function envelope1(error: IotHubError, trackingId = newTrackingId()): ErrorEnvelope1 {
  if (NESTED_ENVELOPE_CODES.has(error.code)) {
    // The service double-encodes method gateway errors (C# SDK test GetExceptionCodeAsync_MessagePayloadDoubleEscaped).
    return { Message: JSON.stringify(envelope2(error, trackingId)), ExceptionMessage: '' };
  }
  return {
    Message: `ErrorCode:${error.codeName};${error.message}`,
    ExceptionMessage: `Tracking ID:${trackingId}-G:0-TimeStamp:${serviceTimestamp(new Date())}`,
  };
}

/** Status, headers and body of a service REST error response. */
export function serviceErrorResponse(error: IotHubError): { status: number; headers: Record<string, string>; body: ErrorEnvelope1 } {
  return {
    status: error.status,
    headers: { 'iothub-errorcode': error.codeName },
    body: envelope1(error),
  };
}

// ---- The factory: one function per situation, so messages stay consistent across REST, MQTT and the admin API. ----

export const hubErrors = {
  argumentInvalid: (message: string) => new IotHubError(400004, message),
  malformedJson: (what = 'request body') => new IotHubError(400006, `The ${what} is not valid JSON.`),
  unauthorized: (reason = 'Unauthorized') => new IotHubError(401002, reason),
  deviceNotFound: (deviceId: string) => new IotHubError(404001, `Device ${JSON.stringify(deviceId)} not found.`),
  deviceNotOnline: () => new IotHubError(
    404103,
    "The operation failed because the requested device isn't online or hasn't registered the direct method callback. " +
      'To learn more, see https://aka.ms/iothub404103',
  ),
  /** Paths and verbs the emulator does not implement (jobs, modules, configurations…): named, never silently ignored. */
  unsupported: (method: string, path: string) =>
    new IotHubError(400004, `${method} ${path} is not supported by the IoT Hub emulator.`),
  deviceAlreadyExists: (deviceId: string) => new IotHubError(409001, `A device with ID ${JSON.stringify(deviceId)} is already registered.`),
  preconditionFailed: (what: string, expected: string, actual: string) =>
    new IotHubError(412001, `Precondition failed: ${what} did not match, existing etag:${actual} requested etag:${expected}`),
  messageTooLarge: (what: string, limitBytes: number) => new IotHubError(413001, `${what} exceeds the maximum size of ${limitBytes} bytes.`),
  jobNotFound: (jobId: string) => new IotHubError(404002, `Job ${JSON.stringify(jobId)} not found.`),
  jobAlreadyExists: (jobId: string) => new IotHubError(409104, `A job with ID ${JSON.stringify(jobId)} already exists.`),
  tooManyActiveJobs: (limit: number) =>
    new IotHubError(429004, `The number of active jobs exceeds the maximum of ${limit} for this IoT hub's tier.`),
  throttled: () => new IotHubError(429001, 'Throttling exception: the request rate for this operation exceeds the IoT hub quota. Back off and retry.'),
  serverError: (status: 500 | 503) =>
    status === 500
      ? new IotHubError(500001, 'Internal server error (injected by the emulator).')
      : new IotHubError(503001, 'Service unavailable (injected by the emulator).'),
  gatewayTimeout: (timeoutSeconds: number) =>
    new IotHubError(504101, 'Timed out waiting for the response from device.', { timeout: formatTimeSpan(timeoutSeconds) }),
};

function formatTimeSpan(totalSeconds: number): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(Math.floor(totalSeconds / 3600))}:${pad(Math.floor((totalSeconds % 3600) / 60))}:${pad(totalSeconds % 60)}`;
}
