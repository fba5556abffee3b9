// An in-process Durable test environment on the local host's real engine (in the spirit of Temporal's
// time-skipping test environment): the app's orchestrators run exactly as registered with
// df.app.orchestration (loaded through the same functions-core shim and invocation pipeline as the host's
// worker), on the real DurableEngine with an in-memory store, so replay, task ids, retries and timers follow
// the host's rules. Activities are injected scripts; the clock is virtual and frozen: it moves only when
// nothing can progress, straight to the next timer, activity completion or scheduled external event.
//
// Usage:
//   const env = loadDurableTestEnvironment([require.resolve('../../../functions/deviceOperation')]);
//   const result = await env.run({
//     orchestratorName: 'deviceOperationOrchestrator', instanceId: 'op-1', input, startAt: new Date('2025-03-01T10:00:00Z'),
//     activities: { claimOperation: () => completes({ kind: 'claimed' }), readDeviceState: (call) => throws(`no read at ${call.at.toISOString()}`) },
//     activityLatencyMs: 250,                                  // virtual time each activity takes (number or per call)
//     events: [{ name: 'cancel', input: { by: 'test' }, at: new Date('2025-03-01T10:00:12Z') }],   // raised at virtual times
//   });
//   result.runtimeStatus / output / error, result.calls (name, input, callIndex, at), result.timers / canceledTimers,
//   result.customStatuses (one per episode), result.history (last execution), result.logs, result.executions / episodes.
//   env.replay(name, history, input, instanceId) runs one episode on a given history (determinism checks).
// An activity's script runs at the virtual time it completes (start + latency); a throws() result fails it as a
// throwing activity does. Several runs may share one environment: each gets a fresh engine, store and clock.
import { deterministicGuidN } from '../durable/instanceIds';
import { DurableEngine } from '../durable/engine';
import { refuseEntityFunctions } from '../durable/unsupportedApis';
import { EventType, type HistoryEvent } from '../durable/history';
import { readOrchestratorOutcome, type OrchestratorStateJson } from '../durable/orchestratorResult';
import { flattenActions, ActionType, type ActionJson } from '../durable/actions';
import type { Clock } from '../clock';
import type { FunctionMetadata, RpcInvocationRequest, RpcTypedData } from '../rpc/types';
import { findTrigger } from '../rpc/types';
import { MemoryStore } from '../store/memoryStore';
import { TERMINAL_STATUSES } from '../store/store';
import { createCoreApi, FunctionRegistry } from '../worker/coreApi';
import { invokeFunction, type InvocationOutcome } from '../worker/invoker';
import { setupCoreModule } from '../worker/setupCoreModule';

export interface ActivityCall {
  name: string;
  input: unknown;
  /** 0-based count of earlier calls to the same activity name (all attempts included). */
  callIndex: number;
  /** Virtual time the activity answered at. */
  at: Date;
}

export type ActivityResult = { result: unknown } | { error: string };
export type ActivityScript = (call: ActivityCall) => ActivityResult;
export const completes = (result: unknown): ActivityResult => ({ result });
export const throws = (error: string): ActivityResult => ({ error });

/** An external event (DurableClient.raiseEvent) raised at a virtual time, unless the instance has ended by then. */
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
  /** Virtual time each activity takes (default 250 ms), or per call. */
  activityLatencyMs?: number | ((name: string, input: unknown) => number);
  events?: ExternalEvent[];
  /** Fails the run after this many orchestrator episodes (default 20,000). */
  maxEpisodes?: number;
}

export interface RunLog {
  level: string;
  category: string;
  message: string;
  functionName: string;
}

