// What `npm start` prints while it runs: one line per operation transition (the app's structured events), the
// functions' own log lines, and every error the host or the IoT Hub emulator answers or meets. `text` is for people,
// `json` is one JSON object per line for tools, `quiet` prints nothing. Secrets are scrubbed from every line.
import type { HostLogEntry } from '../host';
import { redactSecrets } from '../../src/telemetry/redact';
import type { OperationEvent } from '../../src/telemetry/operationEvent';
import { parseOperationEvent } from './operationEventParser';

export type ConsoleMode = 'text' | 'json' | 'quiet';

export interface ConsoleLine {
  stream: 'stdout' | 'stderr';
  text: string;
}

const PROBLEM_LEVELS = new Set(['warning', 'error', 'critical']);
const FUNCTION_LEVELS = new Set(['information', 'warning', 'error', 'critical']);

function clock(at: Date): string {
  return at.toISOString().slice(11, 23);
}

function describe(event: OperationEvent): string {
  switch (event.transition) {
    case 'started':
      return 'started';
    case 'method-accepted':
      return `method accepted${event.status === undefined ? '' : ` (${event.status})`}`;
    case 'method-refused':
      return `method refused${event.status === undefined ? '' : ` (${event.status})`}${event.outcome ? ` -> ${event.outcome}` : ''}`;
    case 'method-not-delivered':
      return `method not delivered${event.attempt === undefined ? '' : ` (attempt ${event.attempt})`}; another attempt may follow`;
    case 'method-delivery-unknown':
      return 'answer lost: the method may have run; it is not sent again';
    case 'callback':
      return `callback ${event.result ?? 'done'}${event.attempts === undefined ? '' : ` after ${event.attempts} attempt(s)`}`;
    case 'progress':
      return `device reports ${event.reported ?? '(nothing yet)'}`;
    case 'completed':
      return `-> ${event.outcome ?? 'completed'}${event.polls === undefined ? '' : ` after ${event.polls} poll(s)`}`;
    default:
      return String((event as { transition: unknown }).transition);
  }
}

/** The line for one host log entry, or null when the entry is not shown in this mode. */
export function formatHostEntry(entry: HostLogEntry, mode: ConsoleMode, at: Date = new Date()): ConsoleLine | null {
  if (mode === 'quiet') return null;
  const message = redactSecrets(entry.message);
  const event = parseOperationEvent(message);
  const problem = PROBLEM_LEVELS.has(entry.level);
  if (event === null && !problem && !(entry.functionName !== undefined && FUNCTION_LEVELS.has(entry.level))) return null;
  const stream = problem && event === null ? 'stderr' : 'stdout';
  if (mode === 'json') {
    const body = event !== null
      ? { time: at.toISOString(), source: 'app', ...event }
      : { time: at.toISOString(), source: 'host', level: entry.level, category: entry.category, function: entry.functionName, message };
    return { stream, text: JSON.stringify(body) };
  }
  if (event !== null) {
    return { stream, text: `${clock(at)}  ${event.operation} ${event.deviceId}  ${describe(event)}  [${event.instanceId}]` };
  }
  const where = entry.functionName !== undefined ? `[${entry.functionName}] ` : '';
  const level = problem ? `${entry.level.toUpperCase()} ` : '';
  return { stream, text: `${clock(at)}  ${level}${entry.category}: ${where}${message}` };
}

/** The line for one IoT Hub emulator log line (errors it answered, refused connections). */
export function formatEmulatorLine(line: string, mode: ConsoleMode, at: Date = new Date()): ConsoleLine | null {
  if (mode === 'quiet') return null;
  const message = redactSecrets(line);
  // Its start and stop lines repeat what the banner and "Stopped." say.
  if (/^iothub emulator: (https on|stopped)/.test(message)) return null;
  // Errors it answered, refused connections and its own failures go to stderr; the rest (a device disconnecting)
  // is what happened, on stdout.
  const problem = /answered \d{3}|refused|internal error|failed|threw|may not use/.test(message);
  const level = problem ? 'warning' : 'information';
  const stream = problem ? 'stderr' : 'stdout';
  if (mode === 'json') return { stream, text: JSON.stringify({ time: at.toISOString(), source: 'iothub', level, message }) };
  return { stream, text: `${clock(at)}  ${problem ? 'WARNING ' : ''}iothub: ${message}` };
}
