// The durable engine with a scripted worker: the hang guard, the probe fallback and commit visibility.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createClock } from '../../../local/host/clock';
import { DurableEngine, type Invoke } from '../../../local/host/durable/engine';
import { MemoryStore } from '../../../local/host/store/memoryStore';
import type { FunctionMetadata, RpcInvocationRequest } from '../../../local/host/rpc/types';
import type { InvocationOutcome } from '../../../local/host/worker/invoker';
import { elementAt } from '../../support/elementAt';

const functions: FunctionMetadata[] = [
  { name: 'Orch', functionId: 'Orch', bindings: { t: { type: 'orchestrationTrigger', direction: 'in' } } },
  { name: 'Act', functionId: 'Act', bindings: { t: { type: 'activityTrigger', direction: 'in' } } },
];

function state(isDone: boolean, actions: unknown[], output?: unknown): InvocationOutcome['response'] {
  return { returnValue: { json: JSON.stringify({ isDone, actions: [actions], output, schemaVersion: 2 }) } };
}

function makeEngine(invoke: Invoke): DurableEngine {
  return new DurableEngine({
    store: new MemoryStore(),
    clock: createClock('real'),
    invoke,
    functions,
    log: () => undefined,
    overridableExistingInstanceStates: 'AnyState',
    maxConcurrentActivityFunctions: 2,
    maxConcurrentOrchestratorFunctions: 2,
  });
}

async function settle(engine: DurableEngine, id: string): Promise<string> {
  for (let i = 0; i < 500; i++) {
    await engine.whenIdle();
    const record = await engine.getInstance(id);
    if (record && ['Completed', 'Failed', 'Terminated'].includes(record.runtimeStatus)) return record.runtimeStatus;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error('instance did not finish');
}

const callAct = { actionType: 0, functionName: 'Act', input: '"x"' };

describe('DurableEngine', () => {
  it('fails the instance when the orchestrator waits for ids the host never scheduled (silent hang guard)', async () => {
    const engine = makeEngine(async () => ({ response: state(false, [callAct]), probe: { actions: [callAct], openTaskIds: [1], canceledTimerIds: [], deferredTaskIds: [] } }));
    await engine.start();
    await engine.startOrchestration('Orch', 'guard-1', null);
    assert.equal(await settle(engine, 'guard-1'), 'Failed');
    const record = await engine.getInstance('guard-1');
    assert.match(String(record?.output), /Local host replay guard in 'Orch': the orchestrator waits for task id\(s\) \[1\] but the host has work pending for \[0\]/);
    await engine.stop();
  });

  it('fails the instance when a delivered completion lands in deferredTasks', async () => {
    let episode = 0;
    const engine = makeEngine(async (req: RpcInvocationRequest) => {
      if (req.functionId === 'Act') return { response: { returnValue: { string: 'done' } } };
      episode++;
      return { response: state(false, [callAct]), probe: { actions: [callAct], openTaskIds: episode === 1 ? [0] : [], canceledTimerIds: [], deferredTaskIds: episode === 1 ? [] : [0] } };
    });
    await engine.start();
    await engine.startOrchestration('Orch', 'guard-2', null);
    assert.equal(await settle(engine, 'guard-2'), 'Failed');
    assert.match(String((await engine.getInstance('guard-2'))?.output), /delivered completions for task id\(s\) 0 that the orchestrator is not waiting for/);
    await engine.stop();
  });

  it('falls back to the JSON action list when the probe is unavailable', async () => {
    const seen: RpcInvocationRequest[] = [];
    const engine = makeEngine(async (req) => {
      seen.push(req);
      if (req.functionId === 'Act') return { response: { returnValue: { string: 'done' } } };
      const binding = JSON.parse(String(elementAt(req.inputData, 0).data?.string)) as { history: { EventType: number; Result?: string }[] };
      const completed = binding.history.find((e) => e.EventType === 5);
      return { response: completed ? state(true, [callAct], JSON.parse(String(completed.Result))) : state(false, [callAct]), probeError: 'not available' };
    });
    await engine.start();
    await engine.startOrchestration('Orch', 'fallback', '"in"');
    assert.equal(await settle(engine, 'fallback'), 'Completed');
    assert.equal((await engine.getInstance('fallback'))?.output, '"done"');
    const activityCall = seen.find((r) => r.functionId === 'Act');
    assert.deepEqual(activityCall?.inputData[0]?.data, { string: '"x"' });
    assert.deepEqual(activityCall?.triggerMetadata, { instanceId: { string: 'fallback' } });
    const binding = JSON.parse(String(elementAt(elementAt(seen, 0).inputData, 0).data?.string)) as Record<string, unknown>;
    assert.equal(binding.input, 'in');
    assert.equal(binding.upperSchemaVersion, 1);
    assert.equal(binding.upperSchemaVersionNew, 2);
    assert.equal(binding.maximumShortTimerDuration, '36500.00:00:00');
    await engine.stop();
  });

  it('shows readers only committed state while an episode runs', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const engine = makeEngine(async () => {
      await gate;
      return { response: state(true, [], 'out'), probe: { actions: [], openTaskIds: [], canceledTimerIds: [], deferredTaskIds: [] } };
    });
    await engine.start();
    await engine.startOrchestration('Orch', 'visible', null);
    await new Promise((resolve) => setTimeout(resolve, 30));
    assert.equal((await engine.getInstance('visible'))?.runtimeStatus, 'Pending', 'the running episode is not visible yet');
    release();
    assert.equal(await settle(engine, 'visible'), 'Completed');
    assert.equal((await engine.getHistory('visible')).at(-1)?.EventType, 13);
    await engine.stop();
  });
});
