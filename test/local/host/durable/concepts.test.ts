// Unit tests of the engine's small concepts on history data: episode batches, the replay guard, rewind,
// poison backoff and instance ids.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { selectBatch, type BatchView } from '../../../../local/host/durable/episodeBatch';
import { newEngineState, type EngineState } from '../../../../local/host/durable/engineState';
import { EventType, history as events, OrchestrationStatusCode, type HistoryEvent } from '../../../../local/host/durable/history';
import { deterministicGuidN, InvalidInstanceIdError, newGuidN, validateInstanceId } from '../../../../local/host/durable/instanceIds';
import { PoisonTracker } from '../../../../local/host/durable/poison';
import { replayGuard } from '../../../../local/host/durable/replayGuard';
import { rewindHistory } from '../../../../local/host/durable/rewind';
import type { InboxMessage } from '../../../../local/host/store/store';

const T = Date.parse('2026-01-01T00:00:00Z');
let seq = 0;
function msg(event: HistoryEvent, executionId: string | undefined = 'e1'): InboxMessage {
  return { id: `m${String(seq++).padStart(4, '0')}`, instanceId: 'i', executionId, visibleAt: 0, event };
}

function view(engine: Partial<EngineState> = {}, overrides: Partial<BatchView> = {}): BatchView {
  return { runtimeStatus: 'Running', executionId: 'e1', started: true, engine: { ...newEngineState(), ...engine }, ...overrides };
}

describe('episode batches', () => {
  it('before the start, only the current execution start (or a terminate) runs', () => {
    const stale = msg(events.executionStarted(T, { instanceId: 'i', executionId: 'old', name: 'O', version: '', input: null, parent: null }), 'old');
    const start = msg(events.executionStarted(T, { instanceId: 'i', executionId: 'e1', name: 'O', version: '', input: null, parent: null }));
    const raised = msg(events.eventRaised(T, 'Go', null), undefined);
    const out = selectBatch(view({}, { started: false, runtimeStatus: 'Pending' }), [stale, raised, start]);
    assert.deepEqual(out.batch, [start]);
    assert.deepEqual(out.drop, [stale.id], 'a raised event waits for the start; a stale start is dropped');
  });

  it('drops duplicate and unowed completions and messages of other executions', () => {
    const engine = { pending: { '0': { kind: 'activity' as const } } };
    const done = msg(events.taskCompleted(T, 0, '"a"'));
    const duplicate = msg(events.taskCompleted(T, 0, '"a"'));
    const unowed = msg(events.taskCompleted(T, 7, '"x"'));
    const other = msg(events.taskCompleted(T, 0, '"y"'), 'e0');
    const out = selectBatch(view(engine), [done, duplicate, unowed, other]);
    assert.deepEqual(out.batch, [done]);
    assert.deepEqual(out.drop, [duplicate.id, unowed.id, other.id]);
  });

  it('runs a control message alone and holds completions while suspended', () => {
    const engine = { pending: { '0': { kind: 'activity' as const } } };
    const done = msg(events.taskCompleted(T, 0, null));
    const terminate = msg(events.executionTerminated(T, 'stop'), undefined);
    assert.deepEqual(selectBatch(view(engine), [done, terminate]).batch, [done], 'terminate waits for the next episode');
    assert.deepEqual(selectBatch(view(engine), [terminate, done]).batch, [terminate]);
    const suspended = selectBatch(view(engine, { runtimeStatus: 'Suspended' }), [done]);
    assert.deepEqual(suspended, { batch: [], drop: [] });
  });

  it('starts a new batch at a retry-allocating failure, so retry ids follow the JS numbering', () => {
    const engine: Partial<EngineState> = {
      pending: { '0': { kind: 'activity', retryKey: 0 }, '1': { kind: 'activity' } },
      retries: { '0': { kind: 'activity', name: 'A', input: null, options: { firstRetryIntervalInMilliseconds: 10, maxNumberOfAttempts: 3 }, failures: 0, firstAttemptAt: T } },
    };
    const other = msg(events.taskCompleted(T, 1, null));
    const failed = msg(events.taskFailed(T, 0, 'boom', '', null));
    assert.deepEqual(selectBatch(view(engine), [other, failed]).batch, [other]);
    assert.deepEqual(selectBatch(view(engine), [failed, other]).batch, [failed, other]);
  });

  it('passes raised events and the GenericEvent a rewind sends', () => {
    const raised = msg(events.eventRaised(T, 'Go', '1'), undefined);
    const generic = msg({ EventType: EventType.GenericEvent, EventId: -1, IsPlayed: false, Timestamp: new Date(T).toISOString(), Data: 'rewind' });
    assert.deepEqual(selectBatch(view(), [raised, generic]).batch, [raised, generic]);
  });
});

