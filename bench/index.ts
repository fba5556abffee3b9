// `npm run bench -- <name> [options]`: prints figures; speed is measured here, never asserted in tests.
import { runEmulatorBench } from './emulator';
import { runEventsBench } from './events';
import { runHostBench } from './host';
import { runOperationsBench } from './operations';
import { runRolloutBench } from './rollout';

const BENCHES: Record<string, { run: (args: string[]) => Promise<void>; about: string }> = {
  emulator: { run: runEmulatorBench, about: 'IoT Hub emulator: direct-method round trips/s (100 MQTT devices, 10,000 virtual), memory per device' },
  host: { run: runHostBench, about: 'local Functions host: 1,000 orchestrations (activity + timer) on Azurite: throughput, start latency, memory' },
  rollout: { run: runRolloutBench, about: 'rollouts: 1,000 and 10,000 virtual devices rebooted on S1 quotas against the quota bound, and the same through an IoT Hub job' },
  events: { run: runEventsBench, about: 'twin change events vs polling: detection delay (report → 200 for a caller following Retry-After) and twin reads, 20 reboots of one device' },
  operations: { run: runOperationsBench, about: 'device operations: 500 reboots at once on S1 quotas: outcomes, wall time, throttled reports, deliveries per device' },
};

async function main(): Promise<void> {
  const [name, ...args] = process.argv.slice(2);
  const names = name === undefined || name === 'all' ? Object.keys(BENCHES) : [name];
  for (const each of names) {
    const bench = BENCHES[each];
    if (!bench) {
      console.error(`Unknown benchmark "${each}". Choose one of: ${Object.keys(BENCHES).join(', ')}, all.`);
      process.exitCode = 2;
      return;
    }
    console.log(`\n== ${each}: ${bench.about}`);
    await bench.run(args);
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.stack ?? err.message : String(err));
  process.exitCode = 1;
});
