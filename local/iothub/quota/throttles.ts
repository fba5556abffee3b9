// IoT Hub throttles per tier, from azure-docs articles/iot-hub/iot-hub-devguide-quotas-throttling.md (ms.date
// 02/09/2023; research/mission-anchors.md §3.1):
//
//   throttle             S1 (and Free)            S2                               S3
//   direct methods       160 KB/s/unit            480 KB/s/unit                    24 MB/s/unit
//   twin reads           100/s per hub            max(100/s, 10/s/unit)            500/s/unit
//   twin updates         50/s per hub             max(50/s, 5/s/unit)              250/s/unit
//   queries              20/min/unit              20/min/unit                      1,000/min/unit
//   identity operations  100/min/unit             100/min/unit                     5,000/min/unit
//   jobs operations      100/min/unit             100/min/unit                     5,000/min/unit
//   jobs device ops      10/s per hub             max(10/s, 1/s/unit)              50/s/unit
//   concurrent jobs      1                        5                                10
//
// Direct methods are metered in 4 KB units ("a payload between 0 KB and 4 KB is counted as 4 KB"), so S1 allows 40
// calls/s/unit, S2 120 and S3 6,144 at ≤4 KB. Each throttle becomes a token bucket that refills at the documented
// rate and holds one period's budget: a burst of one second's worth for per-second limits, one minute's worth for
// per-minute limits (the docs say bursts are accepted and then shaped; the emulator rejects beyond the burst with
// 429001 instead of queueing, which is what a client sees once the service's queue is full).

export type QuotaTier = 'none' | 'S1' | 'S2' | 'S3';
export type ThrottledOperation =
  | 'directMethods' | 'twinReads' | 'twinUpdates' | 'queries' | 'identityOperations'
  /** Create, get, cancel and query jobs. */
  | 'jobsOperations'
  /** The twin updates and method invocations a job makes on each device (paced, never refused). */
  | 'jobsDeviceOperations';

export interface ThrottleRate {
  /** Tokens per period; also the bucket capacity (the burst). */
  perPeriod: number;
  periodSeconds: 1 | 60;
}

/** Bytes per direct-method meter unit. */
export const METHOD_METER_BYTES = 4 * 1024;

export function throttleRates(tier: Exclude<QuotaTier, 'none'>, units: number): Record<ThrottledOperation, ThrottleRate> {
  const perSecond = (perPeriod: number): ThrottleRate => ({ perPeriod, periodSeconds: 1 });
  const perMinute = (perPeriod: number): ThrottleRate => ({ perPeriod, periodSeconds: 60 });
  switch (tier) {
    case 'S1':
      return {
        directMethods: perSecond((160 * 1024 / METHOD_METER_BYTES) * units),
        twinReads: perSecond(100),
        twinUpdates: perSecond(50),
        queries: perMinute(20 * units),
        identityOperations: perMinute(100 * units),
        jobsOperations: perMinute(100 * units),
        jobsDeviceOperations: perSecond(10),
      };
    case 'S2':
      return {
        directMethods: perSecond((480 * 1024 / METHOD_METER_BYTES) * units),
        twinReads: perSecond(Math.max(100, 10 * units)),
        twinUpdates: perSecond(Math.max(50, 5 * units)),
        queries: perMinute(20 * units),
        identityOperations: perMinute(100 * units),
        jobsOperations: perMinute(100 * units),
        jobsDeviceOperations: perSecond(Math.max(10, units)),
      };
    case 'S3':
      return {
        directMethods: perSecond((24 * 1024 * 1024 / METHOD_METER_BYTES) * units),
        twinReads: perSecond(500 * units),
        twinUpdates: perSecond(250 * units),
        queries: perMinute(1000 * units),
        identityOperations: perMinute(5000 * units),
        jobsOperations: perMinute(5000 * units),
        jobsDeviceOperations: perSecond(50 * units),
      };
  }
}

/** Meter units a direct method costs: its payload in 4 KB units, at least one. */
export function methodMeterUnits(payloadBytes: number): number {
  return Math.max(1, Math.ceil(payloadBytes / METHOD_METER_BYTES));
}

/** Jobs a hub runs at once (queued, scheduled or running); more gives 429004. `none` has no limit. */
export function maxConcurrentJobs(tier: QuotaTier): number {
  switch (tier) {
    case 'none':
      return Number.POSITIVE_INFINITY;
    case 'S1':
      return 1;
    case 'S2':
      return 5;
    case 'S3':
      return 10;
  }
}
