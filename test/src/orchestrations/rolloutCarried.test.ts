// The rollout orchestrator, as functions/rollouts.ts registers it, on the local host's real Durable engine
// (local/host/testing/durableTestEnvironment.ts): an execution that only waits for devices an earlier execution
// started (progress.inFlight) reads their outcomes from the operations table every CARRY_POLL_MS. Issue 11's stall:
// a lookup that found some outcomes armed the flush timer and the next poll timer for the same instant; the flush
// won the Task.any, the fired poll timer was waited on again and never resolved it: the rollout stayed running.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { completes, loadDurableTestEnvironment, type ActivityCall } from '../../../local/host/testing/durableTestEnvironment';
import { ROLLOUT_ACTIVITY, type CollectOutcomesInput, type CollectOutcomesResult } from '../../../src/activities/rolloutContracts';
import { DEFAULT_OPERATION_REQUEST } from '../../../src/domain/operationRequest';
import { initialCounters, move } from '../../../src/domain/rollouts/rolloutCounters';
import { FUNCTION_ROLLOUT } from '../../../src/rolloutFunctionNames';
import { CARRY_POLL_MS, PROGRESS_FLUSH_MS, ROLLOUT_CONTROL_EVENT } from '../../../src/orchestrations/rollout';
import type { InFlightDevice, RolloutInput } from '../../../src/orchestrations/rolloutInput';

const env = loadDurableTestEnvironment([require.resolve('../../../functions/rollouts')]);

const START = new Date('2025-03-01T10:00:00.000Z');
const RETRY = { firstRetryIntervalMs: 1000, maxAttempts: 2, backoffCoefficient: 2, maxRetryIntervalMs: 5000 };
const DEVICES: InFlightDevice[] = [0, 1, 2].map((ordinal) => ({
  ordinal, deviceId: `dev-${ordinal}`, instanceId: `reboot-dev-${ordinal}-1`, attempts: 1, refusals: 0, requestedAt: START.toISOString(),
}));

/** A later execution: every device started, all three still running when the previous execution continued as new. */
function carriedInput(): RolloutInput {
  return {
    rolloutId: 'rollout-00000000000000000000000000000011', operation: 'reboot', request: DEFAULT_OPERATION_REQUEST,
    retry: { invoke: RETRY, read: RETRY, record: RETRY }, target: { kind: 'deviceIds', total: 3 }, waves: [], abort: [], rate: null,
    budget: null, retries: { maxAttempts: 1, on: [] }, startAt: null, batchSize: 1, limit: 10_000,
    progress: {
      total: 3, waveEnds: [3], cursor: 3, wave: 0, counters: move(initialCounters(3), 'queued', 'inProgress', 3), notBefore: null,
      slowDown: 1, deviceMs: null, inFlight: DEVICES,
    },
  };
}

/** The operations table as the devices finish: one more device over at each lookup. */
const oneMorePerLookup = (call: ActivityCall) => {
  const asked = (call.input as CollectOutcomesInput).devices;
  const over = asked.filter((d) => d.ordinal <= call.callIndex);
  return completes({ ended: over.map((d) => ({ ordinal: d.ordinal, outcome: 'Succeeded', durationMs: 1000, hubRefused: false })) } satisfies CollectOutcomesResult);
};

test('carried devices: every outcome is collected and the rollout completes', async (t) => {
  // The flush and poll periods are equal, so each lookup that finds an outcome arms both timers for the same instant.
  assert.equal(PROGRESS_FLUSH_MS, CARRY_POLL_MS);
  const cases = [
    { name: 'lookups alone', events: [] },
    // A pause raised with the first timers: the control event completes beside them and is handled too.
    { name: 'with a pause at the first poll', events: [{ name: ROLLOUT_CONTROL_EVENT, input: { action: 'pause' }, at: new Date(START.getTime() + CARRY_POLL_MS) }] },
  ];
  for (const c of cases) {
    // Without the fix the pause case keeps the environment busy instead of failing: bounded so it fails.
    await t.test(c.name, { timeout: 30_000 }, async () => {
      const result = await env.run({
        orchestratorName: FUNCTION_ROLLOUT.orchestrator, instanceId: `rollout-carried-${c.events.length}`, input: carriedInput(), startAt: START,
        activities: {
          [ROLLOUT_ACTIVITY.collectOutcomes.name]: oneMorePerLookup,
          [ROLLOUT_ACTIVITY.recordBatch.name]: () => completes(null),
          [ROLLOUT_ACTIVITY.close.name]: () => completes(null),
        },
        activityLatencyMs: 0,
        maxEpisodes: 200,
        events: c.events,
      });
      assert.equal(result.runtimeStatus, 'Completed', result.error);
      assert.deepEqual(result.output, { rolloutId: carriedInput().rolloutId, state: 'completed' });
      const closed = result.calls.find((call) => call.name === ROLLOUT_ACTIVITY.close.name);
      assert.equal((closed?.input as { counters: { succeeded: number } } | undefined)?.counters.succeeded, 3);
      assert.equal(result.calls.filter((call) => call.name === ROLLOUT_ACTIVITY.collectOutcomes.name).length, 3);
    });
  }
});
