// The judge shared by the restart-style operations (reboot, factory reset): the device answers, reports the
// start, goes away, comes back. Three reported schemas are understood (ARCHITECTURE.md §3, mission-anchors.md §1.3):
//  1. this project's devices: `status` = <in progress> → completed | failed;
//  2. the docs tutorial: a completion time field (`lastReboot`) reported for the action;
//  3. the SDK sample: a start time field (`startedRebootTime`), then completion = the device connected again after it.
import { SectionReading } from '../reportedSection';
import type { Verdict } from './verdict';

/** The statuses that end a restart (case-insensitive); any other status is progress. */
export const RESTART_ENDINGS: ReadonlySet<string> = new Set(['completed', 'failed']);

export interface RestartFields {
  /** `iothubDM.<section>` */
  section: string;
  /** The field a device writes when it has finished (schema 2). */
  completedField: string;
  /** The field a device writes when it starts (schema 3). */
  startedField: string;
}

export function judgeRestart(fields: RestartFields, reading: SectionReading): Verdict {
  const where = `iothubDM.${fields.section}`;
  const status = reading.freshStatus();
  if (status !== undefined) {
    const reportedAt = reading.timeOf('status')!;
    if (status.lower === 'completed') return { state: 'completed', reportedAt, evidence: `${where}.status is completed`, step: status.raw };
    if (status.lower === 'failed') {
      return { state: 'failed', reportedAt, evidence: `${where}.status is failed`, step: status.raw, reason: reading.freshText('reason') };
    }
    // Our devices keep their in-progress status until they are back; it is authoritative over the other fields.
    return { state: 'pending', acted: true, waitingFor: 'completion', evidence: `${where}.status is ${JSON.stringify(status.raw)}`, step: status.raw };
  }
  if (reading.isFresh(fields.completedField)) {
    return { state: 'completed', reportedAt: reading.timeOf(fields.completedField)!, evidence: `${where}.${fields.completedField} was reported`, step: null };
  }
  if (reading.isFresh(fields.startedField)) {
    const startedAt = reading.timeOf(fields.startedField)!;
    const reconnectedAt = reading.state.connectionStateUpdatedTime;
    if (reading.state.connectionState === 'Connected' && reconnectedAt !== null && Date.parse(reconnectedAt) > Date.parse(startedAt)) {
      return { state: 'completed', reportedAt: reconnectedAt, evidence: `device reconnected after ${where}.${fields.startedField}`, step: null };
    }
    return { state: 'pending', acted: true, waitingFor: 'reconnect', evidence: `${where}.${fields.startedField} reported; waiting for the device to reconnect`, step: null };
  }
  return { state: 'pending', acted: reading.anyFresh() || reading.connectionChangedSince(), waitingFor: 'report', evidence: `no ${where} report since the method was sent`, step: null };
}
