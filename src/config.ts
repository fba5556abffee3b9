// App settings: every name the app reads is listed here, read and validated once. A missing or malformed
// setting fails with one line naming it; setting values (keys, connection strings) never appear in messages.
import * as fs from 'node:fs';
import { allOperations, type OperationKind } from './domain/operations/registry';
import type { RetryPolicies, RetrySpec } from './orchestrations/deviceOperationInput';
import { DEFAULT_STATUS_HOLD_SECONDS, MAX_STATUS_HOLD_SECONDS } from './http/statusHold';

/** Settings the app code reads. */
export const SETTING = Object.freeze({
  iotHubConnectionString: 'IOTHUB_CONNECTION_STRING',
  iotHubHostName: 'IOTHUB_HOST_NAME',
  iotHubCaCert: 'IOTHUB_CA_CERT',
  iotHubCaCertPath: 'IOTHUB_CA_CERT_PATH',
  operationsStorage: 'OPERATIONS_STORAGE',
  operationsTableEndpoint: 'OPERATIONS_TABLE_ENDPOINT',
  operationsTableName: 'OPERATIONS_TABLE_NAME',
  rebootMethodName: 'REBOOT_METHOD_NAME',
  factoryResetMethodName: 'FACTORY_RESET_METHOD_NAME',
  firmwareUpdateMethodName: 'FIRMWARE_UPDATE_METHOD_NAME',
  invokeMaxAttempts: 'METHOD_INVOKE_MAX_ATTEMPTS',
  invokeFirstRetryMs: 'METHOD_INVOKE_FIRST_RETRY_MS',
  invokeMaxRetryMs: 'METHOD_INVOKE_MAX_RETRY_MS',
  readMaxAttempts: 'TWIN_READ_MAX_ATTEMPTS',
  startGraceSeconds: 'OPERATION_START_GRACE_SECONDS',
  callbackAllowLoopback: 'CALLBACK_ALLOW_LOOPBACK',
  rolloutBatchSize: 'ROLLOUT_BATCH_SIZE',
  iotHubSku: 'IOTHUB_SKU',
  iotHubUnits: 'IOTHUB_UNITS',
  rolloutQuotaShare: 'ROLLOUT_QUOTA_SHARE',
  /** Twin change events (issue 14): the Event Hubs connection setting name's prefix, the hub and consumer group. */
  twinEventsConnection: 'IOTHUB_EVENTS_CONNECTION',
  twinEventsName: 'IOTHUB_EVENTS_NAME',
  twinEventsConsumerGroup: 'IOTHUB_EVENTS_CONSUMER_GROUP',
  twinEventsPollIntervalSeconds: 'TWIN_EVENTS_POLL_INTERVAL_SECONDS',
  /** The longest the status route holds a request while a change is expected (src/http/statusHold.ts). */
  statusHoldSeconds: 'OPERATION_STATUS_HOLD_SECONDS',
} as const);

/**
 * An identity-based Event Hubs connection is a group of settings under one prefix; the Functions Event Hubs
 * extension reads `<prefix>__fullyQualifiedNamespace` (functions-reference "Configure an identity-based connection").
 */
export const IDENTITY_CONNECTION_SUFFIX = '__fullyQualifiedNamespace';
export const DEFAULT_TWIN_EVENTS_CONSUMER_GROUP = '$Default';
/** With twin change events waking operations, the twin is read on a timer only as a slow safety net. */
export const DEFAULT_TWIN_EVENTS_POLL_INTERVAL_SECONDS = 30;

/**
 * Settings the Functions host and the Durable extension read (host.json refers to DURABLE_TASK_HUB_NAME).
 * @public The app never reads them itself; the deployment and config tests check that each one is set.
 */
export const HOST_SETTING = Object.freeze({
  webJobsStorage: 'AzureWebJobsStorage',
  workerRuntime: 'FUNCTIONS_WORKER_RUNTIME',
  taskHubName: 'DURABLE_TASK_HUB_NAME',
} as const);

export const DEFAULT_OPERATIONS_STORAGE = 'UseDevelopmentStorage=true';
export const DEFAULT_OPERATIONS_TABLE = 'DeviceOperations';
/** The device leases live in a table named after the operations table. */
export const LEASE_TABLE_SUFFIX = 'Leases';
/** Callback URLs (secrets, kept out of the orchestration) live in a table named after the operations table. */
export const CALLBACK_TABLE_SUFFIX = 'Hooks';

