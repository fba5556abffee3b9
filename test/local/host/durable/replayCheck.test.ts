// The determinism check on recorded actions: a replay must emit the recorded actions again in place; a timer it
// now cancels stops being owed.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ActionType, parseAction, recordOf, type ActionJson } from '../../../../local/host/durable/actions';
import { translateAction, type EpisodeContext } from '../../../../local/host/durable/actionTranslation';
import { newEngineState } from '../../../../local/host/durable/engineState';
import { checkReplay } from '../../../../local/host/durable/replayCheck';

const FIRE_AT = '2026-01-01T00:01:00.000Z';
const recorded: ActionJson[] = [
  { actionType: ActionType.CallActivity, functionName: 'A', input: 1 },
  { actionType: ActionType.WaitForExternalEvent, externalEventName: 'Go' },
  { actionType: ActionType.CreateTimer, fireAt: FIRE_AT, isCanceled: false },
];

/** The context after the first episode emitted `recorded`. */
function afterFirstEpisode(): EpisodeContext {
  const ctx: EpisodeContext = { now: 0, instance: { instanceId: 'i', executionId: 'e1', name: 'O' }, engine: newEngineState(), scheduled: [], outbound: [] };
  for (const json of recorded) ctx.engine.actions.push(recordOf(json, translateAction(parseAction(json), ctx).id));
  return { ...ctx, scheduled: [], outbound: [] };
}

describe('replay check', () => {
  it('an identical replay (plus new actions) passes and owes the same work', () => {
    const ctx = afterFirstEpisode();
    assert.equal(checkReplay(ctx, [...recorded, { actionType: ActionType.CallActivity, functionName: 'B' }]), undefined);
    assert.deepEqual(Object.keys(ctx.engine.pending), ['0', '1']);
    assert.deepEqual(ctx.outbound, []);
  });

  it('each kind of difference is named with its position', (t) => {
    const cases: [string, ActionJson[], RegExp][] = [
      ['another activity', [{ ...recorded[0]!, functionName: 'Z' }, ...recorded.slice(1)], /at action 0: expected CallActivity 'A' but the replay emitted CallActivity 'Z'/],
      ['another input', [{ ...recorded[0]!, input: 2 }, ...recorded.slice(1)], /at action 0: CallActivity 'A' was replayed with a different input/],
      ['another event name', [recorded[0]!, { actionType: ActionType.WaitForExternalEvent, externalEventName: 'Stop' }, recorded[2]!], /at action 1: expected WaitForExternalEvent 'Go'/],
      ['a moved timer', [...recorded.slice(0, 2), { ...recorded[2]!, fireAt: '2026-01-01T00:02:00.000Z' }], /at action 2: .*timer fires at 2026-01-01T00:02:00.000Z/],
      ['missing actions', recorded.slice(0, 1), /at action 1: the replay emitted only 1 of the 3 recorded actions/],
    ];
    for (const [name, replay, message] of cases) assert.match(checkReplay(afterFirstEpisode(), replay) ?? 'passed', message, `${t.name}: ${name}`);
  });

  it('a timer the replay cancels is no longer owed and its message is deleted after the commit', () => {
    const ctx = afterFirstEpisode();
    assert.equal(checkReplay(ctx, [...recorded.slice(0, 2), { ...recorded[2]!, isCanceled: true }]), undefined);
    assert.deepEqual(Object.keys(ctx.engine.pending), ['0']);
    assert.deepEqual(ctx.outbound, [{ type: 'cancelTimer', timerId: 1 }]);
  });
});
