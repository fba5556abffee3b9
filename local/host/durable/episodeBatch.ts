// Which inbox messages form the next episode of an instance, and which are dropped (research §6.3).
// Control messages (terminate, suspend, resume) run alone; completions of work the host no longer owes
// are dropped; a completion that makes the JS library take new sequence ids (a retry) starts its own
// batch, so the host gives the retry timer or attempt the id the library will give it.
import { completedTaskId, EventType, type HistoryEvent } from './history';
import type { EngineState, PendingWork } from './engineState';
import { TERMINAL_STATUSES, type InboxMessage, type RuntimeStatus } from '../store/store';

export interface BatchView {
  runtimeStatus: RuntimeStatus;
  executionId: string;
  /** Whether the current execution has history (its ExecutionStarted was processed). */
  started: boolean;
  engine: EngineState;
}

export interface Batch {
  batch: InboxMessage[];
  /** Message ids to delete without processing. */
  drop: string[];
}

export function selectBatch(view: BatchView, visible: InboxMessage[]): Batch {
  const { engine } = view;
  const batch: InboxMessage[] = [];
  const drop: string[] = [];
  const taken = new Set<number>();
  const terminal = TERMINAL_STATUSES.has(view.runtimeStatus);

  if (!view.started) {
    // Only the start of the current execution (or a terminate) can be processed before the start.
    for (const m of visible) {
      if (m.event.EventType === EventType.ExecutionStarted) {
        if (m.executionId === view.executionId && !terminal) return { batch: [m], drop };
        drop.push(m.id);
      } else if (m.event.EventType === EventType.ExecutionTerminated && !terminal) {
        return { batch: [m], drop };
      } else if (terminal) drop.push(m.id);
    }
    return { batch, drop };
  }

  for (const m of visible) {
    const type = m.event.EventType;
    if (type === EventType.ExecutionStarted || terminal || (m.executionId !== undefined && m.executionId !== view.executionId)) {
      drop.push(m.id);
      continue;
    }
    if (type === EventType.ExecutionTerminated || type === EventType.ExecutionSuspended || type === EventType.ExecutionResumed) {
      if (batch.length > 0) break;
      if (type === EventType.ExecutionResumed && view.runtimeStatus !== 'Suspended') {
        drop.push(m.id);
        continue;
      }
      if (type === EventType.ExecutionSuspended && view.runtimeStatus === 'Suspended') {
        drop.push(m.id);
        continue;
      }
      return { batch: [m], drop };
    }
    if (view.runtimeStatus === 'Suspended') continue; // held until resumed
    const id = completedTaskId(m.event);
    if (id !== undefined) {
      const work = engine.pending[String(id)];
      if (!work || taken.has(id)) {
        drop.push(m.id); // a duplicate delivery, or the completion of cancelled work
        continue;
      }
      if (allocatesIds(engine, work, m.event) && batch.length > 0) break;
      taken.add(id);
      batch.push(m);
      continue;
    }
    if (type === EventType.EventRaised || type === EventType.GenericEvent) {
      // GenericEvent: the wake-up a rewind sends (DTFx RewindTaskOrchestrationAsync); the JS ignores it.
      batch.push(m);
      continue;
    }
    drop.push(m.id);
  }
  return { batch, drop };
}

/** Whether delivering this event makes the JS library take new sequence ids (RetryableTask). */
export function allocatesIds(engine: EngineState, work: PendingWork, event: HistoryEvent): boolean {
  if (work.retryKey === undefined) return false;
  const retry = engine.retries[String(work.retryKey)];
  if (!retry) return false;
  if (work.kind === 'retryTimer') return retry.failures < retry.options.maxNumberOfAttempts;
  return event.EventType === EventType.TaskFailed || event.EventType === EventType.SubOrchestrationInstanceFailed;
}