export type IotHubAccess =
  /** Service policy connection string. `port` is set when HostName carries `host:port` (an emulator). */
  | { kind: 'connectionString'; connectionString: string; hostName: string; port: number | null; policyName: string; key: string }
  /** Managed identity / any DefaultAzureCredential source (Azure RBAC on the hub). */
  | { kind: 'managedIdentity'; hostName: string; port: number | null };

export type OperationsStorage =
  | { kind: 'connectionString'; connectionString: string }
  | { kind: 'managedIdentity'; endpoint: string };

export interface AppConfig {
  iotHub: IotHubAccess;
  /** PEM text of an extra CA to trust for the hub (a local emulator's self-signed CA); null on Azure. */
  iotHubCaPem: string | null;
  operations: OperationsStorage;
  operationsTableName: string;
  leaseTableName: string;
  /** The direct method each operation kind sends. */
  methodNames: Readonly<Record<OperationKind, string>>;
  retry: RetryPolicies;
  /** How long a start may sit before its orchestration claims the device; past it, the device can be taken over. */
  startGraceMs: number;
  callbackTableName: string;
  callbacks: CallbackSettings;
  /** Twin change events routed from IoT Hub wake running operations; null = polling only. */
  twinEvents: TwinEventsSettings | null;
  /** The status route's hold while a change is expected; 0 answers at once. */
  statusHoldMs: number;
}

export interface TwinEventsSettings {
  /** Name of the connection setting (or setting prefix) the Event Hubs trigger reads: IOTHUB_EVENTS_CONNECTION. */
  connection: string;
  eventHubName: string;
  consumerGroup: string;
  /** The default poll interval of operations started while events are on (a caller's pollIntervalSeconds wins). */
  pollIntervalSeconds: number;
}

export interface CallbackSettings {
  /** Loopback callback URLs (http allowed) for a local Logic Apps stand-in; never on Azure. */
  allowLoopback: boolean;
  /** Attempts at the completion callback: 408, 429, 5xx and network failures are retried with backoff. */
  retry: RetrySpec;
}

export class ConfigError extends Error {
  constructor(readonly setting: string, problem: string) {
    super(`Invalid app setting ${setting}: ${problem}`);
    this.name = 'ConfigError';
  }
}

type Env = Readonly<Record<string, string | undefined>>;

export function loadConfig(env: Env = process.env): AppConfig {
  const read = (name: string): string | undefined => {
    const value = env[name];
    return value === undefined || value.trim() === '' ? undefined : value.trim();
  };

  const iotHub = readIotHubAccess(read);
  const operations = readOperationsStorage(read);
  const tableName = read(SETTING.operationsTableName) ?? DEFAULT_OPERATIONS_TABLE;
  // Azure Tables: 3–63 alphanumeric characters, not starting with a digit (the lease table adds a suffix).
  const maxTableName = 63 - Math.max(LEASE_TABLE_SUFFIX.length, CALLBACK_TABLE_SUFFIX.length);
  if (!new RegExp(`^[A-Za-z][A-Za-z0-9]{2,${maxTableName - 1}}$`).test(tableName)) {
    throw new ConfigError(SETTING.operationsTableName, `must be 3–${maxTableName} letters or digits, starting with a letter.`);
  }
  const methodNames = {} as Record<OperationKind, string>;
  for (const definition of allOperations()) {
    const name = read(definition.methodNameSetting) ?? definition.defaultMethodName;
    if (!/^[A-Za-z0-9_.-]{1,100}$/.test(name)) throw new ConfigError(definition.methodNameSetting, 'must be 1–100 letters, digits, _ . or -.');
    methodNames[definition.kind] = name;
  }
  const integer = (name: string, min: number, max: number, fallback: number): number => {
    const text = read(name);
    if (text === undefined) return fallback;
    const value = Number(text);
    if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value < min || value > max) {
      throw new ConfigError(name, `must be an integer from ${min} to ${max}.`);
    }
    return value;
  };
  const invoke: RetrySpec = {
    maxAttempts: integer(SETTING.invokeMaxAttempts, 1, 20, 5),
    firstRetryIntervalMs: integer(SETTING.invokeFirstRetryMs, 100, 600_000, 2_000),
    maxRetryIntervalMs: integer(SETTING.invokeMaxRetryMs, 100, 3_600_000, 60_000),
    backoffCoefficient: 2,
  };
  if (invoke.maxRetryIntervalMs < invoke.firstRetryIntervalMs) {
    throw new ConfigError(SETTING.invokeMaxRetryMs, `must not be less than ${SETTING.invokeFirstRetryMs}.`);
  }
  const read_: RetrySpec = {
    maxAttempts: integer(SETTING.readMaxAttempts, 1, 20, 3),
    firstRetryIntervalMs: 1_000, maxRetryIntervalMs: 10_000, backoffCoefficient: 2,
  };
  const record: RetrySpec = { maxAttempts: 5, firstRetryIntervalMs: 1_000, maxRetryIntervalMs: 30_000, backoffCoefficient: 2 };

  return Object.freeze({
    iotHub,
    iotHubCaPem: readCa(read),
    operations,
    operationsTableName: tableName,
    leaseTableName: `${tableName}${LEASE_TABLE_SUFFIX}`,
    methodNames: Object.freeze(methodNames),
    retry: { invoke, read: read_, record },
    startGraceMs: integer(SETTING.startGraceSeconds, 5, 3600, 60) * 1000,
    callbackTableName: `${tableName}${CALLBACK_TABLE_SUFFIX}`,
    callbacks: {
      allowLoopback: boolean(read, SETTING.callbackAllowLoopback, false),
      retry: { maxAttempts: 6, firstRetryIntervalMs: 2_000, maxRetryIntervalMs: 60_000, backoffCoefficient: 2 },
    },
    twinEvents: readTwinEvents(read, integer),
    statusHoldMs: integer(SETTING.statusHoldSeconds, 0, MAX_STATUS_HOLD_SECONDS, DEFAULT_STATUS_HOLD_SECONDS) * 1000,
  });
}

