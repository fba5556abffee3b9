// Issue 11, crash test: kill -9 of the local Functions host in the middle of a rollout, then a new host on the same
// Azurite-on-disk storage. One stack (test/support/crash), one rollout of 40 devices per kill point, batches of 20;
// the moment of the kill is chosen by what the devices received (not by time): the first method of the first
// batch, the middle of the second batch, and every method sent (only the watching of the last batch left).
// After the restart the rollout must complete; each device must have received its method at most once (counted at
// the device); the counters must match the per-device table; a device that received nothing must be accounted
// for (DeliveryUnconfirmed: the app does not send again what it may have sent; or TimedOut, never sent because the
// host came back after its deadline), and one that received it must have Succeeded (every device behaves normally).
import * as assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { withKey, withOrigin } from '../../support/crash/appClient';
import { startCrashStack, type CrashStack } from '../../support/crash/crashStack';

const DEVICES_PER_ROLLOUT = 40;
const BATCH_SIZE = 20;
/** Kill once this many of the rollout's devices have received the method. */
const KILL_POINTS: Array<[string, number]> = [
  ['the first batch has just started (1 device reached)', 1],
  ['the second batch is half sent (30 devices reached)', 30],
  ['every method is sent, the last batch is being watched (40 devices reached)', 40],
];
// A short deadline: a device the crash left without its method is DeliveryUnconfirmed only at its deadline.
const PARAMETERS = { pollIntervalSeconds: 1, timeoutSeconds: 15, responseTimeoutInSeconds: 10 };
const STATES = ['queued', 'inProgress', 'succeeded', 'failed', 'timedOut', 'rejected', 'offline', 'notFound', 'canceled', 'busy', 'unconfirmed'];

interface RolloutBody { rolloutId: string; state: string; total: number; counters: Record<string, number>; statusUrl: string; devicesUrl: string }

let stack: CrashStack;

/** A URL the app gave out, on the current host with its current key (a restart changes both). */
const current = (url: string): string => withKey(withOrigin(url, stack.api.baseUrl), stack.api.functionKey);

async function startRollout(deviceIds: readonly string[]): Promise<RolloutBody> {
  const response = await fetch(current(`${stack.api.baseUrl}/api/rollouts`), {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ operation: 'reboot', parameters: PARAMETERS, target: { deviceIds } }),
  });
  const text = await response.text();
  assert.equal(response.status, 202, text);
  return JSON.parse(text) as RolloutBody;
}

/** Follows the status URL at its Retry-After until 200; a request the dying host drops is asked again. */
async function finalStatus(statusUrl: string, timeoutMs: number): Promise<RolloutBody> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    let waitS = 1;
    try {
      const response = await fetch(current(statusUrl), { signal: AbortSignal.timeout(30_000) });
      const body = (await response.json()) as RolloutBody;
      if (response.status === 200) return body;
      waitS = Math.min(2, Number(response.headers.get('retry-after') ?? '1'));
    } catch { /* the host is restarting */ }
    await new Promise((resolve) => setTimeout(resolve, waitS * 1000));
  }
  throw new Error(`the rollout did not end within ${timeoutMs} ms`);
}

/** The per-device table: device id → state, from GET …/devices?state=… for every state. */
async function deviceTable(rollout: RolloutBody): Promise<Map<string, string>> {
  const table = new Map<string, string>();
  for (const state of STATES) {
    let token: string | null = null;
    do {
      const url = new URL(current(rollout.devicesUrl));
      url.searchParams.set('state', state);
      url.searchParams.set('pageSize', '100');
      if (token !== null) url.searchParams.set('continuationToken', token);
      const response = await fetch(url);
      assert.equal(response.status, 200, `devices?state=${state}`);
      const page = (await response.json()) as { devices: Array<{ deviceId: string }>; continuationToken: string | null };
      for (const { deviceId } of page.devices) {
        assert.equal(table.get(deviceId), undefined, `${deviceId} is listed under ${table.get(deviceId)} and ${state}`);
        table.set(deviceId, state);
      }
      token = page.continuationToken;
    } while (token !== null);
  }
  return table;
}

/** Whether the device has reported its reboot complete (acknowledged by the hub). */
function rebootCompleted(deviceId: string): boolean {
  return stack.fleet.device(deviceId).reports
    .some(({ patch }) => (patch.iothubDM as { reboot?: { status?: unknown } } | undefined)?.reboot?.status === 'completed');
}

