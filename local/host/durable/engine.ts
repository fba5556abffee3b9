// The orchestration engine: what the Durable extension and DTFx do around the JS replay.
// Per instance, inbox messages are processed serially in episodes. An episode appends
// OrchestratorStarted and the delivered events, invokes the orchestrator through the worker, gives the
// new actions the ids the JS library gave their tasks, checks the replay against what was recorded,
// persists history + work, then dispatches activities, timers and sub-orchestrations.
import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock';
import type { HostLog } from '../log';
import { findTrigger, type FunctionMetadata, type RpcInvocationRequest } from '../rpc/types';
import { ConcurrencyError, TERMINAL_STATUSES, type InboxMessage, type InstancePage, type InstanceQuery, type InstanceRecord, type RuntimeStatus, type Store, type WorkItem } from '../store/store';
import type { InvocationOutcome } from '../worker/invoker';
import { ActionType, flattenActions, parseAction, recordOf, type ActionJson } from './actions';
import { scheduleActivity, translateAction, type EpisodeContext } from './actionTranslation';
import { messageId, timerSuffix, type Outbound } from './outbound';
import { trackCompletion } from './retryTracking';
import { checkReplay } from './replayCheck';
import { activityFailure, activityInputData, activityResult } from './activityEncoding';
import { EventType, history as events, OrchestrationStatusCode, type HistoryEvent, type ParentInstanceInfo } from './history';
import { deterministicGuidN, newGuidN } from './instanceIds';
import { readOrchestratorOutcome } from './orchestratorResult';
import { rewindHistory } from './rewind';
import { newEngineState, pendingInstanceRecord, type EngineState } from './engineState';
import { selectBatch } from './episodeBatch';
import { replayGuard } from './replayGuard';
import { DEFAULT_POISON_POLICY, PoisonTracker, type PoisonPolicy } from './poison';
import { StorageRecovery } from './storageRecovery';
import { describeError, isStorageUnavailable } from '../store/storeErrors';
import { TimerScheduler } from './timerScheduler';
import { IdleDetector } from './idleDetector';
import { KeyedMutex, WorkQueue } from './workQueue';
import { unsupportedActionApi, unsupportedActionMessage } from './unsupportedApis';

export type Invoke = (request: RpcInvocationRequest) => Promise<InvocationOutcome>;

export interface EngineOptions {
  store: Store;
  clock: Clock;
  invoke: Invoke;
  functions: FunctionMetadata[];
  log: HostLog;
  overridableExistingInstanceStates: 'AnyState' | 'NonRunningStates';
  maxConcurrentActivityFunctions: number;
  maxConcurrentOrchestratorFunctions: number;
  /** Retries of failing instances and work items before they fail for good. */
  poisonPolicy?: PoisonPolicy;
  /** How long stop() lets running episodes and activities finish. */
  stopGraceMs?: number;
  /** Execution ids of new instances (default: random "N" GUIDs); the test environment makes them repeatable. */
  newExecutionId?: () => string;
  /**
   * Invocations waiting for virtual time (the test environment's activity latency): they cannot progress
   * until the clock moves, so the idle check does not count them as busy.
   */
  waitingOnClock?: () => number;
  /** Real delay before the idle state is acted upon (default 5 ms: in-flight callbacks settle first). */
  idleSettleMs?: number;
}

interface InstanceState {
  /** Working copy, mutated during an episode. */
  record: InstanceRecord;
  /** The last committed row: what status readers see. */
  committed: InstanceRecord;
  version: string | undefined;
  history: HistoryEvent[];
  engine: EngineState;
}

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


