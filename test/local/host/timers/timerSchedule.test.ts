// Timer trigger schedules: NCRONTAB (six fields with seconds, or five) and TimeSpan intervals, checked against
// occurrences worked out by hand from the Azure Functions timer trigger documentation's examples and NCrontab's rules.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NcrontabSchedule, ScheduleFormatError } from '../../../../local/host/timers/ncrontab';
import { parseTimerSchedule, usesMonitor } from '../../../../local/host/timers/timerSchedule';

const at = (iso: string): number => Date.parse(iso);
const iso = (ms: number | undefined): string | undefined => (ms === undefined ? undefined : new Date(ms).toISOString());

/** The first `count` occurrences after `from`. */
function occurrences(expression: string, from: string, count: number): (string | undefined)[] {
  const schedule = NcrontabSchedule.parse(expression);
  const out: (string | undefined)[] = [];
  let t: number | undefined = at(from);
  for (let i = 0; i < count && t !== undefined; i++) {
    t = schedule.next(t);
    out.push(iso(t));
  }
  return out;
}

describe('NCRONTAB schedules', () => {
  it('finds the next occurrences', async (t) => {
    const cases: [string, string, string, string[]][] = [
      ['every 5 minutes (docs)', '0 */5 * * * *', '2026-03-01T10:03:17Z', ['2026-03-01T10:05:00.000Z', '2026-03-01T10:10:00.000Z']],
      ['once at the top of every hour (docs)', '0 0 * * * *', '2026-03-01T10:00:00Z', ['2026-03-01T11:00:00.000Z', '2026-03-01T12:00:00.000Z']],
      ['every 2 hours (docs)', '0 0 */2 * * *', '2026-03-01T10:30:00Z', ['2026-03-01T12:00:00.000Z', '2026-03-01T14:00:00.000Z']],
      ['every hour from 9 to 17 (docs)', '0 0 9-17 * * *', '2026-03-01T17:00:00Z', ['2026-03-02T09:00:00.000Z', '2026-03-02T10:00:00.000Z']],
      ['9:30 every day (docs)', '0 30 9 * * *', '2026-03-01T09:30:00Z', ['2026-03-02T09:30:00.000Z']],
      ['9:30 every weekday (docs)', '0 30 9 * * 1-5', '2026-03-06T10:00:00Z', ['2026-03-09T09:30:00.000Z']],
      ['9:30 every weekday, by name', '0 30 9 * * Mon-Fri', '2026-03-06T10:00:00Z', ['2026-03-09T09:30:00.000Z']],
      ['9:30 Mondays, Wednesdays and Fridays', '0 30 9 * * 1,3,5', '2026-03-02T09:30:00Z', ['2026-03-04T09:30:00.000Z', '2026-03-06T09:30:00.000Z', '2026-03-09T09:30:00.000Z']],
      ['every 10 seconds', '*/10 * * * * *', '2026-03-01T10:00:05Z', ['2026-03-01T10:00:10.000Z', '2026-03-01T10:00:20.000Z']],
      ['a list of seconds', '5,15,45 * * * * *', '2026-03-01T10:00:15Z', ['2026-03-01T10:00:45.000Z', '2026-03-01T10:01:05.000Z']],
      ['a stepped range', '0 10-30/10 * * * *', '2026-03-01T10:25:00Z', ['2026-03-01T10:30:00.000Z', '2026-03-01T11:10:00.000Z']],
      ['a value with a step runs to the maximum', '0 50/5 * * * *', '2026-03-01T10:00:00Z', ['2026-03-01T10:50:00.000Z', '2026-03-01T10:55:00.000Z', '2026-03-01T11:50:00.000Z']],
      ['January and July by name, on the 1st', '0 0 0 1 Jan,jul *', '2026-03-01T00:00:00Z', ['2026-07-01T00:00:00.000Z', '2027-01-01T00:00:00.000Z']],
      ['29 February (leap years only)', '0 0 12 29 2 *', '2026-03-01T00:00:00Z', ['2028-02-29T12:00:00.000Z']],
      ['day of month AND day of week (NCrontab, not Vixie cron): Friday the 13th', '0 0 0 13 * 5', '2026-01-01T00:00:00Z', ['2026-02-13T00:00:00.000Z', '2026-03-13T00:00:00.000Z', '2026-11-13T00:00:00.000Z']],
      ['five fields: seconds are 0', '*/15 * * * *', '2026-03-01T10:07:30Z', ['2026-03-01T10:15:00.000Z']],
      ['the time given is not itself an occurrence', '0 0 10 * * *', '2026-03-01T10:00:00Z', ['2026-03-02T10:00:00.000Z']],
      ['never (31 February)', '0 0 0 31 2 *', '2026-03-01T00:00:00Z', [undefined as unknown as string]],
    ];
    for (const [name, expression, from, expected] of cases) {
      await t.test(name, () => assert.deepEqual(occurrences(expression, from, expected.length), expected));
    }
  });

  it('refuses what NCrontab refuses, naming the field and the rule', async (t) => {
    const cases: [string, string, RegExp][] = [
      ['too few fields', '0 * * *', /4 field\(s\).*6 .*or 5/],
      ['too many fields', '0 0 * * * * 2026', /7 field\(s\)/],
      ['hour out of range', '0 0 24 * * *', /hour field: 24 is outside 0-23/],
      ['day 0', '0 0 0 0 * *', /day field: 0 is outside 1-31/],
      ['day of week 7 (NCrontab: 0-6)', '0 0 0 * * 7', /day of week field: 7 is outside 0-6/],
      ['a step of 0', '*/0 * * * * *', /second field.*step must be at least 1/],
      ['a reversed range', '0 0 17-9 * * *', /hour field.*must not end before it starts/],
      ['Quartz "?"', '0 0 0 ? * MON', /day field: value "\?" is not a number/],
      ['Quartz "L"', '0 0 0 L * *', /day field: value "L"/],
      ['an unknown month name', '0 0 0 1 Foo *', /month field: value "Foo" is not a number or a name \(jan/],
    ];
    for (const [name, expression, message] of cases) {
      await t.test(name, () => assert.throws(() => NcrontabSchedule.parse(expression), (err: Error) => err instanceof ScheduleFormatError && message.test(err.message)));
    }
  });
});

describe('timer schedules', () => {
  it('reads TimeSpan intervals and app-setting references', async (t) => {
    const from = at('2026-03-01T10:00:00Z');
    const cases: [string, string, Record<string, string>, string | undefined, boolean][] = [
      ['hh:mm:ss', '00:05:00', {}, '2026-03-01T10:05:00.000Z', false],
      ['d.hh:mm:ss', '1.02:00:00', {}, '2026-03-02T12:00:00.000Z', false],
      ['an NCRONTAB app setting', '%SWEEP%', { SWEEP: '0 */30 * * * *' }, '2026-03-01T10:30:00.000Z', true],
      ['a TimeSpan app setting', '%SWEEP%', { SWEEP: '00:00:30' }, '2026-03-01T10:00:30.000Z', false],
    ];
    for (const [name, raw, env, next, adjustForDST] of cases) {
      await t.test(name, () => {
        const schedule = parseTimerSchedule(raw, env);
        assert.equal(iso(schedule.next(from)), next);
        assert.equal(schedule.adjustForDST, adjustForDST);
      });
    }
  });

  it('refuses bad TimeSpans and missing settings', async (t) => {
    const cases: [string, string, RegExp][] = [
      ['hours of 24', '24:00:00', /hours below 24/],
      ['zero', '00:00:00', /longer than zero/],
      ['a missing app setting', '%NOPE%', /app setting NOPE is not set/],
    ];
    for (const [name, raw, message] of cases) {
      await t.test(name, () => assert.throws(() => parseTimerSchedule(raw, {}), message));
    }
  });

  it('uses the schedule monitor only for schedules a minute apart or more, unless turned off', async (t) => {
    const now = at('2026-03-01T10:00:00Z');
    const cases: [string, string, unknown, boolean][] = [
      ['every minute, default', '0 * * * * *', undefined, true],
      ['every minute, useMonitor false', '0 * * * * *', false, false],
      ['every 10 seconds, default', '*/10 * * * * *', undefined, false],
      ['every 10 seconds, useMonitor true (changed to false, as the extension logs)', '*/10 * * * * *', true, false],
      ['a 5-minute TimeSpan', '00:05:00', undefined, true],
    ];
    for (const [name, raw, useMonitor, expected] of cases) {
      await t.test(name, () => assert.equal(usesMonitor(parseTimerSchedule(raw, {}), useMonitor, now), expected));
    }
  });
});
