// The episode executor on history data: given an instance's committed history and engine state, the delivered
// messages and what the orchestrator returns, expect these appended events, this outgoing work and this status.
// Nothing is written: the executor only decides (the commit is tested in episodeCommit.test.ts).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createClock } from '../../../../local/host/clock';
import { ActionType, recordOf, type ActionJson } from '../../../../local/host/durable/actions';
import { newEngineState, pendingInstanceRecord, type EngineState } from '../../../../local/host/durable/engineState';
import { EpisodeExecutor, type Invoke } from '../../../../local/host/durable/episodeExecutor';
import { functionCatalog } from '../../../../local/host/durable/functionCatalog';
import { EventType, history as events, type HistoryEvent } from '../../../../local/host/durable/history';
import type { InstanceState } from '../../../../local/host/durable/instanceState';
import type { FunctionMetadata, RpcInvocationRequest } from '../../../../local/host/rpc/types';
import type { InboxMessage, ParentRef } from '../../../../local/host/store/store';

const T = Date.parse('2026-01-01T00:00:00Z');
const functions: FunctionMetadata[] = [
  { name: 'Orch', functionId: 'Orch', bindings: { t: { type: 'orchestrationTrigger', direction: 'in' } } },
  { name: 'Act', functionId: 'Act', bindings: { t: { type: 'activityTrigger', direction: 'in' } } },
];
const start = (): HistoryEvent => events.executionStarted(T, { instanceId: 'i', executionId: 'e1', name: 'Orch', version: '', input: '"in"', parent: null });
let seq = 0;
const msg = (event: HistoryEvent): InboxMessage => ({ id: `m${String(seq++).padStart(4, '0')}`, instanceId: 'i', executionId: 'e1', visibleAt: 0, event });

function instance(o: { name?: string; history?: HistoryEvent[]; engine?: Partial<EngineState>; parent?: ParentRef } = {}): InstanceState {
  const record = pendingInstanceRecord({ instanceId: 'i', name: o.name ?? 'Orch', version: '', executionId: 'e1', input: '"in"', parent: o.parent ?? null, createdTime: T, now: T });
  record.historyLength = o.history?.length ?? 0;
  if (o.history) record.runtimeStatus = 'Running';
  return { record, committed: structuredClone(record), version: 'v', history: o.history ?? [], engine: { ...newEngineState(), ...o.engine } };
}

/** A worker whose orchestrator returns `actions` (and `output` when done); it records the bindings it was given. */
function orchestrator(actions: ActionJson[], done?: { output: unknown }, openTaskIds: number[] = []): { invoke: Invoke; bindings: { history: HistoryEvent[]; isReplaying: boolean; input: unknown }[] } {
  const bindings: { history: HistoryEvent[]; isReplaying: boolean; input: unknown }[] = [];
  const invoke: Invoke = async (req: RpcInvocationRequest) => {
    bindings.push(JSON.parse(String(req.inputData[0]?.data?.string)) as (typeof bindings)[number]);
    const state = { isDone: done !== undefined, actions: [actions], output: done?.output, schemaVersion: 2 };
    return { response: { returnValue: { json: JSON.stringify(state) } }, probe: { actions, openTaskIds, canceledTimerIds: [], deferredTaskIds: [] } };
  };
  return { invoke, bindings };
}

function executor(invoke: Invoke, logs: string[] = []): EpisodeExecutor {
  return new EpisodeExecutor({ invoke, functions: functionCatalog(functions), clock: createClock('manual'), log: (e) => logs.push(e.message) });
}

const types = (list: HistoryEvent[]) => list.map((e) => EventType[e.EventType]);
const callAct: ActionJson = { actionType: ActionType.CallActivity, functionName: 'Act', input: 'x' };