function parseJsonOrNull(text: string | null): unknown {
  if (text === null) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

export class DurableEngine {
  readonly #store: Store;
  readonly #clock: Clock;
  readonly #log: HostLog;
  readonly #functions: Map<string, { metadata: FunctionMetadata; triggerName: string; triggerType: string }>;
  readonly #cache = new Map<string, InstanceState>();
  readonly #inbox = new Map<string, InboxMessage[]>();
  readonly #mutex = new KeyedMutex();
  readonly #draining = new Set<string>();
  readonly #dirty = new Set<string>();
  readonly #activities: WorkQueue;
  readonly #orchestrators: WorkQueue;
  readonly #timers: TimerScheduler;
  readonly #activityKeys = new Set<string>();
  /** Instances whose visible messages must wait (suspended): not runnable work for the idle check. */
  readonly #parked = new Set<string>();
  readonly #retryTimers = new Set<NodeJS.Timeout>();
  #stopped = false;
  #probeWarned = false;
  readonly #idle: IdleDetector;
  readonly #poison: PoisonTracker;
  readonly #activityPoison: PoisonTracker;
  readonly #recovery: StorageRecovery;

  constructor(private readonly options: EngineOptions) {
    this.#store = options.store;
    this.#clock = options.clock;
    this.#log = options.log;
    this.#functions = new Map();
    for (const metadata of options.functions) {
      const trigger = findTrigger(metadata);
      if (trigger) this.#functions.set(metadata.name, { metadata, triggerName: trigger.name, triggerType: String(trigger.binding.type) });
    }
    const onQueueError = (err: unknown) => this.#log({ level: 'error', category: 'durable', message: `Unhandled error in a queued job (a host bug): ${(err as Error).stack ?? String(err)}` });
    this.#activities = new WorkQueue(options.maxConcurrentActivityFunctions, onQueueError, () => this.#idle.settled());
    this.#orchestrators = new WorkQueue(options.maxConcurrentOrchestratorFunctions, onQueueError);
    this.#timers = new TimerScheduler(this.#clock, (id) => this.kick(id));
    this.#idle = new IdleDetector({
      work: () => ({ episodes: this.#draining.size, activities: this.#activities.size, runnable: this.#hasVisibleWork() }),
      clock: this.#clock,
      waitingOnClock: options.waitingOnClock,
      settleMs: options.idleSettleMs,
    });
    this.#poison = new PoisonTracker(options.poisonPolicy ?? DEFAULT_POISON_POLICY);
    this.#activityPoison = new PoisonTracker(options.poisonPolicy ?? DEFAULT_POISON_POLICY);
    this.#recovery = new StorageRecovery({
      probe: async () => {
        await this.#store.getInstance('\u0001storage-probe');
      },
      reload: () => this.#reload(),
      log: this.#log,
    });
  }

  // ---------------------------------------------------------------- lifecycle

  /** Loads the inbox and outstanding activity work from the store and resumes everything. */
  async start(): Promise<void> {
    await this.#reload();
    this.#idle.schedule();
  }

  /**
   * Re-reads what the store holds (at start, and when storage is back after an outage): inbox messages
   * are merged into the mirror, activity work items are dispatched (running ones are not doubled), and
   * every instance with messages is woken. Cached instance states are dropped: the store is the truth.
   */
  async #reload(): Promise<void> {
    const [messages, items] = await Promise.all([this.#store.listMessages(), this.#store.listWorkItems()]);
    this.#cache.clear();
    for (const message of messages) this.#mirror(message);
    for (const item of items) this.#dispatchActivity(item);
    for (const instanceId of [...this.#inbox.keys()]) this.#wakeWhenDue(instanceId);
  }

  /** Whether the engine waits for storage to come back (tests and logs). */
  get storageOutage(): boolean {
    return this.#recovery.inOutage;
  }

  /**
   * Stops taking work and lets running episodes and activities finish (their results are committed) for
   * up to stopGraceMs. Whatever still runs then is named in a warning: its inbox messages and work items
   * stay in the store and run again at the next start.
   */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#timers.stop();
    this.#recovery.stop();
    this.#idle.stop();
    for (const timer of this.#retryTimers) clearTimeout(timer);
    const graceMs = this.options.stopGraceMs ?? 10_000;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      this.#idle.whenQuiet().then(() => false),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), graceMs))),
    ]);
    clearTimeout(timer);
    if (timedOut) {
      this.#log({
        level: 'warning',
        category: 'durable',
        message: `Stopped with ${this.#draining.size} orchestration episode(s) and ${this.#activities.size} activity invocation(s) still running after ${graceMs} ms; their messages and work items stay in the store and run again at the next start.`,
      });
    }
  }

  /** HTTP invocations in flight count as activity for the virtual clock. */
  beginExternalWork(): void {
    this.#idle.beginExternalWork();
  }

  endExternalWork(): void {
    this.#idle.endExternalWork();
  }

  get isIdle(): boolean {
    return this.#idle.isIdle;
  }

  /** Looks at the idle state again (an invocation started waiting on the clock). */
  recheckIdle(): void {
    this.#idle.schedule();
  }

  /** Resolves the next time the engine has nothing runnable (timers may still be pending). */
  whenIdle(): Promise<void> {
    return this.#idle.whenIdle();
  }

  nextTimerDue(): number | undefined {
    return this.#timers.nextDue();
  }

  // ---------------------------------------------------------------- client operations

  hasOrchestrator(name: string): boolean {
    return this.#functions.get(name)?.triggerType === 'orchestrationTrigger';
  }

  async startOrchestration(name: string, instanceId: string, input: string | null, version = ''): Promise<void> {
    await this.#mutex.run(instanceId, async () => {
      const existing = this.#cache.get(instanceId)?.committed ?? (await this.#store.getInstance(instanceId));
      if (existing && this.options.overridableExistingInstanceStates === 'NonRunningStates' && !TERMINAL_STATUSES.has(existing.runtimeStatus)) {
        throw new OrchestrationAlreadyExistsError(existing.runtimeStatus);
      }
      const now = this.#clock.now();
      const record = pendingInstanceRecord({ instanceId, name, version, executionId: (this.options.newExecutionId ?? newGuidN)(), input, parent: null, createdTime: now, now });
      await this.#createInstance(record, null);
    });
  }

  async getInstance(instanceId: string): Promise<InstanceRecord | undefined> {
    const cached = this.#cache.get(instanceId);
    return cached ? structuredClone(cached.committed) : await this.#store.getInstance(instanceId);
  }

  async getHistory(instanceId: string): Promise<HistoryEvent[]> {
    const cached = this.#cache.get(instanceId);
    if (cached) return cached.history;
    const record = await this.#store.getInstance(instanceId);
    return record ? this.#store.readHistory(instanceId, record.historyLength) : [];
  }

  queryInstances(query: InstanceQuery): Promise<InstancePage> {
    return this.#store.queryInstances(query);
  }

  async raiseEvent(instanceId: string, name: string, input: string | null): Promise<void> {
    await this.#enqueue({ id: messageId(this.#clock.now()), instanceId, visibleAt: 0, event: events.eventRaised(this.#clock.now(), name, input) });
  }

  async terminate(instanceId: string, reason: string | null): Promise<void> {
    await this.#enqueue({ id: messageId(this.#clock.now()), instanceId, visibleAt: 0, event: events.executionTerminated(this.#clock.now(), reason) });
  }

  async suspend(instanceId: string, reason: string | null): Promise<void> {
    await this.#enqueue({ id: messageId(this.#clock.now()), instanceId, visibleAt: 0, event: events.executionSuspended(this.#clock.now(), reason) });
  }

  async resume(instanceId: string, reason: string | null): Promise<void> {
    await this.#enqueue({ id: messageId(this.#clock.now()), instanceId, visibleAt: 0, event: events.executionResumed(this.#clock.now(), reason) });
  }

  /** Rewinds a Failed instance (and its failed sub-orchestrations): failed work runs again. */
  async rewind(instanceId: string, reason: string | null): Promise<void> {
    await this.#mutex.run(instanceId, () => this.#rewindLocked(instanceId, reason));
  }

  async #rewindLocked(instanceId: string, reason: string | null): Promise<void> {
    const state = await this.#load(instanceId);
    if (!state) throw new NotFoundError(`No instance with ID '${instanceId}' found.`);
    if (state.record.runtimeStatus !== 'Failed') throw new NotFailedError();
    const { record, engine } = state;
    const rewound = rewindHistory(state.history);
    await this.#store.writeHistory(instanceId, 0, rewound.history);
    state.history = rewound.history;
    const now = this.#timestamp(state);
    const ctx = episodeContext(state, now);
    for (const activity of rewound.activities) scheduleActivity(ctx, activity.taskScheduledId, activity.name, activity.input);
    for (const child of rewound.children) {
      engine.pending[String(child.taskScheduledId)] = { kind: 'subOrchestration' };
      await this.#mutex.run(child.instanceId, () => this.#rewindLocked(child.instanceId, reason));
    }
    record.runtimeStatus = 'Pending';
    record.output = null;
    await this.#commit(state, ctx.scheduled, ctx.outbound, [], now);
    // A GenericEvent wakes the instance for a replay (DTFx RewindTaskOrchestrationAsync sends one too).
    await this.#enqueue({ id: messageId(now), instanceId, executionId: record.executionId, visibleAt: 0, event: { EventType: EventType.GenericEvent, EventId: -1, IsPlayed: false, Timestamp: new Date(now).toISOString(), Data: reason } });
  }

  async purge(instanceId: string): Promise<boolean> {
    return this.#mutex.run(instanceId, async () => {
      this.#cache.delete(instanceId);
      this.#inbox.delete(instanceId);
      this.#timers.clear(instanceId);
      return this.#store.purgeInstance(instanceId);
    });
  }

  // ---------------------------------------------------------------- scheduling

  /** Makes sure the instance's visible messages get processed. */
  kick(instanceId: string): void {
    if (this.#stopped) return;
    this.#parked.delete(instanceId);
    if (this.#draining.has(instanceId)) {
      this.#dirty.add(instanceId);
      return;
    }
    this.#draining.add(instanceId);
    void this.#orchestrators
      .run(() => this.#mutex.run(instanceId, () => this.#drain(instanceId)))
      .then(
        () => this.#poison.clear(instanceId),
        (err: unknown) => this.#onDrainError(instanceId, err),
      )
      .finally(() => {
        this.#draining.delete(instanceId);
        if (this.#dirty.delete(instanceId)) this.kick(instanceId);
        else if (this.#hasVisible(instanceId)) this.#parked.add(instanceId);
        else this.#wakeWhenDue(instanceId);
        this.#idle.settled();
      });
  }

  /**
   * A failed drain left its messages in the inbox (nothing was committed). A storage outage is handed to
   * the recovery loop, which wakes the instance again; anything else is a poison attempt: retried with
   * backoff, logged in full once, and after PoisonPolicy.maxAttempts the instance fails naming the cause.
   */
  #onDrainError(instanceId: string, err: unknown): void {
    if (this.#stopped) {
      this.#log({ level: 'debug', category: 'durable', message: `Instance "${instanceId}" interrupted by stop: ${describeError(err)}` });
      return;
    }
    if (isStorageUnavailable(err)) {
      this.#recovery.report(err);
      return;
    }
    const verdict = this.#poison.recordFailure(instanceId);
    const { maxAttempts } = this.#poison.policy;
    if (verdict.exhausted) {
      this.#log({ level: 'error', category: 'durable', message: `Instance "${instanceId}" failed ${verdict.attempts} times in a row; failing it: ${describeError(err)}` });
      void this.#orchestrators
        .run(() => this.#mutex.run(instanceId, () => this.#failPoisoned(instanceId, err, verdict.attempts)))
        .then(
          () => this.#poison.clear(instanceId),
          (failErr: unknown) => {
            if (isStorageUnavailable(failErr)) this.#recovery.report(failErr);
            else this.#log({ level: 'error', category: 'durable', message: `Instance "${instanceId}" could not be marked Failed either: ${describeError(failErr)}` });
          },
        );
      return;
    }
    const detail = verdict.attempts === 1 ? ((err as Error).stack ?? String(err)) : describeError(err);
    this.#log({ level: 'warning', category: 'durable', message: `Processing instance "${instanceId}" failed (attempt ${verdict.attempts} of ${maxAttempts}), retrying in ${verdict.delayMs} ms: ${detail}` });
    this.#retryLater(verdict.delayMs, () => this.kick(instanceId));
  }

  #retryLater(delayMs: number, action: () => void): void {
    const timer = setTimeout(() => {
      this.#retryTimers.delete(timer);
      if (!this.#stopped) action();
    }, delayMs);
    this.#retryTimers.add(timer);
  }

  /** Ends a poison instance: its visible messages are consumed by a Failed completion naming the cause. */
  async #failPoisoned(instanceId: string, cause: unknown, attempts: number): Promise<void> {
    this.#cache.delete(instanceId);
    const state = await this.#load(instanceId);
    const now = this.#clock.now();
    const visible = (this.#inbox.get(instanceId) ?? []).filter((m) => m.visibleAt <= now).map((m) => m.id);
    if (!state || TERMINAL_STATUSES.has(state.record.runtimeStatus)) {
      await this.#dropMessages(instanceId, visible);
      return;
    }
    const at = this.#timestamp(state);
    const message = `The local host could not process orchestration '${state.record.name}' after ${attempts} attempts; last error: ${describeError(cause)}`;
    await this.#completeEpisode(state, at, [events.orchestratorStarted(at)], [], visible, { status: 'Failed', message, details: (cause as Error).stack ?? '' });
    this.#cache.delete(instanceId);
  }

  #hasVisible(instanceId: string): boolean {
    const now = this.#clock.now();
    return (this.#inbox.get(instanceId) ?? []).some((m) => m.visibleAt <= now);
  }

  #hasVisibleWork(): boolean {
    for (const instanceId of this.#inbox.keys()) if (!this.#parked.has(instanceId) && this.#hasVisible(instanceId)) return true;
    return false;
  }

  #wakeWhenDue(instanceId: string): void {
    const box = this.#inbox.get(instanceId);
    if (!box || box.length === 0) return;
    const now = this.#clock.now();
    if (box.some((m) => m.visibleAt <= now)) {
      this.kick(instanceId);
      return;
    }
    this.#timers.schedule(instanceId, Math.min(...box.map((m) => m.visibleAt)));
  }

  #mirror(message: InboxMessage): void {
    const box = this.#inbox.get(message.instanceId) ?? [];
    if (!box.some((m) => m.id === message.id)) {
      box.push(message);
      box.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    }
    this.#inbox.set(message.instanceId, box);
  }

  async #enqueue(message: InboxMessage): Promise<void> {
    await this.#store.putMessage(message);
    this.#mirror(message);
    this.#wakeWhenDue(message.instanceId);
  }

  async #dropMessages(instanceId: string, ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.#store.deleteMessages(instanceId, ids);
    const box = this.#inbox.get(instanceId);
    if (box) {
      const remaining = box.filter((m) => !ids.includes(m.id));
      if (remaining.length === 0) this.#inbox.delete(instanceId);
      else this.#inbox.set(instanceId, remaining);
    }
  }

  // ---------------------------------------------------------------- instance state

  async #load(instanceId: string): Promise<InstanceState | undefined> {
    const cached = this.#cache.get(instanceId);
    if (cached) return cached;
    const record = await this.#store.getInstance(instanceId);
    if (!record) return undefined;
    const state: InstanceState = {
      record,
      committed: structuredClone(record),
      version: this.#store.versionOf(instanceId),
      history: await this.#store.readHistory(instanceId, record.historyLength),
      engine: JSON.parse(record.engineState) as EngineState,
    };
    // Messages consumed by the last committed episode may survive a crash before their deletion.
    await this.#dropMessages(instanceId, record.lastConsumed);
    this.#cache.set(instanceId, state);
    return state;
  }

  async #createInstance(record: InstanceRecord, parent: ParentInstanceInfo | null): Promise<void> {
    // The start message goes first, as in DTFx (CreateTaskOrchestrationAsync sends it, then writes the
    // instance row): a crash in between leaves a start message that #drain turns into the instance.
    const message: InboxMessage = {
      id: messageId(this.#clock.now()),
      instanceId: record.instanceId,
      executionId: record.executionId,
      visibleAt: 0,
      event: events.executionStarted(this.#clock.now(), {
        instanceId: record.instanceId,
        executionId: record.executionId,
        name: record.name,
        version: record.version,
        input: record.input,
        parent,
      }),
    };
    await this.#store.putMessage(message);
    const version = await this.#store.putInstance(record);
    this.#cache.set(record.instanceId, { record, committed: structuredClone(record), version, history: [], engine: JSON.parse(record.engineState) as EngineState });
    this.#mirror(message);
    this.#wakeWhenDue(record.instanceId);
  }

  /** The instance row a start message stands for, when a crash came between the message and the row. */
  async #recoverFromStartMessage(instanceId: string, visible: InboxMessage[]): Promise<InstanceState | undefined> {
    const start = visible.find((m) => m.event.EventType === EventType.ExecutionStarted);
    if (!start || start.executionId === undefined) return undefined;
    const event = start.event;
    const parentInfo = event.ParentInstance as ParentInstanceInfo | null | undefined;
    const now = this.#clock.now();
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
    this.#log({ level: 'warning', category: 'durable', message: `Instance "${instanceId}" had a start message but no instance row (a crash between the two writes): creating the row.` });
    const version = await this.#store.putInstance(record);
    const state: InstanceState = { record, committed: structuredClone(record), version, history: [], engine: newEngineState() };
    this.#cache.set(instanceId, state);
    return state;
  }

  // ---------------------------------------------------------------- episodes

  async #drain(instanceId: string): Promise<void> {
    for (let guard = 0; guard < 10_000 && !this.#stopped; guard++) {
      let state = await this.#load(instanceId);
      const now = this.#clock.now();
      const visible = (this.#inbox.get(instanceId) ?? []).filter((m) => m.visibleAt <= now);
      if (visible.length === 0) return;
      state ??= await this.#recoverFromStartMessage(instanceId, visible);
      if (state?.record.runtimeStatus === 'ContinuedAsNew') this.#adoptNextExecution(state, visible);
      if (!state) {
        // Messages for an instance that does not exist (purged, or never created): discard.
        await this.#dropMessages(instanceId, visible.map((m) => m.id));
        return;
      }
      const { batch, drop } = selectBatch({ runtimeStatus: state.record.runtimeStatus, executionId: state.record.executionId, started: state.history.length > 0, engine: state.engine }, visible);
      await this.#dropMessages(instanceId, drop);
      if (batch.length === 0) {
        if (drop.length === 0) return;
        continue;
      }
      try {
        await this.#episode(state, batch);
        // Finished instances leave the cache: their committed row and history stay in the store.
        if (TERMINAL_STATUSES.has(state.committed.runtimeStatus)) this.#cache.delete(instanceId);
      } catch (err) {
        // The working copy may be half-updated: reload the committed state next time.
        this.#cache.delete(instanceId);
        if (err instanceof ConcurrencyError) {
          this.#log({ level: 'warning', category: 'durable', message: err.message });
          continue;
        }
        throw err;
      }
    }
  }

  #timestamp(state: InstanceState): number {
    // OrchestratorStarted timestamps must increase from episode to episode (research §6.5).
    const now = Math.max(this.#clock.now(), state.engine.lastTimestamp + 1);
    state.engine.lastTimestamp = now;
    return now;
  }

  async #episode(state: InstanceState, batch: InboxMessage[]): Promise<void> {
    const first = batch[0].event;
    if (first.EventType === EventType.ExecutionTerminated) return this.#terminateEpisode(state, batch[0]);
    if (first.EventType === EventType.ExecutionSuspended || first.EventType === EventType.ExecutionResumed) return this.#suspendEpisode(state, batch[0]);
    return this.#orchestratorEpisode(state, batch);
  }

  async #terminateEpisode(state: InstanceState, message: InboxMessage): Promise<void> {
    const now = this.#timestamp(state);
    const reason = (message.event.Input as string | null) ?? null;
    const newEvents = [
      events.orchestratorStarted(now),
      { ...message.event },
      events.executionCompleted(now, state.engine.nextId, OrchestrationStatusCode.Terminated, reason),
      events.orchestratorCompleted(now),
    ];
    state.record.runtimeStatus = 'Terminated';
    state.record.output = reason;
    const outbound: Outbound[] = [...this.#cancelAllPending(state), ...this.#parentNotification(state, now, 'Terminated', reason, null)];
    await this.#commit(state, newEvents, outbound, [message.id], now);
  }

  async #suspendEpisode(state: InstanceState, message: InboxMessage): Promise<void> {
    const now = this.#timestamp(state);
    state.record.runtimeStatus = message.event.EventType === EventType.ExecutionSuspended ? 'Suspended' : 'Running';
    await this.#commit(state, [events.orchestratorStarted(now), { ...message.event }, events.orchestratorCompleted(now)], [], [message.id], now);
  }

  async #orchestratorEpisode(state: InstanceState, batch: InboxMessage[]): Promise<void> {
    const { record } = state;
    if (batch[0].event.EventType === EventType.ExecutionStarted) {
      state.engine = { ...newEngineState(), lastTimestamp: state.engine.lastTimestamp };
      state.history = [];
      record.historyLength = 0;
    }
    const engine = state.engine;
    const now = this.#timestamp(state);
    const newEvents: HistoryEvent[] = [events.orchestratorStarted(now)];
    const ctx = episodeContext(state, now);
    const { scheduled, outbound } = ctx;
    let hostFailure: string | undefined;
    for (const message of batch) {
      const event = { ...message.event };
      newEvents.push(event);
      hostFailure = trackCompletion(ctx, event) ?? hostFailure;
    }

    const historyForReplay: HistoryEvent[] = [...state.history.map((e) => ({ ...e, IsPlayed: true })), ...newEvents, ...scheduled];
    const consumed = batch.map((m) => m.id);
    if (hostFailure) return this.#completeEpisode(state, now, [...newEvents, ...scheduled], outbound, consumed, { status: 'Failed', message: hostFailure, details: '' });

    const fn = this.#functions.get(record.name);
    if (!fn || fn.triggerType !== 'orchestrationTrigger') {
      const message = `The function '${record.name}' doesn't exist, is disabled, or is not an orchestrator function.`;
      return this.#completeEpisode(state, now, [...newEvents, ...scheduled], outbound, consumed, { status: 'Failed', message, details: '' });
    }
    const started = historyForReplay.find((e) => e.EventType === EventType.ExecutionStarted);
    const binding = {
      history: historyForReplay,
      input: parseJsonOrNull((started?.Input as string | null | undefined) ?? null),
      instanceId: record.instanceId,
      isReplaying: state.history.length > 0,
      parentInstanceId: record.parent?.instanceId ?? null,
      upperSchemaVersion: 1,
      upperSchemaVersionNew: 2,
      longRunningTimerIntervalDuration: '3.00:00:00',
      // Large enough that durable-functions never builds LongTimerTasks: the host fires one timer at fireAt.
      maximumShortTimerDuration: '36500.00:00:00',
      defaultHttpAsyncRequestSleepTimeMillseconds: 30000,
    };
    const outcome = await this.options.invoke({
      invocationId: randomUUID(),
      functionId: fn.metadata.functionId ?? fn.metadata.name,
      inputData: [{ name: fn.triggerName, data: { string: JSON.stringify(binding) } }],
      triggerMetadata: {},
    });
    if (outcome.error?.name === 'WorkerExited' || outcome.error?.name === 'WorkerUnavailable') {
      throw new Error(`Orchestrator '${record.name}' could not run: ${outcome.error.message}`);
    }
    const result = readOrchestratorOutcome(record.name, outcome.response, outcome.error);
    if (result.state?.customStatus !== undefined) record.customStatus = JSON.stringify(result.state.customStatus);
    if (result.failure) {
      return this.#completeEpisode(state, now, [...newEvents, ...scheduled], outbound, consumed, { status: 'Failed', ...result.failure });
    }
    const stateJson = result.state as NonNullable<typeof result.state>;

    let actions: ActionJson[];
    if (outcome.probe) actions = outcome.probe.actions as ActionJson[];
    else {
      if (!this.#probeWarned) {
        this.#probeWarned = true;
        this.#log({ level: 'warning', category: 'durable', message: `Orchestration probe unavailable (${outcome.probeError}); using the JSON action list without duplicate detection.` });
      }
      actions = flattenActions(stateJson.actions[0] ?? []);
    }

    // Determinism: every recorded action must be replayed identically, in the same position.
    const mismatch = checkReplay(ctx, actions);
    if (mismatch) {
      const message = `Non-deterministic orchestrator detected in '${record.name}' ${mismatch}. Orchestrator code must replay the same actions in the same order.`;
      return this.#completeEpisode(state, now, [...newEvents, ...scheduled], outbound, consumed, { status: 'Failed', message, details: '' });
    }

    let continueAsNew: { input: string | null } | undefined;
    for (const json of actions.slice(engine.actions.length)) {
      const { id, outcome } = translateAction(parseAction(json), ctx);
      if (outcome.kind === 'refused') {
        const message = unsupportedActionMessage(record.name, unsupportedActionApi(outcome.actionType) ?? ActionType[outcome.actionType]);
        return this.#completeEpisode(state, now, [...newEvents, ...scheduled], outbound, consumed, { status: 'Failed', message, details: '' });
      }
      if (outcome.kind === 'continueAsNew') continueAsNew = outcome;
      engine.actions.push(recordOf(json, id));
    }

    const appended = [...newEvents, ...scheduled];
    if (stateJson.isDone) {
      if (continueAsNew) return this.#continueAsNew(state, now, appended, outbound, consumed, continueAsNew.input);
      const output = stateJson.output === undefined ? null : JSON.stringify(stateJson.output);
      return this.#completeEpisode(state, now, appended, outbound, consumed, { status: 'Completed', output });
    }

    const guard = outcome.probe ? replayGuard(engine.pending, outcome.probe) : undefined;
    if (guard) {
      const message = `Local host replay guard in '${record.name}': ${guard}. The orchestration would hang silently; this is a host/library id mismatch, please report it.`;
      return this.#completeEpisode(state, now, appended, outbound, consumed, { status: 'Failed', message, details: '' });
    }
    record.runtimeStatus = 'Running';
    await this.#commit(state, [...appended, events.orchestratorCompleted(now)], outbound, consumed, now);
  }

  #cancelAllPending(state: InstanceState): Outbound[] {
    const out: Outbound[] = [];
    for (const [id, work] of Object.entries(state.engine.pending)) {
      if (work.kind === 'timer' || work.kind === 'retryTimer') out.push({ type: 'cancelTimer', timerId: Number(id) });
    }
    state.engine.pending = {};
    state.engine.retries = {};
    return out;
  }

  #parentNotification(state: InstanceState, now: number, status: 'Completed' | 'Failed' | 'Terminated', result: string | null, details: string | null): Outbound[] {
    const parent = state.record.parent;
    if (!parent) return [];
    const event =
      status === 'Completed'
        ? events.subOrchestrationCompleted(now, parent.taskScheduledId, result)
        : events.subOrchestrationFailed(now, parent.taskScheduledId, result ?? '', details);
    return [{ type: 'notifyParent', message: { id: messageId(now), instanceId: parent.instanceId, executionId: parent.executionId, visibleAt: 0, event } }];
  }

  async #completeEpisode(
    state: InstanceState,
    now: number,
    appended: HistoryEvent[],
    outbound: Outbound[],
    consumed: string[],
    end: { status: 'Completed'; output: string | null } | { status: 'Failed'; message: string; details: string },
  ): Promise<void> {
    const { record, engine } = state;
    const completion =
      end.status === 'Completed'
        ? events.executionCompleted(now, engine.nextId, OrchestrationStatusCode.Completed, end.output)
        : events.executionCompleted(now, engine.nextId, OrchestrationStatusCode.Failed, end.message, end.details);
    record.runtimeStatus = end.status;
    record.output = end.status === 'Completed' ? end.output : end.message;
    if (end.status === 'Failed') this.#log({ level: 'error', category: 'durable', message: `Instance ${record.instanceId} failed: ${end.message}` });
    // Work still pending is abandoned, like DTFx after the orchestration completes.
    const cleanup = this.#cancelAllPending(state);
    const notify = end.status === 'Completed' ? this.#parentNotification(state, now, 'Completed', end.output, null) : this.#parentNotification(state, now, 'Failed', end.message, end.details);
    await this.#commit(state, [...appended, completion, events.orchestratorCompleted(now)], [...outbound, ...cleanup, ...notify], consumed, now);
  }

  async #continueAsNew(state: InstanceState, now: number, appended: HistoryEvent[], outbound: Outbound[], consumed: string[], input: string | null): Promise<void> {
    const { record, engine } = state;
    const completion = events.executionCompleted(now, engine.nextId, OrchestrationStatusCode.ContinuedAsNew, input);
    const cleanup = this.#cancelAllPending(state);
    record.runtimeStatus = 'ContinuedAsNew';
    // The next execution's start message is part of this commit (written before the row), so a crash
    // cannot leave a ContinuedAsNew instance without it; #adoptNextExecution picks it up. Its id derives
    // from this execution's, so a re-run of an interrupted episode sends the same one.
    const executionId = deterministicGuidN(`${record.executionId}:continueAsNew`);
    const parent: ParentInstanceInfo | null = record.parent
      ? { Name: record.parent.name, Version: '', TaskScheduleId: record.parent.taskScheduledId, OrchestrationInstance: { InstanceId: record.parent.instanceId, ExecutionId: record.parent.executionId } }
      : null;
    const next: InboxMessage = {
      id: messageId(now),
      instanceId: record.instanceId,
      executionId,
      visibleAt: 0,
      event: events.executionStarted(now, { instanceId: record.instanceId, executionId, name: record.name, version: record.version, input, parent }),
    };
    await this.#commit(state, [...appended, completion, events.orchestratorCompleted(now)], [...outbound, ...cleanup, { type: 'message', message: next }], consumed, now);
  }

  /**
   * A ContinuedAsNew instance starts its next execution from the start message its last episode sent:
   * the working copy switches to the new execution id with a fresh history and engine state (persisted
   * by that execution's first commit; raised events addressed to the instance carry over).
   */
  #adoptNextExecution(state: InstanceState, visible: InboxMessage[]): void {
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

  /**
   * Commit order keeps a crash at any point recoverable: history rows, then outgoing work, then the
   * instance row (the commit point, with optimistic concurrency), then deletion of consumed messages.
   * Re-running an interrupted episode produces the same work keys; duplicates are dropped on receipt.
   */
  async #commit(state: InstanceState, appended: HistoryEvent[], outbound: Outbound[], consumed: string[], now: number): Promise<void> {
    const { record } = state;
    // History rows and outgoing work are independent writes: issue them together.
    await Promise.all([
      this.#store.writeHistory(record.instanceId, record.historyLength, appended),
      ...outbound.map(async (out) => {
        switch (out.type) {
          case 'activity':
            return this.#store.putWorkItem(out.item);
          case 'timer':
          case 'notifyParent':
          case 'message':
            return this.#store.putMessage(out.message);
          case 'startChild':
            return this.#startChild(out, now);
          case 'cancelTimer':
            return undefined;
        }
      }),
    ]);
    record.historyLength += appended.length;
    record.lastUpdatedTime = now;
    record.engineState = JSON.stringify(state.engine);
    record.lastConsumed = consumed;
    state.version = await this.#store.putInstance(record, state.version);
    state.committed = structuredClone(record);
    state.history = [...state.history, ...appended];
    await this.#dropMessages(record.instanceId, consumed);

    // After the commit: hand work to the dispatchers.
    for (const out of outbound) {
      switch (out.type) {
        case 'activity':
          this.#dispatchActivity(out.item);
          break;
        case 'timer':
        case 'notifyParent':
        case 'message':
          this.#mirror(out.message);
          this.#wakeWhenDue(out.message.instanceId);
          break;
        case 'cancelTimer': {
          const id = timerSuffix(record.executionId, out.timerId);
          const box = this.#inbox.get(record.instanceId) ?? [];
          await this.#dropMessages(record.instanceId, box.filter((m) => m.id.endsWith(id)).map((m) => m.id));
          break;
        }
        case 'startChild':
          this.#wakeWhenDue(out.instanceId);
          break;
      }
    }
  }

  async #startChild(out: Extract<Outbound, { type: 'startChild' }>, now: number): Promise<void> {
    const existing = this.#cache.get(out.instanceId)?.committed ?? (await this.#store.getInstance(out.instanceId));
    if (existing?.executionId === out.executionId) return; // already created by an earlier attempt of this episode
    const record = pendingInstanceRecord({ instanceId: out.instanceId, name: out.name, version: '', executionId: out.executionId, input: out.input, parent: out.parent, createdTime: now, now });
    const parent: ParentInstanceInfo = {
      Name: out.parent.name,
      Version: '',
      TaskScheduleId: out.parent.taskScheduledId,
      OrchestrationInstance: { InstanceId: out.parent.instanceId, ExecutionId: out.parent.executionId },
    };
    // The child gets its own lock; it cannot be the instance committing now (ids must differ).
    await this.#mutex.run(out.instanceId, () => this.#createInstance(record, parent));
  }

  // ---------------------------------------------------------------- activities

  #dispatchActivity(item: WorkItem): void {
    const key = `${item.instanceId}\u0000${item.key}`;
    if (this.#activityKeys.has(key) || this.#stopped) return;
    this.#activityKeys.add(key);
    this.#activities.push(async () => {
      let retryIn: number | undefined;
      try {
        retryIn = await this.#runActivity(item);
      } catch (err) {
        retryIn = await this.#onActivityError(item, err);
      } finally {
        this.#activityKeys.delete(key);
      }
      if (retryIn !== undefined) this.#retryLater(retryIn, () => this.#dispatchActivity(item));
    });
  }

  /**
   * The work item stays in the store whatever happens here. A storage outage goes to the recovery loop
   * (its reload dispatches the item again); other errors are retried with backoff, and after
   * PoisonPolicy.maxAttempts the activity fails (TaskFailed naming the cause) so the orchestrator is not
   * left waiting. Returns the delay before the next attempt, if any.
   */
  async #onActivityError(item: WorkItem, err: unknown): Promise<number | undefined> {
    if (this.#stopped) return undefined;
    if (isStorageUnavailable(err)) {
      this.#recovery.report(err);
      return undefined;
    }
    return this.#activityAttemptFailed(item, describeError(err), (err as Error).stack ?? String(err));
  }

  async #activityAttemptFailed(item: WorkItem, cause: string, detail: string): Promise<number | undefined> {
    const verdict = this.#activityPoison.recordFailure(`${item.instanceId}\u0000${item.key}`);
    if (!verdict.exhausted) {
      this.#log({ level: 'warning', category: 'durable', functionName: item.name, message: `Running activity '${item.name}' for "${item.instanceId}" failed (attempt ${verdict.attempts} of ${this.#activityPoison.policy.maxAttempts}), retrying in ${verdict.delayMs} ms: ${verdict.attempts === 1 ? detail : cause}` });
      return verdict.delayMs;
    }
    this.#activityPoison.clear(`${item.instanceId}\u0000${item.key}`);
    const reason = `Activity function '${item.name}' could not be run by the local host after ${verdict.attempts} attempts: ${cause}`;
    this.#log({ level: 'error', category: 'durable', functionName: item.name, message: `${reason} (instance "${item.instanceId}").` });
    try {
      await this.#finishActivity(item, events.taskFailed(this.#clock.now(), item.taskScheduledId, reason, '', null));
    } catch (err) {
      if (isStorageUnavailable(err)) this.#recovery.report(err);
      else this.#log({ level: 'error', category: 'durable', message: `Could not record the failure of activity '${item.name}' for "${item.instanceId}": ${describeError(err)}` });
    }
    return undefined;
  }

  /** Records the activity's outcome in the instance's inbox, then retires the work item. */
  async #finishActivity(item: WorkItem, event: HistoryEvent): Promise<void> {
    await this.#enqueue({ id: messageId(this.#clock.now()), instanceId: item.instanceId, executionId: item.executionId, visibleAt: 0, event });
    await this.#store.deleteWorkItem(item.instanceId, item.key);
    this.#activityPoison.clear(`${item.instanceId}\u0000${item.key}`);
  }

  /** Runs one activity work item; returns a delay when it must be tried again. */
  async #runActivity(item: WorkItem): Promise<number | undefined> {
    if (this.#stopped) return undefined;
    const owner = await this.#mutex.run(item.instanceId, () => this.#load(item.instanceId));
    const work = owner?.engine.pending[String(item.taskScheduledId)];
    if (!owner || owner.record.executionId !== item.executionId || !work || work.kind !== 'activity') {
      await this.#store.deleteWorkItem(item.instanceId, item.key); // abandoned by a finished or restarted instance
      return undefined;
    }
    const fn = this.#functions.get(item.name);
    let event: HistoryEvent;
    if (!fn || fn.triggerType !== 'activityTrigger') {
      const reason = `The function '${item.name}' doesn't exist, is disabled, or is not an activity function.`;
      event = events.taskFailed(this.#clock.now(), item.taskScheduledId, reason, '', null);
    } else {
      const input = item.input === null ? undefined : (JSON.parse(item.input) as unknown);
      const data = activityInputData(input);
      const outcome = await this.options.invoke({
        invocationId: randomUUID(),
        functionId: fn.metadata.functionId ?? fn.metadata.name,
        inputData: [{ name: fn.triggerName, data }],
        triggerMetadata: { instanceId: { string: item.instanceId } },
      });
      // A worker crash is a runtime failure, not the activity's: run it again (bounded, see PoisonPolicy).
      if (outcome.error?.name === 'WorkerExited' || outcome.error?.name === 'WorkerUnavailable') {
        if (this.#stopped) return undefined; // the work item stays: the next start runs it (at least once)
        return this.#activityAttemptFailed(item, outcome.error.message, outcome.error.message);
      }
      if (outcome.error) {
        const failure = activityFailure(item.name, outcome.error);
        event = events.taskFailed(this.#clock.now(), item.taskScheduledId, failure.reason, failure.details, failure.failureDetails);
      } else {
        event = events.taskCompleted(this.#clock.now(), item.taskScheduledId, activityResult(outcome.response?.returnValue));
      }
    }
    // Also while stopping: a result that arrives within stop()'s grace period is kept.
    await this.#finishActivity(item, event);
    return undefined;
  }
}

/** The episode context the action handlers and retry tracking write into. */
function episodeContext(state: InstanceState, now: number): EpisodeContext {
  return { now, instance: state.record, engine: state.engine, scheduled: [], outbound: [] };
}

export function runtimeStatusOf(record: InstanceRecord): RuntimeStatus {
  return record.runtimeStatus;
}
