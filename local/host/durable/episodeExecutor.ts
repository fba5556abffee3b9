// The episode executor: what DTFx's TaskOrchestrationDispatcher does for one batch of an instance's messages.
// It appends OrchestratorStarted and the delivered events, replays the orchestrator through the worker with
// the whole history, gives the new actions the ids the JS library gave their tasks, checks the replay against
// what was recorded and translates the new actions into history and outgoing work. It writes nothing: the
// result (events to append, outgoing work, consumed messages) is handed to the commit.
import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock';
import type { HostLog } from '../log';
import type { RpcInvocationRequest } from '../rpc/types';
import type { InboxMessage } from '../store/store';
import type { InvocationOutcome } from '../worker/invoker';
import { ActionType, flattenActions, parseAction, recordOf, type ActionJson } from './actions';
import { translateAction, type EpisodeContext } from './actionTranslation';
import { newEngineState } from './engineState';
import { functionOfType, type FunctionCatalog } from './functionCatalog';
import { EventType, history as events, OrchestrationStatusCode, type HistoryEvent, type ParentInstanceInfo } from './history';
import { deterministicGuidN } from './instanceIds';
import type { InstanceState } from './instanceState';
import { readOrchestratorOutcome } from './orchestratorResult';
import { messageId, type Outbound } from './outbound';
import { checkReplay } from './replayCheck';
import { replayGuard } from './replayGuard';
import { trackCompletion } from './retryTracking';
import { unsupportedActionApi, unsupportedActionMessage } from './unsupportedApis';

export type Invoke = (request: RpcInvocationRequest) => Promise<InvocationOutcome>;

/** What an episode decided: the commit writes it. `state` (record, engine) is already updated. */
export interface EpisodeResult {
  now: number;
  appended: HistoryEvent[];
  outbound: Outbound[];
  consumed: string[];
}

export type EpisodeEnd = { status: 'Completed'; output: string | null } | { status: 'Failed'; message: string; details: string };

/** The episode context the action handlers and retry tracking write into. */
export function episodeContext(state: InstanceState, now: number): EpisodeContext {
  return { now, instance: state.record, engine: state.engine, scheduled: [], outbound: [] };
}

/** The OrchestratorStarted time of the next episode: it must increase from episode to episode (research §6.5). */
export function episodeTimestamp(state: InstanceState, clock: Clock): number {
  const now = Math.max(clock.now(), state.engine.lastTimestamp + 1);
  state.engine.lastTimestamp = now;
  return now;
}

