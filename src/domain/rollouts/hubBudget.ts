// The IoT Hub budget a rollout may use, from the hub's tier and units (IOTHUB_SKU, IOTHUB_UNITS) and the share of
// each throttle left to rollouts (ROLLOUT_QUOTA_SHARE; the rest is for other traffic). Throttles from azure-docs
// iot-hub-devguide-quotas-throttling.md as quoted in ../shared/research/mission-anchors.md §3.1 and
// fleet-and-integration.md §3.4:
//
//   throttle        F1 and S1           S2                      S3
//   direct methods  160 KB/s/unit       480 KB/s/unit           24 MB/s/unit     metered on the request payload, 4 KB chunks
//   twin reads      100/s per hub       max(100/s, 10/s/unit)   500/s/unit
//   twin updates    50/s per hub        max(50/s, 5/s/unit)     250/s/unit
//
// A device start costs one direct method (its payload in 4 KB chunks) and makes the device send the operation's
// reported-property updates (OperationDefinition.reportedUpdates); watching it costs one twin read per poll.
// The same table drives the emulator's enforcement (local/iothub/quota/throttles.ts); this copy is the app's.
import { jsonByteLength } from '../jsonSize';

export const IOTHUB_SKUS = ['F1', 'S1', 'S2', 'S3'] as const;
export type IotHubSku = (typeof IOTHUB_SKUS)[number];

/** Bytes per direct-method meter chunk ("a payload between 0 KB and 4 KB is counted as 4 KB"). */
export const METHOD_METER_BYTES = 4 * 1024;

export interface HubCapacity {
  sku: IotHubSku;
  units: number;
  /** Share of each throttle rollouts may use, in (0, 1]. */
  share: number;
}

/** What a rollout may use of the hub, per second, the share already applied. */
export interface HubBudget {
  methodsPerSecond: number;
  twinUpdatesPerSecond: number;
  twinReadsPerSecond: number;
  share: number;
}

/** Documented throttles for the whole hub, before the share. */
export function hubThrottles(sku: IotHubSku, units: number): { methodKBps: number; twinReadsPerSecond: number; twinUpdatesPerSecond: number } {
  switch (sku) {
    case 'F1':
    case 'S1':
      return { methodKBps: 160 * units, twinReadsPerSecond: 100, twinUpdatesPerSecond: 50 };
    case 'S2':
      return { methodKBps: 480 * units, twinReadsPerSecond: Math.max(100, 10 * units), twinUpdatesPerSecond: Math.max(50, 5 * units) };
    case 'S3':
      return { methodKBps: 24 * 1024 * units, twinReadsPerSecond: 500 * units, twinUpdatesPerSecond: 250 * units };
  }
}

/** Meter chunks one direct method with this payload costs (at least one). */
export function methodChunks(payload: unknown): number {
  const bytes = payload === null || payload === undefined ? 0 : jsonByteLength(payload);
  return Math.max(1, Math.ceil(bytes / METHOD_METER_BYTES));
}

/** The rollout's budget for an operation whose method carries `payload`. */
export function hubBudget(capacity: HubCapacity, payload: unknown): HubBudget {
  const hub = hubThrottles(capacity.sku, capacity.units);
  const callsPerSecond = Math.floor((hub.methodKBps * 1024) / (METHOD_METER_BYTES * methodChunks(payload)));
  return {
    methodsPerSecond: round2(callsPerSecond * capacity.share),
    twinUpdatesPerSecond: round2(hub.twinUpdatesPerSecond * capacity.share),
    twinReadsPerSecond: round2(hub.twinReadsPerSecond * capacity.share),
    share: capacity.share,
  };
}

/** Device starts per second the budget allows: one method each, `reportedUpdates` twin updates each. */
export function startsPerSecond(budget: HubBudget, reportedUpdates: number): number {
  return Math.min(budget.methodsPerSecond, budget.twinUpdatesPerSecond / Math.max(1, reportedUpdates));
}

/** Starts per minute (the pacer's unit), at least 1. */
export function budgetPerMinute(budget: HubBudget, reportedUpdates: number): number {
  return Math.max(1, Math.floor(startsPerSecond(budget, reportedUpdates) * 60));
}

/**
 * Devices one batch may start at the same moment: one second's worth, since the hub's buckets hold one second
 * of budget (a larger simultaneous burst would be refused with 429 even at a permitted average rate).
 */
export function burstAllowance(budget: HubBudget, reportedUpdates: number): number {
  return Math.max(1, Math.floor(startsPerSecond(budget, reportedUpdates)));
}

/**
 * Poll spacing for `watched` devices polled at once, so their twin reads stay within the budget: never shorter
 * than the caller asked for, and at least watched / twinReadsPerSecond seconds.
 */
export function pollIntervalFor(watched: number, requestedSeconds: number, budget: HubBudget): number {
  if (watched <= 0 || budget.twinReadsPerSecond <= 0) return requestedSeconds;
  return Math.max(requestedSeconds, Math.ceil(watched / budget.twinReadsPerSecond));
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}
