// Per-device states of a rollout and the counters over them. A device row moves queued → inProgress → one
// outcome state, or queued → busy (another operation held the device; nothing sent) or queued → canceled.
import type { Outcome } from '../outcomes';

export const ROLLOUT_DEVICE_STATES = [
  'queued', 'inProgress', 'succeeded', 'failed', 'timedOut', 'rejected', 'offline', 'notFound', 'canceled', 'busy', 'unconfirmed',
] as const;
export type RolloutDeviceState = (typeof ROLLOUT_DEVICE_STATES)[number];

export type RolloutCounters = Record<RolloutDeviceState, number>;

const STATE_OF_OUTCOME: Readonly<Record<Outcome, RolloutDeviceState>> = Object.freeze({
  Succeeded: 'succeeded', Failed: 'failed', TimedOut: 'timedOut', Rejected: 'rejected', DeviceOffline: 'offline',
  DeviceNotFound: 'notFound', Canceled: 'canceled', DeliveryUnconfirmed: 'unconfirmed',
});

export function stateOfOutcome(outcome: Outcome): RolloutDeviceState {
  return STATE_OF_OUTCOME[outcome];
}

export function isRolloutDeviceState(value: string): value is RolloutDeviceState {
  return (ROLLOUT_DEVICE_STATES as readonly string[]).includes(value);
}

/** Every device queued. */
export function initialCounters(total: number): RolloutCounters {
  const counters = Object.fromEntries(ROLLOUT_DEVICE_STATES.map((s) => [s, 0])) as RolloutCounters;
  counters.queued = total;
  return counters;
}

/** Moves `count` devices from one state to another (a new object; counters never go below 0). */
export function move(counters: RolloutCounters, from: RolloutDeviceState, to: RolloutDeviceState, count = 1): RolloutCounters {
  if (count === 0 || from === to) return counters;
  if (counters[from] < count) throw new RangeError(`cannot move ${count} device(s) out of ${from} (${counters[from]})`);
  return { ...counters, [from]: counters[from] - count, [to]: counters[to] + count };
}

/** Devices that have an outcome (the denominator of abort thresholds): not queued, in progress or busy. */
export function executed(counters: RolloutCounters): number {
  return counters.succeeded + counters.failed + counters.timedOut + counters.rejected + counters.offline + counters.notFound
    + counters.canceled + counters.unconfirmed;
}
