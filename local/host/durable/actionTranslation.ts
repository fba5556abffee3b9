// Action → history translation: what the Durable extension writes and sends for each new action an episode
// returns. One handler per action type; `translateAction` switches on the discriminator (exhaustive). A handler
// appends the scheduling event (TaskScheduled, SubOrchestrationInstanceCreated, TimerCreated) with the sequence id
// the JS library gave the task, records the work the host now owes the orchestrator, and queues the outgoing work.
import { ActionType, encodedInput, takesSequenceId, type OrchestratorAction } from './actions';
import type { EngineState } from './engineState';
import { history as events, type HistoryEvent } from './history';
import { deterministicGuidN } from './instanceIds';
import { timerMessage, type Outbound } from './outbound';
import type { RetryOptionsJson } from './retry';

export interface InstanceRef {
  instanceId: string;
  executionId: string;
  name: string;
}

/** What an episode is building: its scheduling events and outgoing work, and the engine state it mutates. */
export interface EpisodeContext {
  now: number;
  instance: InstanceRef;
  engine: EngineState;
  scheduled: HistoryEvent[];
  outbound: Outbound[];
}

export type ActionOutcome =
  | { kind: 'scheduled' }
  | { kind: 'continueAsNew'; input: string | null }
  | { kind: 'refused'; actionType: ActionType };

export interface CallTarget {
  kind: 'activity' | 'subOrchestration';
  name: string;
  input: unknown;
  /** The sub-orchestration's instance id, when the orchestrator chose one. */
  instanceId?: string;
}

export function scheduleActivity(ctx: EpisodeContext, id: number, name: string, input: unknown, retryKey?: number): void {
  const { instance } = ctx;
  // DTFx ScheduleTask serializes its parameter array: the input wrapped in an array (research §2.2).
  ctx.scheduled.push(events.taskScheduled(ctx.now, id, name, JSON.stringify([input ?? null])));
  ctx.engine.pending[String(id)] = { kind: 'activity', retryKey };
  ctx.outbound.push({
    type: 'activity',
    item: { key: `${instance.executionId}:${id}`, instanceId: instance.instanceId, executionId: instance.executionId, taskScheduledId: id, name, input: input === undefined ? null : JSON.stringify(input) },
  });
}

export function scheduleSubOrchestration(ctx: EpisodeContext, id: number, name: string, input: unknown, childInstanceId: string | undefined, retryKey?: number): void {
  const { instance } = ctx;
  // DTFx names unnamed sub-orchestrations "<executionId>:<id>" (TaskOrchestrationContext).
  const instanceId = childInstanceId || `${instance.executionId}:${id}`;
  const inputJson = input === undefined ? null : JSON.stringify(input);
  ctx.scheduled.push(events.subOrchestrationCreated(ctx.now, id, name, instanceId, inputJson));
  ctx.engine.pending[String(id)] = { kind: 'subOrchestration', retryKey };
  ctx.outbound.push({
    type: 'startChild',
    instanceId,
    executionId: deterministicGuidN(`${instance.executionId}:${id}`),
    name,
    input: inputJson,
    parent: { instanceId: instance.instanceId, executionId: instance.executionId, name: instance.name, taskScheduledId: id },
  });
}

export function scheduleCall(ctx: EpisodeContext, id: number, target: CallTarget, retryKey?: number): void {
  if (target.kind === 'activity') scheduleActivity(ctx, id, target.name, target.input, retryKey);
  else scheduleSubOrchestration(ctx, id, target.name, target.input, target.instanceId, retryKey);
}

/** A durable timer: TimerCreated now, TimerFired delivered at fireAt. */
export function scheduleTimer(ctx: EpisodeContext, id: number, fireAt: string, retryKey?: number): void {
  ctx.scheduled.push(events.timerCreated(ctx.now, id, fireAt));
  ctx.engine.pending[String(id)] = retryKey === undefined ? { kind: 'timer' } : { kind: 'retryTimer', retryKey };
  ctx.outbound.push({ type: 'timer', message: timerMessage(ctx.instance, id, fireAt) });
}

