// Rollout control and pacing end to end, over HTTP only, on the local stack with the emulator enforcing S1 quotas
// (1 unit) and in-emulator virtual devices: per-device retries (TimedOut retried, Rejected not), pause/resume,
// force cancel, a scheduled start (and a cancel while scheduled), and a 60-device rollout paced to S1 with no 429.
// A second stack whose app believes the hub is S3 (so its large calls burst past the real S1 throttle) and sends
// each method once shows that a 429 slows the rollout down and never becomes a device failure. What devices received is counted
// at the device; counters are checked at every status poll.
import { after, before, describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { followAsyncOperation } from '../../local/cli/asyncPoller';
import type { DeviceBehaviour } from '../../local/devices';
import { startLocalStack, type LocalStack } from '../../local/stack';
import { methodsReceived, OperationsApi } from './support/operationsApi';

const ids = (prefix: string, count: number): string[] => Array.from({ length: count }, (_, i) => `${prefix}-${String(i + 1).padStart(3, '0')}`);
const STATES = ['queued', 'inProgress', 'succeeded', 'failed', 'timedOut', 'rejected', 'offline', 'notFound', 'canceled', 'busy', 'unconfirmed'];

interface RolloutBody {
  rolloutId: string;
  state: string;
  total: number | null;
  counters: Record<string, number>;
  currentRate: number | null;
  budget: { methodsPerSecond: number; twinUpdatesPerSecond: number; twinReadsPerSecond: number; share: number } | null;
  eta: string | null;
  startAt: string | null;
  statusUrl: string;
  cancelUrl: string;
  pauseUrl: string;
  resumeUrl: string;
  devicesUrl: string;
}
interface DeviceRow { deviceId: string; state: string; outcome: string | null; attempts: number; startedAt: string | null }

function zeroCounters(overrides: Record<string, number>): Record<string, number> {
  return { ...Object.fromEntries(STATES.map((s) => [s, 0])), ...overrides };
}

/** One stack's rollout API. */
class Rollouts {
  constructor(readonly stack: LocalStack, private readonly api = new OperationsApi(stack)) {}

  post(path: string, body?: unknown): Promise<Response> {
    return fetch(path.startsWith('http') ? path : this.api.url(path), {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body),
    });
  }

  async start(body: Record<string, unknown>): Promise<RolloutBody> {
    const response = await this.post('rollouts', body);
    const text = await response.text();
    assert.equal(response.status, 202, text);
    return JSON.parse(text) as RolloutBody;
  }

  async status(rollout: RolloutBody): Promise<RolloutBody> {
    const response = await fetch(rollout.statusUrl);
    const body = (await response.json()) as RolloutBody;
    assertCountersExact(body);
    return body;
  }

  /** Follows the status route to the end, checking the counters at every poll. */
  async follow(rollout: RolloutBody, onPoll?: (body: RolloutBody) => void): Promise<RolloutBody> {
    const final = await followAsyncOperation(await fetch(rollout.statusUrl), {
      timeoutMs: 180_000,
      onPoll: (o) => {
        if (o.status !== 200 && o.status !== 202) return;
        assertCountersExact(o.body as RolloutBody);
        onPoll?.(o.body as RolloutBody);
      },
    });
    assert.equal(final.status, 200, JSON.stringify(final.body));
    return final.body as RolloutBody;
  }

  async devices(rollout: RolloutBody): Promise<DeviceRow[]> {
    const url = new URL(rollout.devicesUrl);
    url.searchParams.set('pageSize', '100');
    const response = await fetch(url);
    assert.equal(response.status, 200);
    return ((await response.json()) as { devices: DeviceRow[] }).devices;
  }

  methodCount(id: string): number {
    return this.stack.devices.device(id).methodCount();
  }

  history(deviceId: string): ReturnType<OperationsApi['history']> {
    return this.api.history(deviceId);
  }

  throttled(): number {
    return this.stack.iothub.admin.counters().throttled ?? 0;
  }
}

function assertCountersExact(body: RolloutBody): void {
  if (body.total === null) return;
  const sum = Object.values(body.counters).reduce((a, b) => a + b, 0);
  assert.equal(sum, body.total, `counters ${JSON.stringify(body.counters)} add up to the total`);
  for (const state of STATES) assert.ok((body.counters[state] ?? -1) >= 0, state);
}

/** Resolves at the next status answer for which `done` holds (polled at the rollout's Retry-After, 1 s here). */
async function until(api: Rollouts, rollout: RolloutBody, done: (body: RolloutBody) => boolean): Promise<RolloutBody> {
  for (;;) {
    const body = await api.status(rollout);
    if (done(body)) return body;
    await new Promise((resolve) => setTimeout(resolve, 1000 * (body.state === 'completed' ? 0 : 1)));
  }
}