/** The error code of the device's one operation, from its history row's status URL. */
async function errorCode(deviceId: string): Promise<string | undefined> {
  const rows = await stack.api.history(deviceId);
  assert.equal(rows.length, 1, `${deviceId} has one operation`);
  const response = await fetch(current(String(rows[0]!.statusUrl)));
  return ((await response.json()) as { error?: { code?: string } | null }).error?.code;
}

describe('kill -9 of the host mid-rollout, then a restart on the same storage', { timeout: 360_000 }, () => {
  before(async () => {
    const steps = 7;
    stack = await startCrashStack({
      deviceCount: DEVICES_PER_ROLLOUT * KILL_POINTS.length,
      // Answers spread over 0.2–1.4 s, so that at any moment some calls of a batch are answered and some in flight.
      behaviour: (i) => ({ kind: 'slow', answerDelayMs: 200 + (i % steps) * 200 }),
      timings: { rebootDurationMs: 500 },
      proxy: false,
      transport: 'virtual',
      appSettings: { ROLLOUT_BATCH_SIZE: String(BATCH_SIZE) },
    });
  });
  after(async () => {
    await stack?.stop();
  });

  KILL_POINTS.forEach(([moment, reached], index) => {
    test(`killed when ${moment}`, async (t) => {
      const t0 = Date.now();
      const ids = stack.deviceIds.slice(index * DEVICES_PER_ROLLOUT, (index + 1) * DEVICES_PER_ROLLOUT);
      const reachedOf = () => ids.filter((id) => stack.deliveries.count(id, 'reboot') > 0).length;
      const rollout = await startRollout(ids);
      await stack.deliveries.waitUntil(() => reachedOf() >= reached, 60_000, `${reached} devices of the rollout have the method`);
      const atKill = reachedOf();
      const unfinishedAtKill = ids.filter((id) => !rebootCompleted(id)).length;
      const killAt = Date.now() - t0;
      const { workerGone } = await stack.host.killHost();
      assert.ok(workerGone, 'the orphaned language worker went away');
      const reachedWhileDown = reachedOf();
      await stack.restartHost();
      const restartedAt = Date.now() - t0;

      const final = await finalStatus(rollout.statusUrl, 120_000);
      const deliveries = new Map(ids.map((id) => [id, stack.deliveries.count(id, 'reboot')]));
      const table = await deviceTable(final);
      const summary = `reached at kill ${atKill} (${unfinishedAtKill} not rebooted), after kill ${reachedWhileDown}; counters ${JSON.stringify(final.counters)}`;
      t.diagnostic(`${summary}; ms: kill ${killAt}, restarted ${restartedAt}, completed ${Date.now() - t0}`);

      // Precondition: the kill hit a rollout in flight (devices still to reach, or still rebooting).
      assert.ok(unfinishedAtKill > 0, `no device was left to finish at the kill (${summary})`);
      assert.equal(final.state, 'completed', summary);
      // At most once, counted at the devices.
      assert.deepEqual(ids.filter((id) => deliveries.get(id)! > 1), [], `devices acted on twice (${summary})`);
      // The counters are the per-device table's, and every device is in it once.
      assert.deepEqual([...table.keys()].sort(), [...ids].sort(), summary);
      const tallied = Object.fromEntries(STATES.map((state) => [state, [...table.values()].filter((s) => s === state).length]));
      assert.deepEqual(final.counters, tallied, summary);
      // What each device received decides its state: 1 → succeeded. 0 → unconfirmed (the attempt was journaled and
      // the kill came before the send), or timedOut with MethodNotDelivered (the host came back after the device's
      // deadline, so the method was never sent): both say what happened, neither sends twice.
      const wrong: string[] = [];
      for (const id of ids) {
        const state = table.get(id);
        if (deliveries.get(id) === 1 ? state === 'succeeded' : state === 'unconfirmed') continue;
        if (deliveries.get(id) === 0 && state === 'timedOut' && (await errorCode(id)) === 'MethodNotDelivered') continue;
        wrong.push(`${id}: ${deliveries.get(id)} deliveries, ${state}${state === 'timedOut' ? ` (${await errorCode(id)})` : ''}`);
      }
      assert.deepEqual(wrong, [], summary);
    });
  });
});
