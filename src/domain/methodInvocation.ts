// Invoking a direct method, as the gateway reports it and as the invoke activity hands it to the orchestration.
// Every result says what is known about delivery, because that decides whether another attempt is safe.

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

/** What one call to the hub ended in. */
export type HubMethodResult =
  /** Device answered with status < 300. `hubTime` is the hub's `Date` header on that answer. */
  | { kind: 'accepted'; response: MethodResponse; hubTime: string | null }
  /** Device answered with status ≥ 300. */
  | { kind: 'rejected'; response: MethodResponse; hubTime: string | null }
  /** 404103: the device is not connected (or has not subscribed to methods): the method did not run. */
  | { kind: 'deviceOffline'; message: string }
  /** 404001: no such device identity. */
  | { kind: 'deviceNotFound'; message: string }
  /** The hub proved the method did not run (429, a 5xx without a gateway code, a refused connection): may retry. */
  | { kind: 'notDelivered'; reason: 'throttled' | 'unavailable'; message: string }
  /** The request went out and no usable answer came back (504101, a reset, a timeout): the method may have run. */
  | { kind: 'maybeDelivered'; message: string }
  /** A refusal that retrying will not fix (credentials, permissions, a malformed request); nothing ran. */
  | { kind: 'failed'; message: string };

/** What the invoke activity returns: the hub's result with the journaled send time, or why nothing was sent. */
export type MethodInvocationResult =
  | (HubMethodResult & { sentAt: string })
  /** The device's lease belongs to another operation: nothing was sent. */
  | { kind: 'leaseLost'; holder: string | null; message: string }
  /** This attempt was journaled by an earlier execution (a crash or a retried activity): never sent twice. */
  | { kind: 'maybeDelivered'; message: string; sentAt: string; replayed: true };

/** A device status of 300 or more is a refusal; anything below counts as accepted. */
export function isAcceptedStatus(status: number): boolean {
  return status < 300;
}
