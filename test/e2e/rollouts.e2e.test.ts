// Rollouts end to end, over HTTP only, on the local stack with in-emulator virtual devices: by device ids with
// waves, by a tag query, an abort threshold, a device already busy, a cancel, and bad input. What a device
// received is counted at the device; status is followed through Location and Retry-After.
import { after, before, describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { followAsyncOperation } from '../../local/cli/asyncPoller';
import type { DeviceBehaviour } from '../../local/devices';
import { startLocalStack, type LocalStack } from '../../local/stack';
import { serviceClients } from '../support/iothub';
import { methodsReceived, OperationsApi } from './support/operationsApi';

const ids = (prefix: string, count: number): string[] => Array.from({ length: count }, (_, i) => `${prefix}-${String(i + 1).padStart(3, '0')}`);
const DEVICES = {
  waves: ids('ro-wave', 60),
  tagged: ids('ro-tag', 30),
  abort: ids('ro-abort', 20),
  busy: 'ro-busy',
  busyPeer: 'ro-busy-peer',
  cancel: ids('ro-cancel', 10),
  paced: ids('ro-paced', 20),
};
/** Small batches, so that waves and pacing span several batches (and executions) with few devices. */
const BATCH_SIZE = 10;
/** The first 6 of the abort group report failure: 6 of the first wave's 10. */
const FAILING = DEVICES.abort.slice(0, 6);
const FAST = { pollIntervalSeconds: 1, timeoutSeconds: 60 };

interface RolloutBody {
  rolloutId: string;
  state: string;
  total: number | null;
  counters: Record<string, number>;
  currentWave: number;
  reason: string | null;
  statusUrl: string;
  cancelUrl: string;
  devicesUrl: string;
}

let stack: LocalStack;
let api: OperationsApi;

function post(path: string, body: unknown): Promise<Response> {
  return fetch(api.url(path), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

async function start(body: Record<string, unknown>): Promise<RolloutBody> {
  const response = await post('rollouts', body);
  const text = await response.text();
  assert.equal(response.status, 202, text);
  const accepted = JSON.parse(text) as RolloutBody;
  assert.equal(response.headers.get('location'), accepted.statusUrl);
  assert.match(response.headers.get('retry-after') ?? '', /^\d+$/);
  assert.match(accepted.rolloutId, /^rollout-[0-9a-f]{32}$/);
  return accepted;
}

async function follow(statusUrl: string): Promise<RolloutBody> {
  const final = await followAsyncOperation(await fetch(statusUrl), { timeoutMs: 180_000 });
  assert.equal(final.status, 200, JSON.stringify(final.body));
  return final.body as RolloutBody;
}

function zeroCounters(overrides: Record<string, number>): Record<string, number> {
  const states = ['queued', 'inProgress', 'succeeded', 'failed', 'timedOut', 'rejected', 'offline', 'notFound', 'canceled', 'busy', 'unconfirmed'];
  return { ...Object.fromEntries(states.map((s) => [s, 0])), ...overrides };
}

interface DeviceRow { deviceId: string; wave: number; outcome: string | null; startedAt: string | null }

async function devicesIn(rollout: RolloutBody, state: string, pageSize = 25): Promise<DeviceRow[]> {
  const all: DeviceRow[] = [];
  let token: string | null = null;
  do {
    const url = new URL(rollout.devicesUrl);
    url.searchParams.set('state', state);
    url.searchParams.set('pageSize', String(pageSize));
    if (token !== null) url.searchParams.set('continuationToken', token);
    const response = await fetch(url);
    assert.equal(response.status, 200);
    const page = (await response.json()) as { devices: typeof all; continuationToken: string | null };
    all.push(...page.devices);
    token = page.continuationToken;
  } while (token !== null);
  return all;
}

describe('rollouts on the local stack over HTTP', () => {
  before(async () => {
    const behaviours: Record<string, DeviceBehaviour> = { [DEVICES.busy]: { kind: 'neverReturn' } };
    for (const id of FAILING) behaviours[id] = { kind: 'reportFailed', reason: 'watchdog' };
    behaviours[DEVICES.cancel[0]!] = { kind: 'slow', answerDelayMs: 1500 };
    stack = await startLocalStack({
      deviceIds: [...DEVICES.waves, ...DEVICES.tagged, ...DEVICES.abort, DEVICES.busy, DEVICES.busyPeer, ...DEVICES.cancel, ...DEVICES.paced],
      transport: 'virtual', behaviours, rebootDurationMs: 200, log: 'silent', env: { ROLLOUT_BATCH_SIZE: String(BATCH_SIZE) },
    });
    api = new OperationsApi(stack);
    const hub = serviceClients(stack.iothub);
    try {
      for (const id of DEVICES.tagged) await hub.registry.updateTwin(id, { tags: { ring: 'canary', site: { name: "north'1" } } }, '*');
    } finally {
      hub.agent.destroy();
    }
  });
  after(async () => {
    await stack?.stop();
  });

  test('by device ids in three waves: every device succeeds, acted on once, counters exact', async () => {
    const accepted = await start({ operation: 'reboot', parameters: FAST, target: { deviceIds: DEVICES.waves }, waves: [10, 50] });
    assert.equal(accepted.total, 60);
    const final = await follow(accepted.statusUrl);
    assert.equal(final.state, 'completed');
    assert.deepEqual(final.counters, zeroCounters({ succeeded: 60 }));
    assert.equal(final.currentWave, 3);
    for (const id of DEVICES.waves) assert.equal(stack.devices.device(id).methodCount(), 1, id);
    const succeeded = await devicesIn(final, 'succeeded');
    assert.deepEqual(succeeded.map((d) => d.deviceId), DEVICES.waves);
    // Waves of 10 % (6), up to 50 % (30), the rest.
    assert.deepEqual([1, 2, 3].map((w) => succeeded.filter((d) => d.wave === w).length), [6, 24, 30]);
    assert.deepEqual(await devicesIn(final, 'queued'), []);
  });

  test('by tag query: only the tagged devices, each once', async () => {
    const accepted = await start({ operation: 'reboot', parameters: FAST, target: { query: { tags: { ring: 'canary', 'site.name': "north'1" } } } });
    const final = await follow(accepted.statusUrl);
    assert.equal(final.state, 'completed');
    assert.equal(final.total, 30);
    assert.deepEqual(final.counters, zeroCounters({ succeeded: 30 }));
    for (const id of DEVICES.tagged) assert.equal(stack.devices.device(id).methodCount(), 1, id);
    for (const id of DEVICES.abort) assert.equal(stack.devices.device(id).methodCount(), 0, id);
  });

  test('an abort threshold stops the rollout after the first wave: queued devices canceled, never acted on', async () => {
    const accepted = await start({
      operation: 'reboot', parameters: FAST, target: { deviceIds: DEVICES.abort }, waves: [50],
      abort: [{ outcomes: ['Failed', 'TimedOut'], thresholdPercent: 50, minExecuted: 5 }],
    });
    const final = await follow(accepted.statusUrl);
    assert.equal(final.state, 'aborted');
    assert.deepEqual(final.counters, zeroCounters({ failed: 6, succeeded: 4, canceled: 10 }));
    assert.match(final.reason ?? '', /6 of 10/);
    DEVICES.abort.forEach((id, i) => assert.equal(stack.devices.device(id).methodCount(), i < 10 ? 1 : 0, id));
    assert.deepEqual((await devicesIn(final, 'canceled')).map((d) => d.deviceId), DEVICES.abort.slice(10));
  });

  test('a device busy with another operation is reported busy and not acted on again', async () => {
    const single = await api.accepted('reboot', DEVICES.busy, { timeoutSeconds: 120 });
    await methodsReceived(stack.devices.device(DEVICES.busy), 1);
    const accepted = await start({ operation: 'reboot', parameters: FAST, target: { deviceIds: [DEVICES.busy, DEVICES.busyPeer] } });
    const final = await follow(accepted.statusUrl);
    assert.equal(final.state, 'completed');
    assert.deepEqual(final.counters, zeroCounters({ busy: 1, succeeded: 1 }));
    assert.equal(stack.devices.device(DEVICES.busy).methodCount(), 1);
    assert.equal(stack.devices.device(DEVICES.busyPeer).methodCount(), 1);
    const busy = await devicesIn(final, 'busy');
    assert.deepEqual(busy.map((d) => d.deviceId), [DEVICES.busy]);
    await fetch(single.body.cancelUrl, { method: 'POST' });
  });

  test('cancel: the in-flight first wave finishes, queued devices are canceled', async () => {
    const accepted = await start({ operation: 'reboot', parameters: FAST, target: { deviceIds: DEVICES.cancel }, waves: [10] });
    await methodsReceived(stack.devices.device(DEVICES.cancel[0]!), 1);
    const cancel = await fetch(accepted.cancelUrl, { method: 'POST' });
    assert.equal(cancel.status, 202, await cancel.text());
    const final = await follow(accepted.statusUrl);
    assert.equal(final.state, 'canceled');
    assert.deepEqual(final.counters, zeroCounters({ succeeded: 1, canceled: 9 }));
    DEVICES.cancel.forEach((id, i) => assert.equal(stack.devices.device(id).methodCount(), i === 0 ? 1 : 0, id));
    const again = await fetch(accepted.cancelUrl, { method: 'POST' });
    assert.equal(again.status, 409);
  });

  test('rate: paced batches start n × 60 s / maxPerMinute apart, on durable timers', async () => {
    const accepted = await start({ operation: 'reboot', parameters: FAST, target: { deviceIds: DEVICES.paced }, rate: { maxPerMinute: 120 } });
    const final = await follow(accepted.statusUrl);
    assert.equal(final.state, 'completed');
    assert.deepEqual(final.counters, zeroCounters({ succeeded: 20 }));
    const rows = await devicesIn(final, 'succeeded');
    const starts = [...new Set(rows.map((d) => d.startedAt))].map((t) => Date.parse(t ?? ''));
    assert.equal(starts.length, 2, 'two batches of 10');
    // 10 starts at 120 per minute: the second batch no earlier than 5 s after the first.
    assert.ok(starts[1]! - starts[0]! >= 5000, `batches ${starts[1]! - starts[0]!} ms apart`);
    for (const id of DEVICES.paced) assert.equal(stack.devices.device(id).methodCount(), 1, id);
  });

  test('the rollout list shows them', async () => {
    const response = await fetch(api.url('rollouts?pageSize=100'));
    assert.equal(response.status, 200);
    const body = (await response.json()) as { rollouts: Array<{ state: string }> };
    assert.ok(body.rollouts.length >= 5);
  });

  describe('bad input is a 4xx naming the field', () => {
    const target = { deviceIds: ['ro-bad-1'] };
    const cases: Array<[string, unknown, string, number?]> = [
      ['no body object', [1], 'body'],
      ['operation missing', { target }, 'operation'],
      ['operation unknown', { operation: 'explode', target }, 'operation'],
      ['operation not a string', { operation: 3, target }, 'operation'],
      ['unknown top-level field', { operation: 'reboot', target, priority: 1 }, 'priority'],
      ['target missing', { operation: 'reboot' }, 'target'],
      ['target not an object', { operation: 'reboot', target: 'all' }, 'target'],
      ['target with both', { operation: 'reboot', target: { deviceIds: ['a'], query: { deviceIdPrefix: 'a' } } }, 'target'],
      ['target empty', { operation: 'reboot', target: {} }, 'target'],
      ['target unknown field', { operation: 'reboot', target: { sql: 'SELECT *' } }, 'target.sql'],
      ['deviceIds empty', { operation: 'reboot', target: { deviceIds: [] } }, 'target.deviceIds'],
      ['deviceIds not an array', { operation: 'reboot', target: { deviceIds: 'a' } }, 'target.deviceIds'],
      ['deviceIds too many', { operation: 'reboot', target: { deviceIds: ids('x', 10_001) } }, 'target.deviceIds'],
      ['deviceId invalid', { operation: 'reboot', target: { deviceIds: ['ok', 'bad/id'] } }, 'target.deviceIds[1]'],
      ['deviceId duplicated', { operation: 'reboot', target: { deviceIds: ['a', 'b', 'a'] } }, 'target.deviceIds[2]'],
      ['deviceId not a string', { operation: 'reboot', target: { deviceIds: [7] } }, 'target.deviceIds[0]'],
      ['query without filters', { operation: 'reboot', target: { query: {} } }, 'target.query'],
      ['query tag name injection', { operation: 'reboot', target: { query: { tags: { "x' OR 1=1 --": 'a' } } } }, "target.query.tags.x' OR 1=1 --"],
      ['query tag value not a string', { operation: 'reboot', target: { query: { tags: { ring: 1 } } } }, 'target.query.tags.ring'],
      ['query tag value empty', { operation: 'reboot', target: { query: { tags: { ring: '' } } } }, 'target.query.tags.ring'],
      ['query connectionState', { operation: 'reboot', target: { query: { connectionState: 'online' } } }, 'target.query.connectionState'],
      ['query prefix invalid', { operation: 'reboot', target: { query: { deviceIdPrefix: 'a b' } } }, 'target.query.deviceIdPrefix'],
      ['query unknown field', { operation: 'reboot', target: { query: { where: '1=1' } } }, 'target.query.where'],
      ['parameters not an object', { operation: 'reboot', target, parameters: 5 }, 'parameters'],
      ['parameters timeout out of range', { operation: 'reboot', target, parameters: { timeoutSeconds: 1 } }, 'parameters.timeoutSeconds'],
      ['parameters unknown field', { operation: 'reboot', target, parameters: { retries: 3 } }, 'parameters.retries'],
      ['firmwareUpdate without package', { operation: 'firmwareUpdate', target }, 'parameters.payload.fwPackageUri'],
      ['waves not an array', { operation: 'reboot', target, waves: 10 }, 'waves'],
      ['waves not increasing', { operation: 'reboot', target, waves: [50, 20] }, 'waves[1]'],
      ['wave over 100', { operation: 'reboot', target, waves: [150] }, 'waves[0]'],
      ['wave not an integer', { operation: 'reboot', target, waves: [12.5] }, 'waves[0]'],
      ['abort not an array', { operation: 'reboot', target, abort: {} }, 'abort'],
      ['abort outcome unknown', { operation: 'reboot', target, abort: [{ outcomes: ['Exploded'], thresholdPercent: 10 }] }, 'abort[0].outcomes'],
      ['abort on success', { operation: 'reboot', target, abort: [{ outcomes: ['Succeeded'], thresholdPercent: 10 }] }, 'abort[0].outcomes'],
      ['abort threshold zero', { operation: 'reboot', target, abort: [{ outcomes: ['Failed'], thresholdPercent: 0 }] }, 'abort[0].thresholdPercent'],
      ['abort minExecuted', { operation: 'reboot', target, abort: [{ outcomes: ['Failed'], thresholdPercent: 5, minExecuted: 0 }] }, 'abort[0].minExecuted'],
      ['abort unknown field', { operation: 'reboot', target, abort: [{ outcomes: ['Failed'], thresholdPercent: 5, force: true }] }, 'abort[0].force'],
      ['rate not an object', { operation: 'reboot', target, rate: 10 }, 'rate'],
      ['rate zero', { operation: 'reboot', target, rate: { maxPerMinute: 0 } }, 'rate.maxPerMinute'],
      ['rate unknown field', { operation: 'reboot', target, rate: { perSecond: 1 } }, 'rate.perSecond'],
    ];
    for (const [name, body, field, status] of cases) {
      test(name, async () => {
        const response = await post('rollouts', body);
        const answer = (await response.json()) as { error?: { target?: string; message?: string } };
        assert.equal(response.status, status ?? 400, JSON.stringify(answer));
        assert.equal(answer.error?.target, field);
        assert.ok((answer.error?.message ?? '').length > 0);
      });
    }

    const routeCases: Array<[string, string, string, number, string]> = [
      ['status of a malformed id', 'GET', 'rollouts/not-an-id', 400, 'rolloutId'],
      ['status of an unknown id', 'GET', `rollouts/rollout-${'0'.repeat(32)}`, 404, 'rolloutId'],
      ['devices of an unknown id', 'GET', `rollouts/rollout-${'0'.repeat(32)}/devices`, 404, 'rolloutId'],
      ['devices with a bad state', 'GET', `rollouts/rollout-${'0'.repeat(32)}/devices?state=happy`, 400, 'state'],
      ['devices with a bad page size', 'GET', `rollouts/rollout-${'0'.repeat(32)}/devices?pageSize=0`, 400, 'pageSize'],
      ['cancel of an unknown id', 'POST', `rollouts/rollout-${'0'.repeat(32)}/cancel`, 404, 'rolloutId'],
      ['list with an unknown parameter', 'GET', 'rollouts?state=running', 400, 'state'],
    ];
    for (const [name, method, path, status, field] of routeCases) {
      test(name, async () => {
        const response = await fetch(api.url(path), { method });
        const answer = (await response.json()) as { error?: { target?: string } };
        assert.equal(response.status, status, JSON.stringify(answer));
        assert.equal(answer.error?.target, field);
      });
    }
  });
});