describe('episode executor', () => {
  it('first episode: replays the start, schedules the activity, stays Running', async () => {
    const { invoke, bindings } = orchestrator([callAct], undefined, [0]);
    const state = instance();
    const start0 = msg(start());
    const result = await executor(invoke).run(state, [start0]);
    assert.deepEqual(types(result.appended), ['OrchestratorStarted', 'ExecutionStarted', 'TaskScheduled', 'OrchestratorCompleted']);
    assert.deepEqual(result.outbound.map((o) => o.type), ['activity']);
    assert.deepEqual(result.consumed, [start0.id]);
    assert.equal(state.record.runtimeStatus, 'Running');
    assert.deepEqual(state.engine.pending, { '0': { kind: 'activity', retryKey: undefined } });
    assert.equal(bindings[0]?.isReplaying, false);
    assert.equal(bindings[0]?.input, 'in');
    assert.deepEqual(types(bindings[0]?.history ?? []), ['OrchestratorStarted', 'ExecutionStarted']);
  });

  it('completion episode: replays the whole history as played and completes with the output', async () => {
    const history = [events.orchestratorStarted(T), start(), events.taskScheduled(T, 0, 'Act', '["x"]'), events.orchestratorCompleted(T)];
    const state = instance({ history, engine: { nextId: 1, actions: [recordOf(callAct, 0)], pending: { '0': { kind: 'activity' } }, lastTimestamp: T } });
    const { invoke, bindings } = orchestrator([callAct], { output: 'done' });
    const result = await executor(invoke).run(state, [msg(events.taskCompleted(T, 0, '"r"'))]);
    assert.deepEqual(types(result.appended), ['OrchestratorStarted', 'TaskCompleted', 'ExecutionCompleted', 'OrchestratorCompleted']);
    assert.equal(state.record.runtimeStatus, 'Completed');
    assert.equal(state.record.output, '"done"');
    assert.equal(bindings[0]?.isReplaying, true);
    assert.deepEqual(bindings[0]?.history.map((e) => e.IsPlayed), [true, true, true, true, false, false]);
    assert.ok(Date.parse(result.appended[0]?.Timestamp ?? '') > T, 'OrchestratorStarted times increase from episode to episode');
  });

  it('a sub-orchestration tells its parent when it ends', async () => {
    const parent = { instanceId: 'p', executionId: 'pe', name: 'Parent', taskScheduledId: 4 };
    const result = await executor(orchestrator([], { output: 7 }).invoke).run(instance({ parent }), [msg(start())]);
    const notify = result.outbound.find((o) => o.type === 'notifyParent');
    assert.ok(notify?.type === 'notifyParent');
    assert.equal(notify.message.instanceId, 'p');
    assert.equal(notify.message.executionId, 'pe');
    assert.equal(notify.message.event.EventType, EventType.SubOrchestrationInstanceCompleted);
    assert.equal(notify.message.event.TaskScheduledId, 4);
  });

  it('continueAsNew: ends the execution and sends the next execution its start message', async () => {
    const { invoke } = orchestrator([{ actionType: ActionType.ContinueAsNew, input: 2 }], { output: undefined });
    const state = instance();
    const result = await executor(invoke).run(state, [msg(start())]);
    assert.equal(state.record.runtimeStatus, 'ContinuedAsNew');
    const next = result.outbound.find((o) => o.type === 'message');
    assert.ok(next?.type === 'message');
    assert.equal(next.message.event.EventType, EventType.ExecutionStarted);
    assert.equal(next.message.event.Input, '2');
    assert.notEqual(next.message.executionId, 'e1');
  });

  describe('ends the instance Failed, naming the cause', () => {
    const cases: { name: string; state: () => InstanceState; actions: ActionJson[]; message: RegExp }[] = [
      { name: 'orchestrator function missing', state: () => instance({ name: 'Nope' }), actions: [], message: /The function 'Nope' doesn't exist/ },
      {
        name: 'replay differs from the recorded actions',
        state: () => instance({ history: [events.orchestratorStarted(T), start(), events.taskScheduled(T, 0, 'Act', '["x"]'), events.orchestratorCompleted(T)], engine: { nextId: 1, actions: [recordOf(callAct, 0)], pending: { '0': { kind: 'activity' } } } }),
        actions: [{ actionType: ActionType.CallActivity, functionName: 'Other', input: null }],
        message: /Non-deterministic orchestrator detected in 'Orch'/,
      },
      { name: 'an unsupported API', state: () => instance(), actions: [{ actionType: ActionType.CallHttp }], message: /callHttp/ },
    ];
    for (const c of cases) {
      it(c.name, async () => {
        const logs: string[] = [];
        const state = c.state();
        const batch = state.history.length > 0 ? [msg(events.taskCompleted(T, 0, null))] : [msg(start())];
        const result = await executor(orchestrator(c.actions).invoke, logs).run(state, batch);
        assert.equal(state.record.runtimeStatus, 'Failed');
        assert.match(String(state.record.output), c.message);
        assert.equal(result.appended.at(-2)?.EventType, EventType.ExecutionCompleted);
        assert.equal(logs.filter((l) => l.includes('failed')).length, 1, 'logged once');
      });
    }
  });

  it('terminate: no replay; pending timers canceled', async () => {
    let invoked = 0;
    const state = instance({ history: [events.orchestratorStarted(T), start()], engine: { pending: { '3': { kind: 'timer' }, '4': { kind: 'activity' } } } });
    const result = await executor(async () => (invoked++, {})).run(state, [msg(events.executionTerminated(T, 'stop'))]);
    assert.equal(invoked, 0);
    assert.deepEqual(types(result.appended), ['OrchestratorStarted', 'ExecutionTerminated', 'ExecutionCompleted', 'OrchestratorCompleted']);
    assert.deepEqual(result.outbound, [{ type: 'cancelTimer', timerId: 3 }]);
    assert.equal(state.record.runtimeStatus, 'Terminated');
    assert.equal(state.record.output, 'stop');
  });

  it('suspend and resume only change the status', async () => {
    const state = instance({ history: [events.orchestratorStarted(T), start()] });
    const exec = executor(async () => assert.fail('no replay'));
    await exec.run(state, [msg(events.executionSuspended(T, null))]);
    assert.equal(state.record.runtimeStatus, 'Suspended');
    const result = await exec.run(state, [msg(events.executionResumed(T, null))]);
    assert.equal(state.record.runtimeStatus, 'Running');
    assert.deepEqual(types(result.appended), ['OrchestratorStarted', 'ExecutionResumed', 'OrchestratorCompleted']);
  });

  it('throws (nothing decided) when the worker could not run the orchestrator', async () => {
    const exec = executor(async () => ({ error: { name: 'WorkerExited', message: 'worker exited with code 1' } }));
    await assert.rejects(exec.run(instance(), [msg(start())]), /could not run: worker exited/);
  });
});
