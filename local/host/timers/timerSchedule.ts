// A timer trigger's schedule as the WebJobs TimerSchedule.Create reads it: an NCRONTAB expression first, else a
// TimeSpan (`hh:mm:ss` or `d.hh:mm:ss`: a constant interval, the first occurrence one interval after start).
// `%NAME%` takes the expression from an app setting, as binding expressions do.
import { NcrontabSchedule, ScheduleFormatError } from './ncrontab';

export interface TimerSchedule {
  /** The first occurrence strictly after `after` (epoch ms); undefined: it never occurs again. */
  next(after: number): number | undefined;
  /** What the Timer object's `schedule.adjustForDST` says (true for NCRONTAB, false for a constant interval). */
  readonly adjustForDST: boolean;
}

/** The WebJobs schedule monitor is not used for schedules firing more often than this (it logs "UseMonitor changed to false"). */
export const MONITOR_MIN_INTERVAL_MS = 60_000;

const TIME_SPAN = /^(?:(\d+)\.)?(\d{1,2}):(\d{1,2}):(\d{1,2})$/;

export function parseTimerSchedule(raw: string, env: NodeJS.ProcessEnv): TimerSchedule {
  const setting = /^%(.+)%$/.exec(raw.trim());
  const expression = setting ? env[setting[1] ?? ''] : raw;
  if (expression === undefined || expression.trim() === '') {
    throw new ScheduleFormatError(`schedule "${raw}": app setting ${setting?.[1] ?? ''} is not set`);
  }
  const span = TIME_SPAN.exec(expression.trim());
  if (!span) {
    const cron = NcrontabSchedule.parse(expression);
    return { next: (after) => cron.next(after), adjustForDST: true };
  }
  const [, days = '0', hours = '0', minutes = '0', seconds = '0'] = span;
  if (Number(hours) > 23 || Number(minutes) > 59 || Number(seconds) > 59) {
    throw new ScheduleFormatError(`schedule "${expression}": a TimeSpan is hh:mm:ss with hours below 24 and minutes and seconds below 60`);
  }
  const interval = (((Number(days) * 24 + Number(hours)) * 60 + Number(minutes)) * 60 + Number(seconds)) * 1000;
  if (interval === 0) throw new ScheduleFormatError(`schedule "${expression}": a TimeSpan interval must be longer than zero`);
  return { next: (after) => after + interval, adjustForDST: false };
}

/** useMonitor as the extension settles it: the binding's value (default true), off for sub-minute schedules. */
export function usesMonitor(schedule: TimerSchedule, useMonitor: unknown, now: number): boolean {
  if (useMonitor === false) return false;
  const first = schedule.next(now);
  const second = first === undefined ? undefined : schedule.next(first);
  return first === undefined || second === undefined || second - first >= MONITOR_MIN_INTERVAL_MS;
}
