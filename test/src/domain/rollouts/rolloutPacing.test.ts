// Pure rollout rules added for pacing and control: the hub budget per tier (payload-size aware), the exponential
// ramp, the retry decision, the ETA, the hub settings, and the new request fields (perDevice, rate.exponential, startAt).
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { REBOOT } from '../../../../src/domain/operations/reboot';
import { FIRMWARE_UPDATE } from '../../../../src/domain/operations/firmwareUpdate';
import { budgetPerMinute, burstAllowance, hubBudget, methodChunks, pollIntervalFor, type HubCapacity } from '../../../../src/domain/rollouts/hubBudget';
import { rolloutEta } from '../../../../src/domain/rollouts/rolloutEta';
import { callerRate, currentRate, recovered, slowedDown } from '../../../../src/domain/rollouts/rolloutRamp';
import { parseRolloutRequest } from '../../../../src/domain/rollouts/rolloutRequest';
import { decisionFor, isHubRefusal, type AttemptEnd, type DeviceRetries } from '../../../../src/domain/rollouts/rolloutRetries';
import { readHubCapacity } from '../../../../src/rolloutServices';

test('hub budget per tier and units, with the share applied (quotas-throttling doc, research §3.4)', async (t) => {
  const cases: Array<[string, HubCapacity, unknown, { methods: number; updates: number; reads: number }]> = [
    ['S1 ×1, empty payload', { sku: 'S1', units: 1, share: 1 }, null, { methods: 40, updates: 50, reads: 100 }],
    ['F1 as S1', { sku: 'F1', units: 1, share: 1 }, null, { methods: 40, updates: 50, reads: 100 }],
    ['S1 ×2: methods per unit, twin per hub', { sku: 'S1', units: 2, share: 1 }, null, { methods: 80, updates: 50, reads: 100 }],
    ['S1 share 0.8', { sku: 'S1', units: 1, share: 0.8 }, null, { methods: 32, updates: 40, reads: 80 }],
    ['S1, a 5 KB payload costs two 4 KB chunks', { sku: 'S1', units: 1, share: 1 }, { blob: 'x'.repeat(5000) }, { methods: 20, updates: 50, reads: 100 }],
    ['S2 ×1', { sku: 'S2', units: 1, share: 1 }, null, { methods: 120, updates: 50, reads: 100 }],
    ['S2 ×20: twin throttles per unit win', { sku: 'S2', units: 20, share: 1 }, null, { methods: 2400, updates: 100, reads: 200 }],
    ['S3 ×1', { sku: 'S3', units: 1, share: 1 }, null, { methods: 6144, updates: 250, reads: 500 }],
  ];
  for (const [name, capacity, payload, expected] of cases) {
    await t.test(name, () => {
      const budget = hubBudget(capacity, payload);
      assert.deepEqual([budget.methodsPerSecond, budget.twinUpdatesPerSecond, budget.twinReadsPerSecond, budget.share],
        [expected.methods, expected.updates, expected.reads, capacity.share]);
    });
  }
  assert.deepEqual([methodChunks(null), methodChunks({ a: 1 }), methodChunks('x'.repeat(4094)), methodChunks('x'.repeat(4095))], [1, 1, 1, 2]);
});

test('device starts the budget allows: the tighter of methods and the twin updates the action makes devices send', async (t) => {
  const s1 = hubBudget({ sku: 'S1', units: 1, share: 0.8 }, null);
  const s1x4 = hubBudget({ sku: 'S1', units: 4, share: 1 }, null);
  const cases: Array<[string, ReturnType<typeof hubBudget>, number, number, number]> = [
    // 32 methods/s vs 40 updates/s ÷ 2 reports = 20 starts/s.
    ['reboot on S1 at 0.8', s1, REBOOT.reportedUpdates, 1200, 20],
    // 32 methods/s vs 40 ÷ 6 = 6.67 starts/s.
    ['firmware update on S1 at 0.8', s1, FIRMWARE_UPDATE.reportedUpdates, 400, 6],
    // 160 methods/s vs 50 ÷ 2 = 25: more units do not lift the per-hub twin-update throttle.
    ['reboot on 4 S1 units', s1x4, REBOOT.reportedUpdates, 1500, 25],
  ];
  for (const [name, budget, reports, perMinute, burst] of cases) {
    await t.test(name, () => assert.deepEqual([budgetPerMinute(budget, reports), burstAllowance(budget, reports)], [perMinute, burst]));
  }
});

