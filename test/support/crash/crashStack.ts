// The system for crash tests: Azurite with its data in a temporary folder, the IoT Hub emulator and simulated MQTT
// devices run in the test process; the app runs on the local Functions host in a SEPARATE process (the host CLI),
// which the test may kill -9 (all of it, or only its language worker) and start again on the same storage.
// The app settings are those startLocalStack gives its in-process host (local/stack.ts).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startAzurite, type RunningAzurite } from '../../../local/azurite';
import { startSimulatedFleet, type DeviceBehaviour, type DeviceTimings, type FleetTransport, type SimulatedFleet } from '../../../local/devices';
import { startIotHubEmulator, type RunningIotHubEmulator } from '../../../local/iothub';
import { REPO_ROOT, simulatedDeviceIds } from '../../../local/stack';
import { startAnswerDroppingProxy, type AnswerDroppingProxy } from './answerDroppingProxy';
import { AppClient } from './appClient';
import { DeliveryCounter } from './deliveries';
import { startHostProcess, type HostProcess } from './hostProcess';
import { elementAt } from '../elementAt';

export interface CrashStackOptions {
  deviceCount: number;
  /** Behaviour of the i-th device (0-based). */
  behaviour: (index: number) => DeviceBehaviour;
  timings: Partial<DeviceTimings>;
  /** Put the answer-dropping proxy between the app and the hub. */
  proxy: boolean;
  /** Extra app settings. */
  appSettings?: Record<string, string>;
  /** Devices on MQTT with the real device SDK (default), or in-emulator virtual devices (cheaper, for larger fleets). */
  transport?: FleetTransport;
}

export interface CrashStack {
  readonly deviceIds: readonly string[];
  readonly fleet: SimulatedFleet;
  readonly deliveries: DeliveryCounter;
  readonly iothub: RunningIotHubEmulator;
  readonly azurite: RunningAzurite;
  readonly proxy: AnswerDroppingProxy | undefined;
  /** The host process started last. */
  readonly host: HostProcess;
  /** An API client on the current host (base URL and function key). */
  readonly api: AppClient;
  /** Every host process started so far. */
  readonly hosts: readonly HostProcess[];
  /** Starts a new host process on the same storage (same port if it is free). The old one must be dead. */
  restartHost(): Promise<HostProcess>;
  /** Host logs so far, when CRASH_LOG_DIR is set (else undefined). */
  readonly logFile: string | undefined;
  /** Stops every process and removes every temporary folder. Safe to call twice, and after a failed start. */
  stop(): Promise<void>;
}

export const TASK_HUB = 'DeviceRebootCrash';

export async function startCrashStack(options: CrashStackOptions): Promise<CrashStack> {
  const stops: Array<() => Promise<void>> = [];
  const stopAll = async (): Promise<void> => {
    for (const stop of stops.splice(0).reverse()) await stop().catch(() => undefined);
  };
  const hosts: HostProcess[] = [];
  try {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crash-azurite-'));
    stops.push(async () => fs.rmSync(dataDir, { recursive: true, force: true }));
    const logFile = process.env.CRASH_LOG_DIR
      ? path.join(process.env.CRASH_LOG_DIR, `host-${new Date().toISOString().replace(/[:.]/g, '-')}-${process.pid}.log`)
      : undefined;
    if (logFile) fs.mkdirSync(path.dirname(logFile), { recursive: true });

    const azurite = await startAzurite({ location: dataDir });
    stops.push(() => azurite.stop());
    const iothub = await startIotHubEmulator({});
    stops.push(() => iothub.stop());

    let proxy: AnswerDroppingProxy | undefined;
    if (options.proxy) {
      proxy = await startAnswerDroppingProxy({ upstreamPort: iothub.httpsPort, upstreamHostName: iothub.hostName, upstreamCaPem: iothub.caCertPem });
      stops.push(() => (proxy as AnswerDroppingProxy).close());
    }

    const appSettings: Record<string, string> = {
      FUNCTIONS_WORKER_RUNTIME: 'node',
      AzureWebJobsStorage: azurite.connectionString,
      OPERATIONS_STORAGE: azurite.connectionString,
      IOTHUB_CONNECTION_STRING: proxy ? proxy.connectionStringFor(iothub.serviceConnectionString) : iothub.serviceConnectionString,
      IOTHUB_CA_CERT_PATH: proxy ? proxy.caCertPath : iothub.caCertPath,
      DURABLE_TASK_HUB_NAME: TASK_HUB,
      ...(options.appSettings ?? {}),
    };
    const launch = async (port: number): Promise<HostProcess> => {
      const host = await startHostProcess({ appRoot: REPO_ROOT, storage: azurite.connectionString, appSettings, port, logFile });
      hosts.push(host);
      return host;
    };

    const deviceIds = simulatedDeviceIds(options.deviceCount);
    const behaviours: Record<string, DeviceBehaviour> = {};
    deviceIds.forEach((id, i) => (behaviours[id] = options.behaviour(i)));
    const started: { fleet?: SimulatedFleet; deliveries?: DeliveryCounter } = {};
    stops.push(async () => {
      started.deliveries?.close();
      await started.fleet?.stop();
    });
    // The host processes are stopped first (pushed last): nothing calls the hub once it goes away.
    stops.push(async () => {
      await Promise.all(hosts.map((h) => h.stop()));
    });
    // The devices connect while the host starts (both take seconds on a loaded machine). Both are awaited before
    // anything is thrown, so that the clean-up sees every process that was started.
    const [fleetStart, hostStart] = await Promise.allSettled([
      startSimulatedFleet({ emulator: iothub, ids: deviceIds, behaviours, timings: options.timings, transport: options.transport ?? 'mqtt' })
        .then((f) => (started.fleet = f)),
      launch(0),
    ]);
    if (fleetStart.status === 'rejected') throw fleetStart.reason;
    if (hostStart.status === 'rejected') throw hostStart.reason;
    const fleet = fleetStart.value;
    const deliveries = new DeliveryCounter(fleet);
    started.deliveries = deliveries;

    const current = (): HostProcess => elementAt(hosts, -1);
    const api = new AppClient(current().info.baseUrl, current().info.functionKey);
    let stopped: Promise<void> | undefined;
    return {
      deviceIds,
      fleet,
      deliveries,
      iothub,
      azurite,
      proxy,
      hosts,
      logFile,
      get host() {
        return current();
      },
      api,
      async restartHost() {
        const previous = current();
        if (previous.running) throw new Error('restartHost: the previous host is still running');
        let next: HostProcess;
        try {
          next = await launch(previous.port); // same port: old status URLs keep their origin
        } catch {
          next = await launch(0); // the port was taken meanwhile
        }
        api.baseUrl = next.info.baseUrl;
        api.functionKey = next.info.functionKey;
        return next;
      },
      stop: () => (stopped ??= stopAll()),
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
