// The commit: writes what an episode decided so that a crash at any point loses nothing. Work for other
// instances first (independent, idempotent writes, issued together), then the commit point: history rows,
// the instance's own new messages and work items, the deletion of the consumed messages and the row (with
// optimistic concurrency) in one atomic write (Store.writeEpisode: one transaction in the Table store). Re-running an
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
  /** Removes messages the store no longer holds from the mirror. */
  forgetMessages(instanceId: string, ids: string[]): void;
  /** The instance's messages as mirrored (to find a canceled timer's message). */
  messages(instanceId: string): readonly InboxMessage[];
  /** Creates a sub-orchestration's instance under its own lock, unless an earlier attempt did. */
  startChild(out: Extract<Outbound, { type: 'startChild' }>, now: number): Promise<void>;
  /** A new instance is in the store: wake it. */
  wake(instanceId: string): void;
}

/** Whether the work goes into the instance's own commit (its partition) rather than ahead of it. */
function ownWork(out: Outbound, instanceId: string): boolean {
  return out.type === 'activity' || ((out.type === 'timer' || out.type === 'message') && out.message.instanceId === instanceId);
}

export async function commitEpisode(targets: CommitTargets, state: InstanceState, result: EpisodeResult): Promise<void> {
  const { store } = targets;
  const { record } = state;
  const { appended, outbound, consumed, now } = result;
  // Work for other instances first (sub-orchestration starts, messages to the parent): idempotent, so a
  // crash before the commit point only means it is sent again.
  await Promise.all(
    outbound.map(async (out) => {
      if (ownWork(out, record.instanceId)) return undefined;
      switch (out.type) {
        case 'notifyParent':
        case 'message':
        case 'timer':
          return store.putMessage(out.message);
        case 'startChild':
          return targets.startChild(out, now);
        default:
          return undefined;
      }
    }),
  );
  const own = outbound.filter((out) => ownWork(out, record.instanceId));
  const fromIndex = record.historyLength;
  record.historyLength += appended.length;
  record.lastUpdatedTime = now;
  record.engineState = JSON.stringify(state.engine);
  // The consumed messages are deleted by the commit itself: none can survive it.
  record.lastConsumed = [];
  state.version = await store.writeEpisode({
    record,
    expectedVersion: state.version,
    fromIndex,
    events: appended,
    messages: own.flatMap((out) => (out.type === 'timer' || out.type === 'message' ? [out.message] : [])),
    workItems: own.flatMap((out) => (out.type === 'activity' ? [out.item] : [])),
    consumed,
  });
  state.committed = structuredClone(record);
  state.history = [...state.history, ...appended];
  targets.forgetMessages(record.instanceId, consumed);

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