test('poll spacing grows with the devices watched so their twin reads fit the budget', async (t) => {
  const budget = hubBudget({ sku: 'S1', units: 1, share: 0.8 }, null); // 80 reads/s
  const cases: Array<[number, number, number]> = [[0, 5, 5], [20, 1, 1], [80, 1, 1], [81, 1, 2], [400, 1, 5], [400, 10, 10], [10_000, 5, 125]];
  for (const [watched, requested, expected] of cases) {
    await t.test(`${watched} watched, ${requested} s asked`, () => assert.equal(pollIntervalFor(watched, requested, budget), expected));
  }
});

test('exponential ramp as AWS IoT Jobs: ×factor per afterSucceeded successes, capped by maxPerMinute', async (t) => {
  const aws = { maxPerMinute: 1000, exponential: { baseRatePerMinute: 50, incrementFactor: 2, afterSucceeded: 1000 } };
  const cases: Array<[string, Parameters<typeof callerRate>[0], number, number | null]> = [
    ['no rate', null, 5000, null],
    ['fixed rate', { maxPerMinute: 30 }, 5000, 30],
    ['AWS example: 0 succeeded', aws, 0, 50],
    ['AWS example: 999 succeeded', aws, 999, 50],
    ['AWS example: 1000 succeeded', aws, 1000, 100],
    ['AWS example: 2000 succeeded', aws, 2000, 200],
    ['AWS example: 3000 succeeded', aws, 3000, 400],
    ['capped at maxPerMinute', aws, 9000, 1000],
    ['fractional factor floors', { maxPerMinute: 100, exponential: { baseRatePerMinute: 10, incrementFactor: 1.5, afterSucceeded: 5 } }, 10, 22],
  ];
  for (const [name, rate, succeeded, expected] of cases) {
    await t.test(name, () => assert.equal(callerRate(rate, succeeded), expected));
  }
});

test('the rate in force: lowest of caller and hub, times the 429 slow-down, at least 1', async (t) => {
  const cases: Array<[string, number | null, number | null, number, number | null]> = [
    ['nothing limits', null, null, 1, null],
    ['hub only', null, 1200, 1, 1200],
    ['caller below hub', 120, 1200, 1, 120],
    ['hub below caller', 6000, 1200, 1, 1200],
    ['after one 429', 6000, 1200, slowedDown(1), 600],
    ['after two 429s', 6000, 1200, slowedDown(slowedDown(1)), 300],
    ['never below 1', 1, 1200, 0.01, 1],
  ];
  for (const [name, caller, hub, slowDown, expected] of cases) {
    await t.test(name, () => assert.equal(currentRate(caller, hub, slowDown), expected));
  }
  assert.equal(recovered(0.5), 0.625);
  assert.equal(recovered(0.9), 1);
});

test('retry decision: TimedOut/DeviceOffline within maxAttempts, never Rejected; hub refusals are not the device\'s', async (t) => {
  const retries: DeviceRetries = { maxAttempts: 3, on: ['TimedOut', 'DeviceOffline'] };
  const end = (outcome: AttemptEnd['outcome'], delivery: AttemptEnd['delivery'] = 'delivered', code: string | null = null, message = ''): AttemptEnd =>
    ({ outcome, delivery, error: code === null ? null : { code, message } });
  const throttled = 'IoT Hub did not deliver the method in 1 attempt(s): Throttled (HTTP 429, error 429001)';
  const cases: Array<[string, AttemptEnd, number, number, DeviceRetries, string]> = [
    ['TimedOut, attempt 1 of 3', end('TimedOut'), 1, 0, retries, 'retry'],
    ['TimedOut, attempt 3 of 3', end('TimedOut'), 3, 0, retries, 'final'],
    ['DeviceOffline, attempt 2 of 3', end('DeviceOffline', 'notDelivered', 'DeviceOffline'), 2, 0, retries, 'retry'],
    ['Rejected is never retried', end('Rejected'), 1, 0, { maxAttempts: 3, on: ['TimedOut', 'DeviceOffline'] }, 'final'],
    ['Failed is not retried', end('Failed', 'delivered', 'DeviceReportedFailure'), 1, 0, retries, 'final'],
    ['Succeeded', end('Succeeded'), 1, 0, retries, 'final'],
    ['TimedOut without retries', end('TimedOut'), 1, 0, { maxAttempts: 1, on: [] }, 'final'],
    ['DeviceOffline when only TimedOut is retried', end('DeviceOffline'), 1, 0, { maxAttempts: 3, on: ['TimedOut'] }, 'final'],
    ['429 through every invoke attempt: sent again, slower', end('Failed', 'notDelivered', 'MethodNotDelivered', throttled), 1, 0, { maxAttempts: 1, on: [] }, 'hubRefused'],
    ['429 until the deadline: sent again', end('TimedOut', 'notDelivered', 'MethodNotDelivered', `deadline (last refusal: ${throttled})`), 1, 2, retries, 'hubRefused'],
    ['503 through every attempt: sent again', end('Failed', 'notDelivered', 'MethodNotDelivered', 'unavailable (HTTP 503)'), 1, 0, retries, 'hubRefused'],
    ['deadline passed before the first send, no refusal: the device\'s TimedOut', end('TimedOut', 'notDelivered', 'MethodNotDelivered', 'The deadline passed before IoT Hub delivered the method.'), 1, 0, retries, 'retry'],
    ['a hub that keeps refusing: final', end('Failed', 'notDelivered', 'MethodNotDelivered', throttled), 1, 5, retries, 'final'],
    ['delivery unknown is never sent again', end('DeliveryUnconfirmed', 'unknown', 'DeliveryUnconfirmed'), 1, 0, retries, 'final'],
  ];
  for (const [name, e, attempt, refusals, r, expected] of cases) {
    await t.test(name, () => assert.equal(decisionFor(e.outcome, isHubRefusal(e), attempt, refusals, r), expected));
  }
});

