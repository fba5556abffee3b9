// The callback activity: one attempt, what it reports for each answer, and when it forgets the stored URL.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { CallbackBlockedError, type CallbackSender } from '../../../src/adapters/callbacks/httpCallbackSender';
import { notifyCallback } from '../../../src/activities/notifyCallback';
import type { CallbackStore } from '../../../src/domain/callbacks/callbackStore';

const URL_TEXT = 'https://logic.example/cb?sig=s3cret';

function memoryStore(stored: boolean): CallbackStore & { rows: Map<string, string> } {
  const rows = new Map<string, string>(stored ? [['k/op-1', URL_TEXT]] : []);
  return {
    rows,
    save: async (key, id, url) => void rows.set(`${key}/${id}`, url),
    read: async (key, id) => rows.get(`${key}/${id}`) ?? null,
    remove: async (key, id) => void rows.delete(`${key}/${id}`),
    subscribers: async (key) => [...rows.keys()].filter((k) => k.startsWith(`${key}/`)).map((k) => k.slice(key.length + 1)),
    forInstance: async (instanceId) => [...rows.keys()].filter((k) => k.endsWith(`/${instanceId}`)).map((k) => k.split('/')[0]!),
    pending: async () => [...rows.keys()].map((k) => ({ key: k.split('/')[0]!, instanceId: k.slice(k.indexOf('/') + 1) })),
  };
}

test('one callback attempt: result and whether the URL is kept for another attempt', async (t) => {
  const cases: Array<{ name: string; answer: number | Error; last?: boolean; kind: string; kept: boolean }> = [
    { name: '200 → delivered, forgotten', answer: 200, kind: 'delivered', kept: false },
    { name: '204 → delivered', answer: 204, kind: 'delivered', kept: false },
    { name: '500 → retry, kept', answer: 500, kind: 'retry', kept: true },
    { name: '429 → retry', answer: 429, kind: 'retry', kept: true },
    { name: '408 → retry', answer: 408, kind: 'retry', kept: true },
    { name: '500 on the last attempt → forgotten', answer: 500, last: true, kind: 'retry', kept: false },
    { name: 'network error → retry', answer: new Error('network error ECONNREFUSED'), kind: 'retry', kept: true },
    { name: '404 → refused, forgotten', answer: 404, kind: 'refused', kept: false },
    { name: '302 (redirects are not followed) → refused', answer: 302, kind: 'refused', kept: false },
    { name: 'blocked address → refused', answer: new CallbackBlockedError('a private address'), kind: 'refused', kept: false },
  ];
  for (const { name, answer, last, kind, kept } of cases) {
    await t.test(name, async () => {
      const store = memoryStore(true);
      const sent: unknown[] = [];
      const logs: string[] = [];
      const send: CallbackSender = async (url, body) => {
        sent.push([url, body]);
        if (answer instanceof Error) throw answer;
        return answer;
      };
      const result = await notifyCallback({ instanceId: 'op-1', key: 'k', body: { status: 'Succeeded' }, attempt: 1, lastAttempt: last ?? false },
        { callbacks: store, send, log: (line) => logs.push(line) });
      assert.equal(result.kind, kind);
      assert.deepEqual(sent, [[URL_TEXT, { status: 'Succeeded' }]]);
      assert.equal(store.rows.size === 1, kept);
      assert.ok(logs.length > 0 && logs.every((line) => !line.includes('s3cret') && !line.includes('logic.example')));
    });
  }
});

test('an unsubscribed operation (no stored URL) sends nothing', async () => {
  let sends = 0;
  const result = await notifyCallback({ instanceId: 'op-1', key: 'k', body: {}, attempt: 1, lastAttempt: false },
    { callbacks: memoryStore(false), send: async () => { sends += 1; return 200; } });
  assert.deepEqual(result, { kind: 'unsubscribed' });
  assert.equal(sends, 0);
});
