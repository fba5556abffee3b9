// `npm run bench -- rollout [--devices 1000,10000] [--reboot-seconds 30] [--batch-size N] [--share 1] [--events on|off|both]
//   [--max-minutes 30] [--no-job]`
// Issue 11 item 6. For each fleet size: virtual devices in the IoT Hub emulator with S1 quotas enforced (1 unit),
// the app on the local host, Azurite. One rollout (`POST /api/rollouts`, target by tag query) reboots the whole
// fleet and is followed to its end; then the same fleet is rebooted through the emulator's IoT Hub jobs API
// (JobClient.scheduleDeviceMethod), which paces at the jobs throttle but does not watch the devices finish.
// Prints wall times against the quota bound (bench/rolloutBound.ts), 429s, outcomes, hub operations per device
// (emulator counters), peak RSS, and a comparison table. `--events both` runs each fleet with twin change events
// routed to the app (device operations wake on them) and without (polling only). `--share` is ROLLOUT_QUOTA_SHARE:
// 1 by default, as the bench is the hub's only client and the bound is computed from the whole quota.
// Figures are noisy on a loaded machine: the load average is printed next to each run.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { startLocalStack, simulatedDeviceIds, type LocalStack } from '../local/stack';
import { serviceClients } from '../test/support/iothub';
import { rssOf } from './host';
import { jobBound, rolloutBound, type QuotaBound } from './rolloutBound';

interface RolloutBenchOptions {
  fleets: number[];
  rebootSeconds: number;
  batchSize: number | undefined;
  maxMinutes: number;
  job: boolean;
  share: number;
  events: boolean[];
}

const TAG = { bench: 'rollout' };
const TIER = 'S1';
const UNITS = 1;

function parse(args: string[]): RolloutBenchOptions {
  const { values } = parseArgs({
    args,
    options: {
      devices: { type: 'string' }, 'reboot-seconds': { type: 'string' }, 'batch-size': { type: 'string' },
      'max-minutes': { type: 'string' }, 'no-job': { type: 'boolean' }, share: { type: 'string' }, events: { type: 'string' },
    },
    strict: true,
  });
  const fleets = (values.devices ?? '1000,10000').split(',').map(Number);
  if (fleets.some((n) => !Number.isInteger(n) || n < 1 || n > 10_000)) throw new Error('--devices must be integers from 1 to 10000, comma-separated');
  const rebootSeconds = Number(values['reboot-seconds'] ?? 30);
  if (!(rebootSeconds >= 0)) throw new Error('--reboot-seconds must be a number ≥ 0');
  const batchSize = values['batch-size'] === undefined ? undefined : Number(values['batch-size']);
  const maxMinutes = Number(values['max-minutes'] ?? 30);
  if (!(maxMinutes > 0)) throw new Error('--max-minutes must be a positive number');
  const share = Number(values.share ?? 1);
  if (!(share >= 0.05 && share <= 1)) throw new Error('--share must be a number from 0.05 to 1');
  const eventsText = values.events ?? 'on';
  const events = { on: [true], off: [false], both: [true, false] }[eventsText];
  if (events === undefined) throw new Error('--events must be on, off or both');
  return { fleets, rebootSeconds, batchSize, maxMinutes, job: values['no-job'] !== true, share, events };
}

/** Peak RSS of this process (host, emulator, Azurite, devices) and of the host's language worker. */
function memorySampler(stack: LocalStack): { stop(): { bench: number; worker: number } } {
  let bench = 0;
  let worker = 0;
  const sample = () => {
    bench = Math.max(bench, process.memoryUsage().rss);
    worker = Math.max(worker, rssOf(stack.host.workerPid) ?? 0);
  };
  sample();
  const timer = setInterval(sample, 250);
  return { stop: () => (clearInterval(timer), sample(), { bench, worker }) };
}

type Counters = Record<string, number>;
const delta = (after: Counters, before: Counters): Counters => Object.fromEntries(Object.keys(after).map((k) => [k, after[k]! - (before[k] ?? 0)]));

