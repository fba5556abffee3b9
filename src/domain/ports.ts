// What the activities and HTTP handlers need from the outside world. Implemented in src/adapters
// (azure-iothub, @azure/data-tables); tests may substitute their own implementations.
import type { MethodInvocationResult, MethodRequest } from './methodInvocation';
import type { OperationRecord } from './operationRecord';
import type { ReportedRebootState } from './rebootState';

export type TwinReadResult =
  | { kind: 'observed'; state: ReportedRebootState }
  | { kind: 'deviceNotFound'; errorCode: number; message: string }
  | { kind: 'failed'; httpStatus: number | null; errorCode: number | null; message: string };

/** Input of the readRebootState activity. */
export interface ReadRebootStateInput {
  deviceId: string;
  /** Hub-clock time the reboot is judged against. */
  since: string;
}

export interface RebootStatusCount {
  /** The reported `iothubDM.reboot.status`, or null for devices that report none. */
  status: string | null;
  devices: number;
}

export interface FleetQuery {
  connectionState?: 'Connected' | 'Disconnected';
  deviceIdPrefix?: string;
  tag?: { name: string; value: string };
}

export interface IotHubGateway {
  /** Invokes a direct method once (no SDK-internal retry). Throws TransientHubError for retryable failures. */
  invokeMethod(request: MethodRequest): Promise<MethodInvocationResult>;
  /** Reads the twin (and, when `since` requires it, the identity's connection time). Throws TransientHubError. */
  readRebootState(deviceId: string, since: string): Promise<TwinReadResult>;
  /** One GROUP BY twin query counting devices per reported reboot status. Throws TransientHubError. */
  countByRebootStatus(query: FleetQuery): Promise<RebootStatusCount[]>;
  close(): Promise<void>;
}

export interface OperationsPage {
  records: OperationRecord[];
  continuationToken: string | null;
}

export interface OperationsStore {
  /** Inserts or replaces the record of one operation (idempotent: activities may run more than once). */
  save(record: OperationRecord): Promise<void>;
  /** The device's most recent operation, or null. */
  latest(deviceId: string): Promise<OperationRecord | null>;
  /** The device's operations, newest first. */
  list(deviceId: string, options: { pageSize: number; continuationToken?: string }): Promise<OperationsPage>;
}

/** A hub failure that retrying will not fix (credentials, permissions, a malformed request). */
export class HubRequestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HubRequestError';
  }
}

/** A retryable hub failure (429xxx, 5xx, network): activities let it propagate so the orchestration retries. */
export class TransientHubError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TransientHubError';
  }
}
