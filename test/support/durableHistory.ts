// Builds Durable Task history (the JSON the Durable extension hands a JS orchestrator) and drives an
// orchestrator handler episode by episode through the real durable-functions replay code, acting as a small
// host: it turns the returned actions into TaskScheduled/TimerCreated events, answers activities from a script,
// fires timers on a virtual clock and schedules retries the way DTFx's RetryInterceptor does (a retry timer after
// *every* failed attempt, delay = first × coefficient^attempt capped at the maximum). External events are raised at
// virtual times as EventRaised history events; a timer the orchestrator cancels (TimerTask.cancel(), e.g. the loser
// of a Task.any) keeps its TimerCreated event and id, as DTFx creates it anyway, but never fires.
// Shapes and id rules: ../shared/research/durable-host.md §2.1–§2.5.

export const EventType = Object.freeze({
  ExecutionStarted: 0,
  ExecutionCompleted: 1,
  TaskScheduled: 4,
  TaskCompleted: 5,
  TaskFailed: 6,
  TimerCreated: 10,
  TimerFired: 11,
  OrchestratorStarted: 12,
  OrchestratorCompleted: 13,
  /** durable-functions HistoryEventType: 14 is EventSent (an event this orchestration sent), 15 an event it received. */
  EventRaised: 15,
} as const);

export const ActionType = Object.freeze({
  CallActivity: 0,
  CallActivityWithRetry: 1,
  ContinueAsNew: 4,
  CreateTimer: 5,
  WaitForExternalEvent: 6,
  /** Compound actions (schema V3 keeps Task.any / Task.all as a tree): the extension schedules their children in order. */
  WhenAny: 11,
  WhenAll: 12,
} as const);

/** The atomic actions of an action list, depth-first, as the extension walks compound actions. */
export function flattenActions(actions: Record<string, unknown>[]): Record<string, unknown>[] {
  return actions.flatMap((action) => (action.actionType === ActionType.WhenAny || action.actionType === ActionType.WhenAll
    ? flattenActions((action.compoundActions ?? []) as Record<string, unknown>[]) : [action]));
}

export interface HistoryEvent {
  EventType: number;
  EventId: number;
  IsPlayed: boolean;
  Timestamp: string;
  [field: string]: unknown;
}

/** Appends history events in the extension's JSON form (PascalCase, integer EventType, JSON-string payloads). */
export class HistoryBuilder {
  readonly events: HistoryEvent[] = [];

  private add(type: number, eventId: number, at: Date, fields: Record<string, unknown> = {}): this {
    this.events.push({ EventType: type, EventId: eventId, IsPlayed: false, Timestamp: at.toISOString(), ...fields });
    return this;
  }

  orchestratorStarted(at: Date): this { return this.add(EventType.OrchestratorStarted, -1, at); }
  orchestratorCompleted(at: Date): this { return this.add(EventType.OrchestratorCompleted, -1, at); }

  executionStarted(name: string, instanceId: string, input: unknown, at: Date): this {
    return this.add(EventType.ExecutionStarted, -1, at, {
      OrchestrationInstance: { InstanceId: instanceId, ExecutionId: `${instanceId}-execution-${this.events.length}` },
      ParentInstance: null, Name: name, Version: '', Input: JSON.stringify(input ?? null), Tags: null,
    });
  }

  taskScheduled(id: number, name: string, input: unknown, at: Date): this {
    return this.add(EventType.TaskScheduled, id, at, { Name: name, Version: '', Input: JSON.stringify(input ?? null) });
  }

  taskCompleted(scheduledId: number, result: unknown, at: Date): this {
    return this.add(EventType.TaskCompleted, -1, at, { TaskScheduledId: scheduledId, Result: JSON.stringify(result ?? null) });
  }

  /** As the extension reports a throwing activity: Reason "Activity function 'X' failed: <message>". */
  taskFailed(scheduledId: number, name: string, message: string, at: Date): this {
    return this.add(EventType.TaskFailed, -1, at, {
      TaskScheduledId: scheduledId, Reason: `Activity function '${name}' failed: ${message}`, Details: `Error: ${message}`,
      FailureDetails: null,
    });
  }

  timerCreated(id: number, fireAt: Date, at: Date): this {
    return this.add(EventType.TimerCreated, id, at, { FireAt: fireAt.toISOString() });
  }

