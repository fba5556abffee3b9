// A fleet of simulated devices on one emulator: creates their identities in bulk, starts them over MQTT
// (the real device SDK, one TLS connection each) or as in-emulator virtual devices (for 10,000-device runs),
// and stops them all.
import type { StackClock } from '../clock/index.js';
import { validateBehaviour, type DeviceBehaviour, type DeviceTimings } from './behaviour.js';
import type { DeviceProgram } from './deviceProgram.js';
import type { FleetHub } from './hubAccess.js';
import { SimulatedDevice } from './mqttDevice.js';
import { VirtualDevice } from './virtualDevice.js';

export type FleetTransport = 'mqtt' | 'virtual';

export interface SimulatedFleetOptions {
  emulator: FleetHub;
  /** Device ids to use; or give `count` to name them `${prefix}1` … `${prefix}${count}`. */
  ids?: readonly string[];
  count?: number;
  /** Prefix for generated ids (default `sim-`). */
  prefix?: string;
  /** Per-device behaviour; devices not listed use `defaultBehaviour` (default normal). */
  behaviours?: Readonly<Record<string, DeviceBehaviour>>;
  defaultBehaviour?: DeviceBehaviour;
  /** Shortcut for `timings.rebootDurationMs`. */
  rebootDurationMs?: number;
  timings?: Partial<DeviceTimings>;
  /** Default 'mqtt'. */
  transport?: FleetTransport;
  /** Create the identities with `admin.createDevices` (default true); false when they already exist. */
  createIdentities?: boolean;
  /** Device twin tags for created identities. */
  tags?: object;
  /** The devices' clock (reboot and firmware durations, reported times); default the emulator's. */
  clock?: StackClock;
  /** How many MQTT devices connect at the same time (default 16). */
  connectConcurrency?: number;
  log?: (line: string) => void;
}

export interface SimulatedFleet {
  readonly transport: FleetTransport;
  /** Device ids in creation order. */
  readonly ids: readonly string[];
  readonly devices: ReadonlyMap<string, DeviceProgram>;
  /** The device with this id; throws for an id outside the fleet. */
  device(deviceId: string): DeviceProgram;
  setBehaviour(deviceId: string, behaviour: DeviceBehaviour): Promise<void>;
  /** Stops every device: closes SDK clients and clears timers so the process can exit. Idempotent. */
  stop(): Promise<void>;
}

export async function startSimulatedFleet(options: SimulatedFleetOptions): Promise<SimulatedFleet> {
  const ids = fleetIds(options);
  const transport = options.transport ?? 'mqtt';
  const behaviours = options.behaviours ?? {};
  const known = new Set(ids);
  for (const [id, behaviour] of Object.entries(behaviours)) {
    if (!known.has(id)) throw new Error(`behaviours names device '${id}', which is not in the fleet`);
    validateBehaviour(behaviour);
  }
  const defaultBehaviour = validateBehaviour(options.defaultBehaviour ?? { kind: 'normal' });
  const timings: Partial<DeviceTimings> = { ...options.timings };
  if (options.rebootDurationMs !== undefined) timings.rebootDurationMs = options.rebootDurationMs;

  if (options.createIdentities !== false) {
    await options.emulator.admin.createDevices([...ids], options.tags === undefined ? undefined : { tags: options.tags });
  }

  const devices = new Map<string, DeviceProgram>();
  for (const deviceId of ids) {
    const common = { deviceId, behaviour: behaviours[deviceId] ?? defaultBehaviour, timings, log: options.log, clock: options.clock ?? options.emulator.clock };
    devices.set(deviceId, transport === 'mqtt'
      ? new SimulatedDevice({ ...common, connectionString: options.emulator.deviceCredentials(deviceId), ca: options.emulator.caCertPem })
      : new VirtualDevice({ ...common, hub: options.emulator.admin }));
  }

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= Promise.all([...devices.values()].map((d) => d.stop())).then(() => undefined);
    return stopping;
  };

  try {
    const concurrency = transport === 'mqtt' ? Math.max(1, options.connectConcurrency ?? 16) : ids.length;
    await inBatches([...devices.values()], concurrency, (d) => d.start());
  } catch (e) {
    await stop();
    throw e;
  }

  const device = (deviceId: string): DeviceProgram => {
    const found = devices.get(deviceId);
    if (!found) throw new Error(`No simulated device '${deviceId}' in this fleet`);
    return found;
  };
  return {
    transport,
    ids,
    devices,
    device,
    setBehaviour: async (deviceId, behaviour) => device(deviceId).setBehaviour(behaviour),
    stop,
  };
}

/** The fleet's ids: the given list (checked for duplicates) or `count` generated ones. */
export function fleetIds(options: Pick<SimulatedFleetOptions, 'ids' | 'count' | 'prefix'>): readonly string[] {
  if (options.ids !== undefined && options.count !== undefined) throw new Error('Give either ids or count, not both');
  if (options.ids !== undefined) {
    const unique = new Set(options.ids);
    if (unique.size !== options.ids.length) throw new Error('Device ids must be unique');
    return Object.freeze([...options.ids]);
  }
  const count = options.count;
  if (count === undefined || !Number.isInteger(count) || count < 0) throw new Error('count must be an integer ≥ 0 (or give ids)');
  const prefix = options.prefix ?? 'sim-';
  return Object.freeze(Array.from({ length: count }, (_, i) => `${prefix}${i + 1}`));
}

/** Runs `work` over `items`, at most `size` at a time, failing on the first error. */
async function inBatches<T>(items: readonly T[], size: number, work: (item: T) => Promise<void>): Promise<void> {
  // The workers share one iterator, so each item goes to exactly one of them.
  const queue = items.values();
  const worker = async (): Promise<void> => {
    for (const item of queue) await work(item);
  };
  await Promise.all(Array.from({ length: Math.min(size, items.length) }, worker));
}
