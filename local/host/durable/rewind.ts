// Rewind of a failed instance, after DTFx AzureTableTrackingStore.RewindHistoryAsync: the failure events
// of the last execution become GenericEvents ("Rewound: <type>"), which the replay ignores, so the failed
// work looks never scheduled. A failed activity's TaskScheduled is cleared too (it runs again); a failed
// sub-orchestration keeps its SubOrchestrationInstanceCreated and the child is rewound in turn.
import { EventType, OrchestrationStatusCode, type HistoryEvent } from './history';

export interface RewoundHistory {
  history: HistoryEvent[];
  /** Activities whose TaskScheduled was cleared: they must be scheduled again, with the same id. */
  activities: { taskScheduledId: number; name: string; input: unknown }[];
  /** Sub-orchestration ids whose failure was cleared, with the child instance to rewind. */
  children: { taskScheduledId: number; instanceId: string }[];
}

function cleared(event: HistoryEvent): HistoryEvent {
  return { EventType: EventType.GenericEvent, EventId: -1, IsPlayed: event.IsPlayed, Timestamp: event.Timestamp, Data: `Rewound: ${EventType[event.EventType]}` };
}

export function rewindHistory(history: HistoryEvent[]): RewoundHistory {
  const failedTasks = new Set<number>();
  const failedChildren = new Set<number>();
  for (const e of history) {
    if (e.EventType === EventType.TaskFailed) failedTasks.add(e.TaskScheduledId as number);
    if (e.EventType === EventType.SubOrchestrationInstanceFailed) failedChildren.add(e.TaskScheduledId as number);
  }
  const activities: RewoundHistory['activities'] = [];
  const children: RewoundHistory['children'] = [];
  const out = history.map((e) => {
    switch (e.EventType) {
      case EventType.TaskFailed:
      case EventType.SubOrchestrationInstanceFailed:
        return cleared(e);
      case EventType.TaskScheduled:
        if (!failedTasks.has(e.EventId)) return e;
        activities.push({ taskScheduledId: e.EventId, name: String(e.Name), input: scheduledInput(e.Input) });
        return cleared(e);
      case EventType.SubOrchestrationInstanceCreated:
        if (failedChildren.has(e.EventId)) children.push({ taskScheduledId: e.EventId, instanceId: String(e.InstanceId) });
        return e;
      case EventType.ExecutionCompleted:
        return e.OrchestrationStatus === OrchestrationStatusCode.Failed ? cleared(e) : e;
      default:
        return e;
    }
  });
  return { history: out, activities, children };
}

/** The action input back from TaskScheduled.Input, which holds it wrapped in an array (research §2.2). */
function scheduledInput(input: unknown): unknown {
  if (typeof input !== 'string') return undefined;
  const parsed = JSON.parse(input) as unknown;
  return Array.isArray(parsed) ? (parsed[0] as unknown) ?? undefined : parsed;
}