  timerFired(timerId: number, fireAt: Date, at: Date): this {
    return this.add(EventType.TimerFired, -1, at, { TimerId: timerId, FireAt: fireAt.toISOString() });
  }

  /** An external event as the extension records it: Name and the JSON text of the data (DTFx EventRaisedEvent). */
  eventRaised(name: string, input: unknown, at: Date): this {
    return this.add(EventType.EventRaised, -1, at, { Name: name, Input: input === undefined ? null : JSON.stringify(input) });
  }

  /** A deep copy as the worker receives it (JSON text parsed again). */
  snapshot(): HistoryEvent[] {
    return JSON.parse(JSON.stringify(this.events)) as HistoryEvent[];
  }
}

/** The orchestrationTrigger payload (DurableOrchestrationBindingInfo) the extension sends, schema V3. */
export function orchestrationTriggerInput(history: HistoryEvent[], input: unknown, instanceId: string, isReplaying: boolean): Record<string, unknown> {
  return {
    history, input, instanceId, isReplaying, parentInstanceId: null,
    upperSchemaVersion: 1, upperSchemaVersionNew: 2,
    longRunningTimerIntervalDuration: '3.00:00:00', maximumShortTimerDuration: '6.00:00:00',
    defaultHttpAsyncRequestSleepTimeMillseconds: 30000,
  };
}

/** The state a JS orchestrator returns (OrchestratorState). */
export interface OrchestratorState {
  isDone: boolean;
  actions: Record<string, unknown>[][];
  output?: unknown;
  error?: string;
  customStatus?: unknown;
  schemaVersion: number;
}

/** An orchestrator as the worker calls it: `handler(triggerInput, invocationContext)`. */
export type OrchestratorHandler = (trigger: unknown, context: unknown) => Promise<unknown>;

/** Runs one episode; a failing orchestrator's state is recovered from the OrchestrationFailureError text, as the extension does. */
export async function runEpisode(
  handler: OrchestratorHandler, makeContext: () => unknown, history: HistoryEvent[], input: unknown, instanceId: string, isReplaying: boolean,
): Promise<{ state: OrchestratorState; failed: boolean }> {
  try {
    // The extension sends the trigger as JSON text: every episode sees fresh copies of history and input.
    const trigger = JSON.parse(JSON.stringify(orchestrationTriggerInput(history, input ?? null, instanceId, isReplaying))) as unknown;
    const state = (await handler(trigger, makeContext())) as OrchestratorState;
    return { state: JSON.parse(JSON.stringify(state)) as OrchestratorState, failed: false };
  } catch (err) {
    const text = err instanceof Error ? err.message : String(err);
    const marker = '$OutOfProcData$:';
    const at = text.indexOf(marker);
    if (at < 0) throw err;
    return { state: JSON.parse(text.slice(at + marker.length)) as OrchestratorState, failed: true };
  }
}

export interface ActivityCall {
  name: string;
  input: unknown;
  /** 1 for the first attempt of a callActivityWithRetry, 2 for its first retry, … */
  attempt: number;
  /** 0-based count of earlier calls to the same activity name (all attempts included). */
  callIndex: number;
  /** Virtual time the activity ran at. */
  at: Date;
}

export type ActivityResult = { result: unknown } | { error: string };
export type ActivityScript = (call: ActivityCall) => ActivityResult;

export const completes = (result: unknown): ActivityResult => ({ result });
export const throws = (error: string): ActivityResult => ({ error });

interface RetryOptionsWire {
  firstRetryIntervalInMilliseconds: number;
  maxNumberOfAttempts: number;
  backoffCoefficient?: number;
  maxRetryIntervalInMilliseconds?: number;
}

type PendingWork =
  | { kind: 'activity'; name: string; input: unknown; attempt: number; retry: RetryOptionsWire | null; dueAt: number }
  | { kind: 'timer'; fireAt: Date; dueAt: number; retryOf: { name: string; input: unknown; attempt: number; retry: RetryOptionsWire } | null };

/** An external event (DurableClient.raiseEvent) arriving at a virtual time. */
export interface ExternalEvent {
  name: string;
  input?: unknown;
  at: Date;
}

export interface RunOptions {
  orchestratorName: string;
  instanceId: string;
  input: unknown;
  startAt: Date;
  activities: Record<string, ActivityScript>;
  /** How long each activity takes on the virtual clock (default 250 ms), or per call. */
  activityLatencyMs?: number | ((name: string, input: unknown) => number);
  /** Events raised on the instance; an event due at the same time as other work is delivered first. */
  events?: ExternalEvent[];
  maxEpisodes?: number;
  makeContext: () => unknown;
}

