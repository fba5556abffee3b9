// `npm start`: the whole system in the foreground on 127.0.0.1 until Ctrl-C.
import { simulatedDeviceIds, startLocalStack, type LocalStack } from '../stack';
import { describePortInUse, parseFlags, usage, UsageError, type FlagSpec } from './args';
import { formatEmulatorLine, formatHostEntry, type ConsoleLine, type ConsoleMode } from './consoleLog';
import { BEHAVIOUR_FLAGS, deviceBehaviours, deviceTags } from './deviceFlags';
import { faultHelpLines } from './faultHelp';

const FLAGS = {
  port: { kind: 'int', default: 7071, description: 'Functions host port (0 = any free port)' },
  devices: { kind: 'int', default: 5, description: 'number of simulated devices (sim-001 …)' },
  'reboot-ms': { kind: 'int', default: 3000, description: 'how long a simulated device stays down while rebooting' },
  tier: { kind: 'string', default: 'none', description: 'IoT Hub quota tier to enforce: none, S1, S2 or S3' },
  units: { kind: 'int', default: 1, description: 'IoT Hub units for the quota tier' },
  'iothub-https-port': { kind: 'int', default: 0, description: 'IoT Hub emulator HTTPS port (0 = any free port)' },
  'iothub-mqtt-port': { kind: 'int', default: 0, description: 'IoT Hub emulator MQTT port (0 = any free port)' },
  'storage-port': { kind: 'int', default: 0, description: 'Azurite Table service port (0 = any free port)' },
  'storage-dir': { kind: 'string', description: 'keep Azurite data in this folder (default: in memory)' },
  ...BEHAVIOUR_FLAGS,
  quiet: { kind: 'bool', description: 'print no log lines while running (the banner only)' },
  json: { kind: 'bool', description: 'print log lines as JSON objects, one per line' },
} satisfies FlagSpec;

function write(line: ConsoleLine | null): void {
  if (line !== null) (line.stream === 'stderr' ? process.stderr : process.stdout).write(`${line.text}\n`);
}

function curlLines(stack: LocalStack): string[] {
  const base = stack.baseUrl;
  const code = `code=${encodeURIComponent(stack.functionKey)}`;
  const device = stack.deviceIds[0] ?? 'sim-001';
  return [
    `  # start a reboot (202 + Location + Retry-After)`,
    `  curl -si -X POST "${base}/api/devices/${encodeURIComponent(device)}/reboot?${code}" -H "content-type: application/json" -d '{"pollIntervalSeconds":1}'`,
    `  # follow the Location header of that answer until it returns 200`,
    `  curl -si "${base}/api/operations/<instanceId>?${code}"`,
    `  # the device's operation history, and the fleet report`,
    `  curl -s "${base}/api/devices/${encodeURIComponent(device)}/operations?${code}"`,
    `  curl -s "${base}/api/reports/reboot?${code}"`,
    `  # the OpenAPI 2.0 document (anonymous)`,
    `  curl -s "${base}/api/openapi.json"`,
  ];
}

async function main(): Promise<number> {
  if (process.argv.slice(2).some((arg) => arg === '--help' || arg === '-h')) {
    console.log(usage('npm start --', FLAGS));
    return 0;
  }
  let flags;
  try {
    flags = parseFlags(process.argv.slice(2), FLAGS);
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`${err.message}\n\n${usage('npm start --', FLAGS)}`);
      return 2;
    }
    throw err;
  }
  if (flags.quiet && flags.json) {
    console.error('--quiet and --json exclude each other.');
    return 2;
  }
  const mode: ConsoleMode = flags.quiet ? 'quiet' : flags.json ? 'json' : 'text';
  const fleet = simulatedDeviceIds(flags.devices ?? 5);
  let behaviours;
  let tags;
  try {
    behaviours = deviceBehaviours(flags, fleet);
    tags = deviceTags(flags.tags);
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(err.message);
      return 2;
    }
    throw err;
  }
  const tier = flags.tier ?? 'none';
  if (!['none', 'S1', 'S2', 'S3'].includes(tier)) {
    console.error(`--tier must be none, S1, S2 or S3, not "${tier}".`);
    return 2;
  }
  const portFlags = new Map<number, string>();
  for (const [flag, port] of [['port', flags.port], ['iothub-https-port', flags['iothub-https-port']],
    ['iothub-mqtt-port', flags['iothub-mqtt-port']], ['storage-port', flags['storage-port']]] as const) {
    if (port) portFlags.set(port, flag);
  }

  console.log('Starting Azurite, the IoT Hub emulator, simulated devices and the Functions host…');
  let stack: LocalStack;
  try {
    stack = await startLocalStack({
      port: flags.port,
      rebootDurationMs: flags['reboot-ms'],
      quota: { tier: tier as 'none' | 'S1' | 'S2' | 'S3', units: flags.units },
      iotHubHttpsPort: flags['iothub-https-port'],
      iotHubMqttPort: flags['iothub-mqtt-port'],
      storagePort: flags['storage-port'],
      storage: flags['storage-dir'] ? { location: flags['storage-dir'] } : 'memory',
      statusHold: true,
      deviceIds: fleet,
      behaviours,
      tags,
      log: (entry) => write(formatHostEntry(entry, mode)),
      iothubLog: (line) => write(formatEmulatorLine(line, mode)),
    });
  } catch (err) {
    const busy = describePortInUse(err, portFlags);
    console.error(busy ?? `Could not start the local stack: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }

  // Listen before the banner says Ctrl-C works: a Ctrl-C right after it must stop the stack, not kill the process.
  const stopRequested = new Promise<void>((resolve) => {
    const onSignal = () => {
      // Both listeners go: a SIGTERM left behind would swallow the next one instead of ending the process.
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      resolve();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
  console.log([
    '',
    'Remote reboot service is running (local stack, nothing leaves this machine).',
    '',
    `  Base URL       ${stack.baseUrl}/api`,
    `  Function key   ${stack.functionKey}`,
    `  Devices        ${stack.deviceIds.join(' ')}  (MQTT, reboot takes ${flags['reboot-ms']} ms)`,
    `  IoT Hub        emulator on https://${stack.iothub.hostName}:${stack.iothub.httpsPort} and mqtts://${stack.iothub.hostName}:${stack.iothub.mqttPort}`,
    `  Storage        Azurite Table service at ${stack.azurite.tableEndpoint}`,
    '',
    'Try it:',
    ...curlLines(stack),
    '',
    ...faultHelpLines(stack),
    '',
    'Ctrl-C stops everything.',
  ].join('\n'));

  await stopRequested;
  // A second Ctrl-C while stopping means "now": a part that hangs must not hold the terminal.
  const stopNow = () => {
    console.error('Stopping anyway; some parts may not have shut down cleanly.');
    process.exit(130);
  };
  process.once('SIGINT', stopNow);
  process.once('SIGTERM', stopNow);
  console.log('\nStopping…');
  await stack.stop();
  process.off('SIGINT', stopNow);
  process.off('SIGTERM', stopNow);
  console.log('Stopped.');
  return 0;
}

main().then((code) => {
  process.exitCode = code;
}, (err) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exitCode = 1;
});
