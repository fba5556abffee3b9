// Action → history translation and retry tracking on history data, the way azure-functions-durable-js tests its
// executor: given the engine's state and a new action (or a delivered event), expect these new history events,
// this owed work and this outgoing work.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ActionType, parseAction, type ActionJson } from '../../../../local/host/durable/actions';
import { translateAction, type EpisodeContext } from '../../../../local/host/durable/actionTranslation';
import { newEngineState, type EngineState } from '../../../../local/host/durable/engineState';
import { EventType, history as events, type HistoryEvent } from '../../../../local/host/durable/history';
import { deterministicGuidN } from '../../../../local/host/durable/instanceIds';
import { trackCompletion } from '../../../../local/host/durable/retryTracking';

const T = Date.parse('2026-01-01T00:00:00Z');
const at = (ms: number): string => new Date(T + ms).toISOString();

function context(engine: Partial<EngineState> = {}, now = T): EpisodeContext {
  return { now, instance: { instanceId: 'i', executionId: 'e1', name: 'Orch' }, engine: { ...newEngineState(), ...engine }, scheduled: [], outbound: [] };
}

/** The fields a history event is judged by (Timestamp and IsPlayed are the same for all). */
function shape(event: HistoryEvent): Record<string, unknown> {
  const { Timestamp: _t, IsPlayed: _p, ...rest } = event;
  return rest;
}

const retry = { firstRetryIntervalInMilliseconds: 1000, maxNumberOfAttempts: 2, backoffCoefficient: 2 };

describe('action → history translation: one handler per action type', () => {
  const cases: { name: string; action: ActionJson; id: number; events: Record<string, unknown>[]; pending: Record<string, unknown>; outbound: string[]; outcome?: string }[] = [
    {
      name: 'callActivity: TaskScheduled with the input wrapped in an array, an activity work item',
      action: { actionType: ActionType.CallActivity, functionName: 'Hello', input: { x: 1 } },
      id: 3, events: [{ EventType: EventType.TaskScheduled, EventId: 3, Name: 'Hello', Version: '', Input: '[{"x":1}]' }],
      pending: { '3': { kind: 'activity', retryKey: undefined } }, outbound: ['activity'],
    },
    {
      name: 'callActivityWithRetry: the first attempt is the retry key',
      action: { actionType: ActionType.CallActivityWithRetry, functionName: 'Flaky', input: 'a', retryOptions: retry },
      id: 3, events: [{ EventType: EventType.TaskScheduled, EventId: 3, Name: 'Flaky', Version: '', Input: '["a"]' }],
      pending: { '3': { kind: 'activity', retryKey: 3 } }, outbound: ['activity'],
    },
    {
      name: 'callSubOrchestrator without an id: named "<executionId>:<id>"',
      action: { actionType: ActionType.CallSubOrchestrator, functionName: 'Child', input: 5 },
      id: 3, events: [{ EventType: EventType.SubOrchestrationInstanceCreated, EventId: 3, Name: 'Child', Version: '', InstanceId: 'e1:3', Input: '5' }],
      pending: { '3': { kind: 'subOrchestration', retryKey: undefined } }, outbound: ['startChild'],
    },
    {
      name: 'callSubOrchestratorWithRetry with an id',
      action: { actionType: ActionType.CallSubOrchestratorWithRetry, functionName: 'Child', instanceId: 'kid', input: null, retryOptions: retry },
      id: 3, events: [{ EventType: EventType.SubOrchestrationInstanceCreated, EventId: 3, Name: 'Child', Version: '', InstanceId: 'kid', Input: 'null' }],
      pending: { '3': { kind: 'subOrchestration', retryKey: 3 } }, outbound: ['startChild'],
    },
    {
      name: 'createTimer: TimerCreated and a TimerFired message visible at fireAt',
      action: { actionType: ActionType.CreateTimer, fireAt: at(60_000), isCanceled: false },
      id: 3, events: [{ EventType: EventType.TimerCreated, EventId: 3, FireAt: at(60_000) }],
      pending: { '3': { kind: 'timer' } }, outbound: ['timer'],
    },
    {
      name: 'createTimer canceled in the same episode: created (DTFx does) but never fires',
      action: { actionType: ActionType.CreateTimer, fireAt: at(60_000), isCanceled: true },
      id: 3, events: [{ EventType: EventType.TimerCreated, EventId: 3, FireAt: at(60_000) }], pending: {}, outbound: [],
    },
    {
      name: 'waitForExternalEvent: no sequence id, nothing scheduled',
      action: { actionType: ActionType.WaitForExternalEvent, externalEventName: 'Go' }, id: -1, events: [], pending: {}, outbound: [],
    },
    {
      name: 'continueAsNew: no sequence id; the input as JSON text',
      action: { actionType: ActionType.ContinueAsNew, input: { n: 2 } }, id: -1, events: [], pending: {}, outbound: [], outcome: 'continueAsNew',
    },
    ...[ActionType.CallHttp, ActionType.CallEntity, ActionType.SignalEntity].map((actionType) => ({
      name: `${ActionType[actionType]}: refused`, action: { actionType }, id: -1, events: [], pending: {}, outbound: [], outcome: 'refused',
    })),
  ];
  for (const c of cases) {
    it(c.name, () => {
      const ctx = context({ nextId: 3 });
      const { id, outcome } = translateAction(parseAction(c.action), ctx);
      assert.equal(id, c.id);
      assert.equal(ctx.engine.nextId, c.id === -1 ? 3 : 4);
      assert.equal(outcome.kind, c.outcome ?? 'scheduled');
      assert.deepEqual(ctx.scheduled.map(shape), c.events);
      assert.deepEqual(ctx.engine.pending, c.pending);
      assert.deepEqual(ctx.outbound.map((o) => o.type), c.outbound);
    });
  }

  it('the outgoing work carries what the dispatchers need', () => {
    const ctx = context({ nextId: 0 });
    for (const action of [
      { actionType: ActionType.CallActivity, functionName: 'Hello', input: 'x' },
      { actionType: ActionType.CallSubOrchestrator, functionName: 'Child', input: 1 },
      { actionType: ActionType.CreateTimer, fireAt: at(5000), isCanceled: false },
      { actionType: ActionType.ContinueAsNew, input: 'again' },
    ] satisfies ActionJson[]) {
      const { outcome } = translateAction(parseAction(action), ctx);
      if (outcome.kind === 'continueAsNew') assert.equal(outcome.input, 'again', 'strings are JSON text already');
    }
    const [activity, child, timer] = ctx.outbound;
    assert.deepEqual(activity, { type: 'activity', item: { key: 'e1:0', instanceId: 'i', executionId: 'e1', taskScheduledId: 0, name: 'Hello', input: '"x"' } });
    assert.deepEqual(child, {
      type: 'startChild', instanceId: 'e1:1', executionId: deterministicGuidN('e1:1'), name: 'Child', input: '1',
      parent: { instanceId: 'i', executionId: 'e1', name: 'Orch', taskScheduledId: 1 },
    });
    assert.ok(timer?.type === 'timer');
    assert.equal(timer.message.visibleAt, T + 5000);
    assert.deepEqual(shape(timer.message.event), { EventType: EventType.TimerFired, EventId: -1, TimerId: 2, FireAt: at(5000) });
  });

  it('a malformed action is refused naming the field', (t) => {
    const bad: [ActionJson, RegExp][] = [
      [{ actionType: ActionType.CallActivity }, /CallActivity action without a string functionName/],
      [{ actionType: ActionType.CallActivityWithRetry, functionName: 'A' }, /without retryOptions/],
      [{ actionType: ActionType.CreateTimer }, /without a string fireAt/],
      [{ actionType: ActionType.WhenAll, compoundActions: [] }, /unflattened/],
    ];
    for (const [action, message] of bad) assert.throws(() => parseAction(action), message, t.name);
  });
});