function startRetryPolicy(ctx: EpisodeContext, id: number, target: CallTarget, options: RetryOptionsJson): void {
  ctx.engine.retries[String(id)] = { ...target, options, failures: 0, firstAttemptAt: ctx.now };
  scheduleCall(ctx, id, target, id);
}

// ---------------------------------------------------------------- one handler per action type

type Handler<T extends OrchestratorAction['actionType']> = (action: Extract<OrchestratorAction, { actionType: T }>, id: number, ctx: EpisodeContext) => ActionOutcome;

const SCHEDULED: ActionOutcome = { kind: 'scheduled' };

const callActivity: Handler<ActionType.CallActivity> = (action, id, ctx) => {
  scheduleActivity(ctx, id, action.functionName, action.input);
  return SCHEDULED;
};

const callActivityWithRetry: Handler<ActionType.CallActivityWithRetry> = (action, id, ctx) => {
  startRetryPolicy(ctx, id, { kind: 'activity', name: action.functionName, input: action.input }, action.retryOptions);
  return SCHEDULED;
};

const callSubOrchestrator: Handler<ActionType.CallSubOrchestrator> = (action, id, ctx) => {
  scheduleSubOrchestration(ctx, id, action.functionName, action.input, action.instanceId);
  return SCHEDULED;
};

const callSubOrchestratorWithRetry: Handler<ActionType.CallSubOrchestratorWithRetry> = (action, id, ctx) => {
  startRetryPolicy(ctx, id, { kind: 'subOrchestration', name: action.functionName, input: action.input, instanceId: action.instanceId }, action.retryOptions);
  return SCHEDULED;
};

const createTimer: Handler<ActionType.CreateTimer> = (action, id, ctx) => {
  if (action.isCanceled) {
    // Canceled in the episode that created it: DTFx still creates the timer, but it never fires.
    ctx.scheduled.push(events.timerCreated(ctx.now, id, action.fireAt));
    return SCHEDULED;
  }
  scheduleTimer(ctx, id, action.fireAt);
  return SCHEDULED;
};

// Nothing to schedule: the event arrives as EventRaised and the JS library matches it by name.
const waitForExternalEvent: Handler<ActionType.WaitForExternalEvent> = () => SCHEDULED;

const continueAsNew: Handler<ActionType.ContinueAsNew> = (action) => ({ kind: 'continueAsNew', input: encodedInput(action.input) });

/**
 * Translates one new action. Actions that take a sequence id (activities, sub-orchestrations, timers) get the
 * next one, as TaskOrchestrationExecutor numbers its tasks; the id is returned for the determinism record.
 */
export function translateAction(action: OrchestratorAction, ctx: EpisodeContext): { id: number; outcome: ActionOutcome } {
  const id = takesSequenceId(action.actionType) ? ctx.engine.nextId++ : -1;
  return { id, outcome: handle(action, id, ctx) };
}

function handle(action: OrchestratorAction, id: number, ctx: EpisodeContext): ActionOutcome {
  switch (action.actionType) {
    case ActionType.CallActivity:
      return callActivity(action, id, ctx);
    case ActionType.CallActivityWithRetry:
      return callActivityWithRetry(action, id, ctx);
    case ActionType.CallSubOrchestrator:
      return callSubOrchestrator(action, id, ctx);
    case ActionType.CallSubOrchestratorWithRetry:
      return callSubOrchestratorWithRetry(action, id, ctx);
    case ActionType.CreateTimer:
      return createTimer(action, id, ctx);
    case ActionType.WaitForExternalEvent:
      return waitForExternalEvent(action, id, ctx);
    case ActionType.ContinueAsNew:
      return continueAsNew(action, id, ctx);
    case ActionType.CallEntity:
    case ActionType.SignalEntity:
    case ActionType.CallHttp:
    case ActionType.LockEntities:
    case ActionType.ReleaseEntities:
      return { kind: 'refused', actionType: action.actionType };
    default: {
      const unreachable: never = action;
      throw new Error(`Unhandled action ${JSON.stringify(unreachable)}`);
    }
  }
}
