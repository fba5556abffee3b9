// The per-device lease: one row per device that says which operation may act on it. It is the guard that keeps
// one operation per device across kinds, and the journal of direct-method attempts that keeps each action at
// most once: an attempt is written here (conditionally) before the method is sent, so a re-executed activity
// finds its own mark and never sends again.
import type { OperationKind } from './operations/operationKind';

/**
 * - `starting`: acquired by a start request; its orchestration has not claimed it yet.
 * - `running`: claimed by its orchestration, which alone may send the method.
 * - `free`: the last operation ended; the next start takes it.
 */
export type LeaseState = 'starting' | 'running' | 'free';

export interface LeaseWrite {
  deviceId: string;
  /** The operation that holds (or last held) the device. */
  instanceId: string;
  operation: OperationKind;
  state: LeaseState;
  /** The device's operation counter: the holder's sequence number. */
  sequence: number;
  /** When the holder acquired the lease (the operation's requestedAt). */
  acquiredAt: string;
  /** Journal: the highest method attempt the holder started (0 = none), and when the last one was sent. */
  methodAttempt: number;
  methodSentAt: string | null;
}

export interface DeviceLease extends LeaseWrite {
  etag: string;
}