describe('rollout control and pacing with S1 quotas enforced', () => {
  const DEVICES = {
    retryNormal: 'rc-retry-ok',
    retryFlaky: 'rc-retry-flaky',
    retryDead: 'rc-retry-dead',
    retryRejecter: 'rc-retry-rejecter',
    pause: ids('rc-pause', 30),
    force: ids('rc-force', 25),
    scheduled: ids('rc-sched', 10),
    scheduledCancel: ids('rc-sched-cancel', 5),
    paced: ids('rc-s1', 40),
  };
  /** The first 5 of the force group never report back: in flight until canceled. */
  const STUCK = DEVICES.force.slice(0, 5);
  let api: Rollouts;

  before(async () => {
    const behaviours: Record<string, DeviceBehaviour> = {
      [DEVICES.retryDead]: { kind: 'neverReturn' },
      [DEVICES.retryRejecter]: { kind: 'reject', status: 400, payload: { reason: 'not now' } },
      [DEVICES.retryFlaky]: { kind: 'offline' },
    };
    for (const id of STUCK) behaviours[id] = { kind: 'neverReturn' };
    const stack = await startLocalStack({
      deviceIds: Object.values(DEVICES).flat(), transport: 'virtual', behaviours, rebootDurationMs: 300, log: 'silent',
      quota: { tier: 'S1', units: 1 },
    });
    api = new Rollouts(stack);
  });
  after(async () => {
    await api?.stack.stop();
  });

  test('retries: TimedOut and DeviceOffline are retried up to maxAttempts, Rejected is not; devices count the attempts', async () => {
    const devices = [DEVICES.retryNormal, DEVICES.retryFlaky, DEVICES.retryDead, DEVICES.retryRejecter];
    // 12 starts a minute: a retry of n devices waits n × 5 s, time for the test to power the flaky device on.
    const accepted = await api.start({ operation: 'reboot', target: { deviceIds: devices }, rate: { maxPerMinute: 12 },
      perDevice: { timeoutSeconds: 15, pollIntervalSeconds: 1, retries: { maxAttempts: 2, on: ['TimedOut', 'DeviceOffline'] } } });
    // The flaky device is off for its first attempt (DeviceOffline, nothing reaches it), then comes back.
    while (!(await api.history(DEVICES.retryFlaky)).some((op) => op.outcome === 'DeviceOffline')) await new Promise((r) => setTimeout(r, 250));
    await api.stack.devices.setBehaviour(DEVICES.retryFlaky, { kind: 'normal' });
    const final = await api.follow(accepted);
    assert.equal(final.state, 'completed');
    // The dead device's second attempt normally ends DeviceOffline (404103); on a loaded machine its deadline may pass first.
    const deadOutcome = final.counters.offline === 1 ? 'DeviceOffline' : 'TimedOut';
    assert.deepEqual(final.counters, zeroCounters({ succeeded: 2, rejected: 1, [deadOutcome === 'DeviceOffline' ? 'offline' : 'timedOut']: 1 }));
    // [methods the device received, attempts, state, outcome]
    const expected: Record<string, [number, number, string, string]> = {
      [DEVICES.retryNormal]: [1, 1, 'succeeded', 'Succeeded'],
      [DEVICES.retryFlaky]: [1, 2, 'succeeded', 'Succeeded'],
      // TimedOut (it went down for the reboot and stayed down), retried: DeviceOffline, attempts used up.
      [DEVICES.retryDead]: [1, 2, deadOutcome === 'DeviceOffline' ? 'offline' : 'timedOut', deadOutcome],
      [DEVICES.retryRejecter]: [1, 1, 'rejected', 'Rejected'],
    };
    const rows = await api.devices(final);
    assert.equal(rows.length, 4);
    for (const row of rows) {
      const [methods, attempts, state, outcome] = expected[row.deviceId]!;
      assert.deepEqual([api.methodCount(row.deviceId), row.attempts, row.state, row.outcome], [methods, attempts, state, outcome], row.deviceId);
    }
    assert.deepEqual((await api.history(DEVICES.retryDead)).map((op) => op.outcome).sort(), [deadOutcome, 'TimedOut'].sort());
    assert.deepEqual((await api.history(DEVICES.retryRejecter)).map((op) => op.outcome), ['Rejected']);
  });

  test('pause: queued devices do not start while paused, in-flight ones finish; resume completes each device once', async () => {
    const accepted = await api.start({ operation: 'reboot', parameters: { pollIntervalSeconds: 1 }, target: { deviceIds: DEVICES.pause },
      rate: { maxPerMinute: 200 } });
    await methodsReceived(api.stack.devices.device(DEVICES.pause[0]!), 1);
    const pause = await api.post(accepted.pauseUrl);
    assert.equal(pause.status, 202, await pause.text());
    const paused = await until(api, accepted, (b) => b.state === 'paused' && b.counters.inProgress === 0);
    const startedBeforePause = paused.counters.succeeded ?? 0;
    assert.ok(startedBeforePause >= 1 && startedBeforePause < 30, `${startedBeforePause} started before the pause`);
    // Longer than the pacing gap (ticks of up to 20 at 200/min: 6 s; devices start while earlier ones still run, so
    // the pause must land within that gap): nothing new may start meanwhile.
    const received = (): number => DEVICES.pause.reduce((sum, id) => sum + api.methodCount(id), 0);
    const deadline = Date.now() + 7_000;
    while (Date.now() < deadline) {
      const body = await api.status(accepted);
      assert.equal(body.state, 'paused');
      assert.deepEqual([body.counters.queued, received()], [30 - startedBeforePause, startedBeforePause]);
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    const resume = await api.post(accepted.resumeUrl);
    assert.equal(resume.status, 202, await resume.text());
    const final = await api.follow(accepted);
    assert.equal(final.state, 'completed');
    assert.deepEqual(final.counters, zeroCounters({ succeeded: 30 }));
    for (const id of DEVICES.pause) assert.equal(api.methodCount(id), 1, id);
  });

  test('force cancel: in-flight device operations are canceled through their own cancel, queued ones never start', async () => {
    const accepted = await api.start({ operation: 'reboot', parameters: { pollIntervalSeconds: 1, timeoutSeconds: 120 }, target: { deviceIds: DEVICES.force },
      rate: { maxPerMinute: 100 } });
    // The first tick (20, the S1 burst for reboots at a 0.8 share) is in flight; the next may start only 12 s later
    // (20 at 100/min); the stuck devices wait for their deadline.
    await until(api, accepted, (b) => b.counters.succeeded === 15 && b.counters.inProgress === 5);
    const cancel = await api.post(accepted.cancelUrl, { force: true });
    assert.equal(cancel.status, 202, await cancel.text());
    const final = await api.follow(accepted);
    assert.equal(final.state, 'canceled');
    assert.deepEqual(final.counters, zeroCounters({ succeeded: 15, canceled: 10 }));
    const rows = await api.devices(final);
    for (const id of STUCK) assert.deepEqual(rows.find((r) => r.deviceId === id)?.outcome, 'Canceled', id);
    DEVICES.force.forEach((id, i) => assert.equal(api.methodCount(id), i < 20 ? 1 : 0, id));
    assert.equal((await api.post(accepted.cancelUrl, { force: true })).status, 409);
  });

  test('scheduled start: state scheduled until startAt, nothing sent before; then every device once', async () => {
    const startAt = new Date(Date.now() + 6000);
    const accepted = await api.start({ operation: 'reboot', parameters: { pollIntervalSeconds: 1 }, target: { deviceIds: DEVICES.scheduled },
      startAt: startAt.toISOString() });
    assert.equal(accepted.state, 'scheduled');
    const scheduled = await api.status(accepted);
    assert.deepEqual([scheduled.state, scheduled.startAt], ['scheduled', startAt.toISOString()]);
    const final = await api.follow(accepted, (body) => {
      if (Date.now() < startAt.getTime() - 500) {
        assert.equal(body.state, 'scheduled');
        for (const id of DEVICES.scheduled) assert.equal(api.methodCount(id), 0, `${id} before startAt`);
      }
    });
    assert.equal(final.state, 'completed');
    assert.deepEqual(final.counters, zeroCounters({ succeeded: 10 }));
    for (const row of await api.devices(final)) assert.ok(Date.parse(row.startedAt ?? '') >= startAt.getTime(), `${row.deviceId} started ${row.startedAt}`);
    for (const id of DEVICES.scheduled) assert.equal(api.methodCount(id), 1, id);
  });

  test('cancel while scheduled: the start timer is cut short, no device acted on', async () => {
    const accepted = await api.start({ operation: 'reboot', target: { deviceIds: DEVICES.scheduledCancel },
      startAt: new Date(Date.now() + 3_600_000).toISOString() });
    const cancel = await api.post(accepted.cancelUrl);
    assert.equal(cancel.status, 202);
    const final = await api.follow(accepted);
    assert.equal(final.state, 'canceled');
    assert.deepEqual(final.counters, zeroCounters({ canceled: 5 }));
    for (const id of DEVICES.scheduledCancel) assert.equal(api.methodCount(id), 0, id);
  });

  test('S1 (1 unit, 0.8 share): 40 devices paced to the hub budget, no 429 at all, every device once', async () => {
    const throttledBefore = api.throttled();
    const accepted = await api.start({ operation: 'reboot', parameters: { pollIntervalSeconds: 1 }, target: { deviceIds: DEVICES.paced } });
    const first = await api.status(accepted);
    assert.deepEqual(first.budget, { methodsPerSecond: 32, twinUpdatesPerSecond: 40, twinReadsPerSecond: 80, share: 0.8 });
    // min(32 methods/s, 40 twin updates/s ÷ 2 reports per reboot) = 20 starts/s.
    assert.equal(first.currentRate, 1200);
    let sawEta = false;
    const final = await api.follow(accepted, (body) => {
      if (body.state === 'running' && body.eta !== null) sawEta = true;
    });
    assert.equal(final.state, 'completed');
    assert.deepEqual(final.counters, zeroCounters({ succeeded: 40 }));
    assert.equal(final.eta, null);
    for (const id of DEVICES.paced) assert.equal(api.methodCount(id), 1, id);
    assert.equal(api.throttled() - throttledBefore, 0, 'the hub refused nothing');
    assert.ok(sawEta, 'an ETA was shown while it ran');
  });

  describe('bad input is a 400 naming the field', () => {
    const target = { deviceIds: ['rc-bad-1'] };
    const cases: Array<[string, Record<string, unknown>, string]> = [
      ['retries on Rejected', { perDevice: { retries: { maxAttempts: 2, on: ['Rejected'] } } }, 'perDevice.retries.on[0]'],
      ['retries on Failed', { perDevice: { retries: { maxAttempts: 2, on: ['Failed'] } } }, 'perDevice.retries.on[0]'],
      ['startAt in the past', { startAt: '2020-01-01T00:00:00Z' }, 'startAt'],
      ['startAt beyond 30 days', { startAt: new Date(Date.now() + 31 * 86_400_000).toISOString() }, 'startAt'],
      ['exponential factor', { rate: { maxPerMinute: 10, exponential: { baseRatePerMinute: 1, incrementFactor: 9, afterSucceeded: 1 } } }, 'rate.exponential.incrementFactor'],
    ];
    for (const [name, extra, field] of cases) {
      test(name, async () => {
        const response = await api.post('rollouts', { operation: 'reboot', target, ...extra });
        const answer = (await response.json()) as { error?: { target?: string } };
        assert.equal(response.status, 400, JSON.stringify(answer));
        assert.equal(answer.error?.target, field);
      });
    }
    test('pause takes no body', async () => {
      const response = await api.post(`rollouts/rollout-${'0'.repeat(32)}/pause`, { force: true });
      assert.equal(response.status, 400);
    });
  });
});

describe('a 429 from the hub slows the rollout down and never fails a device', () => {
  const DEVICES = ids('rc-429', 6);
  /** 60 KB of JSON: 15 meter chunks of the S1 unit's 40 a second, so the hub admits about two such calls at once. */
  const PAYLOAD = { note: 'x'.repeat(60_000) };
  let api: Rollouts;

  before(async () => {
    // The app believes the hub is S3 and sends each method once: its batch of 6 large calls bursts past the real
    // S1 throttle, so most calls come back 429 with nothing delivered.
    const stack = await startLocalStack({
      deviceIds: DEVICES, transport: 'virtual', rebootDurationMs: 1500, log: 'silent', quota: { tier: 'S1', units: 1 },
      env: { IOTHUB_SKU: 'S3', ROLLOUT_QUOTA_SHARE: '1', METHOD_INVOKE_MAX_ATTEMPTS: '1' },
    });
    api = new Rollouts(stack);
  });
  after(async () => {
    await api?.stack.stop();
  });

  test('the refused devices are sent again at a lower rate: all succeed, each received one method', async () => {
    const accepted = await api.start({ operation: 'reboot', parameters: { pollIntervalSeconds: 1, payload: PAYLOAD }, target: { deviceIds: DEVICES } });
    const startRate = (await api.status(accepted)).currentRate ?? 0;
    const final = await api.follow(accepted);
    assert.equal(final.state, 'completed');
    assert.deepEqual(final.counters, zeroCounters({ succeeded: 6 }));
    assert.ok(api.throttled() > 0, 'the hub did refuse calls');
    for (const id of DEVICES) assert.equal(api.methodCount(id), 1, id);
    assert.ok((final.currentRate ?? Infinity) < startRate, `rate ${final.currentRate} after 429s, ${startRate} before`);
  });
});
