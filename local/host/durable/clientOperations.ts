// Client operations (DurableClient / the durabletask HTTP API): start, raise, terminate, suspend, resume,
// rewind, purge and status. Control operations are inbox messages the instance's next episode handles, as
// in DTFx; start and rewind run under the instance's lock because they read its row before writing.
import type { Clock } from '../clock';
import { TERMINAL_STATUSES, type InboxMessage, type InstancePage, type InstanceQuery, type InstanceRecord, type RuntimeStatus, type Store } from '../store/store';
import { scheduleActivity } from './actionTranslation';
import { episodeTimestamp, episodeContext, type EpisodeResult } from './episodeExecutor';
import { startMessage } from './episodeCommit';
import { pendingInstanceRecord } from './engineState';
import { EventType, history as events, type HistoryEvent, type ParentInstanceInfo } from './history';
import type { Inbox } from './inbox';
import { newGuidN } from './instanceIds';
import { freshState, type InstanceState, type InstanceStates } from './instanceState';
import { messageId, type Outbound } from './outbound';
import { rewindHistory } from './rewind';
import type { KeyedMutex } from './workQueue';

/** DTFx OrchestrationAlreadyExistsException: a start refused by overridableExistingInstanceStates. */
export class OrchestrationAlreadyExistsError extends Error {
  readonly exceptionType = 'DurableTask.Core.Exceptions.OrchestrationAlreadyExistsException';
  constructor(status: RuntimeStatus) {
    // AzureStorageOrchestrationService.CreateTaskOrchestrationAsync's message.
    super(`An Orchestration instance with the status ${status} already exists.`);
    this.name = 'OrchestrationAlreadyExistsError';
  }
}

/** The InvalidOperationException of DurableClient.RewindAsync for an instance that has not failed. */
export class NotFailedError extends Error {
  readonly exceptionType = 'System.InvalidOperationException';
  constructor() {
    super('The rewind operation is only supported on failed orchestration instances.');
    this.name = 'NotFailedError';
  }
}

export class NotFoundError extends Error {}

export interface ClientOperationsOptions {
  store: Store;
  clock: Clock;
  mutex: KeyedMutex;
  states: InstanceStates;
  inbox: Inbox;
  overridableExistingInstanceStates: 'AnyState' | 'NonRunningStates';
  newExecutionId?: () => string;
  /** Commits an episode-like change of an instance (rewind). */
  commit(state: InstanceState, result: EpisodeResult): Promise<void>;
  /** Forgets an instance's pending wake-up timer (purge). */
  clearTimer(instanceId: string): void;
}

export class ClientOperations {
  constructor(private readonly options: ClientOperationsOptions) {}

  async start(name: string, instanceId: string, input: string | null, version = ''): Promise<void> {
    const { mutex, states, clock } = this.options;
    await mutex.run(instanceId, async () => {
      const existing = await states.committed(instanceId);
      if (existing && this.options.overridableExistingInstanceStates === 'NonRunningStates' && !TERMINAL_STATUSES.has(existing.runtimeStatus)) {
        throw new OrchestrationAlreadyExistsError(existing.runtimeStatus);
      }
      const now = clock.now();
      const record = pendingInstanceRecord({ instanceId, name, version, executionId: (this.options.newExecutionId ?? newGuidN)(), input, parent: null, createdTime: now, now });
      await this.#create(record, null);
    });
  }

  /** Creates a sub-orchestration's instance (part of its parent's commit), unless an earlier attempt did. */
  async startChild(out: Extract<Outbound, { type: 'startChild' }>, now: number): Promise<void> {
    const existing = await this.options.states.committed(out.instanceId);
    if (existing?.executionId === out.executionId) return;
    const record = pendingInstanceRecord({ instanceId: out.instanceId, name: out.name, version: '', executionId: out.executionId, input: out.input, parent: out.parent, createdTime: now, now });
    const parent: ParentInstanceInfo = {
      Name: out.parent.name,
      Version: '',
      TaskScheduleId: out.parent.taskScheduledId,
      OrchestrationInstance: { InstanceId: out.parent.instanceId, ExecutionId: out.parent.executionId },
    };
    // The child gets its own lock; it cannot be the instance committing now (ids must differ).
    await this.options.mutex.run(out.instanceId, () => this.#create(record, parent));
  }

  async #create(record: InstanceRecord, parent: ParentInstanceInfo | null): Promise<void> {
    // The row and its start message in one write: no instance can be left Pending without its start message.
    const message = startMessage(record, parent, this.options.clock.now());
    const version = await this.options.store.createInstance(record, message);
    this.options.states.keep(freshState(record, version));
    this.options.inbox.deliver(message);
  }

