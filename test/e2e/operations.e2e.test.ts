// End to end, over HTTP only, against the whole local stack: Azurite, the IoT Hub emulator, devices on the
// real device SDK over MQTT, and the app on the local Functions host. Each test uses its own devices, so none
// depends on another having run; what a device received is counted at the device.
import { after, before, describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { startLocalStack, type LocalStack } from '../../local/stack';
import { deviceActivityOf, methodsReceived, NEVER_RETURNED, OperationsApi, type Kind } from './support/operationsApi';

const REBOOT_MS = 800;
const SPECIAL_ID = "dev#?%'():=@$;1";
const FW_URI = 'https://firmware.example.com/images/2.0.1.bin';

const DEVICES = {
  ok: ['ok-reboot', 'ok-factoryReset', 'ok-firmwareUpdate'],
  failed: 'failed-01',
  fwFailed: 'fwfailed-01',
  rejecting: 'reject-01',
  offline: 'offline-01',
  never: 'never-01',
  cancel: 'cancel-01',
  contended: 'contended-01',
  http: 'http-01',
  keys: 'keys-01',
  report: ['rpt-1', 'rpt-2'],
  history: 'history-01',
};

let stack: LocalStack;
let api: OperationsApi;

describe('device operations on the local stack over HTTP', () => {
  before(async () => {
    stack = await startLocalStack({
      deviceIds: [...DEVICES.ok, DEVICES.failed, DEVICES.fwFailed, DEVICES.rejecting, DEVICES.offline, DEVICES.never, DEVICES.cancel,
        DEVICES.contended, DEVICES.http, DEVICES.keys, ...DEVICES.report, DEVICES.history, SPECIAL_ID],
      behaviours: {
        [DEVICES.failed]: { kind: 'reportFailed', reason: 'watchdog' },
        [DEVICES.fwFailed]: { kind: 'reportFailed', reason: 'checksum mismatch', firmwarePhase: 'download' },
        [DEVICES.rejecting]: { kind: 'reject', status: 403, payload: { reason: 'maintenance window closed' } },
        [DEVICES.offline]: { kind: 'offline' },
        [DEVICES.never]: { kind: 'neverReturn' },
        [DEVICES.cancel]: { kind: 'neverReturn' },
        // Slow answers keep the first method in flight while the other starts race it.
        [DEVICES.contended]: { kind: 'slow', answerDelayMs: 1500 },
      },
      rebootDurationMs: REBOOT_MS,
      deviceTimings: { factoryResetDurationMs: REBOOT_MS, firmwareDownloadMs: 1500, firmwareApplyMs: 1500 },
      log: 'silent',
    });
    api = new OperationsApi(stack);
  });
  after(async () => {
    await stack?.stop();
  });

  test('every kind succeeds end to end; the device receives its method once; progress is visible while it runs', { concurrency: 3 }, async (t) => {
    const bodies: Record<Kind, Record<string, unknown>> = {
      reboot: {}, factoryReset: {}, firmwareUpdate: { payload: { fwPackageUri: FW_URI, version: '2.0.1' } },
    };
    const answers: Record<Kind, unknown> = { reboot: 'Reboot started', factoryReset: 'Factory reset started', firmwareUpdate: 'Firmware update started.' };
    const finals: Record<Kind, string> = { reboot: 'completed', factoryReset: 'completed', firmwareUpdate: 'apply firmware image complete' };
    await Promise.all((['reboot', 'factoryReset', 'firmwareUpdate'] as const).map((kind, i) => t.test(kind, async () => {
      const deviceId = DEVICES.ok[i]!;
      const steps = new Set<string>();
      const { response, body } = await api.accepted(kind, deviceId, bodies[kind]);
      assert.equal(response.headers.get('retry-after'), '1');
      assert.equal(response.headers.get('location'), body.statusUrl);
      assert.equal(body.operation, kind);
      assert.ok(body.cancelUrl.includes(`/api/operations/${body.instanceId}/cancel`));
      const result = await api.follow(body.statusUrl, (o) => {
        const step = (o.body as { customStatus?: { step?: string | null } } | undefined)?.customStatus?.step;
        if (typeof step === 'string') steps.add(step);
      });
      assert.equal(result.outcome, 'Succeeded', JSON.stringify(result));
      assert.equal(result.delivery, 'delivered');
      assert.equal(result.operation, kind);
      assert.deepEqual(result.methodResponse, { status: 200, payload: answers[kind] });
      assert.equal(result.lastReported?.values?.status, finals[kind]);
      assert.ok(Date.parse(result.acceptedAt!) >= Date.parse(result.requestedAt));
      assert.equal(result.durationMs, Date.parse(result.completedAt) - Date.parse(result.requestedAt));
      if (kind === 'firmwareUpdate') {
        assert.equal(result.firmwareVersion, '2.0.1');
        assert.ok(steps.has('downloading') || steps.has('applying'), `steps seen: ${[...steps].join(', ')}`);
      } else {
        assert.ok(result.durationMs >= REBOOT_MS, `took ${result.durationMs} ms; the device is down ${REBOOT_MS} ms`);
      }
      assert.equal(stack.devices.device(deviceId).methodCount(kind), 1);
      assert.equal(stack.devices.device(deviceId).methodCount(), 1);
      const rows = await api.history(deviceId);
      assert.equal(rows.length, 1);
      assert.deepEqual([rows[0]!.instanceId, rows[0]!.outcome, rows[0]!.phase], [body.instanceId, 'Succeeded', 'completed']);
    })));
  });

  test('a device that reports failure ends Failed with its reason', async (t) => {
    await t.test('reboot', async () => {
      const result = await api.run('reboot', DEVICES.failed);
      assert.equal(result.outcome, 'Failed');
      assert.equal(result.error?.code, 'DeviceReportedFailure');
      assert.match(result.error!.message, /watchdog/);
    });
    await t.test('firmwareUpdate with the sample failure string', async () => {
      const result = await api.run('firmwareUpdate', DEVICES.fwFailed, { payload: { fwPackageUri: FW_URI } });
      assert.equal(result.outcome, 'Failed');
      assert.equal(result.step, 'Download image failed');
      assert.match(result.error!.message, /checksum mismatch/);
    });
  });

  test('firmwareUpdate with an http: URL is refused with 400 before anything reaches the device', async () => {
    const response = await api.start('firmwareUpdate', DEVICES.http, { payload: { fwPackageUri: 'http://firmware.example.com/fw.bin' } });
    assert.equal(response.status, 400);
    const body = (await response.json()) as { error: { target: string; message: string } };
    assert.equal(body.error.target, 'payload.fwPackageUri');
    assert.match(body.error.message, /https/);
    assert.equal(stack.devices.device(DEVICES.http).methodCount(), 0);
    assert.deepEqual(await api.history(DEVICES.http), []);
  });

  test('rejected, offline and unknown devices end with their own outcomes, and the device is free afterwards', async (t) => {
    await t.test('Rejected', async () => {
      const result = await api.run('reboot', DEVICES.rejecting);
      assert.equal(result.outcome, 'Rejected');
      assert.deepEqual(result.methodResponse, { status: 403, payload: { reason: 'maintenance window closed' } });
      assert.equal((await api.run('factoryReset', DEVICES.rejecting)).outcome, 'Rejected');
    });
    await t.test('DeviceOffline', async () => {
      const result = await api.run('reboot', DEVICES.offline);
      assert.equal(result.outcome, 'DeviceOffline');
      assert.equal(result.delivery, 'notDelivered');
    });
    await t.test('DeviceNotFound', async () => {
      const result = await api.run('reboot', 'no-such-device');
      assert.equal(result.outcome, 'DeviceNotFound');
    });
  });

  test('a device that never comes back ends TimedOut by deadline + one poll, saying what the twin showed', async () => {
    const result = await api.run('reboot', DEVICES.never, { timeoutSeconds: 10 });
    assert.equal(result.outcome, 'TimedOut');
    assert.equal(result.delivery, 'delivered');
    const elapsed = Date.parse(result.completedAt) - Date.parse(result.requestedAt);
    assert.ok(elapsed >= 10_000 && elapsed <= 10_000 + 1_000 + 5_000, `ended after ${elapsed} ms`);
    assert.deepEqual(deviceActivityOf(result), NEVER_RETURNED);
  });

  test('20 simultaneous starts of every kind on one device: one 202, the rest 409 naming it, one delivery', async () => {
    const kinds: Kind[] = ['reboot', 'factoryReset', 'firmwareUpdate'];
    const responses = await Promise.all(Array.from({ length: 20 }, (_, i) => {
      const kind = kinds[i % 3]!;
      return api.start(kind, DEVICES.contended, kind === 'firmwareUpdate' ? { payload: { fwPackageUri: FW_URI } } : {});
    }));
    const bodies = await Promise.all(responses.map(async (r) => ({ status: r.status, body: (await r.json()) as { instanceId: string; statusUrl: string } })));
    const accepted = bodies.filter((b) => b.status === 202);
    assert.equal(accepted.length, 1, `statuses ${bodies.map((b) => b.status).join(',')}`);
    const winner = accepted[0]!.body;
    for (const refused of bodies.filter((b) => b.status !== 202)) {
      assert.equal(refused.status, 409);
      assert.equal(refused.body.instanceId, winner.instanceId);
    }
    const result = await api.follow(winner.statusUrl);
    assert.equal(result.outcome, 'Succeeded');
    assert.equal(stack.devices.device(DEVICES.contended).methodCount(), 1);
    assert.equal((await api.history(DEVICES.contended)).length, 1);
  });

  test('cancel: a running operation ends Canceled, its row says so, the device is free; cancelling it again is 409', async () => {
    const { body } = await api.accepted('reboot', DEVICES.cancel, { timeoutSeconds: 600 });
    await methodsReceived(stack.devices.device(DEVICES.cancel), 1);
    assert.ok((await api.running()).some((op) => op.instanceId === body.instanceId), 'listed as running');

    const cancel = await fetch(body.cancelUrl, { method: 'POST' });
    assert.equal(cancel.status, 202);
    assert.equal(cancel.headers.get('location'), body.statusUrl);
    const canceling = (await cancel.json()) as { status: string; note: string };
    assert.equal(canceling.status, 'Canceling');
    assert.match(canceling.note, /cannot be recalled/);

    const result = await api.follow(body.statusUrl);
    assert.equal(result.outcome, 'Canceled');
    assert.equal(result.delivery, 'delivered');
    const rows = await api.history(DEVICES.cancel);
    assert.deepEqual(rows.map((r) => [r.instanceId, r.outcome]), [[body.instanceId, 'Canceled']]);
    assert.ok(!(await api.running()).some((op) => op.instanceId === body.instanceId), 'no longer listed as running');

    const again = await fetch(body.cancelUrl, { method: 'POST' });
    assert.equal(again.status, 409);
    assert.equal(((await again.json()) as { outcome: string }).outcome, 'Canceled');
    // Free for the next operation (the device is dead now, so that one ends DeviceOffline).
    const next = await api.run('factoryReset', DEVICES.cancel, { timeoutSeconds: 20 });
    assert.equal(next.outcome, 'DeviceOffline');
  });

  test('the 202 carries no Durable management URL or system key; only the function key', async () => {
    const response = await api.start('reboot', DEVICES.keys);
    const text = await response.text();
    assert.equal(response.status, 202);
    assert.doesNotMatch(text, /runtime\/webhooks|durabletask/i);
    assert.ok(!text.includes(stack.host.systemKey), 'system key in the body');
    assert.ok(!text.includes(stack.masterKey), 'master key in the body');
    assert.deepEqual(Object.keys(JSON.parse(text) as object).sort(), ['cancelUrl', 'deviceId', 'instanceId', 'operation', 'statusUrl']);
    await api.follow((JSON.parse(text) as { statusUrl: string }).statusUrl);
  });

  test('a missing or wrong function key gets 401 and starts nothing; the header form of the key works', async () => {
    const path = `devices/${DEVICES.keys}/factoryReset`;
    assert.equal((await fetch(api.url(path, null), { method: 'POST' })).status, 401);
    assert.equal((await fetch(api.url(path, 'not-the-key'), { method: 'POST' })).status, 401);
    assert.equal((await fetch(api.url('operations?state=running', 'not-the-key'))).status, 401);
    assert.equal(stack.devices.device(DEVICES.keys).methodCount('factoryReset'), 0);
    const report = await fetch(api.url('reports/factoryReset', null), { headers: { 'x-functions-key': stack.functionKey } });
    assert.equal(report.status, 200);
  });

  test(`a device id with # ? % ' ( ) : = @ $ ; survives every hop`, async () => {
    const result = await api.run('reboot', SPECIAL_ID);
    assert.equal(result.deviceId, SPECIAL_ID);
    assert.equal(result.outcome, 'Succeeded');
    const rows = await api.history(SPECIAL_ID);
    assert.deepEqual(rows.map((r) => r.instanceId), [result.instanceId]);
  });

  test('the device history lists operations of every kind, newest first, one row each', async () => {
    const first = await api.run('reboot', DEVICES.history);
    const second = await api.run('firmwareUpdate', DEVICES.history, { payload: { fwPackageUri: FW_URI } });
    const rows = await api.history(DEVICES.history);
    assert.deepEqual(rows.map((r) => [r.instanceId, r.operation, r.outcome]),
      [[second.instanceId, 'firmwareUpdate', 'Succeeded'], [first.instanceId, 'reboot', 'Succeeded']]);
    assert.match(second.instanceId, /^firmwareUpdate-history-01-2$/);
  });

  test('the fleet report counts devices by the status they report for the kind', async () => {
    await api.run('factoryReset', DEVICES.report[0]!);
    const response = await fetch(api.url('reports/factoryReset?deviceIdPrefix=rpt-'));
    assert.equal(response.status, 200);
    const report = (await response.json()) as { operation: string; totalDevices: number; byStatus: Array<{ status: string | null; devices: number }> };
    assert.equal(report.operation, 'factoryReset');
    assert.deepEqual(Object.fromEntries(report.byStatus.map((row) => [String(row.status), row.devices])), { completed: 1, null: 1 });
    assert.equal(report.totalDevices, 2);
    assert.equal((await fetch(api.url('reports/selfDestruct'))).status, 404);
  });
});
