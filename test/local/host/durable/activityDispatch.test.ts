// Activity dispatch with a scripted worker on a MemoryStore: a work item's outcome lands in the owner's inbox
// before the item is retired; abandoned items are retired unrun; worker crashes are retried, then fail the
// activity naming the cause.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createClock } from '../../../../local/host/clock';
import { ActivityDispatch } from '../../../../local/host/durable/activityDispatch';
import { newEngineState, pendingInstanceRecord, type EngineState } from '../../../../local/host/durable/engineState';
import type { Invoke } from '../../../../local/host/durable/episodeExecutor';
import { functionCatalog } from '../../../../local/host/durable/functionCatalog';
import { EventType } from '../../../../local/host/durable/history';
import type { InstanceState } from '../../../../local/host/durable/instanceState';
import { PoisonTracker } from '../../../../local/host/durable/poison';
import { WorkQueue } from '../../../../local/host/durable/workQueue';
import { MemoryStore } from '../../../../local/host/store/memoryStore';
import type { InboxMessage, WorkItem } from '../../../../local/host/store/store';

const T = Date.parse('2026-01-01T00:00:00Z');
const item: WorkItem = { key: 'e1:0', instanceId: 'i', executionId: 'e1', taskScheduledId: 0, name: 'Act', input: '"x"' };

function owner(executionId = 'e1', pending = true): InstanceState {
  const record = pendingInstanceRecord({ instanceId: 'i', name: 'Orch', version: '', executionId, input: null, parent: null, createdTime: T, now: T });
  const engine: EngineState = { ...newEngineState(), pending: pending ? { '0': { kind: 'activity' } } : {} };
  return { record, committed: structuredClone(record), version: undefined, history: [], engine };
}

/** Runs `item` through a dispatch and resolves when its queue has nothing left (retries included). */
async function dispatchOnce(o: { invoke: Invoke; owner?: InstanceState | null; name?: string }): Promise<{ store: MemoryStore; inbox: InboxMessage[]; invocations: number; logs: string[] }> {
  const store = new MemoryStore();
  const the = { ...item, name: o.name ?? item.name };
  const row = owner().record;
  await store.writeEpisode({ record: row, expectedVersion: undefined, fromIndex: 0, events: [], messages: [], workItems: [the], consumed: [] });
  const inbox: InboxMessage[] = [];
  const logs: string[] = [];
  let invocations = 0;
  let pendingRetries = 0;
  let done!: () => void;
  const finished = new Promise<void>((resolve) => (done = resolve));
  const queue = new WorkQueue(1, (err) => assert.fail(String(err)), () => {
    if (queue.size === 0 && pendingRetries === 0) done();
  });
  const dispatch = new ActivityDispatch({
    store,
    clock: createClock('manual'),
    log: (e) => logs.push(e.message),
    invoke: async (req) => (invocations++, o.invoke(req)),
    functions: functionCatalog([{ name: 'Act', functionId: 'Act', bindings: { t: { type: 'activityTrigger', direction: 'in' } } }]),
    queue,
    poison: new PoisonTracker({ maxAttempts: 3, firstDelayMs: 1, maxDelayMs: 1 }),
    owner: async () => (o.owner === null ? undefined : (o.owner ?? owner())),
    deliver: (message) => void inbox.push(message),
    storageUnavailable: (err) => assert.fail(String(err)),
    // Retries run right away: the backoff itself is PoisonTracker's (concepts.test.ts).
    retryLater: (_delay, action) => {
      pendingRetries++;
      queueMicrotask(() => {
        pendingRetries--;
        action();
      });
    },
    stopped: () => false,
  });
  dispatch.dispatch(the);
  dispatch.dispatch(the); // a reload while it runs does not run it twice
  await finished;
  return { store, inbox, invocations, logs };
}

describe('activity dispatch', () => {
  it('puts TaskCompleted in the owner inbox and retires the work item', async () => {
    const run = await dispatchOnce({ invoke: async () => ({ response: { returnValue: { string: 'done' } } }) });
    assert.equal(run.invocations, 1);
    assert.deepEqual((await run.store.listMessages()).map((m) => m.id), run.inbox.map((m) => m.id), 'in the store before it is delivered');
    assert.deepEqual(run.inbox.map((m) => [m.instanceId, m.executionId, m.event.EventType, m.event.TaskScheduledId, m.event.Result]), [['i', 'e1', EventType.TaskCompleted, 0, '"done"']]);
    assert.deepEqual(await run.store.listWorkItems(), []);
  });

  it('an activity error becomes TaskFailed (no retry: the orchestrator decides)', async () => {
    const run = await dispatchOnce({ invoke: async () => ({ error: { name: 'Error', message: 'boom' } }) });
    assert.equal(run.invocations, 1);
    assert.equal(run.inbox[0]?.event.EventType, EventType.TaskFailed);
    assert.match(String(run.inbox[0]?.event.Reason), /boom/);
  });

  describe('retires abandoned work items without running them', () => {
    const cases = [
      { name: 'instance gone', owner: null },
      { name: 'another execution', owner: owner('e2') },
      { name: 'no longer pending', owner: owner('e1', false) },
    ];
    for (const c of cases) {
      it(c.name, async () => {
        const run = await dispatchOnce({ invoke: async () => assert.fail('must not run'), owner: c.owner });
        assert.equal(run.invocations, 0);
        assert.deepEqual(run.inbox, []);
        assert.deepEqual(await run.store.listWorkItems(), []);
      });
    }
  });

  it('a missing activity function fails the task', async () => {
    const run = await dispatchOnce({ invoke: async () => assert.fail('must not run'), name: 'Missing' });
    assert.match(String(run.inbox[0]?.event.Reason), /The function 'Missing' doesn't exist/);
  });

  it('a worker crash is retried, then fails the activity naming the cause', async () => {
    const run = await dispatchOnce({ invoke: async () => ({ error: { name: 'WorkerExited', message: 'worker exited with code 9' } }) });
    assert.equal(run.invocations, 3);
    assert.equal(run.inbox.length, 1);
    assert.match(String(run.inbox[0]?.event.Reason), /could not be run by the local host after 3 attempts: worker exited with code 9/);
    assert.equal(run.logs.filter((l) => l.includes('retrying')).length, 2);
    assert.deepEqual(await run.store.listWorkItems(), []);
  });
});