function deviceFigures(stack: LocalStack, ids: string[], sinceMs: number): { reportRetries: number; methods: Record<string, number>; lastCompletedMs: number; completed: number } {
  let reportRetries = 0;
  let lastCompletedMs = 0;
  let completed = 0;
  const methods: Record<string, number> = {};
  for (const id of ids) {
    const device = stack.devices.device(id);
    reportRetries += device.throttledReportRetries;
    const received = device.methodCalls.filter((c) => Date.parse(c.at) >= sinceMs).length;
    methods[received] = (methods[received] ?? 0) + 1;
    for (const { at, patch } of device.reports) {
      const reboot = (patch.iothubDM as { reboot?: { status?: string } } | undefined)?.reboot;
      if (reboot?.status === 'completed' && Date.parse(at) >= sinceMs) {
        completed += 1;
        lastCompletedMs = Math.max(lastCompletedMs, Date.parse(at));
      }
    }
  }
  return { reportRetries, methods, lastCompletedMs, completed };
}

/** The 1, 5 and 15 minute load averages: other work on the machine skews every figure. */
const loadAverage = (): string => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
const perDevice = (n: number, devices: number) => (n / devices).toFixed(2);

/** `done` of `devices` when the run was stopped before the end (out of time, or the rollout failed). */
interface RunFigures { label: string; wallMs: number; bound: QuotaBound; unfinished?: { done: number; devices: number } }

async function rollout(stack: LocalStack, ids: string[], options: RolloutBenchOptions): Promise<RunFigures> {
  const n = ids.length;
  const before = stack.iothub.admin.counters();
  const retriesBefore = deviceFigures(stack, ids, 0).reportRetries;
  const memory = memorySampler(stack);
  const loadBefore = loadAverage();
  const t0 = Date.now();
  const response = await fetch(`${stack.baseUrl}/api/rollouts?code=${encodeURIComponent(stack.functionKey)}`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ operation: 'reboot', target: { query: { tags: TAG } } }),
  });
  const accepted = (await response.json()) as { statusUrl?: string; cancelUrl?: string };
  if (response.status !== 202 || accepted.statusUrl === undefined) throw new Error(`POST /api/rollouts answered ${response.status}: ${JSON.stringify(accepted)}`);
  let body: { state?: string; counters?: Record<string, number>; completedAt?: string | null; reason?: string | null } = {};
  let lastPrint = t0;
  const giveUpAt = t0 + options.maxMinutes * 60_000;
  for (;;) {
    const status = await fetch(accepted.statusUrl).catch(() => undefined);
    if (status !== undefined) {
      body = (await status.json()) as typeof body;
      if (status.status === 200) break;
    }
    if (Date.now() - lastPrint >= 30_000) {
      lastPrint = Date.now();
      console.error(`  … ${s(Date.now() - t0)}: ${JSON.stringify(body.counters)}`);
    }
    if (Date.now() > giveUpAt) break;
    // Status reads are Table reads, not hub operations: read often so that the poll adds little to the wall time.
    await sleep(Math.min(2, Number(status?.headers.get('retry-after') ?? '2')) * 1000);
  }
  const seenMs = Date.now() - t0;
  const peak = memory.stop();
  // The rollout's own completion time; the poll's granularity is not the rollout's.
  const wallMs = body.completedAt ? Date.parse(body.completedAt) - t0 : seenMs;
  const hub = delta(stack.iothub.admin.counters(), before);
  const devices = deviceFigures(stack, ids, t0);
  const reportRetries = devices.reportRetries - retriesBefore;
  const counters = body.counters ?? {};
  const finished = Object.entries(counters).filter(([k]) => !['queued', 'inProgress', 'busy'].includes(k)).reduce((a, [, v]) => a + v, 0);
  const notSucceeded = Object.entries(counters).filter(([k, v]) => k !== 'succeeded' && v > 0);
  const bound = rolloutBound(n, options.rebootSeconds, TIER, UNITS);
  console.log(`rollout of ${n} reboots (target by tag query, default parameters, ROLLOUT_QUOTA_SHARE=${options.share}` +
    `${options.batchSize ? `, ROLLOUT_BATCH_SIZE=${options.batchSize}` : ''}):`);
  console.log(`  load average before ${loadBefore}, after ${loadAverage()} (2 cores)`);
  if (body.state !== 'completed') {
    console.log(`  NOT FINISHED after ${s(wallMs)} (state ${body.state}): ${finished} of ${n} devices done -> ${(finished / (wallMs / 1000)).toFixed(2)} devices/s; ` +
      `at that rate all ${n} would take ${s((n * wallMs) / Math.max(1, finished))}`);
  }
  if (body.reason) console.log(`  reason: ${body.reason}`);
  console.log(`  state ${body.state}, counters ${JSON.stringify(Object.fromEntries(Object.entries(counters).filter(([, v]) => v > 0)))}`);
  console.log(`  wall time ${s(wallMs)} (POST to the rollout's completedAt; 200 seen by the poll at ${s(seenMs)}); ` +
    `last device completion ${devices.completed === 0 ? 'none' : `${s(devices.lastCompletedMs - t0)} after the POST`}`);
  console.log(`  quota bound ${bound.seconds.toFixed(1)} s (binding: ${bound.binding}; ${Object.entries(bound.terms).map(([k, v]) => `${k} = ${v.toFixed(1)}`).join(', ')})`);
  console.log(`  wall / bound ${(wallMs / 1000 / bound.seconds).toFixed(2)}`);
  console.log(`  429s seen ${hub.throttled}: ${reportRetries} device reports retried by the devices, ${hub.throttled! - reportRetries} on the back end's calls (methods, twin reads, queries)`);
  console.log(`  devices not Succeeded ${notSucceeded.reduce((a, [, v]) => a + v, 0)} ${JSON.stringify(Object.fromEntries(notSucceeded))} ` +
    '(every device behaves normally: any of these is a throttling- or load-induced failure)');
  console.log(`  methods received per device ${JSON.stringify(devices.methods)}`);
  console.log(`  hub operations per device: method calls ${perDevice(hub.methodInvocations!, n)} (429s included), twin reads ${perDevice(hub.twinReads!, n)}, ` +
    `twin updates ${perDevice(hub.twinUpdates!, n)}, queries ${hub.queries} in all`);
  console.log(`  peak RSS: bench process (host + emulator + Azurite + devices) ${mb(peak.bench)}, language worker ${mb(peak.worker)}`);
  return { label: 'rollout (watches every device to completion)', wallMs, bound, ...(body.state === 'completed' ? {} : { unfinished: { done: finished, devices: n } }) };
}

