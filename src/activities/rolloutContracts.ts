// The rollout activities' contracts (as contracts.ts does for the device operation): one name, one input type and
// one output type each; outputs are checked by `decode` when read back from history and kept tiny.
import type { Outcome } from '../domain/outcomes';
import type { OperationKind } from '../domain/operations/operationKind';
import type { RolloutCounters } from '../domain/rollouts/rolloutCounters';
import type { RolloutState } from '../domain/rollouts/rolloutStore';
import type { RolloutTargetQuery } from '../domain/rollouts/rolloutTargetQuery';
import { contract } from './contracts';

export interface ResolveTargetsInput {
  rolloutId: string;
  query: RolloutTargetQuery;
  waves: number[];
  limit: number;
  at: string;
}
export type ResolveTargetsResult = { kind: 'resolved'; total: number } | { kind: 'tooMany'; limit: number };

export interface AcquireBatchInput {
  rolloutId: string;
  operation: OperationKind;
  /** The batch's start (orchestration clock): each acquired operation's requestedAt. */
  requestedAt: string;
  /** Ordinals [from, to). */
  from: number;
  to: number;
  /** Counters before the batch; the activity stores them with the batch applied. */
  counters: RolloutCounters;
  currentWave: number;
  currentRate: number | null;
}
export interface BatchDevice {
  ordinal: number;
  deviceId: string;
  /** The operation that will act on the device; null when the device was busy with another operation. */
  instanceId: string | null;
}
/** canceled / paused: the summary row asks for it; nothing was acquired. */
export type AcquireBatchResult = { kind: 'canceled' } | { kind: 'paused' } | { kind: 'acquired'; devices: BatchDevice[] };

/** Devices of a batch to try again (retries, or attempts the hub refused), each after its previous attempt. */
export interface AcquireRetriesInput {
  rolloutId: string;
  operation: OperationKind;
  requestedAt: string;
  devices: Array<{ ordinal: number; deviceId: string; previousInstanceId: string; attempts: number }>;
}
/** stopped: a cancel or pause is requested, so no device is tried again. instanceId null: another operation took the device. */
export type AcquireRetriesResult = { kind: 'stopped' } | { kind: 'acquired'; devices: BatchDevice[] };


export interface DeviceResult {
  ordinal: number;
  deviceId: string;
  instanceId: string;
  outcome: Outcome;
}
export interface RecordBatchInput {
  rolloutId: string;
  results: DeviceResult[];
  counters: RolloutCounters;
  currentWave: number;
  currentRate: number | null;
  /** Written when given (at the end of a batch); mid-batch progress leaves the ETA as it was. */
  eta?: string | null;
  at: string;
}

export interface CloseRolloutInput {
  rolloutId: string;
  state: Exclude<RolloutState, 'running'>;
  counters: RolloutCounters;
  currentWave: number;
  reason: string | null;
  /** Queued devices at ordinals ≥ from are marked canceled. */
  from: number;
  total: number;
  at: string;
}

/** Devices started by an earlier execution (their sub-orchestrations report to it, not to this one). */
export interface CollectOutcomesInput {
  devices: Array<{ ordinal: number; deviceId: string; instanceId: string; requestedAt: string }>;
}
/** One device whose operation is over, as its record in the operations table says. */
export interface CollectedOutcome {
  ordinal: number;
  outcome: Outcome;
  /** The hub refused the method (429 or 5xx) every time: nothing reached the device. */
  hubRefused: boolean;
  /** requestedAt → completedAt. */
  durationMs: number | null;
}
/** Only the devices that are over: the output stays small. */
export interface CollectOutcomesResult {
  ended: CollectedOutcome[];
}

export const ROLLOUT_ACTIVITY = Object.freeze({
  resolveTargets: contract<ResolveTargetsInput, ResolveTargetsResult>('rolloutResolveTargets', ['resolved', 'tooMany']),
  acquireBatch: contract<AcquireBatchInput, AcquireBatchResult>('rolloutAcquireBatch', ['canceled', 'paused', 'acquired']),
  acquireRetries: contract<AcquireRetriesInput, AcquireRetriesResult>('rolloutAcquireRetries', ['stopped', 'acquired']),
  recordBatch: contract<RecordBatchInput, null>('rolloutRecordBatch', null),
  close: contract<CloseRolloutInput, null>('rolloutClose', null),
  collectOutcomes: contract<CollectOutcomesInput, CollectOutcomesResult>('rolloutCollectOutcomes', null),
});
