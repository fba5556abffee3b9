// The host's copy of an instance while it holds it: the working row an episode mutates, the last committed
// row (what status readers see), the row's version for the optimistic-concurrency check, the committed
// history and the engine bookkeeping. Kept between episodes only as an optimisation: the store is the
// truth, so any failure or reload drops the copy and the next episode reads the committed state again.
import type { HistoryEvent, ParentInstanceInfo } from './history';
import { EventType } from './history';
import { newEngineState, pendingInstanceRecord, type EngineState } from './engineState';
import type { InboxMessage, InstanceRecord, Store } from '../store/store';

export interface InstanceState {
  /** Working copy, mutated during an episode. */
  record: InstanceRecord;
  /** The last committed row: what status readers see. */
  committed: InstanceRecord;
  version: string | undefined;
  history: HistoryEvent[];
  engine: EngineState;
}

/** The state of a row just written (created or recovered): no history yet. */
export function freshState(record: InstanceRecord, version: string | undefined): InstanceState {
  return { record, committed: structuredClone(record), version, history: [], engine: JSON.parse(record.engineState) as EngineState };
}

export class InstanceStates {
  readonly #cache = new Map<string, InstanceState>();

  /** `dropConsumed` deletes inbox messages a committed episode consumed but a crash left behind. */
  constructor(
    private readonly store: Store,
    private readonly dropConsumed: (instanceId: string, ids: string[]) => Promise<void>,
  ) {}

  cached(instanceId: string): InstanceState | undefined {
    return this.#cache.get(instanceId);
  }

  keep(state: InstanceState): void {
    this.#cache.set(state.record.instanceId, state);
  }

  forget(instanceId: string): void {
    this.#cache.delete(instanceId);
  }

  clear(): void {
    this.#cache.clear();
  }

  /** The committed row: the cached copy, else the store's. */
  async committed(instanceId: string): Promise<InstanceRecord | undefined> {
    return this.#cache.get(instanceId)?.committed ?? (await this.store.getInstance(instanceId));
  }

  async load(instanceId: string): Promise<InstanceState | undefined> {
    const cached = this.#cache.get(instanceId);
    if (cached) return cached;
    const record = await this.store.getInstance(instanceId);
    if (!record) return undefined;
    const state: InstanceState = {
      record,
      committed: structuredClone(record),
      version: this.store.versionOf(instanceId),
      history: await this.store.readHistory(instanceId, record.historyLength),
      engine: JSON.parse(record.engineState) as EngineState,
    };
    // Messages consumed by the last committed episode may survive a crash before their deletion.
    await this.dropConsumed(instanceId, record.lastConsumed);
    this.#cache.set(instanceId, state);
    return state;
  }

  /** The instance row a start message stands for, when a crash came between the message and the row. */
  async recoverFromStartMessage(instanceId: string, visible: InboxMessage[], now: number): Promise<InstanceState | undefined> {
    const start = visible.find((m) => m.event.EventType === EventType.ExecutionStarted);
    if (!start || start.executionId === undefined) return undefined;
    const event = start.event;
    const parentInfo = event.ParentInstance as ParentInstanceInfo | null | undefined;
    const record = pendingInstanceRecord({
      instanceId,
      name: String(event.Name),
      version: String(event.Version ?? ''),
      executionId: start.executionId,
      input: (event.Input as string | null | undefined) ?? null,
      parent: parentInfo
        ? { instanceId: parentInfo.OrchestrationInstance.InstanceId, executionId: parentInfo.OrchestrationInstance.ExecutionId, name: parentInfo.Name, taskScheduledId: parentInfo.TaskScheduleId }
        : null,
      createdTime: Date.parse(event.Timestamp) || now,
      now,
    });
    const version = await this.store.putInstance(record);
    const state = { ...freshState(record, version), engine: newEngineState() };
    this.#cache.set(instanceId, state);
    return state;
  }
}

/**
 * A ContinuedAsNew instance starts its next execution from the start message its last episode sent:
 * the working copy switches to the new execution id with a fresh history and engine state (persisted
 * by that execution's first commit; raised events addressed to the instance carry over).
 */
export function adoptNextExecution(state: InstanceState, visible: InboxMessage[]): void {
  const next = visible.find((m) => m.event.EventType === EventType.ExecutionStarted && m.executionId !== undefined && m.executionId !== state.record.executionId);
  if (!next || next.executionId === undefined) return;
  const { record } = state;
  record.executionId = next.executionId;
  record.input = (next.event.Input as string | null | undefined) ?? null;
  record.output = null;
  record.historyLength = 0;
  record.lastConsumed = [];
  state.history = [];
  state.engine = { ...newEngineState(), lastTimestamp: state.engine.lastTimestamp };
  record.engineState = JSON.stringify(state.engine);
}