async function jobRun(stack: LocalStack, ids: string[], options: RolloutBenchOptions): Promise<RunFigures[]> {
  const n = ids.length;
  // Devices still finishing the rollout's reboot would answer 409; wait for all of them to be idle.
  await Promise.all(ids.map((id) => stack.devices.device(id).whenIdle()));
  const service = serviceClients(stack.iothub);
  const before = stack.iothub.admin.counters();
  const retriesBefore = deviceFigures(stack, ids, 0).reportRetries;
  try {
    const jobId = `bench-rollout-${n}`;
    const t0 = Date.now();
    await service.jobs.scheduleDeviceMethod(jobId, "tags.bench = 'rollout'", { methodName: 'reboot', responseTimeoutInSeconds: 30 }, new Date(), 3 * 3600);
    // getJob counts against the jobs-operations throttle (S1: 100/min): read every 2 s.
    let job: { status?: string; deviceJobStatistics?: Record<string, number> } = {};
    while (job.status !== 'completed' && job.status !== 'failed') {
      await sleep(2000);
      job = await service.jobs.getJob(jobId).then((r) => r.jobStatus as typeof job, () => job);
      if (Date.now() - t0 > options.maxMinutes * 60_000) break;
    }
    const completeMs = Date.now() - t0;
    if (job.status !== 'completed') {
      const done = job.deviceJobStatistics?.succeededCount ?? 0;
      console.log(`  job NOT FINISHED after ${s(completeMs)} (${job.status}): ${done} of ${n} devices -> ${(done / (completeMs / 1000)).toFixed(2)} devices/s; canceling it`);
      await service.jobs.cancelJob(jobId).catch(() => undefined);
    }
    await Promise.all(ids.map((id) => stack.devices.device(id).whenIdle()));
    const devices = deviceFigures(stack, ids, t0);
    const rebootedMs = devices.lastCompletedMs - t0;
    const hub = delta(stack.iothub.admin.counters(), before);
    const bounds = jobBound(n, options.rebootSeconds, TIER, UNITS);
    console.log(`IoT Hub job (scheduleDeviceMethod reboot, query tags.bench = 'rollout') on the same fleet:`);
    console.log(`  job ${job.status} in ${s(completeMs)} (read every 2 s) ${JSON.stringify(job.deviceJobStatistics)}; bound ${bounds.complete.seconds.toFixed(1)} s (${bounds.complete.binding})`);
    console.log(`  all devices reported rebooted ${s(rebootedMs)} after scheduling (${devices.completed} of ${n} completion reports); ` +
      `bound ${bounds.rebooted.seconds.toFixed(1)} s (${bounds.rebooted.binding})`);
    console.log(`  429s seen ${hub.throttled} (${devices.reportRetries - retriesBefore} device reports retried); methods received per device ${JSON.stringify(devices.methods)}`);
    console.log(`  hub operations per device: job device operations ${perDevice(hub.jobDeviceOperations!, n)}, twin reads ${perDevice(hub.twinReads!, n)}, ` +
      `twin updates ${perDevice(hub.twinUpdates!, n)}; the job knows nothing of the reboots' outcome`);
    const unfinished = job.status === 'completed' ? {} : { unfinished: { done: job.deviceJobStatistics?.succeededCount ?? 0, devices: n } };
    return [
      { label: 'IoT Hub job: job completed (methods answered)', wallMs: completeMs, bound: bounds.complete, ...unfinished },
      { label: 'IoT Hub job: all devices reported rebooted', wallMs: rebootedMs, bound: bounds.rebooted, ...unfinished },
    ];
  } finally {
    service.close();
  }
}

