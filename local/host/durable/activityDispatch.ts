// Activity dispatch: runs activity work items (DTFx's TaskActivityDispatcher) with bounded concurrency.
// A work item stays in the store until its outcome (TaskCompleted / TaskFailed) is in the instance's inbox,
// so a crash re-runs only activities in flight. Items of finished or restarted executions are retired
// unrun; a worker crash or a host error is retried with backoff and, after PoisonPolicy.maxAttempts, fails
// the activity with a TaskFailed naming the cause, so the orchestrator is never left waiting.
import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock';
import type { HostLog } from '../log';
import type { InboxMessage, Store, WorkItem } from '../store/store';
import { describeError, isStorageUnavailable } from '../store/storeErrors';
import { activityFailure, activityInputData, activityResult } from './activityEncoding';
import type { Invoke } from './episodeExecutor';
import { functionOfType, type FunctionCatalog } from './functionCatalog';
import { history as events, type HistoryEvent } from './history';
import type { InstanceState } from './instanceState';
import { messageId } from './outbound';
import type { PoisonTracker } from './poison';
import type { WorkQueue } from './workQueue';

export interface ActivityDispatchOptions {
  store: Store;
  clock: Clock;
  log: HostLog;
  invoke: Invoke;
  functions: FunctionCatalog;
  queue: WorkQueue;
  poison: PoisonTracker;
  /** The owning instance's state, read under its lock. */
  owner(instanceId: string): Promise<InstanceState | undefined>;
  /** A message is in the store: mirror it and wake its instance. */
  deliver(message: InboxMessage): void;
  /** Storage is unreachable: the recovery loop reloads (and so re-dispatches) the work items later. */
  storageUnavailable(err: unknown): void;
  retryLater(delayMs: number, action: () => void): void;
  stopped(): boolean;
}

export class ActivityDispatch {
  /** Work items running or queued here, so a reload does not run one twice at once. */
  readonly #running = new Set<string>();

  constructor(private readonly options: ActivityDispatchOptions) {}

  dispatch(item: WorkItem): void {
    const key = `${item.instanceId}\u0000${item.key}`;
    if (this.#running.has(key) || this.options.stopped()) return;
    this.#running.add(key);
    this.options.queue.push(async () => {
      let retryIn: number | undefined;
      try {
        retryIn = await this.#run(item);
      } catch (err) {
        retryIn = await this.#onError(item, err);
      } finally {
        this.#running.delete(key);
      }
      if (retryIn !== undefined) this.options.retryLater(retryIn, () => this.dispatch(item));
    });
  }

  /** Runs one work item; returns a delay when it must be tried again. */
  async #run(item: WorkItem): Promise<number | undefined> {
    const { options } = this;
    if (options.stopped()) return undefined;
    const owner = await options.owner(item.instanceId);
    const work = owner?.engine.pending[String(item.taskScheduledId)];
    if (!owner || owner.record.executionId !== item.executionId || !work || work.kind !== 'activity') {
      await options.store.deleteWorkItem(item.instanceId, item.key); // abandoned by a finished or restarted instance
      return undefined;
    }
    const fn = functionOfType(options.functions, item.name, 'activityTrigger');
    let event: HistoryEvent;
    if (!fn) {
      const reason = `The function '${item.name}' doesn't exist, is disabled, or is not an activity function.`;
      event = events.taskFailed(options.clock.now(), item.taskScheduledId, reason, '', null);
    } else {
      const input = item.input === null ? undefined : (JSON.parse(item.input) as unknown);
      const outcome = await options.invoke({
        invocationId: randomUUID(),
        functionId: fn.metadata.functionId ?? fn.metadata.name,
        inputData: [{ name: fn.triggerName, data: activityInputData(input) }],
        triggerMetadata: { instanceId: { string: item.instanceId } },
      });
      // A worker crash is a runtime failure, not the activity's: run it again (bounded, see PoisonPolicy).
      if (outcome.error?.name === 'WorkerExited' || outcome.error?.name === 'WorkerUnavailable') {
        if (options.stopped()) return undefined; // the work item stays: the next start runs it (at least once)
        return this.#attemptFailed(item, outcome.error.message, outcome.error.message);
      }
      if (outcome.error) {
        const failure = activityFailure(item.name, outcome.error);
        event = events.taskFailed(options.clock.now(), item.taskScheduledId, failure.reason, failure.details, failure.failureDetails);
      } else {
        event = events.taskCompleted(options.clock.now(), item.taskScheduledId, activityResult(outcome.response?.returnValue));
      }
    }
    // Also while stopping: a result that arrives within stop()'s grace period is kept.
    await this.#finish(item, event);
    return undefined;
  }

  /** Records the activity's outcome in the instance's inbox and retires the work item, in one write. */
  async #finish(item: WorkItem, event: HistoryEvent): Promise<void> {
    const outcome: InboxMessage = { id: messageId(this.options.clock.now()), instanceId: item.instanceId, executionId: item.executionId, visibleAt: 0, event };
    await this.options.store.completeWorkItem(item, outcome);
    this.options.deliver(outcome);
    this.options.poison.clear(`${item.instanceId}\u0000${item.key}`);
  }

  /** A storage outage goes to the recovery loop; other errors count as a failed attempt. */
  async #onError(item: WorkItem, err: unknown): Promise<number | undefined> {
    if (this.options.stopped()) return undefined;
    if (isStorageUnavailable(err)) {
      this.options.storageUnavailable(err);
      return undefined;
    }
    return this.#attemptFailed(item, describeError(err), (err as Error).stack ?? String(err));
  }

  async #attemptFailed(item: WorkItem, cause: string, detail: string): Promise<number | undefined> {
    const { poison, log } = this.options;
    const key = `${item.instanceId}\u0000${item.key}`;
    const verdict = poison.recordFailure(key);
    if (!verdict.exhausted) {
      log({ level: 'warning', category: 'durable', functionName: item.name, message: `Running activity '${item.name}' for "${item.instanceId}" failed (attempt ${verdict.attempts} of ${poison.policy.maxAttempts}), retrying in ${verdict.delayMs} ms: ${verdict.attempts === 1 ? detail : cause}` });
      return verdict.delayMs;
    }
    poison.clear(key);
    const reason = `Activity function '${item.name}' could not be run by the local host after ${verdict.attempts} attempts: ${cause}`;
    log({ level: 'error', category: 'durable', functionName: item.name, message: `${reason} (instance "${item.instanceId}").` });
    try {
      await this.#finish(item, events.taskFailed(this.options.clock.now(), item.taskScheduledId, reason, '', null));
    } catch (err) {
      if (isStorageUnavailable(err)) this.options.storageUnavailable(err);
      else log({ level: 'error', category: 'durable', message: `Could not record the failure of activity '${item.name}' for "${item.instanceId}": ${describeError(err)}` });
    }
    return undefined;
  }
}
