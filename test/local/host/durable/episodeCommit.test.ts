// The commit on a recording store: the order of the writes (work for other instances, then one write with the
// history, own messages and work items, consumed messages and the row), nothing handed to the dispatchers before the row is written, and what a
// failure at each write leaves behind.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { commitEpisode, type CommitTargets } from '../../../../local/host/durable/episodeCommit';
import { newEngineState, pendingInstanceRecord } from '../../../../local/host/durable/engineState';
import type { EpisodeResult } from '../../../../local/host/durable/episodeExecutor';
import { history as events } from '../../../../local/host/durable/history';
import type { InstanceState } from '../../../../local/host/durable/instanceState';
import { timerMessage } from '../../../../local/host/durable/outbound';
import { MemoryStore } from '../../../../local/host/store/memoryStore';
import type { InboxMessage, Store } from '../../../../local/host/store/store';

const T = Date.parse('2026-01-01T00:00:00Z');

/** A MemoryStore that logs each write and can fail one kind of write. */
function recordingStore(failOn?: string): { store: Store; writes: string[] } {
  const inner = new MemoryStore();
  const writes: string[] = [];
  const store = new Proxy(inner, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const name = String(prop);
        if (/^(write|put|delete)/.test(name)) {
          writes.push(name);
          if (name === failOn) return Promise.reject(new Error(`${name} failed`));
        }
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { store, writes };
}

function state(): InstanceState {
  const record = pendingInstanceRecord({ instanceId: 'i', name: 'Orch', version: '', executionId: 'e1', input: null, parent: null, createdTime: T, now: T });
  return { record, committed: structuredClone(record), version: undefined, history: [], engine: newEngineState() };
}

function targets(store: Store, log: string[], inbox: InboxMessage[] = []): CommitTargets {
  return {
    store,
    dispatchActivity: (item) => log.push(`dispatch ${item.key}`),
    deliver: (message) => log.push(`deliver ${message.id}`),
    dropMessages: async (instanceId, ids) => {
      if (ids.length === 0) return;
      await store.deleteMessages(instanceId, ids);
      log.push(`drop ${ids.join(',')}`);
    },
    forgetMessages: (_instanceId, ids) => void (ids.length > 0 && log.push(`forget ${ids.join(',')}`)),
    messages: () => inbox,
    startChild: async (out) => void log.push(`startChild ${out.instanceId}`),
    wake: (instanceId) => log.push(`wake ${instanceId}`),
  };
}

const timer = timerMessage({ instanceId: 'i', executionId: 'e1' }, 1, new Date(T + 1000).toISOString());
function episode(): EpisodeResult {
  return {
    now: T + 5,
    appended: [events.orchestratorStarted(T + 5), events.timerCreated(T + 5, 1, timer.event.FireAt as string), events.orchestratorCompleted(T + 5)],
    outbound: [
      { type: 'activity', item: { key: 'e1:0', instanceId: 'i', executionId: 'e1', taskScheduledId: 0, name: 'Act', input: null } },
      { type: 'timer', message: timer },
      { type: 'notifyParent', message: { id: 'to-parent', instanceId: 'p', executionId: 'pe', visibleAt: 0, event: events.subOrchestrationCompleted(T, 3, null) } },
    ],
    consumed: ['m1'],
  };
}

describe('episode commit', () => {
  it('writes work for other instances, then everything of its own in one write; hands work out after', async () => {
    const { store, writes } = recordingStore();
    const log: string[] = [];
    const s = state();
    await store.putMessage({ id: 'm1', instanceId: 'i', visibleAt: 0, event: events.eventRaised(T, 'E', null) });
    writes.length = 0;
    await commitEpisode(targets(store, log), s, episode());
    assert.deepEqual(writes, ['putMessage', 'writeEpisode'], 'the message to the parent, then the commit');
    assert.deepEqual(log, ['forget m1', 'dispatch e1:0', `deliver ${timer.id}`, 'deliver to-parent']);
    assert.equal(s.record.historyLength, 3);
    assert.deepEqual(s.committed.lastConsumed, [], 'consumed messages are deleted by the commit itself');
    assert.equal(s.history.length, 3);
    const row = await store.getInstance('i');
    assert.equal(row?.historyLength, 3);
    assert.equal((await store.readHistory('i', 3)).length, 3);
    assert.deepEqual((await store.listMessages()).map((m) => m.id).sort(), [timer.id, 'to-parent'].sort(), 'the consumed message is gone, the timer is in');
    assert.deepEqual((await store.listWorkItems()).map((w) => w.key), ['e1:0']);
  });

  describe('a failed write leaves the committed state as it was and hands nothing out', () => {
    for (const failOn of ['putMessage', 'writeEpisode']) {
      it(failOn, async () => {
        const { store } = recordingStore(failOn);
        const log: string[] = [];
        const s = state();
        await assert.rejects(commitEpisode(targets(store, log), s, episode()), new RegExp(`${failOn} failed`));
        assert.deepEqual(log, [], 'no message dropped, no work dispatched');
        assert.equal(s.committed.historyLength, 0);
        assert.equal(await store.getInstance('i'), undefined, 'no row: the episode runs again from its messages');
        assert.deepEqual(await store.listWorkItems(), []);
      });
    }
  });

  it('a canceled timer drops its pending message after the commit', async () => {
    const { store } = recordingStore();
    const log: string[] = [];
    const other = { ...timer, id: 'unrelated' };
    await commitEpisode(targets(store, log, [timer, other]), state(), { now: T, appended: [events.orchestratorStarted(T)], outbound: [{ type: 'cancelTimer', timerId: 1 }], consumed: [] });
    assert.deepEqual(log, [`drop ${timer.id}`]);
  });
});
