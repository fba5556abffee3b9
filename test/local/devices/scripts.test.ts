// Unit tests of the shared device-management sequences against a recording port (no hub involved).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  FIRMWARE_STATUS, rebootSequence, factoryResetSequence, firmwareUpdateSequence, runDeviceMethod, resolveTimings,
  validateBehaviour, type DeviceBehaviour, type DevicePort,
} from '../../../local/devices/index.js';
import { elementAt } from '../../support/elementAt';

type Step =
  | { step: 'answer'; status: number; payload: unknown }
  | { step: 'report'; patch: Record<string, unknown> }
  | { step: 'disconnect' } | { step: 'reconnect' } | { step: 'sleep'; ms: number };

/** A port that records each step; the clock advances one second per reading so order is visible. */
function recordingPort(): { port: DevicePort; steps: Step[] } {
  const steps: Step[] = [];
  let clock = Date.parse('2024-01-01T00:00:00.000Z');
  const port: DevicePort = {
    answer: async (status, payload) => { steps.push({ step: 'answer', status, payload }); },
    reportProperties: async (patch) => { steps.push({ step: 'report', patch }); },
    disconnect: async () => { steps.push({ step: 'disconnect' }); },
    reconnect: async () => { steps.push({ step: 'reconnect' }); },
    sleep: async (ms) => { steps.push({ step: 'sleep', ms }); },
    now: () => new Date((clock += 1000)).toISOString(),
  };
  return { port, steps };
}

const timings = resolveTimings({ rebootDurationMs: 300, factoryResetDurationMs: 400, firmwareDownloadMs: 50, firmwareApplyMs: 60 });

function reboot(report: Record<string, unknown>): Record<string, unknown> {
  return { iothubDM: { reboot: report } };
}

function firmwareStatuses(steps: Step[]): unknown[] {
  return steps.flatMap((s) => s.step === 'report'
    ? [((s.patch.iothubDM as Record<string, Record<string, unknown>>).firmwareUpdate)?.status] : []);
}

test('reboot (normal): answers 200, reports rebooting, goes away for the reboot duration, comes back, reports completed', async () => {
  const { port, steps } = recordingPort();
  await rebootSequence(port, { kind: 'normal' }, timings);
  assert.deepEqual(steps, [
    { step: 'answer', status: 200, payload: 'Reboot started' },
    { step: 'report', patch: reboot({ status: 'rebooting', startedRebootTime: '2024-01-01T00:00:01.000Z', failedTime: null, reason: null }) },
    { step: 'disconnect' },
    { step: 'sleep', ms: 300 },
    { step: 'reconnect' },
    { step: 'report', patch: reboot({ status: 'completed', lastReboot: '2024-01-01T00:00:02.000Z' }) },
  ]);
});

test('reboot (reject): answers the given status and payload and does nothing else', async () => {
  const { port, steps } = recordingPort();
  await rebootSequence(port, { kind: 'reject', status: 403, payload: { reason: 'maintenance window closed' } }, timings);
  assert.deepEqual(steps, [{ step: 'answer', status: 403, payload: { reason: 'maintenance window closed' } }]);
});

test('reboot (reject without payload): a default message names the method', async () => {
  const { port, steps } = recordingPort();
  await rebootSequence(port, { kind: 'reject', status: 500 }, timings);
  assert.deepEqual(steps, [{ step: 'answer', status: 500, payload: { message: "The device rejected 'reboot'" } }]);
});

test('reboot (neverReturn): answers, reports rebooting, disconnects and never reconnects', async () => {
  const { port, steps } = recordingPort();
  await rebootSequence(port, { kind: 'neverReturn' }, timings);
  assert.deepEqual(steps.map((s) => s.step), ['answer', 'report', 'disconnect', 'sleep']);
});