  async status(instanceId: string): Promise<InstanceRecord | undefined> {
    const cached = this.options.states.cached(instanceId);
    return cached ? structuredClone(cached.committed) : await this.options.store.getInstance(instanceId);
  }

  async history(instanceId: string): Promise<HistoryEvent[]> {
    const cached = this.options.states.cached(instanceId);
    if (cached) return cached.history;
    const record = await this.options.store.getInstance(instanceId);
    return record ? this.options.store.readHistory(instanceId, record.historyLength) : [];
  }

  query(query: InstanceQuery): Promise<InstancePage> {
    return this.options.store.queryInstances(query);
  }

  raiseEvent(instanceId: string, name: string, input: string | null): Promise<void> {
    return this.#send(instanceId, (now) => events.eventRaised(now, name, input));
  }

  terminate(instanceId: string, reason: string | null): Promise<void> {
    return this.#send(instanceId, (now) => events.executionTerminated(now, reason));
  }

  suspend(instanceId: string, reason: string | null): Promise<void> {
    return this.#send(instanceId, (now) => events.executionSuspended(now, reason));
  }

  resume(instanceId: string, reason: string | null): Promise<void> {
    return this.#send(instanceId, (now) => events.executionResumed(now, reason));
  }

  #send(instanceId: string, event: (now: number) => HistoryEvent): Promise<void> {
    const now = this.options.clock.now();
    const message: InboxMessage = { id: messageId(now), instanceId, visibleAt: 0, event: event(now) };
    return this.options.inbox.enqueue(message);
  }

  /** Rewinds a Failed instance (and its failed sub-orchestrations): failed work runs again. */
  async rewind(instanceId: string, reason: string | null): Promise<void> {
    await this.options.mutex.run(instanceId, () => this.#rewindLocked(instanceId, reason));
  }

  async #rewindLocked(instanceId: string, reason: string | null): Promise<void> {
    const { store, states, mutex } = this.options;
    const state = await states.load(instanceId);
    if (!state) throw new NotFoundError(`No instance with ID '${instanceId}' found.`);
    if (state.record.runtimeStatus !== 'Failed') throw new NotFailedError();
    const { record, engine } = state;
    const rewound = rewindHistory(state.history);
    await store.writeHistory(instanceId, 0, rewound.history);
    state.history = rewound.history;
    const now = episodeTimestamp(state, this.options.clock);
    const ctx = episodeContext(state, now);
    for (const activity of rewound.activities) scheduleActivity(ctx, activity.taskScheduledId, activity.name, activity.input);
    for (const child of rewound.children) {
      engine.pending[String(child.taskScheduledId)] = { kind: 'subOrchestration' };
      await mutex.run(child.instanceId, () => this.#rewindLocked(child.instanceId, reason));
    }
    record.runtimeStatus = 'Pending';
    record.output = null;
    await this.options.commit(state, { now, appended: ctx.scheduled, outbound: ctx.outbound, consumed: [] });
    // A GenericEvent wakes the instance for a replay (DTFx RewindTaskOrchestrationAsync sends one too).
    await this.options.inbox.enqueue({ id: messageId(now), instanceId, executionId: record.executionId, visibleAt: 0, event: { EventType: EventType.GenericEvent, EventId: -1, IsPlayed: false, Timestamp: new Date(now).toISOString(), Data: reason } });
  }

  async purge(instanceId: string): Promise<boolean> {
    return this.options.mutex.run(instanceId, async () => {
      this.options.states.forget(instanceId);
      this.options.inbox.forget(instanceId);
      this.options.clearTimer(instanceId);
      return this.options.store.purgeInstance(instanceId);
    });
  }
}