/**
 * Events are on when the connection is set, as a connection string or as an identity-based connection
 * (`IOTHUB_EVENTS_CONNECTION__fullyQualifiedNamespace`); the Event Hub name is then required.
 */
export function readTwinEvents(read: Reader, integer: (name: string, min: number, max: number, fallback: number) => number): TwinEventsSettings | null {
  const connection = SETTING.twinEventsConnection;
  if (read(connection) === undefined && read(`${connection}${IDENTITY_CONNECTION_SUFFIX}`) === undefined) return null;
  const eventHubName = read(SETTING.twinEventsName);
  // Event Hub names: 1–256 letters, digits, periods, hyphens and underscores, starting and ending with a letter or digit.
  if (eventHubName === undefined || !/^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,254}[A-Za-z0-9])?$/.test(eventHubName)) {
    throw new ConfigError(SETTING.twinEventsName, `must name the Event Hub (or the hub's Event Hub-compatible name) when ${connection} is set.`);
  }
  const consumerGroup = read(SETTING.twinEventsConsumerGroup) ?? DEFAULT_TWIN_EVENTS_CONSUMER_GROUP;
  if (!/^(\$Default|[A-Za-z0-9](?:[A-Za-z0-9._-]{0,48}[A-Za-z0-9])?)$/.test(consumerGroup)) {
    throw new ConfigError(SETTING.twinEventsConsumerGroup, 'must be $Default or 1–50 letters, digits, periods, hyphens or underscores.');
  }
  return {
    connection, eventHubName, consumerGroup,
    pollIntervalSeconds: integer(SETTING.twinEventsPollIntervalSeconds, 1, 300, DEFAULT_TWIN_EVENTS_POLL_INTERVAL_SECONDS),
  };
}

type Reader = (name: string) => string | undefined;

function boolean(read: Reader, name: string, fallback: boolean): boolean {
  const text = read(name);
  if (text === undefined) return fallback;
  if (/^(true|false)$/i.test(text)) return text.toLowerCase() === 'true';
  throw new ConfigError(name, 'must be true or false.');
}

function readIotHubAccess(read: Reader): IotHubAccess {
  const connectionString = read(SETTING.iotHubConnectionString);
  const hostName = read(SETTING.iotHubHostName);
  if (connectionString !== undefined && hostName !== undefined) {
    throw new ConfigError(SETTING.iotHubHostName, `set either ${SETTING.iotHubConnectionString} or ${SETTING.iotHubHostName}, not both.`);
  }
  if (connectionString !== undefined) return parseServiceConnectionString(connectionString);
  if (hostName !== undefined) {
    const { host, port } = parseHostAndPort(hostName, SETTING.iotHubHostName);
    return { kind: 'managedIdentity', hostName: host, port };
  }
  throw new ConfigError(SETTING.iotHubConnectionString,
    `missing: set it to an IoT Hub service connection string, or set ${SETTING.iotHubHostName} to use a managed identity.`);
}

