// The engine's bookkeeping per execution, persisted with the instance row (InstanceRecord.engineState):
// the next sequence id, the actions recorded for the determinism check, the work the host still owes the
// orchestrator (keyed by task id) and the retry policies in progress.
import type { ActionRecord } from './actions';
import type { InstanceRecord, ParentRef } from '../store/store';
import type { RetryOptionsJson } from './retry';

export interface PendingWork {
  kind: 'activity' | 'subOrchestration' | 'timer' | 'retryTimer';
  /** Key (first attempt id) of the retry policy this work belongs to. */
  retryKey?: number;
}

export interface RetryState {
  kind: 'activity' | 'subOrchestration';
  name: string;
  input: unknown;
  instanceId?: string;
  options: RetryOptionsJson;
  failures: number;
  firstAttemptAt: number;
}

export interface EngineState {
  /** Mirrors TaskOrchestrationExecutor.sequenceNumber. */
  nextId: number;
  actions: ActionRecord[];
  pending: Record<string, PendingWork>;
  retries: Record<string, RetryState>;
  lastTimestamp: number;
}

export const newEngineState = (): EngineState => ({ nextId: 0, actions: [], pending: {}, retries: {}, lastTimestamp: 0 });

/** The row of a new, Pending execution (a client start, a sub-orchestration, or a row recovered from its start message). */
export function pendingInstanceRecord(o: { instanceId: string; name: string; version: string; executionId: string; input: string | null; parent: ParentRef | null; createdTime: number; now: number }): InstanceRecord {
  return {
    instanceId: o.instanceId,
    name: o.name,
    version: o.version,
    executionId: o.executionId,
    runtimeStatus: 'Pending',
    createdTime: o.createdTime,
    lastUpdatedTime: o.now,
    input: o.input,
    output: null,
    customStatus: null,
    parent: o.parent,
    historyLength: 0,
    engineState: JSON.stringify(newEngineState()),
    lastConsumed: [],
  };
}
