// The durable-functions DurableClient (the app's own client code) against the host's Durable HTTP API,
// through the binding payload the host hands to functions, plus the status codes of the webhook API.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { HttpManagementPayload as ManagementUrls } from 'durable-functions';
import type { LocalHost } from '../../../local/host/index';
import { getStatus, startInstance, startScenarioHost, waitForStatus, webhook, type StatusBody } from './helpers';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { DurableClient } = require('durable-functions/lib/src/durableClient/DurableClient') as {
  DurableClient: new (data: unknown) => DurableClientLike;
};

interface StatusLike {
  name: string;
  instanceId: string;
  runtimeStatus: string;
  output: unknown;
  input: unknown;
  customStatus: unknown;
}

interface DurableClientLike {
  startNew(name: string, options?: { instanceId?: string; input?: unknown }): Promise<string>;
  getStatus(id: string, options?: { showHistory?: boolean; showHistoryOutput?: boolean; showInput?: boolean }): Promise<StatusLike>;
  getStatusAll(): Promise<StatusLike[]>;
  getStatusBy(filter: { createdTimeFrom?: Date; createdTimeTo?: Date; runtimeStatus?: string[] }): Promise<StatusLike[]>;
  raiseEvent(id: string, name: string, data: unknown): Promise<void>;
  terminate(id: string, reason: string): Promise<void>;
  suspend(id: string, reason: string): Promise<void>;
  resume(id: string, reason: string): Promise<void>;
  rewind(id: string, reason: string): Promise<void>;
  purgeInstanceHistory(id: string): Promise<{ instancesDeleted: number }>;
  purgeInstanceHistoryBy(filter: { createdTimeFrom: Date; createdTimeTo?: Date; runtimeStatus?: string[] }): Promise<{ instancesDeleted: number }>;
}

