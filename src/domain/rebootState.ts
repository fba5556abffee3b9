// What one poll of the twin tells about a reboot, and the completion rule applied to it.
//
// Completion is judged on the hub's clock only: every timestamp compared here is either a `$metadata`
// `$lastUpdated` written by the hub or a hub `Date` header, never a time the device wrote into its report
// (device clocks drift and reset on reboot). Accepted schemas (ARCHITECTURE.md §3, mission-anchors.md §1.3):
//  1. this project's devices: `iothubDM.reboot.status` = rebooting → completed | failed;
//  2. the docs tutorial: `iothubDM.reboot.lastReboot` reported for the reboot;
//  3. the SDK sample: `iothubDM.reboot.startedRebootTime`, then completion = the device connected again after it.

import { capJson } from './jsonSize';

export type ConnectionState = 'Connected' | 'Disconnected';

/** The reboot-relevant slice of a twin (plus the identity's connection time when it is needed). */
export interface ReportedRebootState {
  /** `properties.reported.iothubDM.reboot` without `$metadata`, or null when the device never reported one. */
  reboot: Record<string, unknown> | null;
  /** Hub time (ISO) each field of `reboot` was last written, from `$metadata`; `$section` = the object itself. */
  lastUpdated: Record<string, string>;
  connectionState: ConnectionState | null;
  /** Device identity `connectionStateUpdatedTime` (hub clock); only read when schema 3 needs it. */
  connectionStateUpdatedTime: string | null;
  /** `properties.reported.$version`. */
  reportedVersion: number | null;
}

export type RebootVerdict =
  | { state: 'completed'; reportedAt: string; evidence: string }
  | { state: 'failed'; reportedAt: string; evidence: string }
  | { state: 'pending'; waitingFor: 'report' | 'completion' | 'reconnect'; evidence: string };

/**
 * `state` with its reported section and times cut to `maxBytes` each when larger (a device may report up to
 * 32 KB; Durable custom status must stay under 16 KB).
 */
export function capReportedState(state: ReportedRebootState | null, maxBytes: number): ReportedRebootState | null {
  if (state === null) return null;
  return {
    ...state,
    reboot: capJson(state.reboot, maxBytes) as Record<string, unknown> | null,
    lastUpdated: capJson(state.lastUpdated, maxBytes) as Record<string, string>,
  };
}

/** The field name under which the section's own `$lastUpdated` is kept in `lastUpdated`. */
export const SECTION_TIME = '$section';

/**
 * Decides whether the device has finished rebooting since `since` (hub-clock ISO time: the method's acceptance).
 * A report counts when the hub stored it at or after `since`. `since` usually comes from an HTTP `Date` header,
 * which has one-second resolution, so a report in the same second as the acceptance counts as after it.
 */
export function judgeReboot(state: ReportedRebootState, since: string): RebootVerdict {
  const sinceMs = Date.parse(since);
  const fieldTime = (field: string): string | undefined => state.lastUpdated[field] ?? state.lastUpdated[SECTION_TIME];
  const isFresh = (field: string): boolean => {
    if (state.reboot === null || !(field in state.reboot)) return false;
    const at = fieldTime(field);
    return at !== undefined && Date.parse(at) >= sinceMs;
  };
  const reboot = state.reboot ?? {};

  if (isFresh('status')) {
    const status = typeof reboot.status === 'string' ? reboot.status.toLowerCase() : undefined;
    const at = fieldTime('status')!;
    if (status === 'completed') return { state: 'completed', reportedAt: at, evidence: 'iothubDM.reboot.status is completed' };
    if (status === 'failed') return { state: 'failed', reportedAt: at, evidence: 'iothubDM.reboot.status is failed' };
    // Our devices say `rebooting` until they are back; their status is authoritative over the other fields.
    return { state: 'pending', waitingFor: 'completion', evidence: `iothubDM.reboot.status is ${JSON.stringify(reboot.status)}` };
  }
  if (isFresh('lastReboot')) {
    return { state: 'completed', reportedAt: fieldTime('lastReboot')!, evidence: 'iothubDM.reboot.lastReboot was reported' };
  }
  if (isFresh('startedRebootTime')) {
    const startedAt = fieldTime('startedRebootTime')!;
    const reconnectedAt = state.connectionStateUpdatedTime;
    if (state.connectionState === 'Connected' && reconnectedAt !== null && Date.parse(reconnectedAt) > Date.parse(startedAt)) {
      return { state: 'completed', reportedAt: reconnectedAt, evidence: 'device reconnected after iothubDM.reboot.startedRebootTime' };
    }
    return { state: 'pending', waitingFor: 'reconnect', evidence: 'iothubDM.reboot.startedRebootTime reported; waiting for the device to reconnect' };
  }
  return { state: 'pending', waitingFor: 'report', evidence: 'no reboot report since the method was accepted' };
}

/**
 * Schema 3 needs the identity's `connectionStateUpdatedTime` (the twin does not carry it); worth one extra
 * registry read only when the twin shows a fresh `startedRebootTime` and a connected device.
 */
export function needsConnectionTime(state: ReportedRebootState, since: string): boolean {
  if (state.connectionState !== 'Connected') return false;
  const verdict = judgeReboot({ ...state, connectionStateUpdatedTime: null }, since);
  return verdict.state === 'pending' && verdict.waitingFor === 'reconnect';
}
