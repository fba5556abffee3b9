// Where rollouts keep their state (Table storage, src/adapters/rollouts): one summary row per rollout (state,
// counters, current wave; the cancel request) and one row per target device, at its 0-based ordinal in the
// target list. Orchestration outputs stay tiny; everything a caller reads comes from here.
import type { OperationKind } from '../operations/operationKind';
import type { Outcome } from '../outcomes';
import type { Page } from '../ports';
import type { HubBudget } from './hubBudget';
import type { RolloutCounters, RolloutDeviceState } from './rolloutCounters';
import type { RolloutRate } from './rolloutRamp';

/** Stored states; `paused` is shown (visibleState) while a pause is requested and the rollout is not over. */
export const ROLLOUT_STATES = ['scheduled', 'running', 'completed', 'canceled', 'aborted', 'failed'] as const;
export type RolloutState = (typeof ROLLOUT_STATES)[number];
export type VisibleRolloutState = RolloutState | 'paused';

export function isRolloutOver(state: RolloutState): boolean {
  return state !== 'running' && state !== 'scheduled';
}

export function visibleState(summary: Pick<RolloutSummary, 'state' | 'pauseRequested'>): VisibleRolloutState {
  return summary.pauseRequested && !isRolloutOver(summary.state) ? 'paused' : summary.state;
}

export interface RolloutSummary {
  rolloutId: string;
  operation: OperationKind;
  state: RolloutState;
  targetKind: 'deviceIds' | 'query';
  /** Devices in the target list; null until a query target is resolved. */
  total: number | null;
  counters: RolloutCounters;
  /** Cumulative percentages. */
  waves: number[];
  /** 1-based; 0 before the first wave starts. */
  currentWave: number;
  /** The caller's rate. */
  rate: RolloutRate | null;
  /** The hub budget in use (IOTHUB_SKU, IOTHUB_UNITS, ROLLOUT_QUOTA_SHARE at the start). */
  budget: HubBudget | null;
  /** Starts per minute in force (the lowest of the caller's rate, the ramp, the hub budget and any 429 slow-down). */
  currentRate: number | null;
  /** When the rollout is expected to end; null while unknown. */
  eta: string | null;
  /** The scheduled start; null when it started at once. */
  startAt: string | null;
  /** Seconds a caller should wait between status reads. */
  retryAfterSeconds: number;
  cancelRequested: boolean;
  /** Cancel in-flight device operations too (cancel with force: true). */
  forceCancel: boolean;
  pauseRequested: boolean;
  /** Why the rollout was aborted or failed. */
  reason: string | null;
  createdAt: string;
  updatedAt: string;
  completedAt: string | null;
}

/** The fields the orchestration's activities update (a merge: the cancel request is never overwritten). */
export type RolloutProgressUpdate = Partial<Pick<RolloutSummary, 'state' | 'total' | 'counters' | 'currentWave' | 'reason' | 'completedAt' | 'currentRate' | 'eta'>>
  & { updatedAt: string };

export interface RolloutDevice {
  ordinal: number;
  deviceId: string;
  /** 1-based wave. */
  wave: number;
  state: RolloutDeviceState;
  /** The device operation's instance id (in progress or done), or the busy holder's. */
  instanceId: string | null;
  outcome: Outcome | null;
  /** Attempts started on the device (retries included; attempts the hub refused are not counted). */
  attempts: number;
  /** Set (to the batch's requestedAt) just before the device's lease is acquired: a re-run knows it may hold it. */
  attemptAt: string | null;
  updatedAt: string;
}

export interface RolloutStore {
  /** Writes the first summary row; throws if the rollout exists. */
  create(summary: RolloutSummary): Promise<void>;
  read(rolloutId: string): Promise<RolloutSummary | null>;
  update(rolloutId: string, update: RolloutProgressUpdate): Promise<void>;
  /** Marks the rollout canceled-on-request (force: in-flight device operations too); never unset. */
  requestCancel(rolloutId: string, at: string, force?: boolean): Promise<void>;
  setPaused(rolloutId: string, paused: boolean, at: string): Promise<void>;
  list(options: { pageSize: number; continuationToken?: string }): Promise<Page<RolloutSummary>>;
  /** Inserts or replaces device rows (idempotent). */
  saveDevices(rolloutId: string, devices: readonly RolloutDevice[]): Promise<void>;
  /** Rows with ordinals in [from, to), in order. */
  devicesBetween(rolloutId: string, from: number, to: number): Promise<RolloutDevice[]>;
  /** Rows in ordinal order, optionally in one state. */
  listDevices(rolloutId: string, state: RolloutDeviceState | null, options: { pageSize: number; continuationToken?: string }): Promise<Page<RolloutDevice>>;
}