export interface RunResult {
  runtimeStatus: 'Completed' | 'Failed' | 'Terminated';
  output: unknown;
  /** The failure text of a Failed instance (ExecutionCompleted.Result). */
  error: string | undefined;
  /** The OrchestratorState of the last episode. */
  finalState: OrchestratorStateJson;
  /** Every episode's custom status, in order. */
  customStatuses: unknown[];
  calls: ActivityCall[];
  /** fireAt of the timers the orchestrator created (retry timers excluded), in order. */
  timers: string[];
  /** Those of `timers` it canceled. */
  canceledTimers: string[];
  /** External events the orchestrator received, with the virtual time they arrived. */
  eventsDelivered: { name: string; at: string }[];
  /** History of the last execution, as the engine stored it. */
  history: HistoryEvent[];
  lastInput: unknown;
  executions: number;
  episodes: number;
  /** What the app logged through its InvocationContext (and the engine's own lines, category 'durable'). */
  logs: RunLog[];
}

export interface DurableTestEnvironment {
  readonly functions: FunctionMetadata[];
  run(options: RunOptions): Promise<RunResult>;
  /** One episode of `orchestratorName` on `history` (the trigger the engine would send, replaying). */
  replay(orchestratorName: string, history: HistoryEvent[], input: unknown, instanceId: string): Promise<OrchestratorStateJson | undefined>;
}

let sharedRegistry: FunctionRegistry | undefined;

/** The process-wide `@azure/functions-core` shim the app registers with (one per process, as in a worker). */
export function functionsCoreRegistry(): FunctionRegistry {
  if (!sharedRegistry) {
    const registry = new FunctionRegistry();
    setupCoreModule(createCoreApi(registry, () => undefined, '4.1036.0'));
    sharedRegistry = registry;
  }
  return sharedRegistry;
}

/** Loads app entry points (compiled files registering with df.app.*) and returns an environment for them. */
export function loadDurableTestEnvironment(entryPoints: string[]): DurableTestEnvironment {
  const registry = functionsCoreRegistry();
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- entry points load like the worker's loadScriptFile
  for (const file of entryPoints) require(file);
  // As the host does at startup: an app with durable entities is refused.
  refuseEntityFunctions([...registry.functions.values()].map((f) => f.metadata));
  return createEnvironment(registry);
}

/** A frozen virtual clock: time moves only when the environment advances it. */
class FrozenClock implements Clock {
  readonly mode = 'manual' as const;
  #now: number;
  readonly #listeners: (() => void)[] = [];
  constructor(start: number) {
    this.#now = start;
  }
  now(): number {
    return this.#now;
  }
  advance(ms: number): void {
    if (!(ms > 0)) return;
    this.#now += ms;
    for (const listener of this.#listeners) listener();
  }
  onAdvance(listener: () => void): void {
    this.#listeners.push(listener);
  }
  /** The environment moves this clock itself, once the engine is idle. */
  settle(): void {}
}

/** The worker's conversion of an activity's return value (toRpcTypedData in @azure/functions). */
function toTypedData(value: unknown): RpcTypedData | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return { string: value };
  if (typeof value === 'number' && Number.isInteger(value)) return { int: value };
  if (typeof value === 'number') return { double: value };
  return { json: JSON.stringify(value) };
}

function activityMetadata(name: string): FunctionMetadata {
  return { name, functionId: `test-activity:${name}`, bindings: { input: { type: 'activityTrigger', direction: 'in' } } };
}

function triggerPayload(request: RpcInvocationRequest): string | undefined {
  return request.inputData[0]?.data?.string ?? undefined;
}