describe('local host: DurableClient and the Durable HTTP API', () => {
  let host: LocalHost;
  let client: DurableClientLike;
  let payload: Record<string, unknown>;

  before(async () => {
    host = await startScenarioHost({ env: { EXTRA_SETTING: 'extra' } });
    const res = await fetch(`${host.baseUrl}/api/client-payload`, { headers: { 'x-functions-key': host.masterKey } });
    assert.equal(res.status, 200);
    payload = (await res.json()) as Record<string, unknown>;
    client = new DurableClient(payload);
  });
  after(async () => {
    await host.stop();
  });

  it('hands functions a binding payload pointing at this host, with the system key in the webhook URLs', () => {
    assert.equal(payload.taskHubName, 'ScenarioHub');
    assert.equal(payload.baseUrl, `${host.baseUrl}/runtime/webhooks/durabletask`);
    assert.equal(payload.requiredQueryStringParameters, `code=${encodeURIComponent(host.systemKey)}`);
    assert.equal(payload.rpcBaseUrl, host.rpcBaseUrl);
    const urls = payload.managementUrls as ManagementUrls;
    assert.equal(urls.id, 'INSTANCEID');
    assert.ok(urls.statusQueryGetUri.startsWith(`${host.baseUrl}/runtime/webhooks/durabletask/instances/INSTANCEID?taskHub=ScenarioHub&connection=Storage&code=`));
  });

  it('starts with and without an instance id and reads status and history', async () => {
    const generated = await client.startNew('Sequence');
    assert.match(generated, /^[0-9a-f]{32}$/);
    const id = await client.startNew('Sequence', { instanceId: 'client-seq-1', input: { a: 1 } });
    assert.equal(id, 'client-seq-1');
    await waitForStatus(host, id);
    const status = await client.getStatus(id, { showHistory: true, showHistoryOutput: true });
    assert.equal(status.runtimeStatus, 'Completed');
    assert.deepEqual(status.input, { a: 1 });
    assert.deepEqual(status.output, ['Hello Tokyo', 'Hello Seattle', 'Hello London']);
    const raw = await getStatus(host, id, 'showHistory=true&showHistoryOutput=true');
    const events = (raw.body.historyEvents ?? []).map((e) => `${String(e.EventType)}${e.FunctionName ? `:${String(e.FunctionName)}` : ''}`);
    assert.deepEqual(events, ['ExecutionStarted:Sequence', 'TaskCompleted:Hello', 'TaskCompleted:Hello', 'TaskCompleted:Hello', 'ExecutionCompleted']);
    assert.equal(raw.body.historyEvents?.[1]?.Result, 'Hello Tokyo');
    const noInput = await getStatus(host, id, 'showInput=false');
    assert.equal(noInput.body.input, null);
  });

  it('answers 202 with Location and Retry-After while running, 404 for an unknown instance', async () => {
    const id = await client.startNew('Waiter');
    await waitForStatus(host, id, (s) => s.runtimeStatus === 'Running');
    const res = await fetch(webhook(host, `instances/${id}`));
    assert.equal(res.status, 202);
    assert.equal(res.headers.get('retry-after'), '5');
    assert.equal(res.headers.get('location'), webhook(host, `instances/${id}`));
    const body = (await res.json()) as StatusBody;
    assert.equal(body.output, null);
    assert.match(body.createdTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    await assert.rejects(client.getStatus('no-such-instance'), /HTTP 404/);
    await client.terminate(id, 'cleanup');
    await waitForStatus(host, id);
  });

  it('raises events, and 410s for finished instances', async () => {
    const id = await client.startNew('CustomStatus');
    await waitForStatus(host, id, (s) => s.runtimeStatus === 'Running');
    await client.raiseEvent(id, 'Go', { ok: true });
    const done = await waitForStatus(host, id);
    assert.deepEqual(done.output, { ok: true });
    const gone = await fetch(webhook(host, `instances/${id}/raiseEvent/Go`), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '1' });
    assert.equal(gone.status, 410);
    const terminateGone = await fetch(webhook(host, `instances/${id}/terminate?reason=x`), { method: 'POST' });
    assert.equal(terminateGone.status, 410);
    await assert.rejects(client.raiseEvent('nobody', 'Go', 1), /No instance with ID 'nobody' found/);
    const notJson = await fetch(webhook(host, `instances/${id}/raiseEvent/Go`), { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x' });
    assert.equal(notJson.status, 410, 'status is checked before the content type');
  });

  it('suspends and resumes, holding events while suspended', async () => {
    const id = await client.startNew('CustomStatus');
    await waitForStatus(host, id, (s) => s.runtimeStatus === 'Running');
    await client.suspend(id, 'pause');
    await waitForStatus(host, id, (s) => s.runtimeStatus === 'Suspended');
    await client.raiseEvent(id, 'Go', 'while suspended');
    await host.whenIdle();
    assert.equal((await client.getStatus(id)).runtimeStatus, 'Suspended');
    await client.resume(id, 'go on');
    const done = await waitForStatus(host, id);
    assert.equal(done.runtimeStatus, 'Completed');
    assert.equal(done.output, 'while suspended');
    const history = await host.history(id);
    assert.ok(history.some((e) => e.EventType === 19 && e.Reason === 'pause'));
    assert.ok(history.some((e) => e.EventType === 20 && e.Reason === 'go on'));
  });

  it('terminates through the client', async () => {
    const id = await client.startNew('Waiter');
    await waitForStatus(host, id, (s) => s.runtimeStatus === 'Running');
    await client.terminate(id, 'stop');
    const status = await waitForStatus(host, id);
    assert.equal(status.runtimeStatus, 'Terminated');
    assert.equal(status.output, 'stop');
  });

  it('rewinds a failed instance: the failed activity runs again and the instance completes (202)', async () => {
    const id = await client.startNew('FlakyChild', { input: { key: 'rewind-activity', failures: 1 } });
    const failed = await waitForStatus(host, id);
    assert.equal(failed.runtimeStatus, 'Failed');
    assert.match(String(failed.output), /flaky attempt 1/);
    await client.rewind(id, 'try again');
    const done = await waitForStatus(host, id);
    assert.equal(done.runtimeStatus, 'Completed');
    assert.equal(done.output, 'ok after 2');
  });

  it('rewinds a failed sub-orchestration through its parent', async () => {
    const id = await client.startNew('ParentOfFlaky', { input: { key: 'rewind-child', failures: 1 } });
    assert.equal((await waitForStatus(host, id)).runtimeStatus, 'Failed');
    const res = await fetch(webhook(host, `instances/${id}/rewind?reason=again`), { method: 'POST' });
    assert.equal(res.status, 202);
    const done = await waitForStatus(host, id);
    assert.equal(done.runtimeStatus, 'Completed');
    assert.deepEqual(done.output, { child: 'ok after 2' });
    assert.equal((await waitForStatus(host, `${id}-child`)).runtimeStatus, 'Completed');
  });

  it('refuses rewind as the extension does: 410 when finished, 500 when not failed, 404 when unknown, with readable client errors', async () => {
    const done = await client.startNew('Sequence');
    await waitForStatus(host, done);
    const gone = await fetch(webhook(host, `instances/${done}/rewind?reason=x`), { method: 'POST' });
    assert.equal(gone.status, 410);
    await assert.rejects(client.rewind(done, 'x'), (err: Error) => err.message.includes('410') && !err.message.includes('[object Object]'));

    const running = await client.startNew('Waiter');
    await waitForStatus(host, running, (s) => s.runtimeStatus === 'Running');
    const notFailed = await fetch(webhook(host, `instances/${running}/rewind?reason=x`), { method: 'POST' });
    assert.equal(notFailed.status, 500);
    assert.deepEqual({ ...((await notFailed.json()) as Record<string, unknown>), StackTrace: undefined }, {
      Message: 'Something went wrong while processing your request',
      ExceptionMessage: 'The rewind operation is only supported on failed orchestration instances.',
      ExceptionType: 'System.InvalidOperationException',
      StackTrace: undefined,
    });
    await assert.rejects(client.rewind(running, 'x'), /only supported on failed orchestration instances/);
    await assert.rejects(client.rewind('no-such-instance', 'x'), { message: "No instance with ID 'no-such-instance' found." });
    await client.terminate(running, 'cleanup');
  });

  it('restarts an instance (new id by default, same id on request)', async () => {
    const id = await client.startNew('Sequence', { input: 'again' });
    await waitForStatus(host, id);
    const res = await fetch(webhook(host, `instances/${id}/restart`), { method: 'POST' });
    assert.equal(res.status, 202);
    const newId = ((await res.json()) as { id: string }).id;
    assert.notEqual(newId, id);
    const restarted = await waitForStatus(host, newId);
    assert.equal(restarted.input, 'again');
    const same = await fetch(webhook(host, `instances/${id}/restart?restartWithNewInstanceId=false`), { method: 'POST' });
    assert.equal(((await same.json()) as { id: string }).id, id);
    const unknown = await fetch(webhook(host, 'instances/nope/restart'), { method: 'POST' });
    assert.equal(unknown.status, 400);
  });

  it('lists instances with filters and follows continuation tokens', async () => {
    const from = new Date(Date.now() - 1000);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await client.startNew('Sequence', { instanceId: `page-${i}` }));
    for (const id of ids) await waitForStatus(host, id);
    const first = await fetch(webhook(host, 'instances/?instanceIdPrefix=page-&top=2'));
    assert.equal(first.status, 200);
    const token = first.headers.get('x-ms-continuation-token');
    assert.ok(token, 'a continuation token while more pages exist');
    assert.equal(((await first.json()) as unknown[]).length, 2);
    let seen = 0;
    let next: string | null = token;
    while (next) {
      const page = await fetch(webhook(host, 'instances/?instanceIdPrefix=page-&top=2'), { headers: { 'x-ms-continuation-token': next } });
      seen += ((await page.json()) as unknown[]).length;
      next = page.headers.get('x-ms-continuation-token');
    }
    assert.equal(seen, 3, 'the last page carries no token');
    const all = await client.getStatusAll();
    assert.ok(ids.every((id) => all.some((s) => s.instanceId === id)));
    const completed = await client.getStatusBy({ createdTimeFrom: from, runtimeStatus: ['Completed'] });
    assert.ok(ids.every((id) => completed.some((s) => s.instanceId === id)));
    assert.ok(completed.every((s) => s.runtimeStatus === 'Completed'));
    const future = await client.getStatusBy({ createdTimeFrom: new Date(Date.now() + 60_000) });
    assert.deepEqual(future, []);
  });

  it('purges one instance and by filter (404 when nothing is deleted)', async () => {
    const id = await client.startNew('Sequence', { instanceId: 'purge-me' });
    await waitForStatus(host, id);
    assert.deepEqual(await client.purgeInstanceHistory(id), { instancesDeleted: 1 });
    assert.equal((await getStatus(host, id)).status, 404);
    assert.equal((await client.purgeInstanceHistory(id)).instancesDeleted, 0);

    const running = await client.startNew('Waiter');
    await waitForStatus(host, running, (s) => s.runtimeStatus === 'Running');
    const precondition = await fetch(webhook(host, `instances/${running}`), { method: 'DELETE' });
    assert.equal(precondition.status, 412);
    await client.terminate(running, 'x');
    await waitForStatus(host, running);

    const from = new Date(Date.now() - 60 * 60 * 1000);
    const purged = await client.purgeInstanceHistoryBy({ createdTimeFrom: from, runtimeStatus: ['Terminated'] });
    assert.ok(purged.instancesDeleted >= 1);
    const none = await fetch(webhook(host, `instances/?createdTimeFrom=${from.toISOString()}&runtimeStatus=Terminated`), { method: 'DELETE' });
    assert.equal(none.status, 404);
    const missingFrom = await fetch(webhook(host, 'instances/'), { method: 'DELETE' });
    assert.equal(missingFrom.status, 400);
  });

  it('refuses to start over a Pending or Running instance (NonRunningStates, the extension default) and accepts it once finished', async () => {
    await startInstance(host, 'Waiter', undefined, 'reused-id');
    const refused = await fetch(webhook(host, 'orchestrators/Sequence/reused-id'), { method: 'POST' });
    assert.equal(refused.status, 500);
    const body = (await refused.json()) as Record<string, unknown>;
    assert.equal(body.Message, 'Something went wrong while processing your request');
    assert.match(String(body.ExceptionMessage), /^An Orchestration instance with the status (Pending|Running) already exists\.$/);
    assert.equal(body.ExceptionType, 'DurableTask.Core.Exceptions.OrchestrationAlreadyExistsException');
    // The JS client (the app's startNew) rejects with the status and the extension's message.
    await assert.rejects(client.startNew('Sequence', { instanceId: 'reused-id' }), /unexpected status code: 500\. Details: .*already exists/);
    assert.equal((await getStatus(host, 'reused-id')).body.name, 'Waiter', 'the running instance is untouched');
    await client.terminate('reused-id', 'done');
    await waitForStatus(host, 'reused-id');
    await startInstance(host, 'Sequence', undefined, 'reused-id');
    const status = await waitForStatus(host, 'reused-id');
    assert.equal(status.name, 'Sequence');
    assert.equal(status.runtimeStatus, 'Completed');
  });

  it('400s for unknown orchestrators and bad JSON; generated instance ids are 32 hex digits', async () => {
    const unknown = await fetch(webhook(host, 'orchestrators/NoSuchOrchestrator'), { method: 'POST' });
    assert.equal(unknown.status, 400);
    const badJson = await fetch(webhook(host, 'orchestrators/Sequence'), { method: 'POST', body: '{not json' });
    assert.equal(badJson.status, 400);
    const generated = await client.startNew('Sequence');
    assert.match(generated, /^[0-9a-f]{32}$/);
  });

  it('validates instance ids as DurableClient.StartNewAsync does (400 with the ArgumentException text)', async (t) => {
    const cases: [string, string, RegExp][] = [
      ['leading @', '@entity', /must not start with @/],
      ['backslash', 'a\\b', /must not contain \/, \\, #, \?, or control characters/],
      ['hash', 'a#b', /must not contain/],
      ['question mark', 'a?b', /must not contain/],
      ['control character', 'a\u0001b', /must not contain/],
      ['257 characters', 'x'.repeat(257), /^Instance ID lengths must not exceed 256 characters\.$/],
    ];
    for (const [label, id, message] of cases) {
      await t.test(label, async () => {
        const res = await fetch(webhook(host, `orchestrators/Sequence/${encodeURIComponent(id)}`), { method: 'POST' });
        assert.equal(res.status, 400);
        const body = (await res.json()) as Record<string, unknown>;
        assert.equal(body.Message, 'One or more of the arguments submitted is incorrect');
        assert.equal(body.ExceptionType, 'System.ArgumentException');
        assert.match(String(body.ExceptionMessage), message);
        assert.equal((await getStatus(host, id)).status, 404, 'nothing was created');
      });
    }
    await t.test('256 characters and other punctuation are accepted', async () => {
      for (const id of ['y'.repeat(256), "a.b-c:d@e!f(g)h'i"]) {
        const res = await fetch(webhook(host, `orchestrators/Sequence/${encodeURIComponent(id)}`), { method: 'POST' });
        assert.equal(res.status, 202, id);
        await waitForStatus(host, id);
      }
    });
  });

  it('requires the system (or master) key on the webhook API', async () => {
    const bare = await fetch(`${host.baseUrl}/runtime/webhooks/durabletask/instances/`);
    assert.equal(bare.status, 401);
    const wrong = await fetch(`${host.baseUrl}/runtime/webhooks/durabletask/instances/?code=${host.functionKey}`);
    assert.equal(wrong.status, 401);
    const master = await fetch(`${host.baseUrl}/runtime/webhooks/durabletask/instances/`, { headers: { 'x-functions-key': host.masterKey } });
    assert.equal(master.status, 200);
  });

  it("serves the app's createCheckStatusResponse and waitForCompletionOrCreateCheckStatusResponse", async () => {
    const res = await fetch(`${host.baseUrl}/api/orchestrators/Sequence/from-app?code=${host.functionKey}`, { method: 'POST' });
    assert.equal(res.status, 202);
    assert.equal(res.headers.get('retry-after'), '10');
    const links = (await res.json()) as ManagementUrls;
    assert.equal(res.headers.get('location'), links.statusQueryGetUri);
    assert.equal(links.id, 'from-app');
    assert.ok(links.statusQueryGetUri.startsWith(`${host.baseUrl}/runtime/webhooks/durabletask/instances/from-app?`));
    let body: StatusBody | undefined;
    for (let i = 0; i < 200; i++) {
      const poll = await fetch(links.statusQueryGetUri);
      body = (await poll.json()) as StatusBody;
      if (poll.status === 200) break;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    assert.equal(body?.runtimeStatus, 'Completed');
    const waited = await fetch(`${host.baseUrl}/api/wait/Encodings?code=${host.functionKey}`, { method: 'POST', body: JSON.stringify({ x: 1 }) });
    assert.equal(waited.status, 200);
    assert.deepEqual(((await waited.json()) as { input: unknown }).input, { x: 1 });
    const terminate = await fetch(links.terminatePostUri.replace('{text}', 'x'), { method: 'POST' });
    assert.equal(terminate.status, 410);
  });
});