export interface RunResult {
  runtimeStatus: 'Completed' | 'Failed';
  output: unknown;
  error: string | undefined;
  /** The state of the last episode. */
  finalState: OrchestratorState;
  /** Every episode's custom status, in order. */
  customStatuses: unknown[];
  calls: ActivityCall[];
  /** The timers the orchestrator asked for (retry timers excluded), in order. */
  timers: string[];
  /** Those of `timers` it canceled before they fired. */
  canceledTimers: string[];
  /** The external events delivered to the orchestration, with the virtual time they arrived. */
  eventsDelivered: { name: string; at: string }[];
  /** History of the last execution, and the input it ran with. */
  history: HistoryEvent[];
  lastInput: unknown;
  executions: number;
  episodes: number;
}

/** Drives `handler` to completion: a deterministic host with a virtual clock. */
export async function runOrchestration(handler: OrchestratorHandler, options: RunOptions): Promise<RunResult> {
  const latencyOption = options.activityLatencyMs ?? 250;
  const latencyOf = (name: string, activityInput: unknown): number =>
    (typeof latencyOption === 'number' ? latencyOption : latencyOption(name, activityInput));
  const events = [...(options.events ?? [])].sort((a, b) => a.at.getTime() - b.at.getTime());
  const eventsDelivered: { name: string; at: string }[] = [];
  const canceledTimers: string[] = [];
  const maxEpisodes = options.maxEpisodes ?? 20_000;
  const calls: ActivityCall[] = [];
  const callCounts = new Map<string, number>();
  const customStatuses: unknown[] = [];
  const timers: string[] = [];
  let clock = options.startAt.getTime();
  let input = options.input;
  let executions = 0;
  let episodes = 0;

  for (;;) {
    executions += 1;
    const history = new HistoryBuilder();
    history.orchestratorStarted(new Date(clock)).executionStarted(options.orchestratorName, options.instanceId, input, new Date(clock));
    const pending = new Map<number, PendingWork>();
    let nextId = 0;
    let knownActions = 0;
    let continued = false;
    /** Host id of each action that got one (activities and timers), by the action's index. */
    const actionIds: (number | undefined)[] = [];
    const canceledIds = new Set<number>();

    for (;;) {
      episodes += 1;
      if (episodes > maxEpisodes) throw new Error(`orchestration did not finish within ${maxEpisodes} episodes`);
      const { state, failed } = await runEpisode(handler, options.makeContext, history.snapshot(), input, options.instanceId, executions > 1 || history.events.length > 2);
      customStatuses.push(state.customStatus);
      if (failed) {
        return { runtimeStatus: 'Failed', output: undefined, error: state.error, finalState: state, customStatuses, calls, timers, canceledTimers,
          eventsDelivered, history: history.snapshot(), lastInput: input, executions, episodes };
      }
      const actions = flattenActions(state.actions.length === 0 ? [] : state.actions[0]!);
      if (state.actions.length > 1) throw new Error('schema V3 expects exactly one outer action array');
      const fresh = actions.slice(knownActions);
      knownActions = actions.length;
      const now = new Date(clock);
      for (const action of fresh) {
        actionIds.push(action.actionType === ActionType.CallActivity || action.actionType === ActionType.CallActivityWithRetry
          || action.actionType === ActionType.CreateTimer ? nextId : undefined);
        switch (action.actionType) {
          case ActionType.CallActivity:
          case ActionType.CallActivityWithRetry: {
            const id = nextId++;
            const name = String(action.functionName);
            const activityInput = decodeActionInput(action.input);
            history.taskScheduled(id, name, activityInput, now);
            const retry = action.actionType === ActionType.CallActivityWithRetry ? (action.retryOptions as RetryOptionsWire) : null;
            pending.set(id, { kind: 'activity', name, input: activityInput, attempt: 1, retry, dueAt: clock + latencyOf(name, activityInput) });
            break;
          }
          case ActionType.CreateTimer: {
            const id = nextId++;
            const fireAt = new Date(String(action.fireAt));
            timers.push(fireAt.toISOString());
            history.timerCreated(id, fireAt, now);
            pending.set(id, { kind: 'timer', fireAt, dueAt: fireAt.getTime(), retryOf: null });
            break;
          }
          case ActionType.WaitForExternalEvent:
            // Nothing is scheduled: the event arrives as EventRaised, matched by name.
            break;
          case ActionType.ContinueAsNew:
            input = decodeActionInput(action.input);
            continued = true;
            break;
          default:
            throw new Error(`the test host does not support action type ${String(action.actionType)}`);
        }
      }
      // Canceled timers (the action list is cumulative, and cancel() flips isCanceled on an action already sent).
      for (const [index, action] of actions.entries()) {
        const id = actionIds[index];
        if (action.actionType !== ActionType.CreateTimer || action.isCanceled !== true || id === undefined || canceledIds.has(id)) continue;
        canceledIds.add(id);
        canceledTimers.push(new Date(String(action.fireAt)).toISOString());
        pending.delete(id);
      }
      history.orchestratorCompleted(now);
      if (continued) break;
      if (state.isDone) {
        return { runtimeStatus: 'Completed', output: state.output, error: undefined, finalState: state, customStatuses, calls, timers, canceledTimers,
          eventsDelivered, history: history.snapshot(), lastInput: input, executions, episodes };
      }
      if (pending.size === 0 && events.length === 0) throw new Error('the orchestration is not done but waits for nothing (id mismatch?)');

      // Deliver the earliest pending completion (or external event) in a new episode.
      const next = [...pending.entries()].sort((a, b) => a[1].dueAt - b[1].dueAt || a[0] - b[0])[0];
      if (events.length > 0 && (next === undefined || events[0]!.at.getTime() <= next[1].dueAt)) {
        const event = events.shift()!;
        clock = Math.max(clock, event.at.getTime());
        const at = new Date(clock);
        history.orchestratorStarted(at);
        history.eventRaised(event.name, event.input, at);
        eventsDelivered.push({ name: event.name, at: at.toISOString() });
        continue;
      }
      const [id, work] = next!;
      pending.delete(id);
      clock = Math.max(clock, work.dueAt);
      const at = new Date(clock);
      history.orchestratorStarted(at);
      if (work.kind === 'activity') {
        const callIndex = callCounts.get(work.name) ?? 0;
        callCounts.set(work.name, callIndex + 1);
        const call: ActivityCall = { name: work.name, input: work.input, attempt: work.attempt, callIndex, at };
        calls.push(call);
        const script = options.activities[work.name];
        if (script === undefined) throw new Error(`no script for activity ${work.name}`);
        const result = script(call);
        if ('result' in result) {
          history.taskCompleted(id, JSON.parse(JSON.stringify(result.result ?? null)), at);
        } else {
          history.taskFailed(id, work.name, result.error, at);
          if (work.retry !== null) {
            const delay = retryDelay(work.retry, work.attempt - 1);
            const timerId = nextId++;
            const fireAt = new Date(clock + delay);
            history.timerCreated(timerId, fireAt, at);
            pending.set(timerId, { kind: 'timer', fireAt, dueAt: fireAt.getTime(),
              retryOf: { name: work.name, input: work.input, attempt: work.attempt, retry: work.retry } });
          }
        }
      } else {
        history.timerFired(id, work.fireAt, at);
        if (work.retryOf !== null && work.retryOf.attempt < work.retryOf.retry.maxNumberOfAttempts) {
          const retryId = nextId++;
          history.taskScheduled(retryId, work.retryOf.name, work.retryOf.input, at);
          pending.set(retryId, { kind: 'activity', name: work.retryOf.name, input: work.retryOf.input,
            attempt: work.retryOf.attempt + 1, retry: work.retryOf.retry, dueAt: clock + latencyOf(work.retryOf.name, work.retryOf.input) });
        }
      }
    }
  }
}

/** DTFx RetryInterceptor.ComputeNextDelay: first × coefficient^attempt (attempt from 0), capped. */
export function retryDelay(retry: RetryOptionsWire, attempt: number): number {
  const delay = retry.firstRetryIntervalInMilliseconds * Math.pow(retry.backoffCoefficient ?? 1, attempt);
  const cap = retry.maxRetryIntervalInMilliseconds;
  return cap !== undefined && cap > 0 ? Math.min(delay, cap) : delay;
}

/** Activity inputs that are strings arrive JSON-encoded (Utils.processInput); objects arrive as they are. */
function decodeActionInput(value: unknown): unknown {
  if (typeof value === 'string') return JSON.parse(value) as unknown;
  return JSON.parse(JSON.stringify(value ?? null)) as unknown;
}
