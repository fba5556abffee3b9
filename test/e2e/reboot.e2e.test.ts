// End to end, over HTTP only, against the whole local stack: Azurite, the IoT Hub emulator, devices on the
// real device SDK over MQTT, and the app on the local Functions host. Nothing here is a mock.
import { after, before, describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { startLocalStack, simulatedDeviceIds, type LocalStack } from '../../local/stack';
import { followAsyncOperation } from '../../local/cli/asyncPoller';

const REBOOT_MS = 1000;
const SPECIAL_ID = "dev#?%'():=@$;1";
const FLEET = simulatedDeviceIds(20);
const OFFLINE = 'offline-01';
const NEVER = 'never-01';
const REJECT = 'reject-01';
const FAILED = 'failed-01';

let stack: LocalStack;

interface Outcome {
  instanceId: string;
  deviceId: string;
  outcome: string;
  methodResponse?: { status: number; payload: unknown } | null;
  requestedAt: string;
  acceptedAt: string | null;
  completedAt: string;
  durationMs: number;
  polls: number;
  lastReported: { reboot?: Record<string, unknown> } | null;
}

function url(path: string, key: string | null = stack.functionKey): string {
  const separator = path.includes('?') ? '&' : '?';
  return `${stack.baseUrl}/api/${path}${key === null ? '' : `${separator}code=${encodeURIComponent(key)}`}`;
}

function startReboot(deviceId: string, body: Record<string, unknown> = {}): Promise<Response> {
  return fetch(url(`devices/${encodeURIComponent(deviceId)}/reboot`), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ pollIntervalSeconds: 1, timeoutSeconds: 60, ...body }),
  });
}

/** POST, then follow Location honouring Retry-After until a non-202, as the Logic Apps HTTP action does. */
async function reboot(deviceId: string, body: Record<string, unknown> = {}): Promise<Outcome> {
  const first = await startReboot(deviceId, body);
  assert.equal(first.status, 202, `start of ${deviceId}`);
  const final = await followAsyncOperation(first, { timeoutMs: 90_000 });
  assert.equal(final.status, 200);
  return final.body as Outcome;
}