function parseJsonOrNull(text: string | null): unknown {
  if (text === null) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** Work still pending is abandoned when the execution ends, like DTFx after the orchestration completes. */
function cancelAllPending(state: InstanceState): Outbound[] {
  const out: Outbound[] = [];
  for (const [id, work] of Object.entries(state.engine.pending)) {
    if (work.kind === 'timer' || work.kind === 'retryTimer') out.push({ type: 'cancelTimer', timerId: Number(id) });
  }
  state.engine.pending = {};
  state.engine.retries = {};
  return out;
}

function parentNotification(state: InstanceState, now: number, status: 'Completed' | 'Failed' | 'Terminated', result: string | null, details: string | null): Outbound[] {
  const parent = state.record.parent;
  if (!parent) return [];
  const event =
    status === 'Completed' ? events.subOrchestrationCompleted(now, parent.taskScheduledId, result) : events.subOrchestrationFailed(now, parent.taskScheduledId, result ?? '', details);
  return [{ type: 'notifyParent', message: { id: messageId(now), instanceId: parent.instanceId, executionId: parent.executionId, visibleAt: 0, event } }];
}

/** Ends the execution Completed or Failed: ExecutionCompleted, pending work abandoned, the parent told. */
export function completeExecution(state: InstanceState, now: number, appended: HistoryEvent[], outbound: Outbound[], consumed: string[], end: EpisodeEnd): EpisodeResult {
  const { record, engine } = state;
  const completion =
    end.status === 'Completed'
      ? events.executionCompleted(now, engine.nextId, OrchestrationStatusCode.Completed, end.output)
      : events.executionCompleted(now, engine.nextId, OrchestrationStatusCode.Failed, end.message, end.details);
  record.runtimeStatus = end.status;
  record.output = end.status === 'Completed' ? end.output : end.message;
  const cleanup = cancelAllPending(state);
  const notify = end.status === 'Completed' ? parentNotification(state, now, 'Completed', end.output, null) : parentNotification(state, now, 'Failed', end.message, end.details);
  return { now, appended: [...appended, completion, events.orchestratorCompleted(now)], outbound: [...outbound, ...cleanup, ...notify], consumed };
}

function continueAsNew(state: InstanceState, now: number, appended: HistoryEvent[], outbound: Outbound[], consumed: string[], input: string | null): EpisodeResult {
  const { record, engine } = state;
  const completion = events.executionCompleted(now, engine.nextId, OrchestrationStatusCode.ContinuedAsNew, input);
  const cleanup = cancelAllPending(state);
  record.runtimeStatus = 'ContinuedAsNew';
  // The next execution's start message is part of this commit (written before the row), so a crash
  // cannot leave a ContinuedAsNew instance without it; adoptNextExecution picks it up. Its id derives
  // from this execution's, so a re-run of an interrupted episode sends the same one.
  const executionId = deterministicGuidN(`${record.executionId}:continueAsNew`);
  const parent: ParentInstanceInfo | null = record.parent
    ? { Name: record.parent.name, Version: '', TaskScheduleId: record.parent.taskScheduledId, OrchestrationInstance: { InstanceId: record.parent.instanceId, ExecutionId: record.parent.executionId } }
    : null;
  const next: InboxMessage = {
    id: messageId(now),
    instanceId: record.instanceId,
    executionId,
    visibleAt: 0,
    event: events.executionStarted(now, { instanceId: record.instanceId, executionId, name: record.name, version: record.version, input, parent }),
  };
  return { now, appended: [...appended, completion, events.orchestratorCompleted(now)], outbound: [...outbound, ...cleanup, { type: 'message', message: next }], consumed };
}

function terminateEpisode(state: InstanceState, message: InboxMessage, now: number): EpisodeResult {
  const reason = (message.event.Input as string | null) ?? null;
  const appended = [
    events.orchestratorStarted(now),
    { ...message.event },
    events.executionCompleted(now, state.engine.nextId, OrchestrationStatusCode.Terminated, reason),
    events.orchestratorCompleted(now),
  ];
  state.record.runtimeStatus = 'Terminated';
  state.record.output = reason;
  const outbound: Outbound[] = [...cancelAllPending(state), ...parentNotification(state, now, 'Terminated', reason, null)];
  return { now, appended, outbound, consumed: [message.id] };
}

function suspendEpisode(state: InstanceState, message: InboxMessage, now: number): EpisodeResult {
  state.record.runtimeStatus = message.event.EventType === EventType.ExecutionSuspended ? 'Suspended' : 'Running';
  return { now, appended: [events.orchestratorStarted(now), { ...message.event }, events.orchestratorCompleted(now)], outbound: [], consumed: [message.id] };
}

export interface EpisodeExecutorOptions {
  invoke: Invoke;
  functions: FunctionCatalog;
  clock: Clock;
  log: HostLog;
}

export class EpisodeExecutor {
  #probeWarned = false;

  constructor(private readonly options: EpisodeExecutorOptions) {}

  /** Runs one episode over `batch` (as selectBatch chose it); throws only when the worker could not run it. */
  async run(state: InstanceState, batch: readonly InboxMessage[]): Promise<EpisodeResult> {
    const [first] = batch;
    if (!first) throw new Error('an episode needs at least one message');
    const now = episodeTimestamp(state, this.options.clock);
    const type = first.event.EventType;
    if (type === EventType.ExecutionTerminated) return terminateEpisode(state, first, now);
    if (type === EventType.ExecutionSuspended || type === EventType.ExecutionResumed) return suspendEpisode(state, first, now);
    return this.#logFailure(state, await this.#orchestratorEpisode(state, batch, now));
  }

  /** Ends an instance the host could not process (poison): its visible messages are consumed by the failure. */
  failPoisoned(state: InstanceState, visible: string[], message: string, details: string): EpisodeResult {
    const now = episodeTimestamp(state, this.options.clock);
    return this.#logFailure(state, completeExecution(state, now, [events.orchestratorStarted(now)], [], visible, { status: 'Failed', message, details }));
  }

  #logFailure(state: InstanceState, result: EpisodeResult): EpisodeResult {
    const { record } = state;
    if (record.runtimeStatus === 'Failed') this.options.log({ level: 'error', category: 'durable', message: `Instance ${record.instanceId} failed: ${record.output ?? ''}` });
    return result;
  }

  async #orchestratorEpisode(state: InstanceState, batch: readonly InboxMessage[], now: number): Promise<EpisodeResult> {
    const { record } = state;
    if (batch[0]?.event.EventType === EventType.ExecutionStarted) {
      state.engine = { ...newEngineState(), lastTimestamp: state.engine.lastTimestamp };
      state.history = [];
      record.historyLength = 0;
    }
    const engine = state.engine;
    const newEvents: HistoryEvent[] = [events.orchestratorStarted(now)];
    const ctx = episodeContext(state, now);
    const { scheduled, outbound } = ctx;
    let hostFailure: string | undefined;
    for (const message of batch) {
      const event = { ...message.event };
      newEvents.push(event);
      hostFailure = trackCompletion(ctx, event) ?? hostFailure;
    }
    const consumed = batch.map((m) => m.id);
    const fail = (message: string, details = ''): EpisodeResult => completeExecution(state, now, [...newEvents, ...scheduled], outbound, consumed, { status: 'Failed', message, details });
    if (hostFailure) return fail(hostFailure);

    const fn = functionOfType(this.options.functions, record.name, 'orchestrationTrigger');
    if (!fn) return fail(`The function '${record.name}' doesn't exist, is disabled, or is not an orchestrator function.`);
    const historyForReplay: HistoryEvent[] = [...state.history.map((e) => ({ ...e, IsPlayed: true })), ...newEvents, ...scheduled];
    const started = historyForReplay.find((e) => e.EventType === EventType.ExecutionStarted);
    const binding = {
      history: historyForReplay,
      input: parseJsonOrNull((started?.Input as string | null | undefined) ?? null),
      instanceId: record.instanceId,
      isReplaying: state.history.length > 0,
      parentInstanceId: record.parent?.instanceId ?? null,
      upperSchemaVersion: 1,
      upperSchemaVersionNew: 2,
      longRunningTimerIntervalDuration: '3.00:00:00',
      // Large enough that durable-functions never builds LongTimerTasks: the host fires one timer at fireAt.
      maximumShortTimerDuration: '36500.00:00:00',
      defaultHttpAsyncRequestSleepTimeMillseconds: 30000,
    };
    const outcome = await this.options.invoke({
      invocationId: randomUUID(),
      functionId: fn.metadata.functionId ?? fn.metadata.name,
      inputData: [{ name: fn.triggerName, data: { string: JSON.stringify(binding) } }],
      triggerMetadata: {},
    });
    if (outcome.error?.name === 'WorkerExited' || outcome.error?.name === 'WorkerUnavailable') {
      throw new Error(`Orchestrator '${record.name}' could not run: ${outcome.error.message}`);
    }
    const result = readOrchestratorOutcome(record.name, outcome.response, outcome.error);
    if (result.state?.customStatus !== undefined) record.customStatus = JSON.stringify(result.state.customStatus);
    if (result.failure || !result.state) return fail(result.failure?.message ?? `Orchestrator '${record.name}' returned no state.`, result.failure?.details);
    const stateJson = result.state;

    let actions: ActionJson[];
    if (outcome.probe) actions = outcome.probe.actions as ActionJson[];
    else {
      if (!this.#probeWarned) {
        this.#probeWarned = true;
        this.options.log({ level: 'warning', category: 'durable', message: `Orchestration probe unavailable (${outcome.probeError}); using the JSON action list without duplicate detection.` });
      }
      actions = flattenActions(stateJson.actions[0] ?? []);
    }

    // Determinism: every recorded action must be replayed identically, in the same position.
    const mismatch = checkReplay(ctx, actions);
    if (mismatch) return fail(`Non-deterministic orchestrator detected in '${record.name}' ${mismatch}. Orchestrator code must replay the same actions in the same order.`);

    let continued: { input: string | null } | undefined;
    for (const json of actions.slice(engine.actions.length)) {
      const translated = translateAction(parseAction(json), ctx);
      if (translated.outcome.kind === 'refused') {
        return fail(unsupportedActionMessage(record.name, unsupportedActionApi(translated.outcome.actionType) ?? ActionType[translated.outcome.actionType]));
      }
      if (translated.outcome.kind === 'continueAsNew') continued = translated.outcome;
      engine.actions.push(recordOf(json, translated.id));
    }

    const appended = [...newEvents, ...scheduled];
    if (stateJson.isDone) {
      if (continued) return continueAsNew(state, now, appended, outbound, consumed, continued.input);
      const output = stateJson.output === undefined ? null : JSON.stringify(stateJson.output);
      return completeExecution(state, now, appended, outbound, consumed, { status: 'Completed', output });
    }
    const guard = outcome.probe ? replayGuard(engine.pending, outcome.probe) : undefined;
    if (guard) return fail(`Local host replay guard in '${record.name}': ${guard}. The orchestration would hang silently; this is a host/library id mismatch, please report it.`);
    record.runtimeStatus = 'Running';
    return { now, appended: [...appended, events.orchestratorCompleted(now)], outbound, consumed };
  }
}
