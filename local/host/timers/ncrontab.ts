// NCRONTAB schedules as the Functions timer trigger reads them (NCrontab with seconds, via the WebJobs
// CronSchedule): `{second} {minute} {hour} {day} {month} {day-of-week}`, or the five classic fields (seconds 0).
// Each field is `*`, a value, a range `a-b`, a step `*/n`, `a-b/n` or `a/n` (a to the field's maximum), or a
// comma list of those; months and days of week also take three-letter English names. Day of month and day of week
// must BOTH match (NCrontab's GetNextOccurrence checks the day of week after finding a day), unlike Vixie cron's
// either-or. Quartz extensions (`?`, `L`, `W`, `#`) are refused, as NCrontab refuses them. Times are UTC.

interface FieldSpec {
  name: string;
  min: number;
  max: number;
  names?: readonly string[];
}

const SECOND: FieldSpec = { name: 'second', min: 0, max: 59 };
const FIELDS: readonly FieldSpec[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'] },
  { name: 'day of week', min: 0, max: 6, names: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] },
];

/** A schedule expression that does not parse; the message names the field and the rule it breaks. */
export class ScheduleFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ScheduleFormatError';
  }
}

/** How far ahead an occurrence is looked for (an expression like `0 0 0 31 2 *` never occurs). */
const SEARCH_YEARS = 8;

export class NcrontabSchedule {
  readonly #fields: readonly boolean[][];

  private constructor(fields: boolean[][]) {
    this.#fields = fields;
  }

  static parse(expression: string): NcrontabSchedule {
    const parts = expression.trim().split(/\s+/);
    if (parts.length !== 6 && parts.length !== 5) {
      throw new ScheduleFormatError(`schedule "${expression}" has ${parts.length} field(s); an NCRONTAB expression has 6 ({second} {minute} {hour} {day} {month} {day-of-week}) or 5 (without seconds)`);
    }
    const texts = parts.length === 5 ? ['0', ...parts] : parts;
    return new NcrontabSchedule([SECOND, ...FIELDS].map((spec, i) => parseField(texts[i] ?? '', spec)));
  }

  /** The first occurrence strictly after `after` (epoch ms), or undefined when none comes within the search window. */
  next(after: number): number | undefined {
    const [seconds, minutes, hours, days, months, weekdays] = this.#fields as [boolean[], boolean[], boolean[], boolean[], boolean[], boolean[]];
    const t = new Date(Math.floor(after / 1000) * 1000 + 1000);
    const limit = t.getUTCFullYear() + SEARCH_YEARS;
    while (t.getUTCFullYear() < limit) {
      if (!months[t.getUTCMonth() + 1]) {
        t.setUTCMonth(t.getUTCMonth() + 1, 1);
        t.setUTCHours(0, 0, 0, 0);
      } else if (!days[t.getUTCDate()] || !weekdays[t.getUTCDay()]) {
        t.setUTCDate(t.getUTCDate() + 1);
        t.setUTCHours(0, 0, 0, 0);
      } else if (!hours[t.getUTCHours()]) {
        t.setUTCHours(t.getUTCHours() + 1, 0, 0, 0);
      } else if (!minutes[t.getUTCMinutes()]) {
        t.setUTCMinutes(t.getUTCMinutes() + 1, 0, 0);
      } else if (!seconds[t.getUTCSeconds()]) {
        t.setUTCSeconds(t.getUTCSeconds() + 1, 0);
      } else {
        return t.getTime();
      }
    }
    return undefined;
  }
}

function parseField(text: string, spec: FieldSpec): boolean[] {
  const allowed = new Array<boolean>(spec.max + 1).fill(false);
  for (const item of text.split(',')) {
    const [base = '', stepText, extra] = item.split('/');
    if (extra !== undefined) throw new ScheduleFormatError(`${spec.name} field "${text}": one "/" per item`);
    const step = stepText === undefined ? 1 : parseNumber(stepText, spec, 'step');
    if (step < 1) throw new ScheduleFormatError(`${spec.name} field "${text}": the step must be at least 1`);
    let first: number;
    let last: number;
    if (base === '*') {
      first = spec.min;
      last = spec.max;
    } else if (base.includes('-')) {
      const [from = '', to = '', more] = base.split('-');
      if (more !== undefined) throw new ScheduleFormatError(`${spec.name} field "${text}": a range has one "-"`);
      first = parseValue(from, spec);
      last = parseValue(to, spec);
      if (first > last) throw new ScheduleFormatError(`${spec.name} field "${text}": a range must not end before it starts`);
    } else {
      first = parseValue(base, spec);
      // NCrontab: a single value with a step runs to the field's maximum ("5/15" in minutes: 5, 20, 35, 50).
      last = stepText === undefined ? first : spec.max;
    }
    for (let v = first; v <= last; v += step) allowed[v] = true;
  }
  return allowed;
}

function parseValue(text: string, spec: FieldSpec): number {
  const named = spec.names?.indexOf(text.toLowerCase()) ?? -1;
  if (named >= 0) return named + spec.min;
  const value = parseNumber(text, spec, 'value');
  if (value < spec.min || value > spec.max) throw new ScheduleFormatError(`${spec.name} field: ${value} is outside ${spec.min}-${spec.max}`);
  return value;
}

function parseNumber(text: string, spec: FieldSpec, what: string): number {
  if (!/^\d{1,9}$/.test(text)) {
    const hint = spec.names ? `a number or a name (${spec.names.join(', ')})` : 'a number';
    throw new ScheduleFormatError(`${spec.name} field: ${what} "${text}" is not ${what === 'step' ? 'a number' : hint}`);
  }
  return Number(text);
}
