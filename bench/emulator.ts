// `npm run bench -- emulator [--seconds 5] [--concurrency 50] [--mqtt-devices 100] [--virtual-devices 10000]
//   [--job-devices 50]`
// Figures for the IoT Hub emulator, all through the unmodified SDKs:
//   - start-up time (cold: includes RSA key generation; warm: a second emulator in the same process),
//   - emulator memory per connected MQTT device (RSS and heap of this process; the devices run in a child process),
//   - direct-method round trips per second to real MQTT devices (azure-iot-device clients in the child process),
//   - the same against in-process virtual devices, and their memory per device,
//   - an IoT Hub job (JobClient.scheduleDeviceMethod) over `job-devices` virtual devices on S1, paced at the
//     documented 10 jobs device operations per second, and the same job with no quota.
// The service side is the real azure-iothub Client in this process, `concurrency` calls in flight.
import { fork, type ChildProcess } from 'node:child_process';
import * as os from 'node:os';
import { parseArgs } from 'node:util';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { startIotHubEmulator, type RunningIotHubEmulator } from '../local/iothub/index';
import { jobReaching, serviceClients } from '../test/support/iothub';

interface BenchOptions {
  seconds: number;
  concurrency: number;
  mqttDevices: number;
  virtualDevices: number;
  jobDevices: number;
}

const FLEET_ROLE = '--emulator-bench-device-fleet';

