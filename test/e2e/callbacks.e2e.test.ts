// Completion callbacks end to end: the app on the local stack calls back a real HTTP server standing in for Logic
// Apps (http over loopback, which the stack's CALLBACK_ALLOW_LOOPBACK allows). Once the status route answers 200
// the orchestration is over, callback step included, so "exactly once" and "never" are checked at that point.
import { after, before, describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { startLocalStack, type LocalStack } from '../../local/stack';
import type { HostLogEntry } from '../../local/host/log';
import { followAsyncOperation } from '../../local/cli/asyncPoller';
import { OperationsApi } from './support/operationsApi';
import { LogicAppStandIn } from './support/logicAppStandIn';

const DEVICES = { once: 'cb-once', retried: 'cb-retry', unsubscribed: 'cb-unsub', unsubCancel: 'cb-unsub-cancel', refused: 'cb-refused' };
const ROLLOUT_DEVICES = ['cb-ro-1', 'cb-ro-2', 'cb-ro-3'];
const LATE = { terminated: 'cb-term', running: 'cb-sub-run', ended: 'cb-sub-ended' };
const FW_URI = 'https://firmware.example.com/images/3.0.0.bin';

let stack: LocalStack;
let api: OperationsApi;
const logicApp = new LogicAppStandIn();
const logs: string[] = [];

function subscribe(instanceId: string, body: unknown): Promise<Response> {
  return fetch(api.url(`operations/${encodeURIComponent(instanceId)}/subscribe`), {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
  });
}

/** The callback's body is the status route's final body plus status (the times aside for the callback the orchestration makes itself). */
function assertStatusBody(callback: unknown, final: unknown, status: string): void {
  const { status: sent, ...delivered } = callback as Record<string, unknown>;
  assert.equal(sent, status);
  assert.deepEqual(delivered, final);
}

function unsubscribe(callbackUrl: string, cancelOperation?: boolean): Promise<Response> {
  return fetch(api.url('callbacks/unsubscribe'), {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify(cancelOperation === undefined ? { callbackUrl } : { callbackUrl, cancelOperation }),
  });
}

describe('completion callbacks to a Logic Apps stand-in', () => {
  before(async () => {
    await logicApp.start();
    stack = await startLocalStack({
      deviceIds: [...Object.values(DEVICES), ...ROLLOUT_DEVICES, ...Object.values(LATE)],
      behaviours: {
        [DEVICES.unsubscribed]: { kind: 'neverReturn' }, [DEVICES.unsubCancel]: { kind: 'neverReturn' },
        [LATE.terminated]: { kind: 'neverReturn' }, [LATE.running]: { kind: 'neverReturn' },
      },
      rebootDurationMs: 500,
      deviceTimings: { firmwareDownloadMs: 300, firmwareApplyMs: 300 },
      log: (entry: HostLogEntry) => logs.push(entry.message),
    });
    api = new OperationsApi(stack);
  });
  after(async () => {
    await stack?.stop();
    await logicApp.stop();
  });

  test('the callback arrives once, with the status route\'s final body plus status; the URL is never shown', async () => {
    const callbackUrl = logicApp.callbackUrl('once');
    const { body: accepted } = await api.accepted('firmwareUpdate', DEVICES.once, { payload: { fwPackageUri: FW_URI, version: '3.0.0' }, callbackUrl });
    await logicApp.waitFor(callbackUrl, 1);
    const final = await api.follow(accepted.statusUrl);
    const [callback, ...more] = logicApp.requestsFor(callbackUrl);
    assert.equal(more.length, 0, 'exactly one callback');
    assert.match(String(callback!.headers['content-type']), /^application\/json/);
    const { status, createdTime: _c, lastUpdatedTime: _l, ...delivered } = callback!.body as Record<string, unknown>;
    const { createdTime: _c2, lastUpdatedTime: _l2, ...expected } = final as unknown as Record<string, unknown>;
    assert.equal(status, 'Succeeded');
    assert.equal(final.outcome, 'Succeeded');
    assert.deepEqual(delivered, expected);

    const secret = 'secret-once-signature';
    for (const text of [JSON.stringify(accepted), JSON.stringify(final), JSON.stringify(await stack.host.history(accepted.instanceId)), JSON.stringify(await api.history(DEVICES.once))]) {
      assert.ok(!text.includes(secret), 'the callback URL appears in no response, history or record');
    }
    assert.ok(!logs.some((line) => line.includes(secret)), 'nor in any log line');
  });

  test('a rollout calls back once when it ends, with the rollout status body plus status; the URL is never shown', async () => {
    const callbackUrl = logicApp.callbackUrl('rollout');
    const response = await fetch(api.url('rollouts'), {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ operation: 'reboot', target: { deviceIds: ROLLOUT_DEVICES }, parameters: { pollIntervalSeconds: 1, timeoutSeconds: 60 }, callbackUrl }),
    });
    const accepted = await response.json() as { rolloutId: string; statusUrl: string };
    assert.equal(response.status, 202, JSON.stringify(accepted));
    await logicApp.waitFor(callbackUrl, 1);
    const final = await followAsyncOperation(await fetch(accepted.statusUrl), { timeoutMs: 120_000 });
    assert.equal(final.status, 200);
    const [callback, ...more] = logicApp.requestsFor(callbackUrl);
    assert.equal(more.length, 0, 'exactly one callback');
    const { status, ...delivered } = callback!.body as Record<string, unknown>;
    // Every URL of the status body carries the caller's key: none is in the callback.
    const expected = Object.fromEntries(Object.entries(final.body as Record<string, unknown>).filter(([name]) => !name.endsWith('Url')));
    assert.equal(status, 'Succeeded');
    assert.deepEqual(delivered, expected, 'the status route\'s final body, URLs aside');
    assert.equal((delivered.counters as Record<string, number>).succeeded, ROLLOUT_DEVICES.length);
    const listed = await (await fetch(api.url('rollouts'))).text();
    for (const text of [JSON.stringify(accepted), JSON.stringify(final.body), listed, JSON.stringify(await stack.host.history(accepted.rolloutId))]) {
      assert.ok(!text.includes('secret-rollout-signature'), 'the callback URL appears in no response or history');
    }
    assert.ok(!logs.some((line) => line.includes('secret-rollout-signature')), 'nor in any log line');
  });

  test('a terminated operation still calls back (the sweeper), with the status route\'s body: outcome Canceled, runtimeStatus Terminated', async () => {
    const callbackUrl = logicApp.callbackUrl('terminated');
    const { body: accepted } = await api.accepted('reboot', LATE.terminated, { callbackUrl, timeoutSeconds: 600 });
    const terminate = await fetch(`${stack.baseUrl}/runtime/webhooks/durabletask/instances/${encodeURIComponent(accepted.instanceId)}/terminate?reason=operator&code=${stack.host.systemKey}`, { method: 'POST' });
    assert.equal(terminate.status, 202);
    await terminate.body?.cancel();
    // Reading the final status sweeps this instance's waiting callbacks (on Azure the sweeper timer does too).
    const final = await api.follow(accepted.statusUrl);
    assert.equal(final.outcome, 'Canceled');
    assert.equal((final as unknown as { runtimeStatus: string }).runtimeStatus, 'Terminated');
    await logicApp.waitFor(callbackUrl, 1);
    assertStatusBody(logicApp.requestsFor(callbackUrl)[0]!.body, final, 'Canceled');
    await api.follow(accepted.statusUrl);
    await stack.host.whenIdle();
    assert.equal(logicApp.requestsFor(callbackUrl).length, 1, 'once: a second status read sends nothing more');
  });

  test('subscribe to an operation already running: called back once it ends; to one already over: at once', async (t) => {
    await t.test('running', async () => {
      const { body: accepted } = await api.accepted('reboot', LATE.running, { timeoutSeconds: 600 });
      const callbackUrl = logicApp.callbackUrl('sub-running');
      const response = await subscribe(accepted.instanceId, { callbackUrl });
      const result = await response.json() as Record<string, unknown>;
      assert.equal(response.status, 202, JSON.stringify(result));
      assert.equal(result.running, true);
      assert.ok(!JSON.stringify(result).includes('secret-sub-running'), 'the URL is not echoed');
      assert.equal((await subscribe(accepted.instanceId, { callbackUrl })).status, 202, 'subscribing twice is one subscription');
      assert.equal((await fetch(accepted.cancelUrl, { method: 'POST' })).status, 202);
      const final = await api.follow(accepted.statusUrl);
      await logicApp.waitFor(callbackUrl, 1);
      assertStatusBody(logicApp.requestsFor(callbackUrl)[0]!.body, final, 'Canceled');
      await stack.host.whenIdle();
      assert.equal(logicApp.requestsFor(callbackUrl).length, 1);
    });
    await t.test('already over', async () => {
      const final = await api.run('reboot', LATE.ended);
      assert.equal(final.outcome, 'Succeeded');
      const callbackUrl = logicApp.callbackUrl('sub-ended');
      const response = await subscribe(final.instanceId, { callbackUrl });
      assert.equal(response.status, 202);
      assert.equal((await response.json() as { running: boolean }).running, false);
      await logicApp.waitFor(callbackUrl, 1);
      assertStatusBody(logicApp.requestsFor(callbackUrl)[0]!.body, final, 'Succeeded');
    });
    await t.test('bad input names its field; an unknown operation is 404', async (tt) => {
      const cases: Array<[string, string, unknown, number, string | null]> = [
        ['no callbackUrl', 'reboot-cb-sub-ended-1', {}, 400, 'callbackUrl'],
        ['private address', 'reboot-cb-sub-ended-1', { callbackUrl: 'https://10.1.2.3/x' }, 400, 'callbackUrl'],
        ['unknown field', 'reboot-cb-sub-ended-1', { callbackUrl: logicApp.callbackUrl('x'), extra: 1 }, 400, 'extra'],
        ['unknown operation', 'reboot-nobody-1', { callbackUrl: logicApp.callbackUrl('y') }, 404, 'instanceId'],
      ];
      for (const [name, instanceId, body, status, target] of cases) {
        await tt.test(name, async () => {
          const response = await subscribe(instanceId, body);
          const answer = await response.json() as { error: { target: string } };
          assert.equal(response.status, status, JSON.stringify(answer));
          assert.equal(answer.error.target, target);
        });
      }
    });
  });

  test('a callback answered with 500 is sent again, and the operation\'s outcome is unchanged', async () => {
    const callbackUrl = logicApp.callbackUrl('retried');
    logicApp.script(callbackUrl, [500, 200]);
    const { body: accepted } = await api.accepted('reboot', DEVICES.retried, { callbackUrl });
    await logicApp.waitFor(callbackUrl, 2);
    const final = await api.follow(accepted.statusUrl);
    const requests = logicApp.requestsFor(callbackUrl);
    assert.equal(requests.length, 2, 'one retry after the 500, none after the 200');
    assert.deepEqual(requests[1]!.body, requests[0]!.body);
    assert.equal((requests[1]!.body as { status: string }).status, 'Succeeded');
    assert.equal(final.outcome, 'Succeeded');
  });

  test('an unsubscribed operation is never called back; unsubscribe does not cancel unless asked', async (t) => {
    await t.test('unsubscribe only: the operation runs on, ends (canceled separately) and nothing is sent', async () => {
      const callbackUrl = logicApp.callbackUrl('unsubscribed');
      const { body: accepted } = await api.accepted('reboot', DEVICES.unsubscribed, { callbackUrl, timeoutSeconds: 600 });
      const response = await unsubscribe(callbackUrl);
      assert.equal(response.status, 200);
      const result = await response.json() as { unsubscribed: Array<{ instanceId: string; cancelRequested: boolean }> };
      assert.deepEqual(result.unsubscribed.map((u) => [u.instanceId, u.cancelRequested]), [[accepted.instanceId, false]]);
      assert.ok(!JSON.stringify(result).includes('secret-unsubscribed'));
      const still = await fetch(accepted.statusUrl);
      assert.equal(still.status, 202, 'the device operation goes on');
      await still.body?.cancel();
      const again = await unsubscribe(callbackUrl);
      assert.deepEqual(await again.json(), { unsubscribed: [] }, 'idempotent');
      const cancel = await fetch(accepted.cancelUrl, { method: 'POST' });
      assert.equal(cancel.status, 202);
      const final = await api.follow(accepted.statusUrl);
      assert.equal(final.outcome, 'Canceled');
      assert.equal(logicApp.requestsFor(callbackUrl).length, 0);
    });
    await t.test('unsubscribe with cancelOperation: the operation ends Canceled and nothing is sent', async () => {
      const callbackUrl = logicApp.callbackUrl('unsub-cancel');
      const { body: accepted } = await api.accepted('reboot', DEVICES.unsubCancel, { callbackUrl, timeoutSeconds: 600 });
      const response = await unsubscribe(callbackUrl, true);
      const result = await response.json() as { unsubscribed: Array<{ cancelRequested: boolean }> };
      assert.equal(result.unsubscribed[0]?.cancelRequested, true);
      const final = await api.follow(accepted.statusUrl);
      assert.equal(final.outcome, 'Canceled');
      assert.equal(logicApp.requestsFor(callbackUrl).length, 0);
    });
  });

  test('a callback URL on a private, link-local or non-https address is refused at start, naming callbackUrl; nothing starts', async (t) => {
    const cases = [
      { name: 'RFC 1918 literal', url: 'https://10.20.30.40/callback' },
      { name: 'cloud metadata (link-local)', url: 'https://169.254.169.254/metadata' },
      { name: 'IPv6 unique local', url: 'https://[fd00::1]/callback' },
      { name: 'IPv4-mapped private', url: 'https://[::ffff:192.168.1.1]/callback' },
      { name: 'http to a public host', url: 'http://203.0.113.9/callback' },
      { name: 'user info', url: 'https://user:pw@example.com/callback' },
      { name: 'not a URL', url: 'not-a-url-xyz' },
    ];
    for (const { name, url } of cases) {
      await t.test(name, async () => {
        const response = await api.start('reboot', DEVICES.refused, { callbackUrl: url });
        const body = await response.json() as { error: { code: string; target: string; message: string } };
        assert.equal(response.status, 400, JSON.stringify(body));
        assert.equal(body.error.target, 'callbackUrl');
        assert.ok(!body.error.message.includes(url), 'the message does not quote the URL');
      });
    }
    assert.deepEqual(await api.history(DEVICES.refused), [], 'nothing was started');
  });
});
