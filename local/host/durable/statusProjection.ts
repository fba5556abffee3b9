// The status payload of the Durable HTTP API (HttpApiHandler.ConvertFrom) and the history projection
// of DurableClient.GetDurableOrchestrationStatusAsync (research §3.3).
import type { InstanceRecord } from '../store/store';
import { EventType, OrchestrationStatusCode, type HistoryEvent } from './history';

/** DurableClient.ParseToJToken: JSON when it parses, else the raw string (terminate reasons). */
export function parseToJToken(value: string | null): unknown {
  if (value === null) return null;
  const trimmed = value.trim();
  if (trimmed.length === 0) return '';
  try {
    return JSON.parse(trimmed) as unknown;
  } catch {
    return trimmed;
  }
}

/** .NET DateTime.ToString("s") + "Z": second precision. */
export function toStatusTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

export interface StatusOptions {
  showInput: boolean;
  history?: HistoryEvent[];
  showHistoryOutput?: boolean;
}

export function statusPayload(record: InstanceRecord, options: StatusOptions): Record<string, unknown> {
  return {
    name: record.name,
    instanceId: record.instanceId,
    runtimeStatus: record.runtimeStatus,
    input: options.showInput ? parseToJToken(record.input) : null,
    customStatus: parseToJToken(record.customStatus),
    output: parseToJToken(record.output),
    createdTime: toStatusTime(record.createdTime),
    lastUpdatedTime: toStatusTime(record.lastUpdatedTime),
    historyEvents: options.history && record.runtimeStatus !== 'Pending' ? projectHistory(options.history, options.showInput, options.showHistoryOutput ?? false) : null,
  };
}

export function projectHistory(history: HistoryEvent[], showInput: boolean, showHistoryOutput: boolean): Record<string, unknown>[] {
  const items: Record<string, unknown>[] = history.map((e) => ({ ...e }));
  const scheduled = new Map<string, { index: number; name: unknown; date: unknown; input: unknown }>();
  const removed = new Set<number>();
  const outputToToken = (item: Record<string, unknown>, show: boolean) => {
    if (show) item.Result = parseToJToken((item.Result as string | null | undefined) ?? null);
  };
  const aggregate = (prefix: string, item: Record<string, unknown>) => {
    const data = scheduled.get(`${prefix}_${String(item.TaskScheduledId)}`);
    if (!data) return;
    item.ScheduledTime = data.date;
    item.FunctionName = data.name;
    if (showInput) item.Input = data.input;
    removed.add(data.index);
  };
  items.forEach((item, i) => {
    const type = item.EventType as EventType;
    item.EventType = EventType[type] ?? type;
    switch (type) {
      case EventType.TaskScheduled:
      case EventType.SubOrchestrationInstanceCreated:
        scheduled.set(`${EventType[type]}_${String(item.EventId)}`, { index: i, name: item.Name, date: item.Timestamp, input: item.Input });
        delete item.Version;
        break;
      case EventType.TaskCompleted:
      case EventType.TaskFailed:
        aggregate('TaskScheduled', item);
        delete item.TaskScheduledId;
        if (!showHistoryOutput && type === EventType.TaskCompleted) delete item.Result;
        outputToToken(item, showHistoryOutput && type === EventType.TaskCompleted);
        break;
      case EventType.SubOrchestrationInstanceCompleted:
      case EventType.SubOrchestrationInstanceFailed:
        aggregate('SubOrchestrationInstanceCreated', item);
        delete item.TaskScheduledId;
        if (!showHistoryOutput && type === EventType.SubOrchestrationInstanceCompleted) delete item.Result;
        outputToToken(item, showHistoryOutput && type === EventType.SubOrchestrationInstanceCompleted);
        break;
      case EventType.ExecutionStarted:
        item.FunctionName = item.Name;
        delete item.Name;
        delete item.OrchestrationInstance;
        delete item.ParentInstance;
        delete item.Version;
        delete item.Tags;
        break;
      case EventType.ExecutionCompleted:
        item.OrchestrationStatus = OrchestrationStatusCode[item.OrchestrationStatus as number] ?? item.OrchestrationStatus;
        if (!showHistoryOutput) delete item.Result;
        outputToToken(item, showHistoryOutput);
        break;
      case EventType.TimerFired:
        delete item.TimerId;
        break;
      case EventType.OrchestratorStarted:
      case EventType.OrchestratorCompleted:
        removed.add(i);
        break;
      default:
        break;
    }
    if (!showInput) delete item.Input;
    delete item.EventId;
    delete item.IsPlayed;
  });
  return items.filter((_, i) => !removed.has(i));
}
