// Twin change events against polling (issue 14): one device rebooted N times in a row on the whole local stack,
// once with the twin change route (default settings: a 30 s safety-net poll) and once without (default 5 s poll).
// For each operation: the detection delay as a caller sees it — the device's completion report (hub time of the
// reported field, from the twin's $metadata) → the status route's 200, for a caller that waits Retry-After between
// polls, as Logic Apps does — the orchestration's own delay (report → completedAt), and the twin reads it made
// (its polls: each is one service twin read). Timing figures are noisy on a loaded machine.
//   runEventsBench(['--reboots', '20', '--reboot-ms', '2000', '--hold-seconds', '0'])
import { startLocalStack } from '../local/stack';

/** holdSeconds: OPERATION_STATUS_HOLD_SECONDS for the run; null leaves the app's default (10 s). */
interface EventsBenchArgs { reboots: number; rebootMs: number; holdSeconds: number | null }

function parse(args: string[]): EventsBenchArgs {
  const out: EventsBenchArgs = { reboots: 20, rebootMs: 2000, holdSeconds: null };
  for (let i = 0; i < args.length; i += 2) {
    const value = Number(args[i + 1]);
    if (args[i] === '--reboots' && Number.isInteger(value) && value > 0) out.reboots = value;
    else if (args[i] === '--reboot-ms' && Number.isInteger(value) && value >= 0) out.rebootMs = value;
    else if (args[i] === '--hold-seconds' && Number.isInteger(value) && value >= 0) out.holdSeconds = value;
    else i -= 1;
  }
  return out;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
}

interface Sample { callerDelayMs: number; orchestrationDelayMs: number; reads: number; outcome: string }

interface StatusBody { outcome?: string; completedAt?: string; polls?: number; lastReported?: { lastUpdated?: Record<string, string> } }

/** Start, then poll the status URL waiting Retry-After each time; the moment the 200 arrives is when the caller knows. */
async function rebootOnce(baseUrl: string, key: string, deviceId: string): Promise<Sample> {
  const started = await fetch(`${baseUrl}/api/devices/${deviceId}/reboot?code=${key}`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ timeoutSeconds: 120 }),
  });
  if (started.status !== 202) throw new Error(`start answered ${started.status}: ${await started.text()}`);
  const statusUrl = started.headers.get('location')!;
  let waitS = Number(started.headers.get('retry-after') ?? '1');
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, waitS * 1000));
    const response = await fetch(statusUrl);
    const seenAt = Date.now();
    const body = (await response.json()) as StatusBody;
    if (response.status === 200) {
      const reportedAt = Math.max(...Object.values(body.lastReported?.lastUpdated ?? {}).map((t) => Date.parse(t)));
      return {
        callerDelayMs: seenAt - reportedAt, orchestrationDelayMs: Date.parse(body.completedAt ?? '') - reportedAt,
        reads: body.polls ?? NaN, outcome: body.outcome ?? '?',
      };
    }
    waitS = Number(response.headers.get('retry-after') ?? '1');
  }
}

async function runMode(twinEvents: boolean, options: EventsBenchArgs): Promise<string> {
  const stack = await startLocalStack({ deviceIds: ['bench-ev-1'], rebootDurationMs: options.rebootMs, twinEvents, statusHold: true, log: 'silent',
    env: options.holdSeconds === null ? {} : { OPERATION_STATUS_HOLD_SECONDS: String(options.holdSeconds) } });
  try {
    const samples: Sample[] = [];
    for (let i = 0; i < options.reboots; i++) samples.push(await rebootOnce(stack.baseUrl, stack.functionKey, 'bench-ev-1'));
    const caller = samples.map((s) => s.callerDelayMs);
    const orchestration = samples.map((s) => s.orchestrationDelayMs);
    const reads = samples.map((s) => s.reads);
    const succeeded = samples.filter((s) => s.outcome === 'Succeeded').length;
    return [
      `${twinEvents ? 'events on  (poll 30 s safety net)' : 'events off (poll 5 s)            '}: ${succeeded}/${samples.length} Succeeded`,
      `    caller sees it (report → 200, following Retry-After): p50 ${(percentile(caller, 50) / 1000).toFixed(2)} s, p95 ${(percentile(caller, 95) / 1000).toFixed(2)} s`,
      `    orchestration knows (report → completedAt):           p50 ${(percentile(orchestration, 50) / 1000).toFixed(2)} s, p95 ${(percentile(orchestration, 95) / 1000).toFixed(2)} s`,
      `    twin reads per operation: mean ${(reads.reduce((a, b) => a + b, 0) / reads.length).toFixed(2)}, max ${Math.max(...reads)}`,
    ].join('\n');
  } finally {
    await stack.stop();
  }
}

export async function runEventsBench(args: string[]): Promise<void> {
  const options = parse(args);
  console.log(`one device, ${options.reboots} reboots in a row, down ${options.rebootMs} ms each, default poll settings, `
    + `status hold ${options.holdSeconds === null ? 'default (10 s)' : `${options.holdSeconds} s`}`);
  console.log(await runMode(true, options));
  console.log(await runMode(false, options));
}
