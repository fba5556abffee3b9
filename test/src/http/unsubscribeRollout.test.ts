// Unsubscribing a rollout's callback: the row goes, the answer points at the rollout's status route, and
// cancelOperation cancels the rollout through its summary row (as its cancel route does), never by a raised event.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { HttpRequest } from '@azure/functions';
import { callbackKey, type CallbackStore } from '../../../src/domain/callbacks/callbackStore';
import type { RolloutState } from '../../../src/domain/rollouts/rolloutStore';
import { unsubscribeCallback } from '../../../src/http/unsubscribeCallback';
import { FakeDurableClient } from '../../support/fakeDurableClient';
import { BASE, body, context } from './httpTestSupport';

const URL_TEXT = 'https://prod-00.westeurope.logic.azure.com/workflows/x/triggers/manual/paths/invoke?sig=secret';
const ROLLOUT = 'rollout-0123456789abcdef0123456789abcdef';

function callbackStore(rows: Set<string>): CallbackStore {
  return {
    save: async (key, id) => void rows.add(`${key}/${id}`),
    read: async () => null,
    remove: async (key, id) => void rows.delete(`${key}/${id}`),
    subscribers: async (key) => [...rows].filter((r) => r.startsWith(`${key}/`)).map((r) => r.slice(key.length + 1)),
    forInstance: async () => [],
    pending: async () => [],
  };
}

test('unsubscribing a rollout', async (t) => {
  const cases: Array<{ name: string; state: RolloutState; cancelOperation: boolean; cancels: boolean }> = [
    { name: 'without cancelOperation the rollout goes on', state: 'running', cancelOperation: false, cancels: false },
    { name: 'cancelOperation cancels a running rollout', state: 'running', cancelOperation: true, cancels: true },
    { name: 'cancelOperation on a rollout that is over does nothing', state: 'completed', cancelOperation: true, cancels: false },
  ];
  for (const c of cases) {
    await t.test(c.name, async () => {
      const rows = new Set([`${callbackKey(URL_TEXT)}/${ROLLOUT}`]);
      const cancels: string[] = [];
      const client = new FakeDurableClient();
      client.put(ROLLOUT, { runtimeStatus: 'Running' });
      const request = new HttpRequest({ method: 'POST', url: `${BASE}/callbacks/unsubscribe?code=k`, headers: { 'content-type': 'application/json' },
        body: { string: JSON.stringify({ callbackUrl: URL_TEXT, cancelOperation: c.cancelOperation }) } });
      const response = await unsubscribeCallback(request, client, context(), {
        callbacks: callbackStore(rows),
        rollouts: {
          read: async (id) => ({ state: c.state, rolloutId: id }) as never,
          requestCancel: async (id) => void cancels.push(id),
        },
      });
      assert.equal(response.status, 200);
      assert.deepEqual(body(response).unsubscribed, [{ instanceId: ROLLOUT, operation: null, statusUrl: `${BASE}/rollouts/${ROLLOUT}?code=k`, cancelRequested: c.cancels }]);
      assert.equal(rows.size, 0, 'the callback row is gone');
      assert.deepEqual(cancels, c.cancels ? [ROLLOUT] : []);
      assert.deepEqual(client.events.map((e) => [e.instanceId, e.eventName, e.eventData]),
        c.cancels ? [[ROLLOUT, 'rolloutControl', { action: 'cancel', force: false }]] : [], 'the cancel wakes the rollout as its cancel route does');
      assert.ok(!JSON.stringify(body(response)).includes('secret'));
    });
  }
});
