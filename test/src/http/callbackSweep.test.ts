// The callback sweeper (the timer's whole-table sweep and the one-instance sweep) against the fake durable
// client: it starts one delivery per waiting callback of an instance that is over, with the status route's body
// plus status, and leaves running instances and already-delivering callbacks alone; rollouts only with the store.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import type { CallbackStore } from '../../../src/domain/callbacks/callbackStore';
import { initialCounters } from '../../../src/domain/rollouts/rolloutCounters';
import type { RolloutSummary } from '../../../src/domain/rollouts/rolloutStore';
import { rolloutView, unclosedAsFailed } from '../../../src/domain/rollouts/rolloutView';
import { FUNCTION } from '../../../src/functionNames';
import { FUNCTION_ROLLOUT } from '../../../src/rolloutFunctionNames';
import { sweepCallbacks, sweepInstance } from '../../../src/http/callbackSweep';
import { callbackDeliveryInstanceId, type CallbackDeliveryInput } from '../../../src/orchestrations/callbackDelivery';
import type { RetrySpec } from '../../../src/orchestrations/deviceOperationInput';
import { FakeDurableClient } from '../../support/fakeDurableClient';

const RETRY: RetrySpec = { firstRetryIntervalMs: 2000, maxAttempts: 6, backoffCoefficient: 2, maxRetryIntervalMs: 60_000 };
const KEY = 'a'.repeat(64);

function memoryStore(rows: Array<[string, string]>): Pick<CallbackStore, 'forInstance' | 'pending' | 'remove'> & { rows: Array<[string, string]> } {
  return {
    rows,
    forInstance: async (instanceId) => rows.filter(([, id]) => id === instanceId).map(([key]) => key),
    pending: async () => rows.map(([key, instanceId]) => ({ key, instanceId })),
    remove: async (key, instanceId) => {
      const i = rows.findIndex(([k, id]) => k === key && id === instanceId);
      if (i >= 0) rows.splice(i, 1);
    },
  };
}

test('the sweeper', async (t) => {
  const cases: Array<{ name: string; runtimeStatus: 'Running' | 'Terminated' | 'Failed' | 'Completed' | null; status: string | null; outcome?: string }> = [
    { name: 'a terminated operation is called back Canceled', runtimeStatus: 'Terminated', status: 'Canceled', outcome: 'Canceled' },
    { name: 'a failed orchestration is called back Failed', runtimeStatus: 'Failed', status: 'Failed', outcome: 'Failed' },
    { name: 'a completed operation subscribed late is called back with its outcome', runtimeStatus: 'Completed', status: 'TimedOut', outcome: 'TimedOut' },
    { name: 'a running operation is left to finish', runtimeStatus: 'Running', status: null },
    { name: 'a purged instance loses its row and nothing is sent', runtimeStatus: null, status: null },
  ];
  for (const c of cases) {
    await t.test(c.name, async () => {
      const instanceId = 'reboot-dev-1-1';
      const client = new FakeDurableClient();
      if (c.runtimeStatus !== null) {
        client.put(instanceId, { runtimeStatus: c.runtimeStatus, input: { deviceId: 'dev-1' },
          output: c.runtimeStatus === 'Completed' ? { deviceId: 'dev-1', operation: 'reboot', outcome: 'TimedOut' } : 'boom' });
      }
      const store = memoryStore([[KEY, instanceId]]);
      const started = await sweepCallbacks(client, { callbacks: store, retry: RETRY });
      assert.equal(started, c.status === null ? 0 : 1);
      if (c.status === null) {
        assert.equal(client.started.length, 0);
        assert.equal(store.rows.length, c.runtimeStatus === null ? 0 : 1);
        return;
      }
      const [delivery] = client.started;
      assert.equal(delivery!.name, FUNCTION.callbackDeliveryOrchestrator);
      assert.equal(delivery!.instanceId, callbackDeliveryInstanceId(KEY, instanceId));
      const input = delivery!.input as CallbackDeliveryInput;
      assert.deepEqual(input.callback, { key: KEY, retry: RETRY });
      const body = input.body as Record<string, unknown>;
      assert.equal(body.status, c.status);
      assert.equal(body.outcome, c.outcome);
      assert.equal(body.runtimeStatus, c.runtimeStatus);
      assert.equal(body.instanceId, instanceId);
    });
  }

  await t.test('a second sweep while the delivery runs starts nothing; rollouts are left to their own final step', async () => {
    const client = new FakeDurableClient();
    client.put('reboot-dev-2-1', { runtimeStatus: 'Terminated' });
    const store = memoryStore([[KEY, 'reboot-dev-2-1'], [KEY, 'rollout-0123456789abcdef0123456789abcdef']]);
    assert.equal(await sweepInstance(client, { callbacks: store, retry: RETRY }, 'reboot-dev-2-1'), 1);
    client.put(callbackDeliveryInstanceId(KEY, 'reboot-dev-2-1'), { name: FUNCTION.callbackDeliveryOrchestrator, runtimeStatus: 'Running' });
    await sweepCallbacks(client, { callbacks: store, retry: RETRY });
    assert.equal(client.started.length, 1, 'one delivery only');
    assert.equal(store.rows.length, 2, 'the rows stay until the delivery uses them');
  });

  await t.test('with the rollout store (the timer): a terminated rollout is called back failed, as its status route reports it; a running one is left alone', async () => {
    const terminated = 'rollout-0123456789abcdef0123456789abcdef';
    const running = 'rollout-fedcba9876543210fedcba9876543210';
    const client = new FakeDurableClient();
    client.put(terminated, { name: FUNCTION_ROLLOUT.orchestrator, runtimeStatus: 'Terminated' });
    client.put(running, { name: FUNCTION_ROLLOUT.orchestrator, runtimeStatus: 'Running' });
    const summary = (rolloutId: string): RolloutSummary => ({
      rolloutId, operation: 'reboot', state: 'running', targetKind: 'deviceIds', total: 2, counters: { ...initialCounters(2), queued: 1, succeeded: 1 },
      waves: [100], currentWave: 1, rate: null, budget: null, currentRate: null, eta: null, startAt: null, retryAfterSeconds: 5,
      cancelRequested: false, forceCancel: false, pauseRequested: false, reason: null,
      createdAt: '2025-01-01T00:00:00.000Z', updatedAt: '2025-01-01T00:00:01.000Z', completedAt: null,
    });
    const store = memoryStore([[KEY, terminated], [KEY, running]]);
    const started = await sweepCallbacks(client, { callbacks: store, retry: RETRY, rollouts: { read: async (id) => summary(id) } });
    assert.equal(started, 1);
    const input = client.started[0]!.input as CallbackDeliveryInput;
    assert.equal(input.instanceId, terminated);
    assert.deepEqual(input.body, { ...rolloutView(unclosedAsFailed(summary(terminated))), status: 'Failed' });
    assert.equal((input.body as Record<string, unknown>).state, 'failed');
  });
});
