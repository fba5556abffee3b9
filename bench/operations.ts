// N device operations started at once over HTTP on the whole local stack with IoT Hub quotas enforced (virtual
// devices in the emulator, the app on the local host, Azurite): the load under which issue 8 saw 168 of 500 reboots
// end TimedOut after the full deadline because the devices' completion reports were throttled and dropped.
// Prints outcomes, wall time, the latest completion after the request, throttled reports the devices retried, and
// direct methods received per device (must all be 1).
//   runOperationsBench(['--count', '500', '--tier', 'S1', '--reboot-ms', '3000', '--operation', 'reboot'])
import { startLocalStack, simulatedDeviceIds } from '../local/stack';

interface OperationsBenchArgs {
  count: number;
  tier: 'none' | 'S1' | 'S2' | 'S3';
  rebootMs: number;
  operation: 'reboot' | 'factoryReset';
  timeoutSeconds: number;
}

function parse(args: string[]): OperationsBenchArgs {
  const out: OperationsBenchArgs = { count: 500, tier: 'S1', rebootMs: 3000, operation: 'reboot', timeoutSeconds: 600 };
  for (let i = 0; i < args.length; i += 2) {
    const v = args[i + 1] ?? '';
    if (args[i] === '--count') out.count = Number(v);
    else if (args[i] === '--tier' && ['none', 'S1', 'S2', 'S3'].includes(v)) out.tier = v as OperationsBenchArgs['tier'];
    else if (args[i] === '--reboot-ms') out.rebootMs = Number(v);
    else if (args[i] === '--operation' && (v === 'reboot' || v === 'factoryReset')) out.operation = v;
    else if (args[i] === '--timeout-seconds') out.timeoutSeconds = Number(v);
    else i -= 1;
  }
  return out;
}

let pollFailures = 0;

/** Polls a status URL every Retry-After seconds until 200; a failed poll (connection reset under load) is retried. */
async function follow(statusUrl: string, timeoutMs: number): Promise<{ outcome?: string; completedAt?: string; requestedAt?: string; delivery?: string }> {
  const deadline = Date.now() + timeoutMs;
  let waitS = 1;
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, waitS * 1000));
    try {
      const response = await fetch(statusUrl);
      const body = (await response.json()) as { outcome?: string };
      if (response.status === 200) return body;
      waitS = Number(response.headers.get('retry-after') ?? '5');
    } catch {
      pollFailures += 1;
    }
  }
  return { outcome: 'bench gave up' };
}

export async function runOperationsBench(argv: string[]): Promise<void> {
  const args = parse(argv);
  const ids = simulatedDeviceIds(args.count);
  const stack = await startLocalStack({
    deviceIds: ids, transport: 'virtual', quota: { tier: args.tier, units: 1 }, rebootDurationMs: args.rebootMs,
    deviceTimings: { factoryResetDurationMs: args.rebootMs }, log: 'silent',
  });
  try {
    const started = Date.now();
    const outcomes = await Promise.all(ids.map(async (id) => {
      const response = await fetch(`${stack.baseUrl}/api/devices/${id}/${args.operation}?code=${encodeURIComponent(stack.functionKey)}`, {
        method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ pollIntervalSeconds: 5, timeoutSeconds: args.timeoutSeconds }),
      });
      const accepted = (await response.json()) as { statusUrl?: string };
      if (response.status !== 202 || accepted.statusUrl === undefined) return { status: response.status, outcome: `HTTP ${response.status}`, delivery: undefined, tookMs: Number.NaN };
      const body = await follow(accepted.statusUrl, (args.timeoutSeconds + 120) * 1000);
      return { status: 200, outcome: body.outcome ?? 'unknown', delivery: body.delivery,
        tookMs: Date.parse(body.completedAt ?? '') - Date.parse(body.requestedAt ?? '') };
    }));
    const wallMs = Date.now() - started;
    const count = <T>(values: T[]): Record<string, number> => values.reduce<Record<string, number>>((acc, v) => ({ ...acc, [String(v)]: (acc[String(v)] ?? 0) + 1 }), {});
    const deliveries = ids.map((id) => stack.devices.device(id).methodCount());
    const throttledRetries = ids.reduce((sum, id) => sum + stack.devices.device(id).throttledReportRetries, 0);
    const took = outcomes.map((o) => o.tookMs).filter(Number.isFinite).sort((a, b) => a - b);
    console.log(`${args.count} ${args.operation}s at once, quotas ${args.tier} (1 unit), device down ${args.rebootMs} ms, deadline ${args.timeoutSeconds} s`);
    console.log(`  outcomes                  ${JSON.stringify(count(outcomes.map((o) => o.outcome)))}`);
    console.log(`  delivery                  ${JSON.stringify(count(outcomes.map((o) => o.delivery)))}`);
    console.log(`  methods received/device   ${JSON.stringify(count(deliveries))}`);
    console.log(`  wall time                 ${(wallMs / 1000).toFixed(1)} s`);
    console.log(`  operation time p50/max    ${(took[Math.floor(took.length / 2)]! / 1000).toFixed(1)} s / ${(took[took.length - 1]! / 1000).toFixed(1)} s`);
    console.log(`  throttled reports retried ${throttledRetries} (by the devices)`);
    console.log(`  status polls failed       ${pollFailures} (connection errors, retried)`);
  } finally {
    await stack.stop();
  }
}
