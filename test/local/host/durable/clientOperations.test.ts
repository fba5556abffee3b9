// Client operations on a MemoryStore: the start writes its row and message in one write and honours
// overridableExistingInstanceStates; control operations are inbox messages; rewind of a failed instance
// schedules its failed activity again; purge forgets everything.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createClock } from '../../../../local/host/clock';
import { ClientOperations, NotFailedError, NotFoundError, OrchestrationAlreadyExistsError } from '../../../../local/host/durable/clientOperations';
import { commitEpisode } from '../../../../local/host/durable/episodeCommit';
import { EventType, history as events, OrchestrationStatusCode } from '../../../../local/host/durable/history';
import { Inbox } from '../../../../local/host/durable/inbox';
import { InstanceStates } from '../../../../local/host/durable/instanceState';
import { KeyedMutex } from '../../../../local/host/durable/workQueue';
import { MemoryStore } from '../../../../local/host/store/memoryStore';
import type { RuntimeStatus, WorkItem } from '../../../../local/host/store/store';

function client(overridable: 'AnyState' | 'NonRunningStates' = 'NonRunningStates') {
  const store = new MemoryStore();
  const writes: string[] = [];
  const createInstance = store.createInstance.bind(store);
  store.createInstance = async (r, m) => (writes.push(`createInstance ${r.runtimeStatus} ${m.event.EventType}`), createInstance(r, m));
  const woken: string[] = [];
  const dispatched: WorkItem[] = [];
  const inbox = new Inbox(store, (id) => woken.push(id));
  const states = new InstanceStates(store, (id, ids) => inbox.drop(id, ids));
  let ids = 0;
  const ops = new ClientOperations({
    store,
    clock: createClock('manual'),
    mutex: new KeyedMutex(),
    states,
    inbox,
    overridableExistingInstanceStates: overridable,
    newExecutionId: () => `x${ids++}`,
    commit: (state, result) =>
      commitEpisode(
        { store, dispatchActivity: (item) => dispatched.push(item), deliver: (m) => inbox.deliver(m), dropMessages: (id, list) => inbox.drop(id, list), forgetMessages: (id, list) => inbox.forgetMessages(id, list), messages: (id) => inbox.messages(id), startChild: async () => undefined, wake: () => undefined },
        state,
        result,
      ),
    clearTimer: () => undefined,
  });
  /** Sets the committed status as an episode would have. */
  const setStatus = async (instanceId: string, status: RuntimeStatus) => {
    const state = await states.load(instanceId);
    assert.ok(state);
    state.record.runtimeStatus = status;
    state.committed = structuredClone(state.record);
    state.version = await store.putInstance(state.record, state.version);
  };
  return { ops, store, inbox, states, writes, woken, dispatched, setStatus };
}

describe('client operations', () => {
  it('start writes the Pending row with its start message in one write, and wakes the instance', async () => {
    const c = client();
    await c.ops.start('Orch', 'a', '1');
    assert.deepEqual(c.writes, [`createInstance Pending ${EventType.ExecutionStarted}`]);
    assert.equal((await c.ops.status('a'))?.runtimeStatus, 'Pending');
    assert.deepEqual(c.inbox.messages('a').map((m) => [m.executionId, m.event.EventType, m.event.Input]), [['x0', EventType.ExecutionStarted, '1']]);
    assert.deepEqual(c.woken, ['a']);
  });

  describe('a second start of the same id (overridableExistingInstanceStates)', () => {
    const cases: { overridable: 'AnyState' | 'NonRunningStates'; status: RuntimeStatus; refused: boolean }[] = [
      { overridable: 'NonRunningStates', status: 'Pending', refused: true },
      { overridable: 'NonRunningStates', status: 'Running', refused: true },
      { overridable: 'NonRunningStates', status: 'Suspended', refused: true },
      { overridable: 'NonRunningStates', status: 'Completed', refused: false },
      { overridable: 'NonRunningStates', status: 'Failed', refused: false },
      { overridable: 'AnyState', status: 'Running', refused: false },
    ];
    for (const c of cases) {
      it(`${c.overridable}, ${c.status}: ${c.refused ? 'refused' : 'replaces it'}`, async () => {
        const { ops, setStatus } = client(c.overridable);
        await ops.start('Orch', 'a', null);
        await setStatus('a', c.status);
        if (c.refused) await assert.rejects(ops.start('Orch', 'a', null), (err: Error) => err instanceof OrchestrationAlreadyExistsError && err.message === `An Orchestration instance with the status ${c.status} already exists.`);
        else {
          await ops.start('Orch', 'a', null);
          assert.equal((await ops.status('a'))?.executionId, 'x1');
        }
      });
    }
  });

  describe('control operations are inbox messages', () => {
    const cases = [
      { name: 'raiseEvent', run: (o: ClientOperations) => o.raiseEvent('a', 'Go', '"v"'), type: EventType.EventRaised },
      { name: 'terminate', run: (o: ClientOperations) => o.terminate('a', 'why'), type: EventType.ExecutionTerminated },
      { name: 'suspend', run: (o: ClientOperations) => o.suspend('a', null), type: EventType.ExecutionSuspended },
      { name: 'resume', run: (o: ClientOperations) => o.resume('a', null), type: EventType.ExecutionResumed },
    ];
    for (const c of cases) {
      it(c.name, async () => {
        const { ops, store, woken } = client();
        await c.run(ops);
        const [message] = await store.listMessages();
        assert.equal(message?.event.EventType, c.type);
        assert.equal(message?.executionId, undefined, 'addressed to the instance, whatever its execution');
        assert.deepEqual(woken, ['a']);
      });
    }
  });

  it('rewind: refuses unknown and non-failed instances; a failed activity is scheduled again', async () => {
    const c = client();
    await assert.rejects(c.ops.rewind('nobody', null), NotFoundError);
    await c.ops.start('Orch', 'a', null);
    await c.setStatus('a', 'Running');
    await assert.rejects(c.ops.rewind('a', null), NotFailedError);
    const state = await c.states.load('a');
    assert.ok(state);
    const T = Date.parse('2026-01-01T00:00:00Z');
    const history = [
      events.orchestratorStarted(T),
      events.executionStarted(T, { instanceId: 'a', executionId: 'x0', name: 'Orch', version: '', input: null, parent: null }),
      events.taskScheduled(T, 0, 'Act', '[1]'),
      events.orchestratorCompleted(T),
      events.orchestratorStarted(T),
      events.taskFailed(T, 0, 'boom', '', null),
      events.executionCompleted(T, 1, OrchestrationStatusCode.Failed, 'boom'),
      events.orchestratorCompleted(T),
    ];
    await c.store.writeHistory('a', 0, history);
    state.history = history;
    state.record.historyLength = history.length;
    await c.setStatus('a', 'Failed');
    await c.ops.rewind('a', 'again');
    assert.equal((await c.ops.status('a'))?.runtimeStatus, 'Pending');
    assert.deepEqual(c.dispatched.map((w) => [w.name, w.taskScheduledId, w.input]), [['Act', 0, '1']]);
    assert.ok(c.inbox.messages('a').some((m) => m.event.EventType === EventType.GenericEvent && m.event.Data === 'again'), 'a GenericEvent wakes it for a replay');
  });

  it('purge deletes the instance and forgets its messages', async () => {
    const c = client();
    await c.ops.start('Orch', 'a', null);
    assert.equal(await c.ops.purge('a'), true);
    assert.equal(await c.ops.status('a'), undefined);
    assert.deepEqual(c.inbox.messages('a'), []);
    assert.equal(await c.ops.purge('a'), false);
  });
});
