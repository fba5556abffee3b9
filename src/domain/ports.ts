// What the activities and HTTP handlers need from the outside world. Implemented in src/adapters
// (azure-iothub, @azure/data-tables); tests may substitute their own implementations.
import type { DeviceLease, LeaseWrite } from './deviceLease';
import type { HubMethodResult, MethodRequest } from './methodInvocation';
import type { OperationRecord } from './operationRecord';
import type { ReportedSection } from './reportedSection';

export type TwinReadResult =
  | { kind: 'observed'; state: ReportedSection }
  | { kind: 'deviceNotFound'; message: string }
  | { kind: 'failed'; message: string };

export interface StatusCount {
  /** The reported `iothubDM.<section>.status`, or null for devices that report none. */
  status: string | null;
  devices: number;
}

export interface FleetQuery {
  connectionState?: 'Connected' | 'Disconnected';
  deviceIdPrefix?: string;
  tag?: { name: string; value: string };
}

export interface ConnectionInfo {
  connectionState: 'Connected' | 'Disconnected' | null;
  connectionStateUpdatedTime: string | null;
}

export interface IotHubGateway {
  /** Invokes a direct method once (no SDK-internal retry); every outcome is returned, never thrown. */
  invokeMethod(request: MethodRequest): Promise<HubMethodResult>;
  /** Reads the twin's `iothubDM.<section>`. Throws TransientHubError for retryable failures. */
  readTwinSection(deviceId: string, section: string): Promise<TwinReadResult>;
  /** Reads the identity's connection state and its time (a registry read). Throws TransientHubError. */
  readConnection(deviceId: string): Promise<ConnectionInfo | null>;
  /** One GROUP BY twin query counting devices per reported `iothubDM.<section>.status`. Throws TransientHubError. */
  countByStatus(section: string, query: FleetQuery): Promise<StatusCount[]>;
  close(): Promise<void>;
}

export interface Page<T> {
  items: T[];
  continuationToken: string | null;
}

export interface OperationsStore {
  /** Inserts or replaces the record of one operation (idempotent: activities may run more than once). */
  save(record: OperationRecord): Promise<void>;
  /** One operation's record, found by its key parts; null when none was written. */
  find(deviceId: string, requestedAt: string, instanceId: string): Promise<OperationRecord | null>;
  /** The device's most recent operation, or null. */
  latest(deviceId: string): Promise<OperationRecord | null>;
  /** The device's operations, newest first. */
  list(deviceId: string, options: { pageSize: number; continuationToken?: string }): Promise<Page<OperationRecord>>;
}

/**
 * One lease row per device, changed only by conditional writes (ETag), so that two writers never both win.
 * `create` and `replace` answer 'conflict' when another writer got there first.
 */
export interface DeviceLeaseStore {
  read(deviceId: string): Promise<DeviceLease | null>;
  create(lease: LeaseWrite): Promise<DeviceLease | 'conflict'>;
  replace(lease: LeaseWrite, etag: string): Promise<DeviceLease | 'conflict'>;
  /** Leases held by an operation (starting or running), across devices. */
  listHeld(options: { pageSize: number; continuationToken?: string }): Promise<Page<DeviceLease>>;
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
