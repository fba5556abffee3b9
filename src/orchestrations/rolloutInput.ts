// Input of the rollout orchestration. Everything its decisions depend on is in here; `progress` is carried
// into the next execution when it continues as new after each batch, so each execution's history holds one batch.
import type { OperationKind } from '../domain/operations/operationKind';
import type { OperationRequest } from '../domain/operationRequest';
import type { AbortRule } from '../domain/rollouts/rolloutAbort';
import type { RolloutCounters } from '../domain/rollouts/rolloutCounters';
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
  /** Earliest start of the next batch under the rate budget (orchestration clock); null when unpaced. */
  notBefore: string | null;
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
  maxPerMinute: number | null;
  /** Devices started per batch (at most; a batch never crosses a wave boundary). */
  batchSize: number;
  limit: number;
  /** Present when the start gave a callbackUrl: its lookup key (the URL stays in the callback store). */
  callback?: CallbackSubscription;
  progress?: RolloutProgress;
}
