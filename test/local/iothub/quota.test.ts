// Token buckets and the documented per-tier throttle table (iot-hub-devguide-quotas-throttling.md).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { QuotaGate } from '../../../local/iothub/quota/quotaGate';
import { methodMeterUnits, throttleRates } from '../../../local/iothub/quota/throttles';
import { TokenBucket } from '../../../local/iothub/quota/tokenBucket';

describe('token bucket', () => {
  it('allows a full burst, then refills at its rate, never above capacity', () => {
    let now = 0;
    const bucket = new TokenBucket(10, 5, () => now);
    for (let i = 0; i < 10; i++) assert.equal(bucket.tryTake(), true);
    assert.equal(bucket.tryTake(), false);
    now = 200; // 0.2 s × 5/s = 1 token
    assert.equal(bucket.tryTake(), true);
    assert.equal(bucket.tryTake(), false);
    now = 60_000;
    assert.equal(bucket.available, 10);
    assert.equal(bucket.tryTake(11), false, 'a cost above the capacity never fits');
    assert.equal(bucket.tryTake(10), true);
  });
});

describe('throttle table', () => {
  it('matches the documented S1, S2 and S3 figures', () => {
    assert.deepEqual(throttleRates('S1', 1), {
      directMethods: { perPeriod: 40, periodSeconds: 1 },
      twinReads: { perPeriod: 100, periodSeconds: 1 },
      twinUpdates: { perPeriod: 50, periodSeconds: 1 },
      queries: { perPeriod: 20, periodSeconds: 60 },
      identityOperations: { perPeriod: 100, periodSeconds: 60 },
      jobsOperations: { perPeriod: 100, periodSeconds: 60 },
      jobsDeviceOperations: { perPeriod: 10, periodSeconds: 1 },
    });
    assert.equal(throttleRates('S1', 4).jobsDeviceOperations.perPeriod, 10, 'S1 jobs device operations are per hub');
    assert.equal(throttleRates('S2', 20).jobsDeviceOperations.perPeriod, 20, 'S2: the higher of 10/s and 1/s/unit');
    assert.equal(throttleRates('S3', 2).jobsDeviceOperations.perPeriod, 100, 'S3: 50/s/unit');
    const s1x4 = throttleRates('S1', 4);
    assert.equal(s1x4.twinReads.perPeriod, 100, 'S1 twin reads are per hub');
    assert.equal(s1x4.queries.perPeriod, 80, 'queries are per unit');
    assert.equal(s1x4.directMethods.perPeriod, 160);
    const s2 = throttleRates('S2', 20);
    assert.equal(s2.twinReads.perPeriod, 200, 'S2: the higher of 100/s and 10/s/unit');
    assert.equal(throttleRates('S2', 2).twinReads.perPeriod, 100);
    assert.equal(s2.twinUpdates.perPeriod, 100);
    assert.equal(s2.directMethods.perPeriod, 120 * 20);
    const s3 = throttleRates('S3', 2);
    assert.equal(s3.twinReads.perPeriod, 1000);
    assert.equal(s3.twinUpdates.perPeriod, 500);
    assert.equal(s3.queries.perPeriod, 2000);
    assert.equal(s3.identityOperations.perPeriod, 10_000);
    assert.equal(s3.directMethods.perPeriod, 2 * 6144);
  });

  it('meters method payloads in 4 KB units, at least one', () => {
    assert.equal(methodMeterUnits(0), 1);
    assert.equal(methodMeterUnits(4096), 1);
    assert.equal(methodMeterUnits(4097), 2);
    assert.equal(methodMeterUnits(128 * 1024), 32);
  });

  it('admits everything at tier none and per bucket otherwise', () => {
    const none = new QuotaGate('none');
    for (let i = 0; i < 10_000; i++) assert.equal(none.admit('queries'), true);
    let now = 0;
    const s1 = new QuotaGate('S1', 2, () => now);
    for (let i = 0; i < 40; i++) assert.equal(s1.admit('queries'), true);
    assert.equal(s1.admit('queries'), false);
    assert.equal(s1.admit('twinReads'), true, 'buckets are independent');
    now = 3_000; // 40/min → 2 tokens in 3 s
    assert.equal(s1.admit('queries'), true);
    assert.equal(s1.admit('queries'), true);
    assert.equal(s1.admit('queries'), false);
    assert.throws(() => new QuotaGate('S1', 0), RangeError);
  });
});
