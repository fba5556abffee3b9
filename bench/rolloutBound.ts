// The shortest time the documented IoT Hub quotas allow for rebooting N devices, used as the yardstick of the
// rollout bench. Throttles from azure-docs iot-hub-devguide-quotas-throttling.md as summarised in
// ../shared/research/mission-anchors.md §3.1 (and fleet-and-integration.md): on S1, direct methods 160 KB/s/unit
// metered in 4 KB (40 calls/s/unit at ≤ 4 KB), twin updates 50/s per hub, twin reads 100/s per hub, jobs device
// operations 10/s per hub. The emulator enforces the same figures (local/iothub/quota/throttles.ts).
//
// A reboot makes the device report twice (`rebooting` right after the method, `completed` after the reboot), and the
// back end must read the twin at least once after `completed` to know it. So, with R the reboot time:
//   - the last method is sent no earlier than N / methods-per-s, and its device completes R later;
//   - all 2N reports take at least 2N / updates-per-s;
//   - no `completed` report comes before R, and N of them take N / updates-per-s after that;
//   - likewise N twin reads after R take N / reads-per-s.
// Each throttle's bucket starts full (one second's budget, the burst), so each count is reduced by that burst.
import { throttleRates, type QuotaTier, type ThrottleRate } from '../local/iothub/quota/throttles';

export interface QuotaBound {
  seconds: number;
  /** Which term binds, in words. */
  binding: string;
  terms: Record<string, number>;
}

/** Seconds to admit `count` operations through a bucket that starts full. */
function paced(count: number, rate: ThrottleRate): number {
  return (Math.max(0, count - rate.perPeriod) * rate.periodSeconds) / rate.perPeriod;
}

function largest(terms: Record<string, number>): QuotaBound {
  const [binding, seconds] = Object.entries(terms).reduce((a, b) => (b[1] > a[1] ? b : a));
  return { seconds, binding, terms };
}

/** Bound for a rollout that calls the reboot method directly and watches every device to completion. */
export function rolloutBound(devices: number, rebootSeconds: number, tier: Exclude<QuotaTier, 'none'>, units: number): QuotaBound {
  const rates = throttleRates(tier, units);
  const methodsPerS = rates.directMethods.perPeriod / rates.directMethods.periodSeconds;
  const updatesPerS = rates.twinUpdates.perPeriod / rates.twinUpdates.periodSeconds;
  const readsPerS = rates.twinReads.perPeriod / rates.twinReads.periodSeconds;
  return largest({
    [`N/${methodsPerS} methods/s + reboot`]: paced(devices, rates.directMethods) + rebootSeconds,
    [`2N/${updatesPerS} twin updates/s`]: paced(2 * devices, rates.twinUpdates),
    [`reboot + N/${updatesPerS} completed reports/s`]: rebootSeconds + paced(devices, rates.twinUpdates),
    [`reboot + N/${readsPerS} twin reads/s`]: rebootSeconds + paced(devices, rates.twinReads),
  });
}

/** Bound for an IoT Hub job (scheduleDeviceMethod): paced at the jobs device-operations throttle. */
export function jobBound(devices: number, rebootSeconds: number, tier: Exclude<QuotaTier, 'none'>, units: number): { complete: QuotaBound; rebooted: QuotaBound } {
  const rates = throttleRates(tier, units);
  const jobsPerS = rates.jobsDeviceOperations.perPeriod / rates.jobsDeviceOperations.periodSeconds;
  const updatesPerS = rates.twinUpdates.perPeriod / rates.twinUpdates.periodSeconds;
  return {
    complete: largest({ [`N/${jobsPerS} job device ops/s`]: paced(devices, rates.jobsDeviceOperations) }),
    rebooted: largest({
      [`N/${jobsPerS} job device ops/s + reboot`]: paced(devices, rates.jobsDeviceOperations) + rebootSeconds,
      [`2N/${updatesPerS} twin updates/s`]: paced(2 * devices, rates.twinUpdates),
    }),
  };
}
