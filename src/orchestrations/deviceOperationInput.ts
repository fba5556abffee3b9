// Input of the device-operation orchestration. Everything its decisions depend on is in here (settings included),
// so they depend only on input and history, never on the environment at replay time. Nothing in it picks the
// direct method: the invoke activity maps `operation` to the method name from the app settings.
import type { MethodResponse } from '../domain/methodInvocation';
import type { OperationKind } from '../domain/operations/operationKind';
import type { OperationRequest } from '../domain/operationRequest';
import type { Delivery, OperationError, OperationPhase } from '../domain/outcomes';
import type { ReportedSection } from '../domain/reportedSection';

export interface RetrySpec {
  firstRetryIntervalMs: number;
  maxAttempts: number;
  backoffCoefficient: number;
  maxRetryIntervalMs: number;
}

export interface RetryPolicies {
  /** Sending the direct method again after the hub proved it was not delivered (429, 5xx, refused connection). */
  invoke: RetrySpec;
  /** Reading the twin during monitoring (only maxAttempts is used: the read activity retries within a poll). */
  read: RetrySpec;
  /** Writing the operation record. */
  record: RetrySpec;
}

/** The operation's progress, carried into the next execution when the orchestration continues as new. */
export interface OperationProgress {
  phase: OperationPhase;
  delivery: Delivery;
  /** When the method was sent (journaled before the call): the reference time for reports. */
  sentAt: string | null;
  acceptedAt: string | null;
  methodResponse: MethodResponse | null;
  attempts: number;
  polls: number;
  lastReported: ReportedSection | null;
  step: string | null;
  /** Why delivery is uncertain, while it is. */
  uncertainty: OperationError | null;
}

export interface DeviceOperationInput {
  deviceId: string;
  operation: OperationKind;
  request: OperationRequest;
  /** When the start request acquired the device (fixes the record's key and the deadline). */
  requestedAt: string;
  retry: RetryPolicies;
  /**
   * Present when the start asked for a completion callback. Only the URL's lookup key (a SHA-256) is here: the
   * URL is a secret, and orchestration input is visible through the Durable management API and in the history.
   */
  callback?: { key: string; retry: RetrySpec };
  /**
   * True when twin change events are routed to the app: a `TwinChanged` event then wakes the watch before its
   * poll timer. Absent in inputs written before events existed (polling only).
   */
  wakeOnTwinChange?: boolean;
  /**
   * Seconds after the method was sent before the first twin read, when longer than the poll interval: a rollout
   * that knows its devices take about that long saves the reads that could only see them still busy.
   */
  firstLookSeconds?: number;
  /** Present only in executions started by continueAsNew. */
  carryOver?: OperationProgress;
}
