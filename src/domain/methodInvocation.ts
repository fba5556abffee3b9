// What invoking the reboot direct method can end in, as the invoke activity reports it to the orchestrator.
// Transient failures are not in this union: the activity throws them so `callActivityWithRetry` retries.

export interface MethodRequest {
  deviceId: string;
  methodName: string;
  payload: unknown;
  responseTimeoutInSeconds: number;
  connectTimeoutInSeconds: number;
}

/** The device's answer as the hub relays it: `{ status, payload }`, both chosen by the device. */
export interface MethodResponse {
  status: number;
  payload: unknown;
}

export type MethodInvocationResult =
  /** Device answered with status < 300. `hubTime` is the hub's `Date` header on that answer. */
  | { kind: 'accepted'; response: MethodResponse; hubTime: string | null }
  /** Device answered with status ≥ 300. */
  | { kind: 'rejected'; response: MethodResponse; hubTime: string | null }
  /** 404103: the device is not connected (or has not subscribed to methods). */
  | { kind: 'deviceOffline'; errorCode: number; message: string }
  /** 404001: no such device identity. */
  | { kind: 'deviceNotFound'; errorCode: number; message: string }
  /**
   * 504101 (or no answer within the hub's own timeouts): the method may or may not have run.
   * `hubTime` is the hub's `Date` header on the timeout answer when there was one.
   */
  | { kind: 'outcomeUnknown'; errorCode: number | null; message: string; hubTime: string | null }
  /** A non-retryable hub error (bad credentials, bad request): a configuration or programming problem. */
  | { kind: 'failed'; httpStatus: number | null; errorCode: number | null; message: string };

/** A device status of 300 or more is a refusal; anything below counts as accepted. */
export function isAcceptedStatus(status: number): boolean {
  return status < 300;
}