/** `HostName=<host[:port]>;SharedAccessKeyName=<policy>;SharedAccessKey=<base64>` (order free, as the SDK parses it). */
export function parseServiceConnectionString(text: string): Extract<IotHubAccess, { kind: 'connectionString' }> {
  const name = SETTING.iotHubConnectionString;
  const fields = new Map<string, string>();
  for (const part of text.split(';')) {
    if (part.trim() === '') continue;
    const eq = part.indexOf('=');
    if (eq <= 0) throw new ConfigError(name, 'is not a list of Key=Value pairs separated by semicolons.');
    fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  if (fields.has('DeviceId')) throw new ConfigError(name, 'is a device connection string; use a service policy (e.g. service or iothubowner).');
  const hostField = fields.get('HostName');
  const policyName = fields.get('SharedAccessKeyName');
  const key = fields.get('SharedAccessKey');
  if (hostField === undefined || hostField === '') throw new ConfigError(name, 'has no HostName.');
  if (policyName === undefined || policyName === '') throw new ConfigError(name, 'has no SharedAccessKeyName (the shared access policy).');
  if (key === undefined || key === '') throw new ConfigError(name, 'has no SharedAccessKey.');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(key) || Buffer.from(key, 'base64').length === 0) {
    throw new ConfigError(name, 'SharedAccessKey is not base64.');
  }
  const { host, port } = parseHostAndPort(hostField, name);
  return { kind: 'connectionString', connectionString: text, hostName: host, port, policyName, key };
}

function parseHostAndPort(value: string, setting: string): { host: string; port: number | null } {
  const match = /^([A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?)(?::(\d{1,5}))?$/.exec(value);
  if (match === null) throw new ConfigError(setting, 'HostName must be a DNS name or IPv4 address, optionally with :port.');
  const port = match[2] === undefined ? null : Number(match[2]);
  if (port !== null && (port < 1 || port > 65535)) throw new ConfigError(setting, 'the port must be 1–65535.');
  return { host: match[1]!, port };
}

function readOperationsStorage(read: Reader): OperationsStorage {
  const connectionString = read(SETTING.operationsStorage);
  const endpoint = read(SETTING.operationsTableEndpoint);
  if (connectionString !== undefined && endpoint !== undefined) {
    throw new ConfigError(SETTING.operationsTableEndpoint, `set either ${SETTING.operationsStorage} or ${SETTING.operationsTableEndpoint}, not both.`);
  }
  if (endpoint !== undefined) {
    let url: URL;
    try {
      url = new URL(endpoint);
    } catch {
      throw new ConfigError(SETTING.operationsTableEndpoint, 'is not a URL (expected https://<account>.table.core.windows.net).');
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      throw new ConfigError(SETTING.operationsTableEndpoint, 'must be an http(s) URL.');
    }
    return { kind: 'managedIdentity', endpoint: endpoint.replace(/\/+$/, '') };
  }
  const value = connectionString ?? DEFAULT_OPERATIONS_STORAGE;
  if (!/^UseDevelopmentStorage=true;?$/i.test(value)) {
    const keys = new Set(value.split(';').filter((p) => p.includes('=')).map((p) => p.slice(0, p.indexOf('=')).trim().toLowerCase()));
    const account = keys.has('accountname') && keys.has('accountkey');
    const sas = keys.has('sharedaccesssignature') && keys.has('tableendpoint');
    if (!account && !sas) {
      throw new ConfigError(SETTING.operationsStorage,
        'must be a storage connection string with AccountName and AccountKey (or TableEndpoint and SharedAccessSignature), or UseDevelopmentStorage=true.');
    }
  }
  return { kind: 'connectionString', connectionString: value };
}

function readCa(read: Reader): string | null {
  const pem = read(SETTING.iotHubCaCert);
  const path = read(SETTING.iotHubCaCertPath);
  if (pem !== undefined && path !== undefined) {
    throw new ConfigError(SETTING.iotHubCaCertPath, `set either ${SETTING.iotHubCaCert} or ${SETTING.iotHubCaCertPath}, not both.`);
  }
  let text: string | undefined;
  let source: string = SETTING.iotHubCaCert;
  if (pem !== undefined) {
    // App settings often carry PEM with literal "\n" sequences.
    text = pem.replace(/\\n/g, '\n');
  } else if (path !== undefined) {
    source = SETTING.iotHubCaCertPath;
    try {
      text = fs.readFileSync(path, 'utf8');
    } catch {
      throw new ConfigError(SETTING.iotHubCaCertPath, `cannot read the file ${path}.`);
    }
  }
  if (text === undefined) return null;
  if (!/-----BEGIN CERTIFICATE-----[\s\S]+-----END CERTIFICATE-----/.test(text)) {
    throw new ConfigError(source, 'does not contain a PEM certificate (-----BEGIN CERTIFICATE-----).');
  }
  return text;
}
