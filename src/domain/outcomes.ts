// The result of a device operation: the orchestration's output and the final state of its table record.
import type { MethodResponse } from './methodInvocation';
import type { OperationKind } from './operations/operationKind';
import type { ReportedSection } from './reportedSection';

export const OUTCOMES = [
  'Succeeded', 'Failed', 'TimedOut', 'Rejected', 'DeviceOffline', 'DeviceNotFound', 'Canceled',
  /** The method may or may not have reached the device and the twin never showed a sign of it: not sent again. */
  'DeliveryUnconfirmed',
] as const;
export type Outcome = (typeof OUTCOMES)[number];

/**
 * What is known about the direct method reaching the device: `delivered` (the device answered), `notDelivered`
 * (the hub proved it did not run: 404103, 429, a 5xx without a gateway code, a refused connection), `unknown`
 * (a crash or a lost answer after the request went out, or 504101).
 */
export const DELIVERIES = ['delivered', 'notDelivered', 'unknown'] as const;
export type Delivery = (typeof DELIVERIES)[number];

/** What the twin showed by the end of an operation that ran out of time: tells a silent device from a dead one. */
export interface DeviceActivity {
  connectionState: 'Connected' | 'Disconnected' | null;
  /** Hub time of the device's last connect or disconnect (device identity). */
  connectionStateUpdatedTime: string | null;
  /** The connection changed after the method was sent (it went away and/or came back). */
  connectionChangedAfterMethod: boolean;
  /** The device wrote to this operation's reported section after the method was sent. */
  reportedAfterMethod: boolean;
  /** The last step the device reported (`status` of the section), if any. */
  lastReportedStep: string | null;
}

export interface OperationError {
  code: string;
  message: string;
}

export interface OperationOutput {
  deviceId: string;
  operation: OperationKind;
  outcome: Outcome;
  delivery: Delivery;
  /** The device's `{ status, payload }` answer; null when none arrived. */
  methodResponse: MethodResponse | null;
  /** Orchestration clock (the Functions host) when the operation was accepted. */
  requestedAt: string;
  /** When the device accepted the method (hub clock, never before requestedAt); null when it never did. */
  acceptedAt: string | null;
  /** Orchestration clock when the outcome was decided. */
  completedAt: string;
  /** completedAt − requestedAt, one clock. */
  durationMs: number;
  /** Twin reads made while waiting for the device's report. */
  polls: number;
  /** The current step the device reported last (e.g. `applying`), null when none. */
  step: string | null;
  /** The firmware version the device reported on completion (firmwareUpdate), when it reported one. */
  firmwareVersion: string | null;
  /** The last observed reported section, null when the twin was never read. */
  lastReported: ReportedSection | null;
  /** What the twin showed, for operations that ended without a verdict from the device. */
  deviceActivity: DeviceActivity | null;
  /** Why it failed, was canceled or is uncertain; never contains secrets. */
  error: OperationError | null;
}

/** Phases shown in the orchestration's custom status and stored with the operation. */
export type OperationPhase = 'starting' | 'invoking' | 'awaiting-report' | 'completed';
