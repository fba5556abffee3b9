// Input of the reboot orchestration. Everything the orchestrator needs is in here (settings included),
// so its decisions depend only on input and history, never on the environment at replay time.
import type { RebootRequest } from '../domain/rebootRequest';
import type { ReportedRebootState } from '../domain/rebootState';
import type { MethodResponse } from '../domain/methodInvocation';

export interface RetrySpec {
  firstRetryIntervalMs: number;
  maxAttempts: number;
  backoffCoefficient: number;
  maxRetryIntervalMs: number;
}

export interface RebootRetryPolicies {
  /** Invoking the direct method: 429xxx, 5xx, network failures. */
  invoke: RetrySpec;
  /** Reading the twin during monitoring. */
  read: RetrySpec;
  /** Writing the operation record. */
  record: RetrySpec;
}

/** Monitoring progress carried into the next execution when the orchestration continues as new. */
export interface MonitorCarryOver {
  requestedAt: string;
  deadline: string;
  acceptedAt: string | null;
  since: string;
  methodResponse: MethodResponse | null;
  outcomeUncertain: { code: string; message: string } | null;
  polls: number;
  lastReported: ReportedRebootState | null;
}

export interface RebootOrchestrationInput {
  deviceId: string;
  methodName: string;
  request: RebootRequest;
  retry: RebootRetryPolicies;
  /** Present only in executions started by continueAsNew. */
  carryOver?: MonitorCarryOver;
}
