// The dispatcher with a scripted episode runner on a MemoryStore and the manual clock: one episode per
// instance at a time, messages that arrive mid-episode drain right after, future messages wake the instance
// when the clock reaches them, messages of unknown instances are discarded, a start message without its row
// recreates the row, and a poison instance is retried and then failed.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createClock } from '../../../../local/host/clock';
import { Dispatcher } from '../../../../local/host/durable/dispatcher';
import { pendingInstanceRecord } from '../../../../local/host/durable/engineState';
import { history as events } from '../../../../local/host/durable/history';
import { Inbox } from '../../../../local/host/durable/inbox';
import { InstanceStates, type InstanceState } from '../../../../local/host/durable/instanceState';
import { PoisonTracker } from '../../../../local/host/durable/poison';
import { KeyedMutex, WorkQueue } from '../../../../local/host/durable/workQueue';
import { MemoryStore } from '../../../../local/host/store/memoryStore';
import type { InboxMessage } from '../../../../local/host/store/store';

let seq = 0;
const raised = (instanceId: string, visibleAt = 0): InboxMessage => ({ id: `m${String(seq++).padStart(5, '0')}`, instanceId, visibleAt, event: events.eventRaised(0, 'E', null) });

interface Rig {
  store: MemoryStore;
  inbox: Inbox;
  dispatcher: Dispatcher;
  clock: ReturnType<typeof createClock>;
  batches: string[][];
  failed: string[];
  /** Resolves when no drain runs and nothing is queued. */
  settled(): Promise<void>;
  /** Resolves when failPoisoned was called. */
  poisoned: Promise<string>;
}

async function rig(runEpisode: (state: InstanceState, batch: InboxMessage[], store: MemoryStore) => Promise<void>): Promise<Rig> {
  const store = new MemoryStore();
  const clock = createClock('manual');
  const batches: string[][] = [];
  const failed: string[] = [];
  const waiters: (() => void)[] = [];
  let retries = 0;
  let onPoisoned!: (instanceId: string) => void;
  const poisoned = new Promise<string>((resolve) => (onPoisoned = resolve));
  const inbox: Inbox = new Inbox(store, (id) => dispatcher.wakeWhenDue(id));
  const states = new InstanceStates(store, (id, ids) => inbox.drop(id, ids));
  const dispatcher: Dispatcher = new Dispatcher({
    clock,
    log: () => undefined,
    inbox,
    states,
    mutex: new KeyedMutex(),
    queue: new WorkQueue(4, (err) => assert.fail(String(err))),
    poison: new PoisonTracker({ maxAttempts: 3, firstDelayMs: 1, maxDelayMs: 1 }),
    runEpisode: async (state, batch) => {
      batches.push(batch.map((m) => m.id));
      await runEpisode(state, batch, store);
      await inbox.drop(state.record.instanceId, batch.map((m) => m.id));
    },
    failPoisoned: async (instanceId) => {
      failed.push(instanceId);
      await inbox.drop(instanceId, inbox.visible(instanceId, clock.now()).map((m) => m.id));
      onPoisoned(instanceId);
    },
    storageUnavailable: (err) => assert.fail(String(err)),
    retryLater: (_delay, action) => {
      retries++;
      setImmediate(() => {
        retries--;
        action();
      });
    },
    settled: () => {
      if (dispatcher.draining === 0 && retries === 0) for (const w of waiters.splice(0)) w();
    },
    stopped: () => false,
  });
  return {
    store, inbox, dispatcher, clock, batches, failed, poisoned,
    settled: () => new Promise<void>((resolve) => (dispatcher.draining === 0 && retries === 0 ? resolve() : waiters.push(resolve))),
  };
}

async function withInstance(store: MemoryStore, instanceId: string): Promise<void> {
  await store.putInstance({ ...pendingInstanceRecord({ instanceId, name: 'O', version: '', executionId: 'e1', input: null, parent: null, createdTime: 0, now: 0 }), runtimeStatus: 'Running', historyLength: 1 });
  await store.writeHistory(instanceId, 0, [events.orchestratorStarted(0)]);
}

describe('dispatcher', () => {
  it('runs one episode per instance at a time; messages that arrive meanwhile drain right after', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let began!: () => void;
    const firstBegan = new Promise<void>((resolve) => (began = resolve));
    let running = 0;
    let most = 0;
    const r = await rig(async () => {
      began();
      running++;
      most = Math.max(most, running);
      await gate;
      running--;
    });
    await withInstance(r.store, 'a');
    const first = raised('a');
    await r.inbox.enqueue(first);
    await firstBegan;
    const second = raised('a');
    await r.inbox.enqueue(second);
    release();
    await r.settled();
    assert.equal(most, 1);
    assert.deepEqual(r.batches, [[first.id], [second.id]]);
  });

  it('does not read back an instance that finished and has nothing visible', async () => {
    const r = await rig(async (state) => {
      state.record.runtimeStatus = 'Completed';
      state.committed = structuredClone(state.record);
    });
    await withInstance(r.store, 'a');
    let reads = 0;
    const getInstance = r.store.getInstance.bind(r.store);
    r.store.getInstance = (id) => (reads++, getInstance(id));
    await r.inbox.enqueue(raised('a'));
    await r.settled();
    assert.equal(r.batches.length, 1);
    assert.equal(reads, 1, 'one load for the episode, none after it');
  });

  it('a future message wakes its instance when the clock reaches it', async () => {
    let ran!: () => void;
    const episodeRan = new Promise<void>((resolve) => (ran = resolve));
    const r = await rig(async () => ran());
    await withInstance(r.store, 'a');
    const later = raised('a', r.clock.now() + 60_000);
    await r.inbox.enqueue(later);
    await r.settled();
    assert.deepEqual(r.batches, []);
    assert.equal(r.dispatcher.timers.nextDue(), later.visibleAt);
    r.clock.advance(60_000);
    await episodeRan;
    assert.deepEqual(r.batches, [[later.id]]);
  });

  it('discards messages of an instance that does not exist', async () => {
    const r = await rig(async () => assert.fail('no episode'));
    await r.inbox.enqueue(raised('ghost'));
    await r.settled();
    assert.deepEqual(await r.store.listMessages(), []);
  });

  it('recreates the row of a start message whose row a crash lost', async () => {
    const r = await rig(async () => undefined);
    const start: InboxMessage = { id: 'm-start', instanceId: 'lost', executionId: 'x1', visibleAt: 0, event: events.executionStarted(0, { instanceId: 'lost', executionId: 'x1', name: 'O', version: '', input: '1', parent: null }) };
    await r.inbox.enqueue(start);
    await r.settled();
    assert.deepEqual(r.batches, [['m-start']]);
    const row = await r.store.getInstance('lost');
    assert.equal(row?.executionId, 'x1');
    assert.equal(row?.input, '1');
  });

  it('retries a failing instance with backoff, then fails it', async () => {
    const r = await rig(async () => {
      throw new Error('host bug');
    });
    await withInstance(r.store, 'p');
    await r.inbox.enqueue(raised('p'));
    assert.equal(await r.poisoned, 'p');
    assert.equal(r.batches.length, 3, 'maxAttempts episodes');
    assert.deepEqual(r.failed, ['p']);
  });
});