test('reboot (reportFailed): comes back and reports failed with the reason', async () => {
  const { port, steps } = recordingPort();
  await rebootSequence(port, { kind: 'reportFailed', reason: 'watchdog' }, timings);
  assert.deepEqual(steps.map((s) => s.step), ['answer', 'report', 'disconnect', 'sleep', 'reconnect', 'report']);
  assert.deepEqual(steps[5], { step: 'report', patch: reboot({ status: 'failed', failedTime: '2024-01-01T00:00:02.000Z', reason: 'watchdog' }) });
});

test('reboot (slow): waits answerDelayMs before answering, then reboots normally', async () => {
  const { port, steps } = recordingPort();
  await rebootSequence(port, { kind: 'slow', answerDelayMs: 7000 }, timings);
  assert.deepEqual(steps.slice(0, 2), [{ step: 'sleep', ms: 7000 }, { step: 'answer', status: 200, payload: 'Reboot started' }]);
  assert.equal(steps.length, 7);
});

test('offline: a method that still arrives is never answered', async () => {
  for (const method of ['reboot', 'factoryReset', 'firmwareUpdate']) {
    const { port, steps } = recordingPort();
    await runDeviceMethod(method, { fwPackageUri: 'https://example.com/fw.bin' }, { kind: 'offline' }, timings, port);
    assert.deepEqual(steps, [], method);
  }
});

test('an unknown method is never answered (the hub times it out, as with a real SDK device)', async () => {
  const { port, steps } = recordingPort();
  await runDeviceMethod('selfDestruct', null, { kind: 'normal' }, timings, port);
  assert.deepEqual(steps, []);
});

test('factoryReset: the reboot pattern under iothubDM.factoryReset with its own duration', async () => {
  const { port, steps } = recordingPort();
  await factoryResetSequence(port, { kind: 'normal' }, timings);
  assert.deepEqual(steps, [
    { step: 'answer', status: 200, payload: 'Factory reset started' },
    { step: 'report', patch: { iothubDM: { factoryReset: { status: 'resetting', startedFactoryResetTime: '2024-01-01T00:00:01.000Z', failedTime: null, reason: null } } } },
    { step: 'disconnect' },
    { step: 'sleep', ms: 400 },
    { step: 'reconnect' },
    { step: 'report', patch: { iothubDM: { factoryReset: { status: 'completed', lastFactoryReset: '2024-01-01T00:00:02.000Z' } } } },
  ]);
});

test('firmwareUpdate: the sample status strings in order, with the sample timestamp fields', async () => {
  const { port, steps } = recordingPort();
  await firmwareUpdateSequence(port, { kind: 'normal' }, timings, { fwPackageUri: 'https://secureurl' });
  assert.deepEqual(steps[0], { step: 'answer', status: 200, payload: 'Firmware update started.' });
  assert.deepEqual(firmwareStatuses(steps), ['downloading', 'download complete', 'applying', 'apply firmware image complete']);
  const reports = steps.filter((s): s is Extract<Step, { step: 'report' }> => s.step === 'report')
    .map((s) => (s.patch.iothubDM as Record<string, Record<string, unknown>>).firmwareUpdate);
  assert.deepEqual(Object.keys(elementAt(reports, 0)).sort(), ['reason', 'startedDownloadingTime', 'status']);
  assert.equal(elementAt(reports, 0).reason, null);
  assert.deepEqual(Object.keys(elementAt(reports, 1)).sort(), ['downloadCompleteTime', 'status']);
  assert.deepEqual(Object.keys(elementAt(reports, 2)).sort(), ['startedApplyingImage', 'status']);
  assert.deepEqual(Object.keys(elementAt(reports, 3)).sort(), ['lastFirmwareUpdate', 'status']);
  assert.deepEqual(steps.filter((s) => s.step === 'sleep'), [{ step: 'sleep', ms: 50 }, { step: 'sleep', ms: 60 }]);
  assert.ok(!steps.some((s) => s.step === 'disconnect'), 'the sample does not restart after applying');
});

