// The durable-functions sample patterns and the Durable HTTP API's contracts (issue 9's Tests list), each run on the
// memory store AND on Azure Tables (Azurite), through the real worker and the webhook API, on the manual clock:
// durable timers fire when the test moves time (`advanceClock`), so a 5-minute monitor interval or a 1-hour deadline
// costs no wall time and "the event arrives before the deadline" is not a race. Retry backoffs of tens of ms still
// run at wall speed (the manual clock's time flows, it just never skips on its own). scenarios.test.ts checks the
// history ids of these patterns in detail on the memory store; this file checks outcomes on both stores.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startAzurite, type RunningAzurite } from '../../../local/azurite/index';
import { MemoryStore, type LocalHost } from '../../../local/host/index';
import { getStatus, raiseEvent, startInstance, startScenarioHost, waitForStatus, webhook } from './helpers';

const MINUTE = 60_000;

interface Matrix {
  host: LocalHost;
  /** A unique instance id for this store's run. */
  id(name: string): string;
  /** Stops the host and starts another on the same store. */
  restart(): Promise<void>;
}

async function post(url: string, body?: unknown): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
}

/** Runs until nothing is runnable, then reads the status. */
async function settled(m: Matrix, id: string): Promise<Awaited<ReturnType<typeof getStatus>>['body']> {
  await m.host.whenIdle();
  return (await getStatus(m.host, id)).body;
}

