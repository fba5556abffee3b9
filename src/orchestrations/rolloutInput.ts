// Input of the rollout orchestration. Everything its decisions depend on is in here; `progress` is carried
// into the next execution when it continues as new (every TICKS_PER_EXECUTION × batchSize starts), so histories stay bounded.
import type { OperationKind } from '../domain/operations/operationKind';
import type { OperationRequest } from '../domain/operationRequest';
import type { Outcome } from '../domain/outcomes';
import type { AbortRule } from '../domain/rollouts/rolloutAbort';
import type { HubBudget } from '../domain/rollouts/hubBudget';
import type { RolloutCounters } from '../domain/rollouts/rolloutCounters';
import type { RolloutRate } from '../domain/rollouts/rolloutRamp';
import type { DeviceRetries } from '../domain/rollouts/rolloutRetries';
import type { RolloutTargetQuery } from '../domain/rollouts/rolloutTargetQuery';
import type { CallbackSubscription } from './completionCallback';
import type { RetryPolicies } from './deviceOperationInput';

/** A device whose operation runs: started by this execution or an earlier one. */
export interface InFlightDevice {
  ordinal: number;
  deviceId: string;
  instanceId: string;
  /** 1-based attempt this operation is (hub refusals excluded). */
  attempts: number;
  refusals: number;
  /** The operation's requestedAt (its record's key). */
  requestedAt: string;
}

/** A device to try again (a retryable outcome, or an attempt the hub refused), started before new devices. */
export interface QueuedRetry {
  ordinal: number;
  deviceId: string;
  previousInstanceId: string;
  /** The attempt the next start will be (1-based). */
  attempts: number;
  refusals: number;
  /** How the previous attempt ended: kept if the device is not tried again after all. */
  last: Outcome;
}

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
  /** 1 until the hub refuses a call (429); then halved per refusal (at most every few seconds) and recovered slowly. */
  slowDown: number;
  /** When slowDown last changed (orchestration clock, ms). */
  slowDownChangedMs?: number | null;
  /** The shortest requestedAt → completedAt of a Succeeded device so far (ms): the ETA, and when to look first. */
  deviceMs: number | null;
  /** When the first device started (orchestration clock, ms): how long devices take is at least the time since, until one succeeds. */
  firstStartMs?: number | null;
  /** Devices still running when the previous execution continued as new: their outcomes are read from the table. */
  inFlight?: InFlightDevice[];
  retryQueue?: QueuedRetry[];
  /** Set once a cancel or an abort stops new starts: the rollout closes when the in-flight devices are done. */
  stopping?: { state: 'canceled' | 'aborted'; reason: string | null } | null;
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
  /** Twin change events reach the app (IOTHUB_EVENTS_CONNECTION): device operations wake on them. */
  wakeOnTwinChange?: boolean;
  /** Present when the start gave a callbackUrl: its lookup key (the URL stays in the callback store). */
  callback?: CallbackSubscription;
  progress?: RolloutProgress;
}