function table(n: number, runs: RunFigures[]): void {
  const [first] = runs;
  const rows = runs.map((r) => r.unfinished
    ? [r.label, `stopped at ${s(r.wallMs)}: ${r.unfinished.done} of ${r.unfinished.devices} (${(r.unfinished.done / (r.wallMs / 1000)).toFixed(2)}/s)`,
      `${r.bound.seconds.toFixed(1)} s`, '-', '-']
    : [r.label, s(r.wallMs), `${r.bound.seconds.toFixed(1)} s`, (r.wallMs / 1000 / r.bound.seconds).toFixed(2),
      first && !first.unfinished ? (r.wallMs / first.wallMs).toFixed(2) : '-']);
  const header = ['N = ' + n, 'wall', 'quota bound', 'wall/bound', 'wall/rollout'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `  | ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  console.log(line(header));
  console.log(line(widths.map((w) => '-'.repeat(w))));
  for (const row of rows) console.log(line(row));
}

export async function runRolloutBench(argv: string[]): Promise<void> {
  const options = parse(argv);
  for (const n of options.fleets) for (const twinEvents of options.events) {
    const ids = simulatedDeviceIds(n);
    const stack = await startLocalStack({
      deviceIds: ids, transport: 'virtual', quota: { tier: TIER, units: UNITS }, rebootDurationMs: options.rebootSeconds * 1000,
      tags: TAG, log: 'silent', twinEvents,
      env: { ROLLOUT_QUOTA_SHARE: String(options.share), ...(options.batchSize === undefined ? {} : { ROLLOUT_BATCH_SIZE: String(options.batchSize) }) },
    });
    try {
      console.log(`\n${n} virtual devices, quotas ${TIER} (${UNITS} unit), reboot ${options.rebootSeconds} s, ` +
        `twin change events ${twinEvents ? 'on (device operations wake on them)' : 'off (polling only)'}`);
      const runs = [await rollout(stack, ids, options)];
      if (options.job) runs.push(...(await jobRun(stack, ids, options)));
      table(n, runs);
    } finally {
      await stack.stop();
    }
  }
}
