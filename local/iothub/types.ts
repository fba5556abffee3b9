// Public types of the emulator (the contract in briefs/emulator-contract.md), shared by index.ts, the admin API and
// the simulated devices built on connectVirtualDevice.
import type { StackClock } from '../clock';
import type { CounterSnapshot } from './counters';
import type { QuotaTier } from './quota/throttles';
import type { PolicyName, ServicePolicyName } from './sas/policies';

export type { QuotaTier, PolicyName, ServicePolicyName };

export interface IotHubEmulatorOptions {
  /** Host name in connection strings, SAS `sr` and the certificate; default 'localhost'. */
  hostName?: string;
  /** 0 = a free port (default). */
  httpsPort?: number;
  /** 0 = a free port (default). */
  mqttPort?: number;
  /** Interface both listeners bind to; default '127.0.0.1'. */
  bindAddress?: string;
  /**
   * Throttling as an IoT hub of that tier and unit count would apply it; default { tier: 'none' }. `clock`
   * (milliseconds, default Date.now) drives the throttle buckets: tests pass a manual one to make refills exact.
   */
  quota?: { tier: QuotaTier; units?: number; clock?: () => number };
  /** Key for the admin API (`x-emulator-admin-key`); generated when absent. */
  adminKey?: string;
  /** Keys of the shared access policies; generated when absent. */
  policyKeys?: Partial<Record<PolicyName, string>>;
  /** Where to write the CA PEM; a temporary folder (removed at stop) when absent. */
  certDir?: string;
  /** Keep the PEM files written to certDir after stop(). */
  keepCertFiles?: boolean;
  /** Operational log lines (never secrets). */
  log?: (line: string) => void;
  /** The built-in Event Hubs-compatible endpoint (AMQP 1.0 on bindAddress). */
  eventHubs?: {
    /** 0 = a free port (default). */
    port?: number;
    /** Partitions of the endpoint; default 4, as IoT Hub's. */
    partitionCount?: number;
    /** Events kept per partition, oldest dropped first; default 10,000. */
    capacityPerPartition?: number;
  };
  /**
   * The stack's clock (local/clock) for every time the hub writes ($metadata, connection and job times, enqueued
   * times) and every wait it schedules (method timeouts, job pacing, quota refills); default real time. SAS token
   * expiry stays on wall time: the SDKs mint their tokens on it.
   */
  clock?: StackClock;
}

/** The built-in `events` endpoint, as the portal's "Built-in endpoints" page describes it. */
export interface EventHubsEndpoint {
  /** Event Hub-compatible name (the hub's name). */
  name: string;
  port: number;
  partitionIds: string[];
  /**
   * `Endpoint=sb://<bind address>:<port>/;SharedAccessKeyName=<policy>;SharedAccessKey=…;EntityPath=<name>;UseDevelopmentEmulator=true`
   * for a policy with ServiceConnect; default 'service', the one the portal shows.
   */
  connectionString(policy?: 'iothubowner' | 'service'): string;
  /** The partition a device's events go to. */
  partitionIdFor(deviceId: string): string;
}

export interface RunningIotHubEmulator {
  hostName: string;
  httpsPort: number;
  mqttPort: number;
  /** `HostName=<hostName>:<httpsPort>;SharedAccessKeyName=iothubowner;SharedAccessKey=...` (no `:<port>` on 443). */
  serviceConnectionString: string;
  serviceConnectionStringFor(policy: ServicePolicyName): string;
  /** `HostName=<hostName>;DeviceId=<id>;SharedAccessKey=<primary key>;GatewayHostName=<hostName>:<mqttPort>` (no GatewayHostName on 8883). */
  deviceConnectionString(deviceId: string): string;
  /**
   * The same credentials as fields, for the device SDK's SharedAccessKeyAuthenticationProvider: a connection
   * string cannot carry a device id containing ';' or '=', which IoT Hub's id rule allows.
   */
  deviceCredentials(deviceId: string): DeviceCredentials;
  /** PEM of the CA that signed the server certificate. */
  caCertPem: string;
  /** File holding caCertPem (for NODE_EXTRA_CA_CERTS). */
  caCertPath: string;
  admin: EmulatorAdmin;
  /** Key of the HTTPS admin API (header x-emulator-admin-key): options.adminKey or the generated one. */
  adminKey: string;
  /** The built-in Event Hubs-compatible endpoint that device telemetry and twin change events are routed to. */
  eventHubsEndpoint: EventHubsEndpoint;
  /** The hub's clock (options.clock or real time). */
  clock: StackClock;
  /** Closes both listeners and every connection; removes temporary files. */
  stop(): Promise<void>;
}

