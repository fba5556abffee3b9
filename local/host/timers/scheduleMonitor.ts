// The schedule monitor of the timer trigger (WebJobs ScheduleMonitor / StorageScheduleMonitor): the status kept
// in the host's store per function, and whether a (re)started host has missed an occurrence. The expected next
// occurrence is recomputed from `lastUpdated` with the current schedule, so a schedule changed while the host was
// down is honoured; the earlier of that and the recorded `next` is the one that counts.
import type { Store, TimerScheduleStatus } from '../store/store';
import type { TimerSchedule } from './timerSchedule';

export type ScheduleStatusStore = Pick<Store, 'readTimerStatus' | 'writeTimerStatus'>;

export interface PastDueCheck {
  /** The status to carry on with (saved when there was none). */
  status: TimerScheduleStatus;
  /** The occurrence that was missed, if the host was down when it came. */
  missed?: number;
}

export async function checkPastDue(store: ScheduleStatusStore, functionName: string, schedule: TimerSchedule, now: number): Promise<PastDueCheck> {
  const saved = await store.readTimerStatus(functionName);
  if (!saved) {
    const status = { last: null, next: schedule.next(now) ?? Number.MAX_SAFE_INTEGER, lastUpdated: now };
    await store.writeTimerStatus(functionName, status);
    return { status };
  }
  const expected = schedule.next(saved.lastUpdated) ?? Number.MAX_SAFE_INTEGER;
  const recorded = Math.min(saved.next, expected);
  return now > recorded ? { status: saved, missed: recorded } : { status: saved };
}

/** The status after running `occurrence` (at `now`): last is the occurrence, next the schedule's next after now. */
export function statusAfterRun(schedule: TimerSchedule, occurrence: number, now: number): TimerScheduleStatus {
  return { last: occurrence, next: schedule.next(now) ?? Number.MAX_SAFE_INTEGER, lastUpdated: now };
}
