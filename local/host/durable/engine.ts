// The orchestration engine: what the Durable extension and DTFx do around the JS replay, wired from its
// concepts. Client operations write inbox messages and instance rows; the dispatcher runs one episode per
// instance at a time over its visible messages; the episode executor replays the orchestrator and decides;
// the commit writes the decision crash-safely and hands outgoing work to the activity dispatch, the inbox
// and the timers. The idle detector and the storage recovery loop watch the whole.
import type { Clock } from '../clock';
import type { HostLog } from '../log';
import type { FunctionMetadata } from '../rpc/types';
import { TERMINAL_STATUSES, type InstancePage, type InstanceQuery, type InstanceRecord, type Store } from '../store/store';
import { describeError } from '../store/storeErrors';
import { ActivityDispatch } from './activityDispatch';
import { ClientOperations } from './clientOperations';
import { Dispatcher } from './dispatcher';
import { commitEpisode, type CommitTargets } from './episodeCommit';
import { EpisodeExecutor, type EpisodeResult, type Invoke } from './episodeExecutor';
import { functionCatalog, functionOfType, type FunctionCatalog } from './functionCatalog';
import type { HistoryEvent } from './history';
import { IdleDetector } from './idleDetector';
import { Inbox } from './inbox';
import { InstanceStates, type InstanceState } from './instanceState';
import { DEFAULT_POISON_POLICY, PoisonTracker, type PoisonPolicy } from './poison';
import { StorageRecovery } from './storageRecovery';
import { KeyedMutex, WorkQueue } from './workQueue';

export type { Invoke } from './episodeExecutor';

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

export class DurableEngine {
  readonly #store: Store;
  readonly #log: HostLog;
  readonly #functions: FunctionCatalog;
  readonly #mutex = new KeyedMutex();
  readonly #inbox: Inbox;
  readonly #states: InstanceStates;
  readonly #activityQueue: WorkQueue;
  readonly #activities: ActivityDispatch;
  readonly #dispatcher: Dispatcher;
  readonly #executor: EpisodeExecutor;
  readonly #client: ClientOperations;
  readonly #commitTargets: CommitTargets;
  readonly #retryTimers = new Set<NodeJS.Timeout>();
  #stopped = false;
  readonly #idle: IdleDetector;
  readonly #recovery: StorageRecovery;

