// `node dist/local/iothub/cli.js [--host-name h] [--https-port n] [--mqtt-port n] [--events-port n] [--partitions n]
//  [--default-ports] [--tier S1] [--units n] [--devices N] [--cert-dir dir]`: starts an emulator, prints how to reach it, stops cleanly on SIGINT/SIGTERM.
// The printed connection strings and admin key are for this local, throw-away hub only.
import { parseArgs } from 'node:util';
import { DEFAULT_HTTPS_PORT, DEFAULT_MQTT_PORT } from './connectionStrings';
import { startIotHubEmulator } from './index';
import type { QuotaTier, RunningIotHubEmulator } from './types';

const USAGE = `Usage: iothub-emulator [--host-name localhost] [--https-port 8443] [--mqtt-port 8883] [--default-ports] [--bind 127.0.0.1]
                      [--events-port 5672] [--partitions 4] [--tier none|S1|S2|S3] [--units 1] [--devices N] [--cert-dir DIR] [--admin-key KEY] [--verbose]
  --default-ports   HTTPS (REST and MQTT over WebSockets) on 443 and MQTT on 8883, IoT Hub's own ports: the printed
                    connection strings then carry no port and the unmodified SDKs need only them and
                    NODE_EXTRA_CA_CERTS (binding ports below 1024 needs root or CAP_NET_BIND_SERVICE)
  --events-port     plain AMQP port of the built-in Event Hubs-compatible endpoint (5672, the port the Event Hubs
                    SDK dials for UseDevelopmentEmulator=true); --partitions sets its partition count`;

export interface CliOptions {
  hostName?: string;
  httpsPort: number;
  mqttPort: number;
  eventsPort: number;
  partitions: number;
  bindAddress?: string;
  tier: QuotaTier;
  units: number;
  devices: number;
  certDir?: string;
  adminKey?: string;
  verbose: boolean;
}

function integer(value: string | undefined, name: string, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`--${name} must be an integer from ${min} to ${max}`);
  return n;
}

export function parseCliArguments(argv: readonly string[]): CliOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      'host-name': { type: 'string' },
      'https-port': { type: 'string' },
      'mqtt-port': { type: 'string' },
      'events-port': { type: 'string' },
      partitions: { type: 'string' },
      'default-ports': { type: 'boolean' },
      bind: { type: 'string' },
      tier: { type: 'string' },
      units: { type: 'string' },
      devices: { type: 'string' },
      'cert-dir': { type: 'string' },
      'admin-key': { type: 'string' },
      verbose: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) throw new Error(USAGE);
  const tier = (values.tier ?? 'none') as QuotaTier;
  if (!['none', 'S1', 'S2', 'S3'].includes(tier)) throw new Error('--tier must be none, S1, S2 or S3');
  const defaultPorts = values['default-ports'] ?? false;
  if (defaultPorts && (values['https-port'] !== undefined || values['mqtt-port'] !== undefined)) {
    throw new Error('--default-ports cannot be combined with --https-port or --mqtt-port');
  }
  return {
    hostName: values['host-name'],
    httpsPort: defaultPorts ? DEFAULT_HTTPS_PORT : integer(values['https-port'], 'https-port', 8443, 0, 65535),
    mqttPort: defaultPorts ? DEFAULT_MQTT_PORT : integer(values['mqtt-port'], 'mqtt-port', 8883, 0, 65535),
    eventsPort: integer(values['events-port'], 'events-port', 5672, 0, 65535),
    partitions: integer(values.partitions, 'partitions', 4, 1, 128),
    bindAddress: values.bind,
    tier,
    units: integer(values.units, 'units', 1, 1, 200),
    devices: integer(values.devices, 'devices', 0, 0, 1_000_000),
    certDir: values['cert-dir'],
    adminKey: values['admin-key'],
    verbose: values.verbose ?? false,
  };
}

/** sim-001, sim-002, … (at least three digits, more when N needs them). */
export function simulatedDeviceIds(count: number): string[] {
  const width = Math.max(3, String(count).length);
  return Array.from({ length: count }, (_, i) => `sim-${String(i + 1).padStart(width, '0')}`);
}

export function describeEmulator(emulator: RunningIotHubEmulator, firstDevice: string | undefined): string {
  const lines = [
    `IoT Hub emulator running: https://${emulator.hostName}:${emulator.httpsPort} (REST, MQTT over WebSockets), mqtts://${emulator.hostName}:${emulator.mqttPort} (devices)`,
    `Service connection string: ${emulator.serviceConnectionString}`,
  ];
  if (firstDevice !== undefined) lines.push(`Device connection string (${firstDevice}): ${emulator.deviceConnectionString(firstDevice)}`);
  lines.push(
    `Event Hubs-compatible endpoint (built-in events, name ${emulator.eventHubsEndpoint.name}): ${emulator.eventHubsEndpoint.connectionString('service')}`,
    `CA certificate: ${emulator.caCertPath}   (export NODE_EXTRA_CA_CERTS=${emulator.caCertPath})`,
    `Admin key: ${emulator.adminKey}   (header x-emulator-admin-key, API under https://${emulator.hostName}:${emulator.httpsPort}/_emulator/)`,
    'Press Ctrl+C to stop.',
  );
  return lines.join('\n');
}

export async function main(argv: readonly string[]): Promise<void> {
  let options: CliOptions;
  try {
    options = parseCliArguments(argv);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${(error as Error).message === USAGE ? '' : USAGE + '\n'}`);
    process.exitCode = 2;
    return;
  }
  const emulator = await startIotHubEmulator({
    hostName: options.hostName,
    httpsPort: options.httpsPort,
    mqttPort: options.mqttPort,
    eventHubs: { port: options.eventsPort, partitionCount: options.partitions },
    bindAddress: options.bindAddress,
    quota: { tier: options.tier, units: options.units },
    certDir: options.certDir,
    keepCertFiles: options.certDir !== undefined,
    adminKey: options.adminKey,
    log: options.verbose ? (line) => process.stderr.write(`${line}\n`) : undefined,
  });
  const ids = simulatedDeviceIds(options.devices);
  if (ids.length > 0) await emulator.admin.createDevices(ids);
  process.stdout.write(`${describeEmulator(emulator, ids[0])}\n`);

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`${signal}: stopping the IoT Hub emulator\n`);
    emulator.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`stop failed: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    process.stderr.write(`iothub emulator failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
