// Input of the rollout orchestration. Everything its decisions depend on is in here; `progress` is carried
// into the next execution when it continues as new after each batch, so each execution's history holds one batch.
import type { OperationKind } from '../domain/operations/operationKind';
import type { OperationRequest } from '../domain/operationRequest';
import type { AbortRule } from '../domain/rollouts/rolloutAbort';
import type { HubBudget } from '../domain/rollouts/hubBudget';
import type { RolloutCounters } from '../domain/rollouts/rolloutCounters';
import type { RolloutRate } from '../domain/rollouts/rolloutRamp';
import type { DeviceRetries } from '../domain/rollouts/rolloutRetries';
import type { RolloutTargetQuery } from '../domain/rollouts/rolloutTargetQuery';
import type { CallbackSubscription } from './completionCallback';
import type { RetryPolicies } from './deviceOperationInput';

export interface RolloutProgress {
  total: number;
  /** Exclusive end ordinal of each wave. */
  waveEnds: number[];
  /** Next ordinal to start. */
  cursor: number;
  /** 0-based current wave. */
  wave: number;
  counters: RolloutCounters;
  /** Earliest start of the next batch: the scheduled start, then the rate budget (orchestration clock); null when unpaced. */
  notBefore: string | null;
  /** 1 until the hub refuses a method (429); then halved per refusal and recovered slowly by clean batches. */
  slowDown: number;
  /** How long the last batch took (ms), for the ETA; null before the first. */
  lastBatchMs: number | null;
}

export interface RolloutInput {
  rolloutId: string;
  operation: OperationKind;
  request: OperationRequest;
  retry: RetryPolicies;
  /** deviceIds: the start request wrote the device rows; query: the first execution resolves them. */
  target: { kind: 'deviceIds'; total: number } | { kind: 'query'; query: RolloutTargetQuery };
  waves: number[];
  abort: AbortRule[];
  rate: RolloutRate | null;
  /** The hub budget the rollout paces to (null: the hub is not paced for, e.g. in unit tests). */
  budget: HubBudget | null;
  retries: DeviceRetries;
  /** Scheduled start (ISO); null to start at once. */
  startAt: string | null;
  /** Devices started per batch (at most; a batch never crosses a wave boundary). */
  batchSize: number;
  limit: number;
  /** Present when the start gave a callbackUrl: its lookup key (the URL stays in the callback store). */
  callback?: CallbackSubscription;
  progress?: RolloutProgress;
}