function createEnvironment(registry: FunctionRegistry): DurableTestEnvironment {
  const registered = (): FunctionMetadata[] => [...registry.functions.values()].map((f) => f.metadata);

  async function invokeOrchestrator(request: RpcInvocationRequest, logs: RunLog[]): Promise<InvocationOutcome> {
    return invokeFunction(registry, request, (level, category, message, functionName) => logs.push({ level, category, message, functionName }));
  }

  return {
    get functions() {
      return registered();
    },

    async replay(orchestratorName, history, input, instanceId) {
      const fn = registered().find((f) => f.name === orchestratorName);
      if (!fn) throw new Error(`No orchestrator '${orchestratorName}' is registered.`);
      const binding = { history, input, instanceId, isReplaying: true, parentInstanceId: null, upperSchemaVersion: 1, upperSchemaVersionNew: 2, longRunningTimerIntervalDuration: '3.00:00:00', maximumShortTimerDuration: '36500.00:00:00', defaultHttpAsyncRequestSleepTimeMillseconds: 30000 };
      const outcome = await invokeOrchestrator(
        { invocationId: 'replay', functionId: fn.functionId ?? fn.name, inputData: [{ name: findTrigger(fn)?.name ?? 'context', data: { string: JSON.stringify(binding) } }], triggerMetadata: {} },
        [],
      );
      return readOrchestratorOutcome(orchestratorName, outcome.response, outcome.error).state;
    },

    async run(options) {
      const clock = new FrozenClock(options.startAt.getTime());
      const store = new MemoryStore();
      await store.init();
      const logs: RunLog[] = [];
      const calls: ActivityCall[] = [];
      const callCounts = new Map<string, number>();
      const customStatuses: unknown[] = [];
      const timers: string[] = [];
      const canceledTimers: string[] = [];
      const eventsDelivered: { name: string; at: string }[] = [];
      const executionIds: string[] = [];
      /** Per execution: how many actions were seen, and the action positions already counted as canceled. */
      const seen = new Map<string, { actions: number; canceled: Set<number>; events: number }>();
      let finalState: OrchestratorStateJson | undefined;
      let lastInput: unknown;
      let episodes = 0;
      const maxEpisodes = options.maxEpisodes ?? 20_000;
      const sleepers: { at: number; wake: () => void }[] = [];
      const latency = (name: string, input: unknown): number => {
        const option = options.activityLatencyMs ?? 250;
        return typeof option === 'number' ? option : option(name, input);
      };
      const activityNames = new Set(Object.keys(options.activities));
      const functions = [...registered().filter((f) => !activityNames.has(f.name)), ...[...activityNames].map(activityMetadata)];

      const runActivity = async (name: string, request: RpcInvocationRequest): Promise<InvocationOutcome> => {
        const text = triggerPayload(request);
        const input = text === undefined ? undefined : (JSON.parse(text) as unknown);
        const delay = latency(name, input);
        if (delay > 0) {
          await new Promise<void>((resolve) => {
            sleepers.push({ at: clock.now() + delay, wake: resolve });
            engine.recheckIdle();
          });
        }
        const callIndex = callCounts.get(name) ?? 0;
        callCounts.set(name, callIndex + 1);
        const call: ActivityCall = { name, input, callIndex, at: new Date(clock.now()) };
        calls.push(call);
        const script = options.activities[name];
        if (!script) throw new Error(`no script for activity ${name}`);
        const answer = script(call);
        if ('error' in answer) return { error: { name: 'Error', message: answer.error, stack: `Error: ${answer.error}` } };
        return { response: { returnValue: toTypedData(JSON.parse(JSON.stringify(answer.result ?? null)) as unknown) } as InvocationOutcome['response'] };
      };

      const observeEpisode = (request: RpcInvocationRequest, name: string, outcome: InvocationOutcome): void => {
        episodes++;
        const text = triggerPayload(request);
        const binding = text === undefined ? undefined : (JSON.parse(text) as { history: HistoryEvent[]; input: unknown });
        if (!binding) return;
        lastInput = binding.input;
        const started = binding.history.find((e) => e.EventType === EventType.ExecutionStarted);
        const executionId = (started?.OrchestrationInstance as { ExecutionId?: string } | undefined)?.ExecutionId ?? '';
        if (!executionIds.includes(executionId)) executionIds.push(executionId);
        const state = readOrchestratorOutcome(name, outcome.response, outcome.error).state;
        customStatuses.push(state?.customStatus);
        if (state) finalState = state;
        const record = seen.get(executionId) ?? { actions: 0, canceled: new Set<number>(), events: 0 };
        seen.set(executionId, record);
        const raised = binding.history.filter((e) => e.EventType === EventType.EventRaised);
        for (const event of raised.slice(record.events)) eventsDelivered.push({ name: String(event.Name), at: event.Timestamp });
        record.events = raised.length;
        const actions = (outcome.probe?.actions as ActionJson[] | undefined) ?? flattenActions(state?.actions[0] ?? []);
        actions.forEach((action, index) => {
          if (action.actionType !== ActionType.CreateTimer) return;
          const fireAt = new Date(String(action.fireAt)).toISOString();
          if (index >= record.actions) timers.push(fireAt);
          if (action.isCanceled === true && !record.canceled.has(index)) {
            record.canceled.add(index);
            canceledTimers.push(fireAt);
          }
        });
        record.actions = Math.max(record.actions, actions.length);
      };

      const invoke = async (request: RpcInvocationRequest): Promise<InvocationOutcome> => {
        const fn = functions.find((f) => (f.functionId ?? f.name) === request.functionId);
        if (fn && activityNames.has(fn.name)) return runActivity(fn.name, request);
        const outcome = await invokeOrchestrator(request, logs);
        if (fn && findTrigger(fn)?.binding.type === 'orchestrationTrigger') observeEpisode(request, fn.name, outcome);
        return outcome;
      };

      let executions = 0;
      const engine = new DurableEngine({
        store,
        clock,
        invoke,
        functions,
        log: (entry) => logs.push({ level: entry.level, category: entry.category, message: entry.message, functionName: entry.functionName ?? '' }),
        overridableExistingInstanceStates: 'NonRunningStates',
        maxConcurrentActivityFunctions: 10,
        maxConcurrentOrchestratorFunctions: 10,
        newExecutionId: () => deterministicGuidN(`${options.instanceId}:${executions++}`),
        waitingOnClock: () => sleepers.length,
        idleSettleMs: 0,
      });
      const events = [...(options.events ?? [])].sort((a, b) => a.at.getTime() - b.at.getTime());
      try {
        await engine.start();
        await engine.startOrchestration(options.orchestratorName, options.instanceId, JSON.stringify(options.input ?? null));
        for (;;) {
          await engine.whenIdle();
          if (episodes > maxEpisodes) throw new Error(`orchestration did not finish within ${maxEpisodes} episodes`);
          const record = await engine.getInstance(options.instanceId);
          if (!record) throw new Error(`instance ${options.instanceId} vanished`);
          if (TERMINAL_STATUSES.has(record.runtimeStatus)) {
            const history = await engine.getHistory(options.instanceId);
            if (!finalState) throw new Error('the orchestrator never ran');
            const status = record.runtimeStatus as RunResult['runtimeStatus'];
            return {
              runtimeStatus: status,
              output: status === 'Completed' && record.output !== null ? (JSON.parse(record.output) as unknown) : undefined,
              error: status === 'Completed' ? undefined : (record.output ?? undefined),
              finalState, customStatuses, calls, timers, canceledTimers, eventsDelivered,
              history: JSON.parse(JSON.stringify(history)) as HistoryEvent[],
              lastInput, executions: executionIds.length, episodes, logs,
            };
          }
          const nextWork = Math.min(engine.nextTimerDue() ?? Infinity, ...sleepers.map((s) => s.at));
          const event = events[0];
          if (event && event.at.getTime() <= nextWork) {
            events.shift();
            clock.advance(event.at.getTime() - clock.now());
            await engine.raiseEvent(options.instanceId, event.name, event.input === undefined ? null : JSON.stringify(event.input));
            continue;
          }
          if (nextWork === Infinity) throw new Error(`instance ${options.instanceId} is ${record.runtimeStatus} but waits for nothing the environment can deliver`);
          if (nextWork <= clock.now()) {
            // A timer already due fires from a real setTimeout: yield to it (whenIdle alone resolves in microtasks).
            await new Promise<void>((resolve) => setTimeout(resolve, 0));
          }
          clock.advance(nextWork - clock.now());
          for (const sleeper of sleepers.filter((s) => s.at <= clock.now())) {
            sleepers.splice(sleepers.indexOf(sleeper), 1);
            sleeper.wake();
          }
        }
      } finally {
        await engine.stop();
      }
    },
  };
}