  constructor(private readonly options: EngineOptions) {
    const { store, clock, log } = options;
    this.#store = store;
    this.#log = log;
    this.#functions = functionCatalog(options.functions);
    const policy = options.poisonPolicy ?? DEFAULT_POISON_POLICY;
    const stopped = () => this.#stopped;
    const retryLater = (delayMs: number, action: () => void) => this.#retryLater(delayMs, action);
    const storageUnavailable = (err: unknown) => this.#recovery.report(err);
    const onQueueError = (err: unknown) => log({ level: 'error', category: 'durable', message: `Unhandled error in a queued job (a host bug): ${(err as Error).stack ?? String(err)}` });
    this.#inbox = new Inbox(store, (id) => this.#dispatcher.wakeWhenDue(id));
    this.#states = new InstanceStates(store, (id, ids) => this.#inbox.drop(id, ids));
    this.#executor = new EpisodeExecutor({ invoke: options.invoke, functions: this.#functions, clock, log });
    this.#dispatcher = new Dispatcher({
      clock,
      log,
      inbox: this.#inbox,
      states: this.#states,
      mutex: this.#mutex,
      queue: new WorkQueue(options.maxConcurrentOrchestratorFunctions, onQueueError),
      poison: new PoisonTracker(policy),
      runEpisode: async (state, batch) => this.#commit(state, await this.#executor.run(state, batch)),
      failPoisoned: (instanceId, cause, attempts) => this.#failPoisoned(instanceId, cause, attempts),
      storageUnavailable,
      retryLater,
      settled: () => this.#idle.settled(),
      stopped,
    });
    this.#activityQueue = new WorkQueue(options.maxConcurrentActivityFunctions, onQueueError, () => this.#idle.settled());
    this.#activities = new ActivityDispatch({
      store,
      clock,
      log,
      invoke: options.invoke,
      functions: this.#functions,
      queue: this.#activityQueue,
      poison: new PoisonTracker(policy),
      owner: (instanceId) => this.#mutex.run(instanceId, () => this.#states.load(instanceId)),
      deliver: (message) => this.#inbox.deliver(message),
      storageUnavailable,
      retryLater,
      stopped,
    });
    this.#client = new ClientOperations({
      store,
      clock,
      mutex: this.#mutex,
      states: this.#states,
      inbox: this.#inbox,
      overridableExistingInstanceStates: options.overridableExistingInstanceStates,
      newExecutionId: options.newExecutionId,
      commit: (state, result) => this.#commit(state, result),
      clearTimer: (instanceId) => this.#dispatcher.timers.clear(instanceId),
    });
    this.#commitTargets = {
      store,
      dispatchActivity: (item) => this.#activities.dispatch(item),
      deliver: (message) => this.#inbox.deliver(message),
      dropMessages: (instanceId, ids) => this.#inbox.drop(instanceId, ids),
      forgetMessages: (instanceId, ids) => this.#inbox.forgetMessages(instanceId, ids),
      messages: (instanceId) => this.#inbox.messages(instanceId),
      startChild: (out, now) => this.#client.startChild(out, now),
      wake: (instanceId) => this.#dispatcher.wakeWhenDue(instanceId),
    };
    this.#idle = new IdleDetector({
      work: () => ({ episodes: this.#dispatcher.draining, activities: this.#activityQueue.size, runnable: this.#dispatcher.hasRunnableWork() }),
      clock,
      waitingOnClock: options.waitingOnClock,
      settleMs: options.idleSettleMs,
    });
    this.#recovery = new StorageRecovery({
      probe: async () => {
        await store.getInstance('\u0001storage-probe');
      },
      reload: () => this.#reload(),
      log,
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
    this.#states.clear();
    for (const message of messages) this.#inbox.mirror(message);
    for (const item of items) this.#activities.dispatch(item);
    for (const instanceId of this.#inbox.instanceIds()) this.#dispatcher.wakeWhenDue(instanceId);
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
    this.#dispatcher.timers.stop();
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
        message: `Stopped with ${this.#dispatcher.draining} orchestration episode(s) and ${this.#activityQueue.size} activity invocation(s) still running after ${graceMs} ms; their messages and work items stay in the store and run again at the next start.`,
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
    return this.#dispatcher.timers.nextDue();
  }

  /** Makes sure the instance's visible messages get processed. */
  kick(instanceId: string): void {
    this.#dispatcher.kick(instanceId);
  }

  // ---------------------------------------------------------------- client operations

  hasOrchestrator(name: string): boolean {
    return functionOfType(this.#functions, name, 'orchestrationTrigger') !== undefined;
  }

  startOrchestration(name: string, instanceId: string, input: string | null, version = ''): Promise<void> {
    return this.#client.start(name, instanceId, input, version);
  }

  getInstance(instanceId: string): Promise<InstanceRecord | undefined> {
    return this.#client.status(instanceId);
  }

  getHistory(instanceId: string): Promise<HistoryEvent[]> {
    return this.#client.history(instanceId);
  }

  queryInstances(query: InstanceQuery): Promise<InstancePage> {
    return this.#client.query(query);
  }

  raiseEvent(instanceId: string, name: string, input: string | null): Promise<void> {
    return this.#client.raiseEvent(instanceId, name, input);
  }

  terminate(instanceId: string, reason: string | null): Promise<void> {
    return this.#client.terminate(instanceId, reason);
  }

  suspend(instanceId: string, reason: string | null): Promise<void> {
    return this.#client.suspend(instanceId, reason);
  }

  resume(instanceId: string, reason: string | null): Promise<void> {
    return this.#client.resume(instanceId, reason);
  }

  /** Rewinds a Failed instance (and its failed sub-orchestrations): failed work runs again. */
  rewind(instanceId: string, reason: string | null): Promise<void> {
    return this.#client.rewind(instanceId, reason);
  }

  purge(instanceId: string): Promise<boolean> {
    return this.#client.purge(instanceId);
  }

  // ---------------------------------------------------------------- wiring

  #commit(state: InstanceState, result: EpisodeResult): Promise<void> {
    return commitEpisode(this.#commitTargets, state, result);
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
    this.#states.forget(instanceId);
    const state = await this.#states.load(instanceId);
    const visible = this.#inbox.visible(instanceId, this.options.clock.now()).map((m) => m.id);
    if (!state || TERMINAL_STATUSES.has(state.record.runtimeStatus)) {
      await this.#inbox.drop(instanceId, visible);
      return;
    }
    const message = `The local host could not process orchestration '${state.record.name}' after ${attempts} attempts; last error: ${describeError(cause)}`;
    await this.#commit(state, this.#executor.failPoisoned(state, visible, message, (cause as Error).stack ?? ''));
    this.#states.forget(instanceId);
  }
}
