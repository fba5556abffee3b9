// A simulated device on the unmodified device SDK (azure-iot-device + azure-iot-device-mqtt), as the
// Microsoft samples write one: Client.fromConnectionString(cs, Mqtt), onDeviceMethod, getTwin and
// twin.properties.reported.update. Each (re)connection is a fresh Client, as after a real restart.
import { Client, SharedAccessKeyAuthenticationProvider, type Twin } from 'azure-iot-device';
import { Mqtt } from 'azure-iot-device-mqtt';
import { NoRetry } from 'azure-iot-common';
import { DEVICE_METHODS } from './deviceManagement.js';
import { DeviceProgram, type DeviceLink, type DeviceLinkHooks, type DeviceProgramOptions } from './deviceProgram.js';

/** A device's symmetric-key credentials as the SDK's SharedAccessKeyAuthenticationProvider takes them. */
export interface DeviceKeyCredentials {
  host: string;
  deviceId: string;
  sharedAccessKey: string;
  gatewayHostName?: string;
}

export interface SimulatedDeviceOptions extends DeviceProgramOptions {
  /**
   * `HostName=...;DeviceId=...;SharedAccessKey=...[;GatewayHostName=host:port]`, or the same as fields (needed for
   * device ids containing ';' or '=', which a connection string cannot carry). Never logged.
   */
  connectionString: string | DeviceKeyCredentials;
  /** PEM of the CA that signed the hub's server certificate (an emulator's self-signed CA). */
  ca?: string;
}

/** A simulated device speaking MQTT over TLS to the hub (or emulator) through the unmodified SDK. */
export class SimulatedDevice extends DeviceProgram {
  constructor(options: SimulatedDeviceOptions) {
    super(options, (hooks) => new MqttDeviceLink(options.connectionString, options.ca, hooks, options.log));
  }
}

class ClosedWhileOpening extends Error {
  constructor() {
    super('closed while connecting');
  }
}

/** One SDK Client per connection; close() also abandons a connection still being opened. */
class MqttDeviceLink implements DeviceLink {
  readonly transport = 'mqtt' as const;
  private client: Client | undefined;
  private twin: Twin | undefined;
  /** The twin of the connection being opened: a method can arrive between the SUBSCRIBE and the twin reply. */
  private pendingTwin: Promise<Twin> | undefined;
  private pending: Client | undefined;
  /** Rejecters of operations waiting on the current client; a closed SDK client may never call them back. */
  private readonly inFlight = new Set<(error: Error) => void>();

  constructor(
    private readonly connectionString: string | DeviceKeyCredentials,
    private readonly ca: string | undefined,
    private readonly hooks: DeviceLinkHooks,
    private readonly log: ((line: string) => void) | undefined,
  ) {}

  get isOpen(): boolean {
    return this.client !== undefined;
  }

  async open(): Promise<void> {
    if (this.client) return;
    if (this.pending) throw new Error('already connecting');
    const client = typeof this.connectionString === 'string'
      ? Client.fromConnectionString(this.connectionString, Mqtt)
      : Client.fromAuthenticationProvider(new SharedAccessKeyAuthenticationProvider(this.connectionString), Mqtt);
    this.pending = client;
    // The device program owns reconnection (with its own backoff, cancelled on stop); the SDK's default
    // policy would keep retrying an open for up to 4 minutes behind our back.
    client.setRetryPolicy(new NoRetry());
    client.on('error', (err: Error) => this.log?.(`device client error: ${err.message}`));
    // Emitted only for drops the device did not ask for: close() detaches the SDK's listener first.
    client.on('disconnect', () => this.onDisconnect(client));
    const stillWanted = (): void => {
      if (this.pending !== client) throw new ClosedWhileOpening();
    };
    try {
      if (this.ca !== undefined) await client.setOptions({ ca: this.ca });
      await client.open();
      stillWanted();
      for (const methodName of DEVICE_METHODS) {
        client.onDeviceMethod(methodName, (request, response) => {
          this.hooks.onMethod(methodName, request.payload, (status, payload) => this.track(response.send(status, payload)));
        });
      }
      // The twin GET goes out on the same connection after the method SUBSCRIBE, so once it is answered
      // the hub has the method subscription too and can deliver methods.
      const twinRequest = client.getTwin();
      this.pendingTwin = twinRequest;
      const twin = await twinRequest;
      stillWanted();
      this.pending = undefined;
      this.pendingTwin = undefined;
      this.client = client;
      this.twin = twin;
    } catch (e) {
      if (this.pending === client) this.pending = undefined;
      this.pendingTwin = undefined;
      await closeQuietly(client);
      throw e;
    }
  }

  async close(): Promise<void> {
    const clients = [this.client, this.pending].filter((c): c is Client => c !== undefined);
    this.client = undefined;
    this.twin = undefined;
    this.pending = undefined;
    this.pendingTwin = undefined;
    this.abandonInFlight('connection closed');
    await Promise.all(clients.map(closeQuietly));
  }

  async reportProperties(patch: Record<string, unknown>): Promise<void> {
    const twin = this.twin ?? (this.pendingTwin ? await this.track(this.pendingTwin) : undefined);
    if (!twin) throw new Error('not connected');
    await this.track(new Promise<void>((resolve, reject) => {
      // `reported.update` is added by the SDK at run time; its typing is `any`.
      twin.properties.reported.update(patch, (err?: Error) => (err ? reject(err) : resolve()));
    }));
  }

  /** Settles with `operation`, or rejects as soon as the connection is closed or lost. */
  private track<T>(operation: Promise<T>): Promise<T> {
    let abandon!: (error: Error) => void;
    const abandoned = new Promise<never>((_, reject) => {
      abandon = reject;
    });
    this.inFlight.add(abandon);
    return Promise.race([operation, abandoned]).finally(() => this.inFlight.delete(abandon));
  }

  private abandonInFlight(reason: string): void {
    for (const abandon of this.inFlight) abandon(new Error(reason));
    this.inFlight.clear();
  }

  private onDisconnect(client: Client): void {
    if (this.client !== client) return;
    this.client = undefined;
    this.twin = undefined;
    this.abandonInFlight('connection lost');
    void closeQuietly(client);
    this.hooks.onConnectionLost();
  }
}

async function closeQuietly(client: Client): Promise<void> {
  try {
    await client.close();
  } catch {
    // already closed or never connected: nothing left to release
  }
}
