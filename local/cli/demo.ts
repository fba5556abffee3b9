// `npm run demo`: starts the local stack, reboots one simulated device through the HTTP API like a caller
// would, shows live progress while it follows the status URL, prints the outcome and the audit row, stops.
import { startLocalStack, type LocalStack } from '../stack';
import { followAsyncOperation, type PollObservation } from './asyncPoller';

const tty = Boolean(process.stdout.isTTY);
const style = (code: string, text: string) => (tty ? `\x1b[${code}m${text}\x1b[0m` : text);

function progressLine(observation: PollObservation, startedAt: number): string {
  const body = (observation.body ?? {}) as { customStatus?: { phase?: string; polls?: number } | null; runtimeStatus?: string };
  const phase = body.customStatus?.phase ?? body.runtimeStatus ?? 'starting';
  const polls = body.customStatus?.polls ?? 0;
  const elapsed = ((Date.now() - startedAt) / 1000).toFixed(1);
  return `  phase ${phase.padEnd(16)} twin polls ${String(polls).padStart(3)}   elapsed ${elapsed.padStart(5)} s`;
}

/** Replaces the key, raw or URL-encoded, wherever it stands: status URLs carry it, in headers and in table rows. */
function masker(key: string): (text: string) => string {
  const forms = [...new Set([key, encodeURIComponent(key)])];
  return (text) => forms.reduce((masked, form) => masked.split(form).join('<function key>'), text);
}

async function run(stack: LocalStack): Promise<boolean> {
  const deviceId = stack.deviceIds[0];
  if (deviceId === undefined) throw new Error('The demo needs at least one simulated device.');
  const key = encodeURIComponent(stack.functionKey);
  const mask = masker(stack.functionKey);
  const say = (text: string) => console.log(mask(text));
  const startUrl = `${stack.baseUrl}/api/devices/${encodeURIComponent(deviceId)}/reboot?code=${key}`;
  say(`POST ${startUrl}`);
  const startedAt = Date.now();
  const first = await fetch(startUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ pollIntervalSeconds: 1, timeoutSeconds: 60 }),
  });
  say(`→ ${first.status}, Location: ${first.headers.get('location') ?? '(none)'}, Retry-After: ${first.headers.get('retry-after')}`);
  let lastLine = '';
  const final = await followAsyncOperation(first, {
    timeoutMs: 120_000,
    onPoll: (observation) => {
      if (observation.status !== 202) return;
      const line = progressLine(observation, startedAt);
      if (tty) process.stdout.write(`\r${mask(line)}`);
      else if (line.replace(/elapsed.*$/, '') !== lastLine.replace(/elapsed.*$/, '')) say(line);
      lastLine = line;
    },
  });
  if (tty) process.stdout.write('\n');
  const result = (final.body ?? {}) as Record<string, unknown>;
  const succeeded = final.status === 200 && result.outcome === 'Succeeded';
  say(`\nOutcome: ${style(succeeded ? '32' : '31', String(result.outcome ?? final.status))}`);
  for (const field of ['deviceId', 'requestedAt', 'acceptedAt', 'completedAt', 'durationMs', 'polls']) {
    if (result[field] !== undefined) say(`  ${field.padEnd(12)} ${JSON.stringify(result[field])}`);
  }
  if (result.methodResponse !== undefined) say(`  ${'method'.padEnd(12)} ${JSON.stringify(result.methodResponse)}`);

  const history = await fetch(`${stack.baseUrl}/api/devices/${encodeURIComponent(deviceId)}/operations?code=${key}`);
  const rows = ((await history.json()) as { operations?: unknown[] }).operations ?? [];
  // The row's statusUrl holds the key, as the Location header did.
  say(`\nAudit row (DeviceOperations table, newest first):\n  ${JSON.stringify(rows[0] ?? null)}`);
  return succeeded;
}

async function main(): Promise<number> {
  console.log('Starting the local stack (Azurite, IoT Hub emulator, 3 simulated devices, Functions host)…');
  const stack = await startLocalStack({ deviceCount: 3, rebootDurationMs: 2000 });
  try {
    return (await run(stack)) ? 0 : 1;
  } finally {
    await stack.stop();
    console.log('\nStack stopped.');
  }
}

main().then((code) => { process.exitCode = code; }, (err) => {
  console.error(`Demo failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
});
