// The orchestration dispatcher: decides which instance runs next and keeps one episode per instance at a
// time (the per-instance lock, as DTFx's control-queue lease does across hosts). An instance is woken when
// a message arrives or a timer message becomes visible; it then drains: batch after batch of its visible
// messages (episodeBatch.ts) until none is left. A failed drain leaves its messages in the inbox: storage
// outages go to the recovery loop, anything else is a poison attempt, retried with backoff and finally failed.
import type { Clock } from '../clock';
import type { HostLog } from '../log';
import { ConcurrencyError, TERMINAL_STATUSES, type InboxMessage } from '../store/store';
import { describeError, isStorageUnavailable } from '../store/storeErrors';
import { selectBatch } from './episodeBatch';
import type { Inbox } from './inbox';
import { adoptNextExecution, type InstanceState, type InstanceStates } from './instanceState';
import type { PoisonTracker } from './poison';
import { TimerScheduler } from './timerScheduler';
import type { KeyedMutex, WorkQueue } from './workQueue';

export interface DispatcherOptions {
  clock: Clock;
  log: HostLog;
  inbox: Inbox;
  states: InstanceStates;
  mutex: KeyedMutex;
  /** Bounds the episodes running at once (maxConcurrentOrchestratorFunctions). */
  queue: WorkQueue;
  poison: PoisonTracker;
  /** Executes one episode over the batch and commits it. */
  runEpisode(state: InstanceState, batch: InboxMessage[]): Promise<void>;
  /** Ends a poison instance as Failed (called under its lock). */
  failPoisoned(instanceId: string, cause: unknown, attempts: number): Promise<void>;
  storageUnavailable(err: unknown): void;
  retryLater(delayMs: number, action: () => void): void;
  /** A drain ended (the idle detector looks again). */
  settled(): void;
  stopped(): boolean;
}

export class Dispatcher {
  readonly #draining = new Set<string>();
  /** Instances that got new work while draining: they drain again right after. */
  readonly #dirty = new Set<string>();
  /** Instances whose visible messages must wait (suspended): not runnable work for the idle check. */
  readonly #parked = new Set<string>();
  readonly timers: TimerScheduler;

  constructor(private readonly options: DispatcherOptions) {
    this.timers = new TimerScheduler(options.clock, (id) => this.kick(id));
  }

  get draining(): number {
    return this.#draining.size;
  }

  /** Makes sure the instance's visible messages get processed. */
  kick(instanceId: string): void {
    const { options } = this;
    if (options.stopped()) return;
    this.#parked.delete(instanceId);
    if (this.#draining.has(instanceId)) {
      this.#dirty.add(instanceId);
      return;
    }
    this.#draining.add(instanceId);
    void options.queue
      .run(() => options.mutex.run(instanceId, () => this.#drain(instanceId)))
      .then(
        () => options.poison.clear(instanceId),
        (err: unknown) => this.#onDrainError(instanceId, err),
      )
      .finally(() => {
        this.#draining.delete(instanceId);
        if (this.#dirty.delete(instanceId)) this.kick(instanceId);
        else if (options.inbox.hasVisible(instanceId, options.clock.now())) this.#parked.add(instanceId);
        else this.wakeWhenDue(instanceId);
        options.settled();
      });
  }

  /** Kicks the instance if a message is visible, else arms a timer for its earliest message. */
  wakeWhenDue(instanceId: string): void {
    const box = this.options.inbox.messages(instanceId);
    if (box.length === 0) return;
    const now = this.options.clock.now();
    if (box.some((m) => m.visibleAt <= now)) {
      this.kick(instanceId);
      return;
    }
    this.timers.schedule(instanceId, Math.min(...box.map((m) => m.visibleAt)));
  }

  /** Whether any instance that is not parked has a visible message (the idle check). */
  hasRunnableWork(): boolean {
    const now = this.options.clock.now();
    for (const instanceId of this.options.inbox.instanceIds()) if (!this.#parked.has(instanceId) && this.options.inbox.hasVisible(instanceId, now)) return true;
    return false;
  }

  async #drain(instanceId: string): Promise<void> {
    const { inbox, states, clock, log } = this.options;
    for (let guard = 0; guard < 10_000 && !this.options.stopped(); guard++) {
      // Nothing visible, nothing to load: an instance that just finished left the cache, and reading it
      // back only to find an empty inbox cost three storage requests per orchestration.
      if (!inbox.hasVisible(instanceId, clock.now())) return;
      let state = await states.load(instanceId);
      const visible = inbox.visible(instanceId, clock.now());
      if (visible.length === 0) return;
      if (!state) {
        state = await states.recoverFromStartMessage(instanceId, visible, clock.now());
        if (state) log({ level: 'warning', category: 'durable', message: `Instance "${instanceId}" had a start message but no instance row (a crash between the two writes): creating the row.` });
      }
      if (state?.record.runtimeStatus === 'ContinuedAsNew') adoptNextExecution(state, visible);
      if (!state) {
        // Messages for an instance that does not exist (purged, or never created): discard.
        await inbox.drop(instanceId, visible.map((m) => m.id));
        return;
      }
      const { batch, drop } = selectBatch({ runtimeStatus: state.record.runtimeStatus, executionId: state.record.executionId, started: state.history.length > 0, engine: state.engine }, visible);
      await inbox.drop(instanceId, drop);
      if (batch.length === 0) {
        if (drop.length === 0) return;
        continue;
      }
      try {
        await this.options.runEpisode(state, batch);
        // Finished instances leave the cache: their committed row and history stay in the store.
        if (TERMINAL_STATUSES.has(state.committed.runtimeStatus)) states.forget(instanceId);
      } catch (err) {
        // The working copy may be half-updated: reload the committed state next time.
        states.forget(instanceId);
        if (err instanceof ConcurrencyError) {
          log({ level: 'warning', category: 'durable', message: err.message });
          continue;
        }
        throw err;
      }
    }
  }

  #onDrainError(instanceId: string, err: unknown): void {
    const { options } = this;
    if (options.stopped()) {
      options.log({ level: 'debug', category: 'durable', message: `Instance "${instanceId}" interrupted by stop: ${describeError(err)}` });
      return;
    }
    if (isStorageUnavailable(err)) {
      options.storageUnavailable(err);
      return;
    }
    const verdict = options.poison.recordFailure(instanceId);
    if (verdict.exhausted) {
      options.log({ level: 'error', category: 'durable', message: `Instance "${instanceId}" failed ${verdict.attempts} times in a row; failing it: ${describeError(err)}` });
      void options.queue
        .run(() => options.mutex.run(instanceId, () => options.failPoisoned(instanceId, err, verdict.attempts)))
        .then(
          () => options.poison.clear(instanceId),
          (failErr: unknown) => {
            if (isStorageUnavailable(failErr)) options.storageUnavailable(failErr);
            else options.log({ level: 'error', category: 'durable', message: `Instance "${instanceId}" could not be marked Failed either: ${describeError(failErr)}` });
          },
        );
      return;
    }
    const detail = verdict.attempts === 1 ? ((err as Error).stack ?? String(err)) : describeError(err);
    options.log({ level: 'warning', category: 'durable', message: `Processing instance "${instanceId}" failed (attempt ${verdict.attempts} of ${options.poison.policy.maxAttempts}), retrying in ${verdict.delayMs} ms: ${detail}` });
    options.retryLater(verdict.delayMs, () => this.kick(instanceId));
  }
}