test('firmwareUpdate: a package URI that is not https is refused with the sample 400 message', async () => {
  for (const payload of [{ fwPackageUri: 'http://insecure' }, { fwPackageUri: 'not a url' }, {}, null, 'https://x']) {
    const { port, steps } = recordingPort();
    await firmwareUpdateSequence(port, { kind: 'normal' }, timings, payload);
    assert.deepEqual(steps, [{ step: 'answer', status: 400, payload: 'Invalid URL format.  Must use https:// protocol.' }], JSON.stringify(payload));
  }
});

test('firmwareUpdate (reportFailed): the sample failure strings for the download and the apply phase', async () => {
  const download = recordingPort();
  await firmwareUpdateSequence(download.port, { kind: 'reportFailed', firmwarePhase: 'download' }, timings, { fwPackageUri: 'https://secureurl' });
  assert.deepEqual(firmwareStatuses(download.steps), ['downloading', FIRMWARE_STATUS.downloadFailed]);
  assert.equal(FIRMWARE_STATUS.downloadFailed, 'Download image failed');

  const apply = recordingPort();
  await firmwareUpdateSequence(apply.port, { kind: 'reportFailed', reason: 'checksum mismatch' }, timings, { fwPackageUri: 'https://secureurl' });
  assert.deepEqual(firmwareStatuses(apply.steps), ['downloading', 'download complete', 'applying', 'Apply image failed']);
  const last = apply.steps.at(-1);
  assert.deepEqual(last, { step: 'report', patch: { iothubDM: { firmwareUpdate: { status: 'Apply image failed', reason: 'checksum mismatch' } } } });
});

test('firmwareUpdate (neverReturn): goes dark while downloading', async () => {
  const { port, steps } = recordingPort();
  await firmwareUpdateSequence(port, { kind: 'neverReturn' }, timings, { fwPackageUri: 'https://secureurl' });
  assert.deepEqual(steps.map((s) => s.step), ['answer', 'report', 'disconnect']);
});

test('firmwareUpdate (reject / slow) apply as for reboot', async () => {
  const rejected = recordingPort();
  await firmwareUpdateSequence(rejected.port, { kind: 'reject', status: 409 }, timings, { fwPackageUri: 'https://secureurl' });
  assert.deepEqual(rejected.steps, [{ step: 'answer', status: 409, payload: { message: "The device rejected 'firmwareUpdate'" } }]);
  const slow = recordingPort();
  await firmwareUpdateSequence(slow.port, { kind: 'slow', answerDelayMs: 10 }, timings, { fwPackageUri: 'https://secureurl' });
  assert.deepEqual(slow.steps[0], { step: 'sleep', ms: 10 });
  assert.deepEqual(firmwareStatuses(slow.steps), ['downloading', 'download complete', 'applying', 'apply firmware image complete']);
});

test('validateBehaviour refuses statuses below 300, negative delays and unknown kinds', () => {
  assert.throws(() => validateBehaviour({ kind: 'reject', status: 200 }), /300 to 999/);
  assert.throws(() => validateBehaviour({ kind: 'reject', status: 403.5 }), /integer/);
  assert.throws(() => validateBehaviour({ kind: 'slow', answerDelayMs: -1 }), /≥ 0/);
  assert.throws(() => validateBehaviour({ kind: 'explode' } as unknown as DeviceBehaviour), /Unknown device behaviour kind: explode/);
  assert.throws(() => validateBehaviour({ kind: 'reportFailed', firmwarePhase: 'flash' } as unknown as DeviceBehaviour), /firmwarePhase/);
  assert.deepEqual(validateBehaviour({ kind: 'reject', status: 403, payload: 1 }), { kind: 'reject', status: 403, payload: 1 });
});

test('resolveTimings merges over the defaults and refuses bad durations', () => {
  assert.deepEqual(resolveTimings({ rebootDurationMs: 10 }), { rebootDurationMs: 10, factoryResetDurationMs: 5000, firmwareDownloadMs: 4000, firmwareApplyMs: 4000 });
  assert.throws(() => resolveTimings({ firmwareApplyMs: Number.NaN }), /firmwareApplyMs/);
});