const PATTERNS: [string, (m: Matrix) => Promise<void>][] = [
  ['function chaining', async (m) => {
    const id = await startInstance(m.host, 'Sequence', undefined, m.id('chain'));
    assert.deepEqual((await waitForStatus(m.host, id)).output, ['Hello Tokyo', 'Hello Seattle', 'Hello London']);
  }],
  ['fan-out/fan-in (Task.all)', async (m) => {
    const id = await startInstance(m.host, 'FanOut', 10, m.id('fan'));
    assert.equal((await waitForStatus(m.host, id)).output, 45);
  }],
  ['async HTTP API: 202 with Location, then 200 with the output', async (m) => {
    const started = await post(`${m.host.baseUrl}/api/orchestrators/Sequence/${m.id('async-http')}?code=${m.host.functionKey}`);
    assert.equal(started.status, 202);
    const location = started.headers.get('location');
    assert.ok(location);
    await started.arrayBuffer();
    await m.host.whenIdle();
    const done = await fetch(location);
    assert.equal(done.status, 200);
    assert.equal(((await done.json()) as { runtimeStatus: string }).runtimeStatus, 'Completed');
  }],
  ['monitor: poll, durable timer, poll again until ready', async (m) => {
    const id = await startInstance(m.host, 'Monitor', { readyAfter: 3, intervalMs: 5 * MINUTE }, m.id('monitor'));
    for (const polls of [1, 2]) {
      assert.deepEqual((await settled(m, id)).customStatus, { polls });
      m.host.advanceClock(5 * MINUTE);
    }
    const done = await waitForStatus(m.host, id);
    assert.equal((done.output as { polls: number }).polls, 3);
    assert.ok((done.output as { elapsedMs: number }).elapsedMs >= 10 * MINUTE);
  }],
  ['event vs timer race: the event first', async (m) => {
    const id = await startInstance(m.host, 'ApprovalWithDeadline', { timeoutMs: 60 * MINUTE }, m.id('race-event'));
    await settled(m, id);
    assert.equal(await raiseEvent(m.host, id, 'Approve', 'yes'), 202);
    assert.deepEqual((await waitForStatus(m.host, id)).output, { approved: 'yes' });
  }],
  ['event vs timer race: the deadline first', async (m) => {
    const id = await startInstance(m.host, 'ApprovalWithDeadline', { timeoutMs: 60 * MINUTE }, m.id('race-timer'));
    assert.equal((await settled(m, id)).runtimeStatus, 'Running');
    m.host.advanceClock(60 * MINUTE);
    assert.equal(((await waitForStatus(m.host, id)).output as { approved: boolean }).approved, false);
  }],
  ['sub-orchestrations (with retry, and named)', async (m) => {
    const id = await startInstance(m.host, 'SubOrchestrationWithRetry', undefined, m.id('sub'));
    assert.deepEqual((await waitForStatus(m.host, id)).output, { child: 'ok after 2', plain: ['Hello Tokyo', 'Hello Seattle', 'Hello London'] });
    assert.equal((await getStatus(m.host, `${id}-seq`)).body.runtimeStatus, 'Completed');
  }],
  ['continueAsNew', async (m) => {
    const id = await startInstance(m.host, 'Counter', 0, m.id('continue'));
    const done = await waitForStatus(m.host, id);
    assert.equal(done.output, 3);
    assert.equal(done.input, 3, 'the last execution\'s input');
  }],
  ['retries: succeeds on the second attempt; exhausted fails the instance', async (m) => {
    const ok = await startInstance(m.host, 'RetrySucceeds', undefined, m.id('retry-ok'));
    const bad = await startInstance(m.host, 'RetryExhausted', undefined, m.id('retry-bad'));
    assert.equal((await waitForStatus(m.host, ok)).output, 'ok after 2');
    assert.equal((await waitForStatus(m.host, bad)).runtimeStatus, 'Failed');
  }],
  ['Task.any: the activity beats a 1-hour timer, which is cancelled', async (m) => {
    const id = await startInstance(m.host, 'RaceActivityTimer', { ms: 10, timeoutMs: 60 * MINUTE }, m.id('any'));
    assert.deepEqual((await waitForStatus(m.host, id)).output, { winner: 'activity', value: 'slept 10' });
  }],
  ['custom status while waiting and after completion', async (m) => {
    const id = await startInstance(m.host, 'CustomStatus', undefined, m.id('custom'));
    assert.deepEqual((await settled(m, id)).customStatus, { phase: 'waiting' });
    assert.equal(await raiseEvent(m.host, id, 'Go', 7), 202);
    assert.deepEqual((await waitForStatus(m.host, id)).customStatus, { phase: 'done', value: 7 });
  }],
  ['terminate', async (m) => {
    const id = await startInstance(m.host, 'Waiter', undefined, m.id('terminate'));
    await settled(m, id);
    assert.equal((await post(webhook(m.host, `instances/${id}/terminate?reason=enough`))).status, 202);
    const done = await waitForStatus(m.host, id);
    assert.deepEqual([done.runtimeStatus, done.output], ['Terminated', 'enough']);
  }],
  ['suspend holds events; resume delivers them', async (m) => {
    const id = await startInstance(m.host, 'CustomStatus', undefined, m.id('suspend'));
    await settled(m, id);
    assert.equal((await post(webhook(m.host, `instances/${id}/suspend?reason=pause`))).status, 202);
    assert.equal((await settled(m, id)).runtimeStatus, 'Suspended');
    assert.equal(await raiseEvent(m.host, id, 'Go', 'held'), 202);
    assert.equal((await settled(m, id)).runtimeStatus, 'Suspended');
    assert.equal((await post(webhook(m.host, `instances/${id}/resume?reason=go`))).status, 202);
    assert.equal((await waitForStatus(m.host, id)).output, 'held');
  }],
  ['purge', async (m) => {
    const id = await startInstance(m.host, 'Sequence', undefined, m.id('purge'));
    await waitForStatus(m.host, id);
    const purged = await fetch(webhook(m.host, `instances/${id}`), { method: 'DELETE' });
    assert.deepEqual([purged.status, await purged.json()], [200, { instancesDeleted: 1 }]);
    assert.equal((await getStatus(m.host, id)).status, 404);
  }],
  ['rewind a failed instance', async (m) => {
    const id = await startInstance(m.host, 'FlakyChild', { key: m.id('rewind-key'), failures: 1 }, m.id('rewind'));
    assert.equal((await waitForStatus(m.host, id)).runtimeStatus, 'Failed');
    assert.equal((await post(webhook(m.host, `instances/${id}/rewind?reason=again`))).status, 202);
    assert.equal((await waitForStatus(m.host, id, (s) => s.runtimeStatus === 'Completed')).output, 'ok after 2');
  }],
  ['a start over a running instance id is refused', async (m) => {
    const id = await startInstance(m.host, 'Waiter', undefined, m.id('duplicate'));
    const refused = await post(webhook(m.host, `orchestrators/Sequence/${id}`));
    assert.equal(refused.status, 500);
    assert.equal(((await refused.json()) as { ExceptionType: string }).ExceptionType, 'DurableTask.Core.Exceptions.OrchestrationAlreadyExistsException');
    assert.equal((await getStatus(m.host, id)).body.name, 'Waiter');
  }],
  ['instance ids are validated', async (m) => {
    for (const bad of ['@entity', 'a#b', 'x'.repeat(257)]) {
      const res = await post(webhook(m.host, `orchestrators/Sequence/${encodeURIComponent(bad)}`));
      assert.equal(res.status, 400, bad);
      assert.equal(((await res.json()) as { ExceptionType: string }).ExceptionType, 'System.ArgumentException');
    }
  }],
  ['keys after a restart: the URLs handed out before still answer', async (m) => {
    const id = await startInstance(m.host, 'Sequence', undefined, m.id('keys'));
    const statusUrl = webhook(m.host, `instances/${id}`);
    const functionUrl = `${m.host.baseUrl}/api/orchestrators/Sequence/${m.id('keys-2')}?code=${m.host.functionKey}`;
    await waitForStatus(m.host, id);
    await m.restart();
    // The same port is not guaranteed: the URLs keep their keys, the origin is the new host's.
    const moved = (url: string) => url.replace(/^http:\/\/[^/]+/, m.host.baseUrl);
    const status = await fetch(moved(statusUrl));
    assert.equal(status.status, 200);
    assert.equal(((await status.json()) as { runtimeStatus: string }).runtimeStatus, 'Completed');
    const started = await post(moved(functionUrl));
    assert.equal(started.status, 202);
    await started.arrayBuffer();
  }],
];

const STORES = ['memory', 'azurite'] as const;

for (const store of STORES) {
  describe(`sample patterns on the ${store} store`, () => {
    let azurite: RunningAzurite | undefined;
    let storage: MemoryStore | string;
    const m: Matrix = {
      host: undefined as unknown as LocalHost,
      id: (name) => `${store}-${name}`,
      restart: async () => {
        await m.host.stop();
        m.host = await startScenarioHost({ storage, clock: 'manual' });
      },
    };
    before(async () => {
      if (store === 'azurite') azurite = await startAzurite();
      storage = azurite?.connectionString ?? new MemoryStore();
      m.host = await startScenarioHost({ storage, clock: 'manual' });
    });
    after(async () => {
      await m.host?.stop();
      await azurite?.stop();
    });

    it('runs every pattern', async (t) => {
      for (const [name, run] of PATTERNS) await t.test(name, () => run(m));
    });
  });
}