test('ETA: the queued devices start at the rate, the last ends one device duration later; unknown before one finished', async (t) => {
  const T = Date.parse('2030-01-01T00:00:00.000Z');
  const cases: Array<[string, Parameters<typeof rolloutEta>[0], string | null]> = [
    ['nothing queued', { nowMs: T, queued: 0, ratePerMinute: 60, deviceMs: null }, '2030-01-01T00:00:00.000Z'],
    ['before the first device finished', { nowMs: T, queued: 10, ratePerMinute: 60, deviceMs: null }, null],
    ['paced: 20 starts at 60/min, then one device', { nowMs: T, queued: 20, ratePerMinute: 60, deviceMs: 3000 }, '2030-01-01T00:00:23.000Z'],
    ['device-bound: 25 starts at 600/min + 30 s', { nowMs: T, queued: 25, ratePerMinute: 600, deviceMs: 30_000 }, '2030-01-01T00:00:32.500Z'],
    ['unpaced', { nowMs: T, queued: 5, ratePerMinute: null, deviceMs: 2000 }, '2030-01-01T00:00:02.000Z'],
  ];
  for (const [name, input, expected] of cases) await t.test(name, () => assert.equal(rolloutEta(input), expected));
});

test('IOTHUB_SKU, IOTHUB_UNITS, ROLLOUT_QUOTA_SHARE: defaults S1 × 1 at 0.8; mistakes name the setting', async (t) => {
  assert.deepEqual(readHubCapacity({}), { sku: 'S1', units: 1, share: 0.8 });
  assert.deepEqual(readHubCapacity({ IOTHUB_SKU: 's2', IOTHUB_UNITS: '3', ROLLOUT_QUOTA_SHARE: '0.5' }), { sku: 'S2', units: 3, share: 0.5 });
  const bad: Array<[Record<string, string>, RegExp]> = [
    [{ IOTHUB_SKU: 'B1' }, /IOTHUB_SKU/], [{ IOTHUB_SKU: 'S4' }, /IOTHUB_SKU/],
    [{ IOTHUB_UNITS: '0' }, /IOTHUB_UNITS/], [{ IOTHUB_UNITS: '2', IOTHUB_SKU: 'F1' }, /IOTHUB_UNITS/], [{ IOTHUB_UNITS: '1.5' }, /IOTHUB_UNITS/],
    [{ IOTHUB_UNITS: '11', IOTHUB_SKU: 'S3' }, /IOTHUB_UNITS/],
    [{ ROLLOUT_QUOTA_SHARE: '0' }, /ROLLOUT_QUOTA_SHARE/], [{ ROLLOUT_QUOTA_SHARE: '1.2' }, /ROLLOUT_QUOTA_SHARE/], [{ ROLLOUT_QUOTA_SHARE: '80%' }, /ROLLOUT_QUOTA_SHARE/],
  ];
  for (const [env, message] of bad) await t.test(JSON.stringify(env), () => assert.throws(() => readHubCapacity(env), message));
});

