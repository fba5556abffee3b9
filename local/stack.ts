// The whole system on one machine with no Azure account: Azurite (real Storage emulator), the IoT Hub
// emulator, simulated devices on the real device SDK, and the app on the local Functions host — all on
// 127.0.0.1. `npm start`, `npm run demo` and the end-to-end tests stand on this one function.
import * as path from 'node:path';
import { startAzurite, type RunningAzurite } from './azurite';
import { createStackClock, type StackClock } from './clock';
import { startSimulatedFleet, type DeviceBehaviour, type DeviceTimings, type FleetTransport, type SimulatedFleet } from './devices';
import { startLocalHost, type ClockMode, type HostLog, type LocalHost } from './host';
import { startIotHubEmulator, type RunningIotHubEmulator } from './iothub';

export interface LocalStackOptions {
  /** How many simulated devices to create (ids sim-001, sim-002, …). Default 5. */
  deviceCount?: number;
  /** Explicit device ids instead of deviceCount. */
  deviceIds?: string[];
  /** Per-device behaviour (reject, never come back, report failed, …); the rest behave normally. */
  behaviours?: Record<string, DeviceBehaviour>;
  /** How long a simulated device stays down while it reboots. Default 3000 ms. */
  rebootDurationMs?: number;
  /** Other simulated durations (factory reset, firmware download and apply); defaults as in local/devices. */
  deviceTimings?: Partial<DeviceTimings>;
  /** Devices on MQTT with the real device SDK (default), or in-emulator virtual devices (for scale). */
  transport?: FleetTransport;
  /** IoT Hub quota tier to enforce. Default none. */
  quota?: { tier: 'none' | 'S1' | 'S2' | 'S3'; units?: number };
  /** Port of the Functions host; 0 picks a free one (default). */
  port?: number;
  /** IoT Hub emulator ports; 0 picks free ones (default). */
  iotHubHttpsPort?: number;
  iotHubMqttPort?: number;
  /** Storage port for Azurite's Table service; 0 picks a free one (default). */
  storagePort?: number;
  /** Azurite data in memory (default) or in a folder, which keeps orchestrations across restarts. */
  storage?: 'memory' | { location: string };
  /**
   * Where the Functions host keeps its task hub: Azurite (default, as on Azure) or the host's in-process memory
   * store, for tests whose subject is not storage (each Azurite request costs milliseconds; an episode makes several).
   * The app's own tables stay in Azurite either way.
   */
  hostStorage?: 'azurite' | 'memory';
  /**
   * One clock for the host, the IoT Hub emulator and the devices: real (default), virtual (skips ahead to the
   * earliest wait whenever nothing is in flight anywhere) or manual (moves only with `clock.advance`).
   */
  clock?: ClockMode;
  /**
   * Route twin change events from the emulator's built-in endpoint to the app's Event Hubs trigger (default true);
   * false leaves IOTHUB_EVENTS_* unset: operations poll, as on a hub without the route.
   */
  twinEvents?: boolean;
  /**
   * The status route holds a request while a change is expected (OPERATION_STATUS_HOLD_SECONDS, 10 s on Azure).
   * Default false here: a test that reads a running operation gets its 202 at once. `npm start` and the bench turn it on.
   */
  statusHold?: boolean;
  /** Extra app settings, e.g. retry tuning. */
  env?: Record<string, string>;
  /** Where the app is (the folder with package.json and host.json). Default: this repository. */
  appRoot?: string;
  log?: HostLog | 'console' | 'silent';
  /** Lines the IoT Hub emulator logs (errors it answers, refused connections). Default: dropped. */
  iothubLog?: (line: string) => void;
  /** Device twin tags of every simulated device, e.g. {"site":"north"} (for the fleet report's tag filter). */
  tags?: object;
}

export interface LocalStack {
  baseUrl: string;
  functionKey: string;
  masterKey: string;
  deviceIds: readonly string[];
  devices: SimulatedFleet;
  iothub: RunningIotHubEmulator;
  azurite: RunningAzurite;
  host: LocalHost;
  /** The clock all three parts share. */
  clock: StackClock;
  /** Stops every part, newest first; safe to call twice. */
  stop(): Promise<void>;
}

/** sim-001 … sim-NNN: zero-padded so the ids sort the way people read them. */
export function simulatedDeviceIds(count: number): string[] {
  const width = Math.max(3, String(count).length);
  return Array.from({ length: count }, (_, i) => `sim-${String(i + 1).padStart(width, '0')}`);
}

/** The repository root: this file is compiled to dist/local/stack.js. */
export const REPO_ROOT = path.resolve(__dirname, '..', '..');

export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const deviceIds = options.deviceIds ?? simulatedDeviceIds(options.deviceCount ?? 5);
  const clock = createStackClock(options.clock ?? 'real');
  const stops: Array<() => Promise<void>> = [async () => clock.dispose()];
  const stopAll = async () => {
    // Newest first: the host stops calling the hub before the hub and the devices go away.
    for (const stop of stops.splice(0).reverse()) {
      await stop().catch(() => undefined);
    }
  };
  try {
    const azurite = await startAzurite({
      tablePort: options.storagePort ?? 0,
      location: options.storage && options.storage !== 'memory' ? options.storage.location : undefined,
    });
    stops.push(() => azurite.stop());

    const iothub = await startIotHubEmulator({
      httpsPort: options.iotHubHttpsPort ?? 0,
      mqttPort: options.iotHubMqttPort ?? 0,
      quota: options.quota ?? { tier: 'none' },
      log: options.iothubLog,
      clock,
    });
    stops.push(() => iothub.stop());

    const devices = await startSimulatedFleet({
      emulator: iothub,
      ids: deviceIds,
      behaviours: options.behaviours,
      rebootDurationMs: options.rebootDurationMs ?? 3000,
      timings: options.deviceTimings,
      transport: options.transport ?? 'mqtt',
      tags: options.tags,
      clock,
    });
    stops.push(() => devices.stop());

    const host = await startLocalHost({
      appRoot: options.appRoot ?? REPO_ROOT,
      port: options.port ?? 0,
      storage: options.hostStorage === 'memory' ? 'memory' : azurite.connectionString,
      clock,
      log: options.log,
      env: {
        AzureWebJobsStorage: azurite.connectionString,
        OPERATIONS_STORAGE: azurite.connectionString,
        IOTHUB_CONNECTION_STRING: iothub.serviceConnectionString,
        IOTHUB_CA_CERT_PATH: iothub.caCertPath,
        // The hub's built-in Event Hubs-compatible endpoint (device telemetry and twin change events), as the portal
        // shows it under "Built-in endpoints": read with the service policy.
        ...(options.twinEvents === false ? {} : {
          IOTHUB_EVENTS_CONNECTION: iothub.eventHubsEndpoint.connectionString('service'),
          IOTHUB_EVENTS_NAME: iothub.eventHubsEndpoint.name,
        }),
        DURABLE_TASK_HUB_NAME: 'DeviceRebootLocal',
        // The tests' Logic Apps stand-in listens on 127.0.0.1 over http.
        CALLBACK_ALLOW_LOOPBACK: 'true',
        ...(options.statusHold === true ? {} : { OPERATION_STATUS_HOLD_SECONDS: '0' }),
        ...(options.env ?? {}),
      },
    });
    stops.push(() => host.stop());

    let stopped: Promise<void> | undefined;
    return {
      baseUrl: host.baseUrl,
      functionKey: host.functionKey,
      masterKey: host.masterKey,
      deviceIds,
      devices,
      iothub,
      azurite,
      host,
      clock,
      stop: () => (stopped ??= stopAll()),
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
