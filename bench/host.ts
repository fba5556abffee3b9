// Benchmark of the local Functions host on Azurite: N orchestrations (one activity + one durable
// timer each) started over HTTP with bounded client concurrency. Prints throughput, p50/p99 start
// latency (POST -> 202) and peak memory of the host process and of its language worker.
//   runHostBench(['--count', '1000', '--concurrency', '50', '--timer-ms', '200', '--storage', 'azurite'])
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startAzurite, type RunningAzurite } from '../local/azurite/index';
import { MemoryStore, startLocalHost } from '../local/host/index';
import { TableStore } from '../local/host/store/tableStore';
import { countingStore } from './storeCounter';

interface BenchArgs {
  count: number;
  concurrency: number;
  timerMs: number;
  storage: 'azurite' | 'memory';
}

function parse(args: string[]): BenchArgs {
  const out: BenchArgs = { count: 1000, concurrency: 50, timerMs: 200, storage: 'azurite' };
  for (let i = 0; i < args.length; i++) {
    const v = args[i + 1];
    if (args[i] === '--count') out.count = Number(v);
    else if (args[i] === '--concurrency') out.concurrency = Number(v);
    else if (args[i] === '--timer-ms') out.timerMs = Number(v);
    else if (args[i] === '--storage') out.storage = v === 'memory' ? 'memory' : 'azurite';
    else continue;
    i++;
  }
  return out;
}

function scenarioApp(): string {
  let dir = __dirname;
  for (;;) {
    const candidate = path.join(dir, 'test', 'local', 'host', 'fixtures', 'scenario-app');
    if (fs.existsSync(candidate)) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('scenario fixture app not found');
    dir = parent;
  }
}

/** Resident set size of a process in bytes (Linux /proc), or undefined elsewhere. */
export function rssOf(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN;
}

export async function runHostBench(args: string[]): Promise<void> {
  const opts = parse(args);
  let azurite: RunningAzurite | undefined;
  if (opts.storage === 'azurite') azurite = await startAzurite();
  // The fixture's task hub (local.settings.json SCENARIO_HUB); the store is wrapped to count requests.
  const { store, counts } = countingStore(azurite ? new TableStore(azurite.connectionString, 'ScenarioHub') : new MemoryStore());
  const host = await startLocalHost({ appRoot: scenarioApp(), storage: store });
  let peakHost = 0;
  let peakWorker = 0;
  const sampler = setInterval(() => {
    peakHost = Math.max(peakHost, process.memoryUsage().rss);
    peakWorker = Math.max(peakWorker, rssOf(host.workerPid) ?? 0);
  }, 50);
  try {
    const api = (p: string) => `${host.baseUrl}/runtime/webhooks/durabletask/${p}${p.includes('?') ? '&' : '?'}code=${encodeURIComponent(host.systemKey)}`;
    const latencies: number[] = [];
    const started = Date.now();
    let next = 0;
    const starter = async () => {
      while (next < opts.count) {
        const i = next++;
        const t0 = performance.now();
        const res = await fetch(api(`orchestrators/ActivityThenTimer/bench-${i}`), {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ activityMs: 0, timerMs: opts.timerMs }),
        });
        await res.arrayBuffer();
        if (res.status !== 202) throw new Error(`start answered ${res.status}`);
        latencies.push(performance.now() - t0);
      }
    };
    await Promise.all(Array.from({ length: opts.concurrency }, starter));
    const allStarted = Date.now();
    let completed = 0;
    let failed = 0;
    while (completed + failed < opts.count) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      completed = 0;
      failed = 0;
      let token: string | null = null;
      do {
        const res: Response = await fetch(api('instances/?instanceIdPrefix=bench-&runtimeStatus=Completed,Failed,Terminated&top=1000&showInput=false'), { headers: token ? { 'x-ms-continuation-token': token } : {} });
        const page = (await res.json()) as { runtimeStatus: string }[];
        for (const s of page) if (s.runtimeStatus === 'Completed') completed++;
        else failed++;
        token = res.headers.get('x-ms-continuation-token');
      } while (token);
      if (Date.now() - started > 10 * 60 * 1000) throw new Error(`timed out with ${completed} completed`);
    }
    const finished = Date.now();
    latencies.sort((a, b) => a - b);
    const seconds = (finished - started) / 1000;
    const mb = (n: number) => `${(n / 1024 / 1024).toFixed(0)} MB`;
    process.stdout.write(
      [
        `local host bench (${opts.storage}): ${opts.count} orchestrations x (1 activity + 1 timer of ${opts.timerMs} ms), ${opts.concurrency} concurrent starters`,
        `  completed ${completed}, failed ${failed}`,
        `  all started in ${((allStarted - started) / 1000).toFixed(2)} s; all completed in ${seconds.toFixed(2)} s -> ${(opts.count / seconds).toFixed(1)} orchestrations/s`,
        `  start latency (POST -> 202): p50 ${percentile(latencies, 50).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms`,
        `  peak RSS: host ${mb(peakHost)}, worker ${peakWorker ? mb(peakWorker) : 'n/a'}`,
        `  storage requests: ${counts.requests} for ${counts.episodes} episodes -> ${(counts.requests / Math.max(1, counts.episodes)).toFixed(1)} per episode, ${(counts.requests / opts.count).toFixed(1)} per orchestration (status polling of the bench included)`,
        `    ${Object.entries(counts.byMethod).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`).join(', ')}`,
        '',
      ].join('\n'),
    );
  } finally {
    clearInterval(sampler);
    await host.stop();
    await azurite?.stop();
  }
}

if (require.main === module) {
  runHostBench(process.argv.slice(2)).catch((err: Error) => {
    process.stderr.write(`${err.stack ?? err.message}\n`);
    process.exit(1);
  });
}
