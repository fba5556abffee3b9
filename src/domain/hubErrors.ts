// IoT Hub error codes that decide what the reboot does next (troubleshoot-error-codes.md;
// Azure/azure-iot-sdk-csharp IotHubServiceErrorCode.cs; ../shared/research/iothub-emulator.md §5).

export const HUB_ERROR = Object.freeze({
  DeviceNotFound: 404001,
  DeviceNotOnline: 404103,
  GatewayTimeout: 504101,
  ThrottlingException: 429001,
  ServerError: 500001,
  ServiceUnavailable: 503001,
} as const);

/** Error names the hub uses in `iothub-errorcode` headers and `ErrorCode:<Name>;…` messages, with their numbers. */
const CODE_BY_NAME: Readonly<Record<string, number>> = Object.freeze({
  ArgumentInvalid: 400004,
  IotHubFormatError: 400006,
  IotHubUnauthorizedAccess: 401002,
  IotHubUnauthorized: 401003,
  IotHubQuotaExceeded: 403002,
  DeviceNotFound: 404001,
  ModuleNotFound: 404010,
  DeviceNotOnline: 404103,
  DeviceAlreadyExists: 409001,
  PreconditionFailed: 412001,
  MessageTooLarge: 413001,
  ThrottlingException: 429001,
  ThrottleBacklogLimitExceeded: 429002,
  ThrottlingBacklogTimeout: 429003,
  ThrottlingMaxActiveJobCountExceeded: 429004,
  DeviceThrottlingLimitExceeded: 429005,
  ServerError: 500001,
  ServiceUnavailable: 503001,
  GatewayTimeout: 504101,
});

export function hubErrorCodeFromName(name: string | undefined): number | undefined {
  // Own properties only: 'toString', 'constructor' or '__proto__' in a header must not yield Object.prototype members.
  return name === undefined || !Object.prototype.hasOwnProperty.call(CODE_BY_NAME, name) ? undefined : CODE_BY_NAME[name];
}

/** What an adapter could learn about a failed call to the hub. */
export interface HubFailure {
  /** HTTP status of the hub's answer; absent when no answer arrived (network failure). */
  httpStatus?: number;
  /** Six-digit IoT Hub error code from the body or the `iothub-errorcode` header. */
  errorCode?: number;
  /** Node's error code for network failures (ECONNREFUSED, ECONNRESET, ETIMEDOUT, …). */
  networkCode?: string;
  /** Short description without secrets. */
  message: string;
}

/**
 * How a failed read or query is treated:
 * - `deviceNotFound`: final;
 * - `transient`: throttling (429xxx), 5xx, 504101, or no answer at all: retry with backoff;
 * - `permanent`: anything else (400, 401, 403, …): a configuration or programming error, never retried.
 */
export type HubFailureKind = 'deviceNotFound' | 'transient' | 'permanent';

export function classifyHubFailure(failure: HubFailure): HubFailureKind {
  const { errorCode, httpStatus } = failure;
  if (errorCode === HUB_ERROR.DeviceNotFound) return 'deviceNotFound';
  if (errorCode !== undefined && Math.floor(errorCode / 1000) === 429) return 'transient';
  if (httpStatus === undefined && failure.networkCode !== undefined && TLS_TRUST_FAILURE.test(failure.networkCode)) return 'permanent';
  if (httpStatus === undefined) return 'transient';
  if (httpStatus === 429 || httpStatus >= 500) return 'transient';
  return 'permanent';
}

/**
 * What a failed direct-method call says about delivery (iot-hub-devguide-direct-methods; troubleshoot-error-codes):
 * - `deviceNotFound`, `deviceOffline` (404103): the method did not run;
 * - `notDelivered`: the hub proved it did not run — throttled (429xxx) or a 5xx without the gateway's 504101, or
 *   the connection was refused before the request was written;
 * - `maybeDelivered`: the request may have reached the device — 504101 (the hub gave up waiting for the answer),
 *   or the connection broke after the request went out (reset, timeout, no answer);
 * - `permanent`: the hub refused the request itself (400, 401, 403, …): nothing ran, retrying will not help.
 */
export type MethodFailureKind = 'deviceNotFound' | 'deviceOffline' | 'notDelivered' | 'maybeDelivered' | 'permanent';

export function classifyMethodFailure(failure: HubFailure): MethodFailureKind {
  const { errorCode, httpStatus } = failure;
  if (errorCode === HUB_ERROR.DeviceNotFound) return 'deviceNotFound';
  if (errorCode === HUB_ERROR.DeviceNotOnline) return 'deviceOffline';
  if (errorCode === HUB_ERROR.GatewayTimeout) return 'maybeDelivered';
  if (errorCode !== undefined && Math.floor(errorCode / 1000) === 429) return 'notDelivered';
  if (httpStatus === undefined) {
    if (failure.networkCode !== undefined && TLS_TRUST_FAILURE.test(failure.networkCode)) return 'permanent';
    // Only a connection that was never made proves the request was not written.
    return failure.networkCode !== undefined && NEVER_CONNECTED.has(failure.networkCode) ? 'notDelivered' : 'maybeDelivered';
  }
  if (httpStatus === 504) return 'maybeDelivered';
  if (httpStatus === 429 || httpStatus >= 500) return 'notDelivered';
  return 'permanent';
}

/** Node's codes for a connection that was never established (the request cannot have been sent). */
const NEVER_CONNECTED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/** Node/OpenSSL codes for certificate verification failures (SELF_SIGNED_CERT_IN_CHAIN, ERR_TLS_CERT_ALTNAME_INVALID, …). */
const TLS_TRUST_FAILURE = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER/;

export function describeHubFailure(failure: HubFailure): string {
  const parts: string[] = [];
  if (failure.httpStatus !== undefined) parts.push(`HTTP ${failure.httpStatus}`);
  if (failure.errorCode !== undefined) parts.push(`error ${failure.errorCode}`);
  if (failure.networkCode !== undefined) parts.push(failure.networkCode);
  return parts.length > 0 ? `${failure.message} (${parts.join(', ')})` : failure.message;
}