export type DeviceFault =
  /** Direct methods fail with 404103 even while the device is connected. */
  | { kind: 'offline' }
  /** The hub holds each method request this long before delivering it (counts against responseTimeoutInSeconds). */
  | { kind: 'methodDelay'; ms: number }
  /** The hub answers every method itself with this status and payload, without reaching the device. */
  | { kind: 'methodStatus'; status: number; payload?: unknown }
  /** One-shot: closes the device's current connection now. */
  | { kind: 'dropConnection' };

export type HubFault =
  /** The next `count` service REST requests get 429 / 429001. */
  | { kind: 'throttle'; count: number }
  /** The next `count` service REST requests get 500 / 500001 or 503 / 503001. */
  | { kind: 'serverError'; status: 500 | 503; count: number };

export interface TelemetryMessage {
  deviceId: string;
  body: Buffer;
  /** Application properties from the topic's property bag, URL-decoded. */
  properties: Record<string, string>;
  /** System properties (messageId, correlationId, contentType, …) plus iothub-connection-device-id and iothub-enqueuedtime. */
  systemProperties: Record<string, string>;
  enqueuedTime: string;
}

export interface VirtualDeviceHandler {
  onMethod(methodName: string, payload: unknown): Promise<{ status: number; payload: unknown }>;
  /** Receives each desired-properties patch with `$version`, like an MQTT device subscribed to desired updates. */
  onDesired?(patch: Record<string, unknown>): void;
}

export interface VirtualDeviceConnection {
  readonly deviceId: string;
  /** Same engine, validation and quota as an MQTT reported PATCH; throws IotHubError (400004, 429001, …). */
  updateReported(patch: Record<string, unknown>): { version: number };
  /** Same as an MQTT GET twin: desired and reported with `$version`, no `$metadata`. */
  getTwin(): { desired: Record<string, unknown>; reported: Record<string, unknown> };
  /** connectionState → Disconnected; methods then get 404103. */
  disconnect(): void;
  /** connectionState → Connected again (closes any other connection of the device). */
  reconnect(): void;
  readonly connected: boolean;
}

export interface EmulatorAdmin {
  /** Bulk creation with generated keys; fails (409001) if any id exists, (400004) if any id is invalid. */
  createDevices(ids: string[], opts?: { tags?: object }): Promise<void>;
  /** Deletes all devices and closes their connections; clears faults, telemetry, counters and quota buckets. */
  reset(): void;
  setFault(deviceId: string, fault: DeviceFault | null): void;
  setHubFault(fault: HubFault | null): void;
  /** Captured device-to-cloud messages, oldest first (the most recent 10,000 are kept). */
  telemetry(deviceId?: string): TelemetryMessage[];
  counters(): CounterSnapshot;
  connectVirtualDevice(deviceId: string, handler: VirtualDeviceHandler): VirtualDeviceConnection;
}

/** A device's symmetric-key credentials, shaped as the device SDK's SharedAccessKeyAuthenticationProvider takes them. */
export interface DeviceCredentials {
  host: string;
  deviceId: string;
  sharedAccessKey: string;
  /** `<hostName>:<mqttPort>` (the bare host name on 8883): where the device SDK connects over MQTT. */
  gatewayHostName: string;
}