test('request: perDevice, rate.exponential and startAt accepted; each mistake names its field', async (t) => {
  const now = Date.parse('2030-01-01T00:00:00.000Z');
  const base = { operation: 'reboot', target: { deviceIds: ['a'] } };
  const spec = parseRolloutRequest({ ...base, parameters: { pollIntervalSeconds: 2 },
    perDevice: { timeoutSeconds: 30, retries: { maxAttempts: 3, on: ['TimedOut', 'DeviceOffline', 'TimedOut'] } },
    rate: { maxPerMinute: 100, exponential: { baseRatePerMinute: 10, incrementFactor: 1.5, afterSucceeded: 5 } }, startAt: '2030-01-01T01:00:00Z' }, now);
  assert.deepEqual([spec.request.timeoutSeconds, spec.request.pollIntervalSeconds], [30, 2]);
  assert.deepEqual(spec.retries, { maxAttempts: 3, on: ['TimedOut', 'DeviceOffline'] });
  assert.deepEqual(spec.rate, { maxPerMinute: 100, exponential: { baseRatePerMinute: 10, incrementFactor: 1.5, afterSucceeded: 5 } });
  assert.equal(spec.startAt, '2030-01-01T01:00:00.000Z');
  assert.equal(parseRolloutRequest({ ...base, startAt: '2029-12-31T23:59:30Z' }, now).startAt, null, 'within the tolerance: now');
  assert.deepEqual(parseRolloutRequest(base, now).retries, { maxAttempts: 1, on: [] });

  const cases: Array<[string, Record<string, unknown>, string]> = [
    ['retries on Rejected', { perDevice: { retries: { maxAttempts: 2, on: ['Rejected'] } } }, 'perDevice.retries.on[0]'],
    ['retries on Failed', { perDevice: { retries: { maxAttempts: 2, on: ['TimedOut', 'Failed'] } } }, 'perDevice.retries.on[1]'],
    ['retries on nothing', { perDevice: { retries: { maxAttempts: 2, on: [] } } }, 'perDevice.retries.on'],
    ['retries maxAttempts 0', { perDevice: { retries: { maxAttempts: 0, on: ['TimedOut'] } } }, 'perDevice.retries.maxAttempts'],
    ['retries maxAttempts 12', { perDevice: { retries: { maxAttempts: 12, on: ['TimedOut'] } } }, 'perDevice.retries.maxAttempts'],
    ['retries unknown field', { perDevice: { retries: { maxAttempts: 2, on: ['TimedOut'], delay: 1 } } }, 'perDevice.retries.delay'],
    ['perDevice not an object', { perDevice: 3 }, 'perDevice'],
    ['perDevice unknown field', { perDevice: { payload: {} } }, 'perDevice.payload'],
    ['perDevice timeout too short', { perDevice: { timeoutSeconds: 5 } }, 'perDevice.timeoutSeconds'],
    ['perDevice poll longer than timeout', { perDevice: { timeoutSeconds: 20, pollIntervalSeconds: 30 } }, 'perDevice.pollIntervalSeconds'],
    ['exponential without its fields', { rate: { maxPerMinute: 10, exponential: {} } }, 'rate.exponential.baseRatePerMinute'],
    ['exponential base above the cap', { rate: { maxPerMinute: 10, exponential: { baseRatePerMinute: 20, incrementFactor: 2, afterSucceeded: 5 } } }, 'rate.exponential.baseRatePerMinute'],
    ['exponential factor two decimals', { rate: { maxPerMinute: 10, exponential: { baseRatePerMinute: 1, incrementFactor: 1.55, afterSucceeded: 5 } } }, 'rate.exponential.incrementFactor'],
    ['exponential factor above 5', { rate: { maxPerMinute: 10, exponential: { baseRatePerMinute: 1, incrementFactor: 6, afterSucceeded: 5 } } }, 'rate.exponential.incrementFactor'],
    ['exponential afterSucceeded 0', { rate: { maxPerMinute: 10, exponential: { baseRatePerMinute: 1, incrementFactor: 2, afterSucceeded: 0 } } }, 'rate.exponential.afterSucceeded'],
    ['exponential without maxPerMinute', { rate: { exponential: { baseRatePerMinute: 1, incrementFactor: 2, afterSucceeded: 1 } } }, 'rate.maxPerMinute'],
    ['startAt not a time', { startAt: 'tomorrow' }, 'startAt'],
    ['startAt without a zone', { startAt: '2030-01-01T01:00:00' }, 'startAt'],
    ['startAt in the past', { startAt: '2029-12-31T23:58:00Z' }, 'startAt'],
    ['startAt beyond 30 days', { startAt: '2030-02-01T00:00:01Z' }, 'startAt'],
  ];
  for (const [name, extra, field] of cases) {
    await t.test(name, () => assert.throws(() => parseRolloutRequest({ ...base, ...extra }, now), (err: { target?: string }) => err.target === field));
  }
});
