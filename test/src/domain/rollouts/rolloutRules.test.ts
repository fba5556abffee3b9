// Rollout domain rules: waves, abort thresholds, pacing, counters, the target query and accepted request bodies.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { describeAbort, trippedRule } from '../../../../src/domain/rollouts/rolloutAbort';
import { executed, initialCounters, move } from '../../../../src/domain/rollouts/rolloutCounters';
import { batchAllowance, nextStartAfter } from '../../../../src/domain/rollouts/rolloutPacer';
import { afterAcquire, afterClose, afterOutcomes } from '../../../../src/domain/rollouts/rolloutProgress';
import { parseRolloutRequest } from '../../../../src/domain/rollouts/rolloutRequest';
import { buildTargetQuery } from '../../../../src/domain/rollouts/rolloutTargetQuery';
import { targetRows } from '../../../../src/domain/rollouts/rolloutTargetRows';
import { readBatchSize } from '../../../../src/rolloutServices';
import { waveEnds, waveOf } from '../../../../src/domain/rollouts/rolloutWaves';

test('waves: cumulative percentages become end ordinals; the last wave ends at the total', async (t) => {
  const cases: Array<[number, number[], number[]]> = [
    [60, [10, 50, 100], [6, 30, 60]],
    [60, [100], [60]],
    [60, [], [60]],
    [3, [10, 50, 100], [1, 2, 3]],
    [1, [10, 20, 100], [1, 1, 1]],
    [0, [50, 100], [0, 0]],
    [10_000, [1, 100], [100, 10_000]],
  ];
  for (const [total, waves, ends] of cases) {
    await t.test(`${total} devices in ${JSON.stringify(waves)}`, () => assert.deepEqual(waveEnds(total, waves), ends));
  }
  assert.deepEqual([0, 5, 6, 29, 30, 59].map((o) => waveOf(o, [6, 30, 60])), [0, 0, 1, 1, 2, 2]);
  assert.deepEqual(targetRows(['a', 'b', 'c'], [50, 100], 'T').map((r) => [r.ordinal, r.wave, r.state]), [[0, 1, 'queued'], [1, 1, 'queued'], [2, 2, 'queued']]);
});

test('abort rules trip at the threshold once enough devices have an outcome', async (t) => {
  const rule = { outcomes: ['Failed' as const, 'TimedOut' as const], thresholdPercent: 50, minExecuted: 4 };
  const counters = (c: Partial<ReturnType<typeof initialCounters>>) => ({ ...initialCounters(0), ...c });
  const cases: Array<[string, Partial<ReturnType<typeof initialCounters>>, boolean]> = [
    ['nothing executed', { queued: 10 }, false],
    ['below minExecuted', { failed: 3, queued: 7 }, false],
    ['at minExecuted, at threshold', { failed: 1, timedOut: 1, succeeded: 2 }, true],
    ['just under threshold', { failed: 4, succeeded: 5 }, false],
    ['busy devices do not count as executed', { failed: 2, busy: 10, succeeded: 1 }, false],
    ['other outcomes do not match', { rejected: 9, succeeded: 1 }, false],
  ];
  for (const [name, c, trips] of cases) {
    await t.test(name, () => assert.equal(trippedRule([rule], counters(c)) !== null, trips));
  }
  const decision = trippedRule([rule], counters({ failed: 3, succeeded: 1 }));
  assert.ok(decision !== null);
  assert.match(describeAbort(decision), /3 of 4 .*Failed\/TimedOut/);
});

test('pacing: a batch is capped by the budget; the next batch waits n × 60 000 / budget ms', () => {
  assert.equal(batchAllowance(50, null), 50);
  assert.equal(batchAllowance(50, 10), 10);
  assert.equal(batchAllowance(50, 1), 1);
  assert.equal(nextStartAfter(1000, 10, null), null);
  assert.equal(nextStartAfter(1000, 10, 10), 61_000);
  assert.equal(nextStartAfter(0, 1, 7), 8572);
  assert.equal(nextStartAfter(0, 0, 7), null);
});

test('counters: every move keeps the total; none goes below zero', () => {
  let c = initialCounters(5);
  c = afterAcquire(c, [{ instanceId: 'a' }, { instanceId: null }, { instanceId: 'b' }]);
  assert.deepEqual([c.queued, c.inProgress, c.busy], [2, 2, 1]);
  c = afterOutcomes(c, ['Succeeded', 'DeliveryUnconfirmed']);
  assert.deepEqual([c.inProgress, c.succeeded, c.unconfirmed, executed(c)], [0, 1, 1, 2]);
  c = afterClose(c);
  assert.deepEqual([c.queued, c.canceled], [0, 2]);
  assert.equal(Object.values(c).reduce((a, b) => a + b, 0), 5);
  assert.throws(() => move(c, 'queued', 'inProgress'), RangeError);
});

test('the target query: tag names as paths, values as escaped literals, reserved words bracketed', () => {
  assert.equal(buildTargetQuery({ tags: [{ name: 'ring', value: "o'clock\\" }, { name: 'site.select', value: 'x' }], connectionState: 'Connected', deviceIdPrefix: 'sim-' }),
    "SELECT deviceId FROM devices WHERE tags.ring = 'o\\'clock\\\\' AND tags.site.[[select]] = 'x' AND connectionState = 'Connected' AND STARTSWITH(deviceId, 'sim-')");
  assert.throws(() => buildTargetQuery({ tags: [] }), RangeError);
});

test('accepted bodies: defaults, a final 100 % wave added, outcomes deduplicated', () => {
  const spec = parseRolloutRequest({ operation: 'reboot', target: { deviceIds: ['a', 'b'] }, waves: [10, 50],
    abort: [{ outcomes: ['Failed', 'Failed'], thresholdPercent: 12.5 }], rate: { maxPerMinute: 30 } });
  assert.deepEqual(spec.waves, [10, 50, 100]);
  assert.deepEqual(spec.abort, [{ outcomes: ['Failed'], thresholdPercent: 12.5, minExecuted: 1 }]);
  assert.deepEqual(spec.rate, { maxPerMinute: 30 });
  assert.equal(spec.request.timeoutSeconds, 600);
  assert.deepEqual(spec.target, { kind: 'deviceIds', deviceIds: ['a', 'b'] });
  const query = parseRolloutRequest({ operation: 'firmwareUpdate', parameters: { payload: { fwPackageUri: 'https://x.example/f.bin' } },
    target: { query: { tags: { 'a.b': 'v' }, connectionState: 'Disconnected' } } });
  assert.deepEqual(query.target, { kind: 'query', query: { tags: [{ name: 'a.b', value: 'v' }], connectionState: 'Disconnected' } });
  assert.deepEqual(query.waves, [100]);
  assert.equal(query.rate, null);
});

test('ROLLOUT_BATCH_SIZE: 1–100, default 50; anything else names the setting', async (t) => {
  assert.equal(readBatchSize({}), 50);
  assert.equal(readBatchSize({ ROLLOUT_BATCH_SIZE: '10' }), 10);
  for (const bad of ['0', '101', 'ten', '1.5', '-3']) {
    await t.test(bad, () => assert.throws(() => readBatchSize({ ROLLOUT_BATCH_SIZE: bad }), /ROLLOUT_BATCH_SIZE/));
  }
});
