// Work an episode sends out, written in its commit and handed to the dispatchers after it: activity work items,
// durable timers (future inbox messages), sub-orchestration starts, messages to the parent or to itself.
// Message ids sort by arrival time; a timer's id derives from its execution and task id, so a re-run of an
// interrupted episode writes the same timer message.
import { randomUUID } from 'node:crypto';
import { history as events } from './history';
import type { InboxMessage, ParentRef, WorkItem } from '../store/store';

export type Outbound =
  | { type: 'activity'; item: WorkItem }
  | { type: 'timer'; message: InboxMessage }
  | { type: 'cancelTimer'; timerId: number }
  | { type: 'startChild'; instanceId: string; executionId: string; name: string; input: string | null; parent: ParentRef }
  | { type: 'notifyParent'; message: InboxMessage }
  | { type: 'message'; message: InboxMessage };

let messageCounter = 0;
export function messageId(at: number): string {
  messageCounter = (messageCounter + 1) % 1_000_000;
  return `${String(Math.max(0, Math.floor(at))).padStart(15, '0')}${String(messageCounter).padStart(6, '0')}${randomUUID().slice(0, 8)}`;
}

/** The suffix every message id of this timer ends with (to find it again when the timer is canceled). */
export function timerSuffix(executionId: string, timerId: number): string {
  return `t${executionId}:${timerId}`;
}

/** The TimerFired message a durable timer becomes: invisible until fireAt. */
export function timerMessage(instance: { instanceId: string; executionId: string }, timerId: number, fireAt: string): InboxMessage {
  const fireAtMs = Date.parse(fireAt);
  return {
    id: `${String(Math.max(0, Math.floor(fireAtMs))).padStart(15, '0')}${timerSuffix(instance.executionId, timerId)}`,
    instanceId: instance.instanceId,
    executionId: instance.executionId,
    visibleAt: fireAtMs,
    event: events.timerFired(fireAtMs, timerId, fireAt),
  };
}
