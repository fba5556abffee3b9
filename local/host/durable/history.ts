// History events as DTFx writes them and durable-functions reads them (research §2.2): PascalCase
// fields, numeric EventType, EventId = sequence id for scheduling events and -1 otherwise.

export enum EventType {
  ExecutionStarted = 0,
  ExecutionCompleted = 1,
  ExecutionFailed = 2,
  ExecutionTerminated = 3,
  TaskScheduled = 4,
  TaskCompleted = 5,
  TaskFailed = 6,
  SubOrchestrationInstanceCreated = 7,
  SubOrchestrationInstanceCompleted = 8,
  SubOrchestrationInstanceFailed = 9,
  TimerCreated = 10,
  TimerFired = 11,
  OrchestratorStarted = 12,
  OrchestratorCompleted = 13,
  EventSent = 14,
  EventRaised = 15,
  ContinueAsNew = 16,
  GenericEvent = 17,
  HistoryState = 18,
  ExecutionSuspended = 19,
  ExecutionResumed = 20,
}

/** DTFx OrchestrationStatus, as carried by ExecutionCompleted.OrchestrationStatus. */
export enum OrchestrationStatusCode {
  Running = 0,
  Completed = 1,
  ContinuedAsNew = 2,
  Failed = 3,
  Canceled = 4,
  Terminated = 5,
  Pending = 6,
  Suspended = 7,
}

export interface HistoryEvent {
  EventType: EventType;
  EventId: number;
  IsPlayed: boolean;
  Timestamp: string;
  [field: string]: unknown;
}

export interface FailureDetailsPayload {
  ErrorType: string;
  ErrorMessage: string;
  StackTrace?: string | null;
  InnerFailure?: FailureDetailsPayload | null;
  IsNonRetriable?: boolean;
  Properties?: Record<string, unknown> | null;
}

export interface ParentInstanceInfo {
  Name: string;
  Version: string;
  TaskScheduleId: number;
  OrchestrationInstance: { InstanceId: string; ExecutionId: string };
}

function base(type: EventType, at: number, eventId = -1): HistoryEvent {
  return { EventType: type, EventId: eventId, IsPlayed: false, Timestamp: new Date(at).toISOString() };
}

export const history = {
  orchestratorStarted: (at: number): HistoryEvent => base(EventType.OrchestratorStarted, at),
  orchestratorCompleted: (at: number): HistoryEvent => base(EventType.OrchestratorCompleted, at),
  executionStarted: (at: number, o: { instanceId: string; executionId: string; name: string; version: string; input: string | null; parent: ParentInstanceInfo | null }): HistoryEvent => ({
    OrchestrationInstance: { InstanceId: o.instanceId, ExecutionId: o.executionId },
    ...base(EventType.ExecutionStarted, at),
    ParentInstance: o.parent,
    Name: o.name,
    Version: o.version,
    Input: o.input,
    Tags: null,
  }),
  executionCompleted: (at: number, eventId: number, status: OrchestrationStatusCode, result: string | null, details?: string | null, failure?: FailureDetailsPayload | null): HistoryEvent => ({
    ...base(EventType.ExecutionCompleted, at, eventId),
    OrchestrationStatus: status,
    Result: result,
    Details: details ?? null,
    FailureDetails: failure ?? null,
  }),
  executionTerminated: (at: number, reason: string | null): HistoryEvent => ({ ...base(EventType.ExecutionTerminated, at), Input: reason, TerminateDescendants: false }),
  executionSuspended: (at: number, reason: string | null): HistoryEvent => ({ ...base(EventType.ExecutionSuspended, at), Reason: reason }),
  executionResumed: (at: number, reason: string | null): HistoryEvent => ({ ...base(EventType.ExecutionResumed, at), Reason: reason }),
  taskScheduled: (at: number, id: number, name: string, input: string | null): HistoryEvent => ({ ...base(EventType.TaskScheduled, at, id), Name: name, Version: '', Input: input }),
  taskCompleted: (at: number, scheduledId: number, result: string | null): HistoryEvent => ({ ...base(EventType.TaskCompleted, at), TaskScheduledId: scheduledId, Result: result }),
  taskFailed: (at: number, scheduledId: number, reason: string, details: string, failure: FailureDetailsPayload | null): HistoryEvent => ({
    ...base(EventType.TaskFailed, at),
    TaskScheduledId: scheduledId,
    Reason: reason,
    Details: details,
    FailureDetails: failure,
  }),
  subOrchestrationCreated: (at: number, id: number, name: string, instanceId: string, input: string | null): HistoryEvent => ({
    ...base(EventType.SubOrchestrationInstanceCreated, at, id),
    Name: name,
    Version: '',
    InstanceId: instanceId,
    Input: input,
  }),
  subOrchestrationCompleted: (at: number, scheduledId: number, result: string | null): HistoryEvent => ({ ...base(EventType.SubOrchestrationInstanceCompleted, at), TaskScheduledId: scheduledId, Result: result }),
  subOrchestrationFailed: (at: number, scheduledId: number, reason: string, details: string | null): HistoryEvent => ({
    ...base(EventType.SubOrchestrationInstanceFailed, at),
    TaskScheduledId: scheduledId,
    Reason: reason,
    Details: details,
    FailureDetails: null,
  }),
  timerCreated: (at: number, id: number, fireAt: string): HistoryEvent => ({ ...base(EventType.TimerCreated, at, id), FireAt: fireAt }),
  timerFired: (at: number, timerId: number, fireAt: string): HistoryEvent => ({ ...base(EventType.TimerFired, at), TimerId: timerId, FireAt: fireAt }),
  eventRaised: (at: number, name: string, input: string | null): HistoryEvent => ({ ...base(EventType.EventRaised, at), Name: name, Input: input }),
};

/** The id a completion event refers to, or undefined for events that complete nothing by id. */
export function completedTaskId(event: HistoryEvent): number | undefined {
  switch (event.EventType) {
    case EventType.TaskCompleted:
    case EventType.TaskFailed:
    case EventType.SubOrchestrationInstanceCompleted:
    case EventType.SubOrchestrationInstanceFailed:
      return event.TaskScheduledId as number;
    case EventType.TimerFired:
      return event.TimerId as number;
    default:
      return undefined;
  }
}