describe('replay guard', () => {
  it('accepts matching ids, ignoring timers the orchestrator cancelled', () => {
    assert.equal(replayGuard({ '0': { kind: 'activity' }, '2': { kind: 'timer' } }, { openTaskIds: [0, 2, 3], canceledTimerIds: [3], deferredTaskIds: [] }), undefined);
  });

  it('names the ids when the host and the orchestrator disagree, or completions were not awaited', () => {
    assert.match(replayGuard({ '1': { kind: 'activity' } }, { openTaskIds: [2], canceledTimerIds: [], deferredTaskIds: [] }) ?? '', /waits for task id\(s\) \[2\] but the host has work pending for \[1\]/);
    assert.match(replayGuard({}, { openTaskIds: [], canceledTimerIds: [], deferredTaskIds: [4] }) ?? '', /completions for task id\(s\) 4/);
  });
});

describe('rewind', () => {
  it('clears failed activities and the failed completion, keeps successes, and lists failed children', () => {
    const h: HistoryEvent[] = [
      events.orchestratorStarted(T),
      events.executionStarted(T, { instanceId: 'i', executionId: 'e1', name: 'O', version: '', input: null, parent: null }),
      events.taskScheduled(T, 0, 'Good', '["\\"a\\""]'),
      events.taskScheduled(T, 1, 'Bad', '[{"x":1}]'),
      events.subOrchestrationCreated(T, 2, 'Child', 'i-child', null),
      events.taskCompleted(T, 0, '"ok"'),
      events.taskFailed(T, 1, 'boom', '', null),
      events.subOrchestrationFailed(T, 2, 'child boom', null),
      events.executionCompleted(T, 3, OrchestrationStatusCode.Failed, 'failed'),
    ];
    const out = rewindHistory(h);
    assert.equal(out.history.length, h.length, 'row positions are kept');
    assert.deepEqual(out.history.map((e) => EventType[e.EventType]), [
      'OrchestratorStarted', 'ExecutionStarted', 'TaskScheduled', 'GenericEvent', 'SubOrchestrationInstanceCreated', 'TaskCompleted', 'GenericEvent', 'GenericEvent', 'GenericEvent',
    ]);
    assert.deepEqual(out.activities, [{ taskScheduledId: 1, name: 'Bad', input: { x: 1 } }]);
    assert.deepEqual(out.children, [{ taskScheduledId: 2, instanceId: 'i-child' }]);
    assert.equal(out.history[3]?.Data, 'Rewound: TaskScheduled');
  });
});

describe('poison backoff', () => {
  it('doubles the delay up to the cap and gives up after maxAttempts; success resets', () => {
    const tracker = new PoisonTracker({ maxAttempts: 4, firstDelayMs: 100, maxDelayMs: 250 });
    assert.deepEqual([1, 2, 3].map(() => tracker.recordFailure('x').delayMs), [100, 200, 250]);
    assert.deepEqual(tracker.recordFailure('x'), { attempts: 4, delayMs: 0, exhausted: true });
    tracker.clear('x');
    assert.equal(tracker.recordFailure('x').attempts, 1);
  });
});

describe('instance ids', () => {
  it('generates 32 hex digits, deterministic ones from text', () => {
    assert.match(newGuidN(), /^[0-9a-f]{32}$/);
    assert.notEqual(newGuidN(), newGuidN());
    assert.match(deterministicGuidN('x'), /^[0-9a-f]{32}$/);
    assert.equal(deterministicGuidN('x'), deterministicGuidN('x'));
  });

  it('validates as DurableClient.StartNewAsync', async (t) => {
    for (const [id, ok] of [['ok-id', true], ['@x', false], ['a/b', false], ['a\u007fb', false], ['a\u0085b', false], ['z'.repeat(256), true], ['z'.repeat(257), false]] as const) {
      await t.test(JSON.stringify(id.slice(0, 12)), () => {
        if (ok) assert.doesNotThrow(() => validateInstanceId(id));
        else assert.throws(() => validateInstanceId(id), InvalidInstanceIdError);
      });
    }
  });
});