describe('the local stack over HTTP', () => {
  before(async () => {
    stack = await startLocalStack({
      deviceIds: [...FLEET, OFFLINE, NEVER, REJECT, FAILED, SPECIAL_ID],
      behaviours: {
        [OFFLINE]: { kind: 'offline' },
        [NEVER]: { kind: 'neverReturn' },
        [REJECT]: { kind: 'reject', status: 403, payload: { reason: 'maintenance window closed' } },
        [FAILED]: { kind: 'reportFailed', reason: 'watchdog' },
      },
      rebootDurationMs: REBOOT_MS,
      log: 'silent',
    });
  });
  after(async () => {
    await stack?.stop();
  });

  test('a reboot succeeds, and a Logic-Apps-style poller follows Location to the outcome with timings', async () => {
    const first = await startReboot(FLEET[0]);
    assert.equal(first.status, 202);
    assert.equal(first.headers.get('retry-after'), '1');
    const location = first.headers.get('location');
    assert.ok(location?.startsWith(`${stack.baseUrl}/api/operations/`), `Location ${location}`);
    const polled: number[] = [];
    const final = await followAsyncOperation(first, { onPoll: (o) => polled.push(o.status), timeoutMs: 60_000 });
    assert.equal(final.status, 200);
    assert.ok(polled.length >= 2 && polled.slice(0, -1).every((s) => s === 202), `statuses ${polled}`);
    const outcome = final.body as Outcome;
    assert.equal(outcome.outcome, 'Succeeded');
    assert.equal(outcome.deviceId, FLEET[0]);
    assert.deepEqual(outcome.methodResponse, { status: 200, payload: 'Reboot started' });
    assert.equal(outcome.lastReported?.reboot?.status, 'completed');
    const requested = Date.parse(outcome.requestedAt);
    const completed = Date.parse(outcome.completedAt);
    assert.ok(completed - requested >= REBOOT_MS, `took ${completed - requested} ms, the device is down ${REBOOT_MS} ms`);
    assert.equal(outcome.durationMs, completed - requested);
    assert.ok(outcome.polls >= 1);
  });

  test('the durable statusQueryGetUri from the 202 body works', async () => {
    const first = await startReboot(FLEET[1]);
    const body = (await first.json()) as { instanceId: string; management: { statusQueryGetUri: string } };
    const durable = await fetch(body.management.statusQueryGetUri);
    assert.ok(durable.status === 200 || durable.status === 202);
    const status = (await durable.json()) as { instanceId: string; runtimeStatus: string };
    assert.equal(status.instanceId, body.instanceId);
    assert.ok(['Pending', 'Running', 'Completed'].includes(status.runtimeStatus));
    const final = await followAsyncOperation(await fetch(url(`operations/${body.instanceId}`)), { timeoutMs: 60_000 });
    assert.equal((final.body as Outcome).outcome, 'Succeeded');
  });

  test('an offline device ends as DeviceOffline', async () => {
    const outcome = await reboot(OFFLINE);
    assert.equal(outcome.outcome, 'DeviceOffline');
  });

  test('an unknown device ends as DeviceNotFound', async () => {
    const outcome = await reboot('no-such-device');
    assert.equal(outcome.outcome, 'DeviceNotFound');
  });

  test('a device that rejects the method ends as Rejected with its status and payload', async () => {
    const outcome = await reboot(REJECT);
    assert.equal(outcome.outcome, 'Rejected');
    assert.deepEqual(outcome.methodResponse, { status: 403, payload: { reason: 'maintenance window closed' } });
  });

  test('a device that reports failed ends as Failed', async () => {
    const outcome = await reboot(FAILED);
    assert.equal(outcome.outcome, 'Failed');
    assert.equal(outcome.lastReported?.reboot?.status, 'failed');
  });

  test('a device that never comes back ends as TimedOut at the deadline, with the last observed state', async () => {
    const outcome = await reboot(NEVER, { timeoutSeconds: 10 });
    assert.equal(outcome.outcome, 'TimedOut');
    const elapsed = Date.parse(outcome.completedAt) - Date.parse(outcome.requestedAt);
    assert.ok(elapsed >= 10_000, `timed out after ${elapsed} ms`);
    assert.equal(outcome.lastReported?.reboot?.status, 'rebooting');
    assert.ok(outcome.polls >= 5, `${outcome.polls} polls`);
  });

  test('a second start while one runs gets 409 with the running instance', async () => {
    const first = await startReboot(FLEET[2]);
    assert.equal(first.status, 202);
    const running = (await first.json()) as { instanceId: string; statusUrl: string };
    const second = await startReboot(FLEET[2]);
    assert.equal(second.status, 409);
    const conflict = (await second.json()) as { instanceId: string; statusUrl: string; error: { code: string } };
    assert.equal(conflict.instanceId, running.instanceId);
    assert.equal(conflict.statusUrl, running.statusUrl);
    const final = await followAsyncOperation(await fetch(running.statusUrl), { timeoutMs: 60_000 });
    assert.equal((final.body as Outcome).outcome, 'Succeeded');
  });

  test('a missing or wrong function key gets 401 and starts nothing; the header form of the key works', async () => {
    const path = `devices/${FLEET[3]}/reboot`;
    const missing = await fetch(url(path, null), { method: 'POST' });
    assert.equal(missing.status, 401);
    const wrong = await fetch(url(path, 'not-the-key'), { method: 'POST' });
    assert.equal(wrong.status, 401);
    const history = await fetch(url(`devices/${FLEET[3]}/operations`));
    assert.deepEqual(((await history.json()) as { operations: unknown[] }).operations, []);
    const report = await fetch(url('reports/reboot', null), { headers: { 'x-functions-key': stack.functionKey } });
    assert.equal(report.status, 200);
  });

  test('bad bodies get 400 naming the field, and start nothing', async () => {
    const cases: Array<[unknown, string]> = [
      [{ timeoutSeconds: 5 }, 'timeoutSeconds'],
      [{ pollIntervalSeconds: 0 }, 'pollIntervalSeconds'],
      [{ responseTimeoutInSeconds: 301 }, 'responseTimeoutInSeconds'],
      [{ connectTimeoutInSeconds: -1 }, 'connectTimeoutInSeconds'],
      [{ rebootNow: true }, 'rebootNow'],
    ];
    for (const [body, field] of cases) {
      const response = await fetch(url(`devices/${FLEET[4]}/reboot`), {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
      });
      assert.equal(response.status, 400, JSON.stringify(body));
      const error = (await response.json()) as { error: { code: string; message: string; target: string } };
      assert.equal(error.error.target, field, JSON.stringify(error));
      assert.ok(error.error.message.length > 0);
    }
    const notJson = await fetch(url(`devices/${FLEET[4]}/reboot`), {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"timeoutSeconds":',
    });
    assert.equal(notJson.status, 400);
    const badId = await fetch(url(`devices/${encodeURIComponent('a'.repeat(129))}/reboot`), { method: 'POST' });
    assert.equal(badId.status, 400);
    assert.equal(((await badId.json()) as { error: { target: string } }).error.target, 'deviceId');
    const history = await fetch(url(`devices/${FLEET[4]}/operations`));
    assert.deepEqual(((await history.json()) as { operations: unknown[] }).operations, []);
  });

  test(`a device id with # ? % ' ( ) : = @ $ ; survives every hop`, async () => {
    const outcome = await reboot(SPECIAL_ID);
    assert.equal(outcome.deviceId, SPECIAL_ID);
    assert.equal(outcome.outcome, 'Succeeded');
    const history = await fetch(url(`devices/${encodeURIComponent(SPECIAL_ID)}/operations`));
    assert.equal(history.status, 200);
    const rows = ((await history.json()) as { operations: Array<{ deviceId: string; instanceId: string }> }).operations;
    assert.equal(rows.length, 1);
    assert.equal(rows[0].deviceId, SPECIAL_ID);
    assert.equal(rows[0].instanceId, outcome.instanceId);
  });

  test('the device history lists its operations, newest first', async () => {
    const history = await fetch(url(`devices/${FLEET[2]}/operations`));
    assert.equal(history.status, 200);
    const rows = ((await history.json()) as { operations: Array<{ instanceId: string; outcome: string }> }).operations;
    assert.equal(rows.length, 1);
    assert.equal(rows[0].outcome, 'Succeeded');
  });

  test('20 devices rebooted concurrently all succeed', async () => {
    const outcomes = await Promise.all(FLEET.map((id) => reboot(id)));
    assert.deepEqual(outcomes.map((o) => o.outcome), FLEET.map(() => 'Succeeded'));
    assert.deepEqual(outcomes.map((o) => o.deviceId), FLEET);
    assert.equal(new Set(outcomes.map((o) => o.instanceId)).size, FLEET.length);
  });

  test('the fleet report counts devices by reported reboot status', async () => {
    const response = await fetch(url('reports/reboot'));
    assert.equal(response.status, 200);
    const report = (await response.json()) as { totalDevices: number; byStatus: Array<{ status: string | null; devices: number }> };
    const counts = Object.fromEntries(report.byStatus.map((row) => [String(row.status), row.devices]));
    // Every fleet device and the special id completed; one failed; one never came back; three never rebooted.
    assert.deepEqual(counts, { completed: FLEET.length + 1, failed: 1, rebooting: 1, null: 2 });
    assert.equal(report.totalDevices, FLEET.length + 5);
  });
});