function parseBenchArgs(args: string[]): BenchOptions {
  const { values } = parseArgs({
    args,
    options: {
      seconds: { type: 'string' },
      concurrency: { type: 'string' },
      'mqtt-devices': { type: 'string' },
      'virtual-devices': { type: 'string' },
      'job-devices': { type: 'string' },
    },
    strict: true,
  });
  const positive = (value: string | undefined, fallback: number, name: string) => {
    const n = value === undefined ? fallback : Number(value);
    if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer`);
    return n;
  };
  return {
    seconds: positive(values.seconds, 5, 'seconds'),
    concurrency: positive(values.concurrency, 50, 'concurrency'),
    mqttDevices: positive(values['mqtt-devices'], 100, 'mqtt-devices'),
    virtualDevices: positive(values['virtual-devices'], 10_000, 'virtual-devices'),
    jobDevices: positive(values['job-devices'], 50, 'job-devices'),
  };
}

/** A full garbage collection before each memory reading, so deltas are live memory rather than garbage. */
function collectGarbage(): void {
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as () => void;
  gc();
  gc();
}

function memory(): { rss: number; heap: number } {
  collectGarbage();
  const usage = process.memoryUsage();
  return { rss: usage.rss, heap: usage.heapUsed };
}

const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

interface Throughput {
  calls: number;
  failures: number;
  seconds: number;
  latencies: number[];
}

/** Keeps `concurrency` method calls in flight for `seconds`, spreading them over `deviceIds`. */
async function methodThroughput(emulator: RunningIotHubEmulator, deviceIds: string[], seconds: number, concurrency: number): Promise<Throughput> {
  const service = serviceClients(emulator);
  try {
    // Warm-up: TLS handshakes and JIT.
    await Promise.all(deviceIds.slice(0, concurrency).map((id) => service.client.invokeDeviceMethod(id, { methodName: 'ping', payload: { warm: true } })));
    const latencies: number[] = [];
    let calls = 0;
    let failures = 0;
    let next = 0;
    const started = performance.now();
    const deadline = started + seconds * 1000;
    const worker = async () => {
      while (performance.now() < deadline) {
        const id = deviceIds[next++ % deviceIds.length];
        if (id === undefined) throw new Error('methodThroughput needs at least one device.');
        const t0 = performance.now();
        try {
          const { result } = await service.client.invokeDeviceMethod(id, { methodName: 'ping', payload: { n: calls } });
          if (result.status !== 200) failures += 1;
        } catch {
          failures += 1;
        }
        latencies.push(performance.now() - t0);
        calls += 1;
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    return { calls, failures, seconds: (performance.now() - started) / 1000, latencies: latencies.sort((a, b) => a - b) };
  } finally {
    service.close();
  }
}

function describeThroughput(label: string, t: Throughput, concurrency: number): string {
  return `${label}, ${concurrency} calls in flight: ${t.calls} round trips in ${t.seconds.toFixed(1)} s = ${(t.calls / t.seconds).toFixed(0)}/s ` +
    `(p50 ${percentile(t.latencies, 50).toFixed(1)} ms, p99 ${percentile(t.latencies, 99).toFixed(1)} ms, failures ${t.failures})`;
}

// ---- The device fleet child process: real azure-iot-device clients over MQTT, answering `ping`. ----

interface FleetRequest {
  caCertPem: string;
  connectionStrings: string[];
}

async function runDeviceFleet(): Promise<void> {
  // Loaded only in the child: the device SDK is a dev dependency of the emulator's tests and benchmarks.
  const { Client } = await import('azure-iot-device');
  const { Mqtt } = await import('azure-iot-device-mqtt');
  const request = await new Promise<FleetRequest>((resolve) => process.once('message', (m) => resolve(m as FleetRequest)));
  const clients = await Promise.all(request.connectionStrings.map(async (cs) => {
    const client = Client.fromConnectionString(cs, Mqtt);
    await client.setOptions({ ca: request.caCertPem });
    client.onDeviceMethod('ping', (req, res) => res.send(200, req.payload, () => undefined));
    await client.open();
    return client;
  }));
  // onDeviceMethod subscribes asynchronously after open(); give the SUBSCRIBEs time to land.
  await new Promise((resolve) => setTimeout(resolve, 500));
  process.send?.({ ready: clients.length });
  await new Promise((resolve) => process.once('message', resolve));
  await Promise.all(clients.map((client) => client.close()));
  process.exit(0);
}

function startFleet(emulator: RunningIotHubEmulator, deviceIds: string[]): Promise<{ child: ChildProcess; stop(): Promise<void> }> {
  const child = fork(__filename, [FLEET_ROLE], { execArgv: process.execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`device fleet exited early (${code})`)));
    child.once('message', () => {
      child.removeAllListeners('exit');
      resolve({
        child,
        stop: () => new Promise<void>((done) => {
          child.once('exit', () => done());
          child.send('stop');
        }),
      });
    });
    child.send({ caCertPem: emulator.caCertPem, connectionStrings: deviceIds.map((id) => emulator.deviceConnectionString(id)) });
  });
}

export async function runEmulatorBench(args: string[]): Promise<void> {
  const options = parseBenchArgs(args);
  const print = (line: string) => process.stdout.write(`${line}\n`);
  print(`IoT Hub emulator bench: node ${process.version}, ${os.cpus().length} CPUs, ${os.platform()} ${os.arch()}`);

  let t0 = performance.now();
  const cold = await startIotHubEmulator();
  const coldMs = performance.now() - t0;
  t0 = performance.now();
  const warm = await startIotHubEmulator();
  const warmMs = performance.now() - t0;
  await warm.stop();
  print(`start-up: ${coldMs.toFixed(0)} ms cold (RSA key generation included), ${warmMs.toFixed(0)} ms warm`);

  // Real MQTT devices.
  const mqttIds = Array.from({ length: options.mqttDevices }, (_, i) => `bench-mqtt-${String(i).padStart(4, '0')}`);
  await cold.admin.createDevices(mqttIds);
  // The first connections also pay one-time costs (code paths compiled, buffers pooled): connect a tenth first,
  // then measure what the other nine tenths add.
  const warmCount = Math.max(1, Math.floor(options.mqttDevices / 10));
  const beforeMqtt = memory();
  t0 = performance.now();
  const warmFleet = await startFleet(cold, mqttIds.slice(0, warmCount));
  const afterWarm = memory();
  const fleet = await startFleet(cold, mqttIds.slice(warmCount));
  const connectMs = performance.now() - t0;
  const afterMqtt = memory();
  const connected = cold.admin.counters().mqttConnections;
  const marginal = options.mqttDevices - warmCount;
  print(`MQTT devices: ${connected} connected (azure-iot-device, child processes) in ${connectMs.toFixed(0)} ms; emulator memory per device: ` +
    `RSS ${kib((afterMqtt.rss - afterWarm.rss) / Math.max(1, marginal))}, heap ${kib((afterMqtt.heap - afterWarm.heap) / Math.max(1, marginal))} ` +
    `(marginal, last ${marginal}); RSS ${kib((afterMqtt.rss - beforeMqtt.rss) / options.mqttDevices)}, heap ${kib((afterMqtt.heap - beforeMqtt.heap) / options.mqttDevices)} ` +
    `(all ${options.mqttDevices}, one-time costs included)`);
  const mqttRun = await methodThroughput(cold, mqttIds, options.seconds, options.concurrency);
  print(describeThroughput(`direct methods to ${options.mqttDevices} MQTT devices`, mqttRun, options.concurrency));
  await Promise.all([warmFleet.stop(), fleet.stop()]);

  // Virtual devices.
  const virtualIds = Array.from({ length: options.virtualDevices }, (_, i) => `bench-virtual-${String(i).padStart(5, '0')}`);
  const beforeIdentities = memory();
  t0 = performance.now();
  await cold.admin.createDevices(virtualIds);
  const createMs = performance.now() - t0;
  const beforeVirtual = memory();
  t0 = performance.now();
  for (const id of virtualIds) {
    cold.admin.connectVirtualDevice(id, { onMethod: async (_name, payload) => ({ status: 200, payload }) });
  }
  const virtualConnectMs = performance.now() - t0;
  const afterVirtual = memory();
  const perDevice = (bytes: number) => `${(bytes / options.virtualDevices).toFixed(0)} bytes`;
  print(`virtual devices: ${options.virtualDevices} identities created in ${createMs.toFixed(0)} ms (heap ${perDevice(beforeVirtual.heap - beforeIdentities.heap)} ` +
    `per identity with its twin), connected in ${virtualConnectMs.toFixed(0)} ms (heap ${perDevice(afterVirtual.heap - beforeVirtual.heap)} per connection)`);
  const virtualRun = await methodThroughput(cold, virtualIds, options.seconds, options.concurrency);
  print(describeThroughput(`direct methods to ${options.virtualDevices} virtual devices`, virtualRun, options.concurrency));
  const counters = cold.admin.counters();
  print(`hub counters: ${counters.methodInvocations} method invocations, ${counters.methodResponses} answered, ${counters.methodTimeouts} timed out`);
  await cold.stop();

  print(await jobRollout('S1', options.jobDevices));
  print(await jobRollout('none', options.jobDevices));
}

/**
 * One scheduled-method job over `count` virtual devices on a fresh emulator of `tier`; the rate is taken from the
 * hub's own per-device start times (devices.jobs), after the throttle's one-second burst.
 */
async function jobRollout(tier: 'S1' | 'none', count: number): Promise<string> {
  const emulator = await startIotHubEmulator({ quota: { tier } });
  const service = serviceClients(emulator);
  try {
    const ids = Array.from({ length: count }, (_, i) => `bench-job-${String(i).padStart(5, '0')}`);
    await emulator.admin.createDevices(ids, { tags: { bench: 'jobs' } });
    for (const id of ids) emulator.admin.connectVirtualDevice(id, { onMethod: async () => ({ status: 200, payload: null }) });
    const t0 = performance.now();
    await service.jobs.scheduleDeviceMethod('bench-rollout', "tags.bench = 'jobs'", { methodName: 'reboot', responseTimeoutInSeconds: 30 }, new Date(), 3600);
    const job = await jobReaching(service.jobs, 'bench-rollout', 'completed', 10 * 60_000);
    const elapsedMs = performance.now() - t0;
    const starts: number[] = [];
    const query = service.registry.createQuery("SELECT * FROM devices.jobs WHERE devices.jobs.jobId = 'bench-rollout'", 1000);
    while (query.hasMoreResults) {
      const { result } = await query.next(query.continuationToken);
      for (const record of result as { startTimeUtc: string }[]) starts.push(Date.parse(record.startTimeUtc));
    }
    starts.sort((a, b) => a - b);
    const burst = tier === 'S1' ? 10 : 0;
    const steady = starts.slice(burst);
    const [first, last] = [steady[0], steady.at(-1)];
    const spanS = first === undefined || last === undefined ? 0 : (last - first) / 1000;
    const rate = spanS > 0 ? `${((steady.length - 1) / spanS).toFixed(2)} devices/s after the burst` : 'all at once';
    return `job on ${tier === 'S1' ? 'S1 (documented: 10 device operations/s)' : 'no quota'}: ${job.deviceJobStatistics.succeededCount}/${count} devices ` +
      `succeeded in ${elapsedMs.toFixed(0)} ms; ${rate}`;
  } finally {
    service.close();
    await emulator.stop();
  }
}

if (require.main === module && process.argv.includes(FLEET_ROLE)) {
  runDeviceFleet().catch((error: unknown) => {
    process.stderr.write(`device fleet failed: ${String(error)}\n`);
    process.exit(1);
  });
}
