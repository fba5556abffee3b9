// The commit: writes what an episode decided in an order that keeps a crash at any point recoverable.
// Outgoing work first (independent writes, issued together), then the history rows with the instance row
// (the commit point, with optimistic concurrency: one transaction in the Table store), then deletion of the
// consumed messages. Re-running an
// interrupted episode produces the same work keys and rows; duplicates are dropped on receipt. Only after
// the commit is the work handed to the dispatchers.
import type { InboxMessage, InstanceRecord, Store, WorkItem } from '../store/store';
import type { EpisodeResult } from './episodeExecutor';
import { history as events, type ParentInstanceInfo } from './history';
import type { InstanceState } from './instanceState';
import { messageId, timerSuffix, type Outbound } from './outbound';

/** Where committed work goes, and the operations a commit needs from the rest of the engine. */
export interface CommitTargets {
  store: Store;
  /** A work item is in the store: run it. */
  dispatchActivity(item: WorkItem): void;
  /** A message is in the store: mirror it and wake its instance. */
  deliver(message: InboxMessage): void;
  /** Deletes messages from the store and the mirror. */
  dropMessages(instanceId: string, ids: string[]): Promise<void>;
  /** The instance's messages as mirrored (to find a canceled timer's message). */
  messages(instanceId: string): readonly InboxMessage[];
  /** Creates a sub-orchestration's instance under its own lock, unless an earlier attempt did. */
  startChild(out: Extract<Outbound, { type: 'startChild' }>, now: number): Promise<void>;
  /** A new instance is in the store: wake it. */
  wake(instanceId: string): void;
}

export async function commitEpisode(targets: CommitTargets, state: InstanceState, result: EpisodeResult): Promise<void> {
  const { store } = targets;
  const { record } = state;
  const { appended, outbound, consumed, now } = result;
  await Promise.all(
    outbound.map(async (out) => {
      switch (out.type) {
        case 'activity':
          return store.putWorkItem(out.item);
        case 'timer':
        case 'notifyParent':
        case 'message':
          return store.putMessage(out.message);
        case 'startChild':
          return targets.startChild(out, now);
        case 'cancelTimer':
          return undefined;
      }
    }),
  );
  const from = record.historyLength;
  record.historyLength += appended.length;
  record.lastUpdatedTime = now;
  record.engineState = JSON.stringify(state.engine);
  record.lastConsumed = consumed;
  state.version = await store.writeEpisode(record, state.version, from, appended);
  state.committed = structuredClone(record);
  state.history = [...state.history, ...appended];
  await targets.dropMessages(record.instanceId, consumed);

  for (const out of outbound) {
    switch (out.type) {
      case 'activity':
        targets.dispatchActivity(out.item);
        break;
      case 'timer':
      case 'notifyParent':
      case 'message':
        targets.deliver(out.message);
        break;
      case 'cancelTimer': {
        const suffix = timerSuffix(record.executionId, out.timerId);
        await targets.dropMessages(record.instanceId, targets.messages(record.instanceId).filter((m) => m.id.endsWith(suffix)).map((m) => m.id));
        break;
      }
      case 'startChild':
        targets.wake(out.instanceId);
        break;
    }
  }
}

/** The ExecutionStarted message that starts a new execution of `record`. */
export function startMessage(record: InstanceRecord, parent: ParentInstanceInfo | null, now: number): InboxMessage {
  return {
    id: messageId(now),
    instanceId: record.instanceId,
    executionId: record.executionId,
    visibleAt: 0,
    event: events.executionStarted(now, { instanceId: record.instanceId, executionId: record.executionId, name: record.name, version: record.version, input: record.input, parent }),
  };
}

/**
 * Creates an instance: the start message goes first, as in DTFx (CreateTaskOrchestrationAsync sends it,
 * then writes the instance row), so a crash in between leaves a start message the dispatcher turns into
 * the row. Returns the new row's version.
 */
export async function commitNewInstance(store: Store, record: InstanceRecord, message: InboxMessage): Promise<string> {
  await store.putMessage(message);
  return store.putInstance(record);
}
