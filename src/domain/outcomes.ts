// The result of a reboot operation: the orchestration's output and the final state of its table record.
import type { MethodResponse } from './methodInvocation';
import type { ReportedRebootState } from './rebootState';

export const OUTCOMES = ['Succeeded', 'TimedOut', 'Rejected', 'DeviceOffline', 'DeviceNotFound', 'Failed'] as const;
export type Outcome = (typeof OUTCOMES)[number];

export interface RebootOperationOutput {
  deviceId: string;
  operation: 'reboot';
  outcome: Outcome;
  /** The device's `{ status, payload }` answer; null when none arrived (offline, not found, 504101). */
  methodResponse: MethodResponse | null;
  /** Orchestration clock (the Functions host) when the operation began. */
  requestedAt: string;
  /** Hub clock when the device accepted the method; null when it never did (or the outcome is unknown). */
  acceptedAt: string | null;
  /** Orchestration clock when the outcome was decided. */
  completedAt: string;
  /** completedAt − requestedAt, one clock. */
  durationMs: number;
  /** Twin reads made while waiting for the device's report. */
  polls: number;
  /** The last observed reboot state, null when the twin was never read. */
  lastReported: ReportedRebootState | null;
}

/** Phases shown in the orchestration's custom status and stored with the operation. */
export type OperationPhase = 'invoking' | 'awaiting-report' | 'completed' | 'failed';