describe('retry tracking on delivered events', () => {
  /** Runs an activity with retry (2 attempts, 1 s doubling) through the given deliveries. */
  function afterSchedule(): EpisodeContext {
    const ctx = context();
    translateAction(parseAction({ actionType: ActionType.CallActivityWithRetry, functionName: 'Flaky', input: 'a', retryOptions: retry }), ctx);
    return ctx;
  }
  const failed = (id: number, ms: number): HistoryEvent => events.taskFailed(T + ms, id, "Activity function 'Flaky' failed: no", '', null);

  it('failed attempt → retry timer; timer fired → next attempt with a new id; last failure → timer, then the policy ends', () => {
    const first = afterSchedule();
    const steps: [HistoryEvent, number, Record<string, unknown>[]][] = [
      [failed(0, 100), 100, [{ EventType: EventType.TimerCreated, EventId: 1, FireAt: at(1100) }]],
      [events.timerFired(T + 1100, 1, at(1100)), 1100, [{ EventType: EventType.TaskScheduled, EventId: 2, Name: 'Flaky', Version: '', Input: '["a"]' }]],
      [failed(2, 1200), 1200, [{ EventType: EventType.TimerCreated, EventId: 3, FireAt: at(3200) }]],
      [events.timerFired(T + 3200, 3, at(3200)), 3200, []],
    ];
    for (const [event, ms, expected] of steps) {
      const ctx: EpisodeContext = { ...first, now: T + ms, scheduled: [], outbound: [] };
      assert.equal(trackCompletion(ctx, event), undefined);
      assert.deepEqual(ctx.scheduled.map(shape), expected, `after ${EventType[event.EventType]} at +${ms} ms`);
    }
    assert.deepEqual(first.engine.pending, {}, 'nothing owed: durable-functions now fails the task');
    assert.deepEqual(first.engine.retries, {});
  });

  it('a success ends the policy; a completion of work not owed changes nothing', () => {
    const ctx = afterSchedule();
    assert.equal(trackCompletion(ctx, events.taskCompleted(T, 0, '"ok"')), undefined);
    assert.deepEqual(ctx.engine.retries, {});
    assert.equal(trackCompletion(ctx, events.taskCompleted(T, 9, '"late"')), undefined);
    assert.deepEqual(ctx.scheduled.length, 1, 'only the first TaskScheduled');
  });

  it('an expired retry timeout is reported (durable-functions would wait forever)', () => {
    const ctx = context();
    translateAction(parseAction({ actionType: ActionType.CallActivityWithRetry, functionName: 'Flaky', input: null, retryOptions: { ...retry, retryTimeoutInMilliseconds: 500 } }), ctx);
    const later: EpisodeContext = { ...ctx, now: T + 600, scheduled: [], outbound: [] };
    assert.match(trackCompletion(later, failed(0, 600)) ?? '', /Retry timeout of 500 ms expired for 'Flaky' after 1 attempt/);
  });
});
