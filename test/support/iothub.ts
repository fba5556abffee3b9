// Test helpers that connect the UNMODIFIED Azure IoT SDKs to a running emulator.
// Service side: research/iothub-emulator.md §2.3 recipe A — the public constructors, then an https.Agent whose
// defaultPort is the emulator's HTTPS port, set with restApiClient.setOptions AFTER construction (the constructors
// install their own agent). Device side: the device SDK's own SAS authentication provider over MQTT.
import { createHmac } from 'node:crypto';
import * as https from 'node:https';
import { after, before } from 'node:test';
import mqtt, { type MqttClient } from 'mqtt';
import { Amqp, Client as ServiceClient, ConnectionString, JobClient, Registry, SharedAccessSignature } from 'azure-iothub';
import { NoRetry } from 'azure-iot-common';
import { Client as DeviceClient } from 'azure-iot-device';
import { Mqtt, MqttWs } from 'azure-iot-device-mqtt';
import { SharedAccessKeyAuthenticationProvider } from 'azure-iot-device';
import { startIotHubEmulator, type IotHubEmulatorOptions, type RunningIotHubEmulator, type ServicePolicyName } from '../../local/iothub/index';

// RestApiClient is not re-exported from the package root; the bundled copy is the one the SDK itself uses.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { RestApiClient } = require('azure-iothub/dist/common-http/rest_api_client') as {
  RestApiClient: new (config: unknown, userAgent: string) => { setOptions(options: unknown): void };
};
/**
 * The error classes the service SDK throws: it bundles its own copy (dist/common-core/errors), so instanceof checks
 * against azure-iot-common's classes would fail.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const serviceErrors = require('azure-iothub/dist/common-core/errors') as typeof import('azure-iot-common').errors;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const servicePackage = require('azure-iothub/package.json') as { name: string; version: string };

export interface ServiceClients {
  registry: Registry;
  client: ServiceClient;
  jobs: JobClient;
  /** The keep-alive agent the clients share; destroyed by close(). */
  agent: https.Agent;
  /** Invokes a direct method; resolves with the device's `{ status, payload }` or rejects with the SDK error. */
  invoke(deviceId: string, methodName: string, payload?: unknown, responseTimeoutInSeconds?: number): Promise<{ status: number; payload: unknown }>;
  /** The registry's connectionState of the device ('Connected' / 'Disconnected'). */
  connectionState(deviceId: string): Promise<string | undefined>;
  /** The device twin's reported properties, $metadata and $version included. */
  reported(deviceId: string): Promise<Record<string, unknown>>;
  close(): void;
}

/** An agent that reaches the emulator's HTTPS port and trusts its CA. */
export function emulatorAgent(emulator: RunningIotHubEmulator): https.Agent {
  const agent = new https.Agent({ keepAlive: true, ca: emulator.caCertPem });
  (agent as https.Agent & { defaultPort: number }).defaultPort = emulator.httpsPort;
  return agent;
}

/** `Registry`, `Client` and `JobClient` for one of the hub's shared access policies (iothubowner by default). */
export function serviceClients(emulator: RunningIotHubEmulator, policy: ServicePolicyName = 'iothubowner'): ServiceClients {
  const cs = ConnectionString.parse(emulator.serviceConnectionStringFor(policy));
  const host = emulator.hostName; // the SAS `sr` and Host header use the bare host name; the port comes from the agent
  const config = {
    host,
    keyName: cs.SharedAccessKeyName,
    // An object (not a string) so RestApiClient re-signs it for an hour on every call.
    sharedAccessSignature: SharedAccessSignature.create(host, cs.SharedAccessKeyName as string, cs.SharedAccessKey as string, Math.ceil(Date.now() / 1000) + 3600),
  };
  const restApiClient = new RestApiClient(config, `${servicePackage.name}/${servicePackage.version}`);
  /* eslint-disable @typescript-eslint/no-explicit-any -- the SDK's public constructors take its internal config types */
  const registry = new Registry(config as any, restApiClient as any);
  const client = new ServiceClient(new Amqp(config as any), restApiClient as any);
  const jobs = new JobClient(restApiClient as any);
  /* eslint-enable @typescript-eslint/no-explicit-any */
  const agent = emulatorAgent(emulator);
  restApiClient.setOptions({ http: { agent } });
  return {
    registry,
    client,
    jobs,
    agent,
    async invoke(deviceId, methodName, payload = null, responseTimeoutInSeconds = 10) {
      const { result } = await client.invokeDeviceMethod(deviceId, { methodName, payload, responseTimeoutInSeconds });
      return result as { status: number; payload: unknown };
    },
    async connectionState(deviceId) {
      return (await registry.get(deviceId)).responseBody.connectionState;
    },
    async reported(deviceId) {
      return (await registry.getTwin(deviceId)).responseBody.properties.reported as Record<string, unknown>;
    },
    close: () => agent.destroy(),
  };
}

export interface IotHubFixture {
  /** The running emulator; readable from the suite's first before hook on. */
  readonly emulator: RunningIotHubEmulator;
  /** serviceClients(emulator) with the method Client's retries off. */
  readonly service: ServiceClients;
}

/**
 * Registers before/after hooks in the enclosing suite (or file) that start an emulator with service clients and
 * stop both. The Client does not retry: the SDK would retry 429/5xx for up to 4 minutes, tests want the hub's first
 * answer.
 */
export function useIotHubEmulator(options: IotHubEmulatorOptions = {}): IotHubFixture {
  let running: { emulator: RunningIotHubEmulator; service: ServiceClients } | undefined;
  before(async () => {
    const emulator = await startIotHubEmulator(options);
    const service = serviceClients(emulator);
    service.client.setRetryPolicy(new NoRetry());
    running = { emulator, service };
  });
  after(async () => {
    running?.service.close();
    await running?.emulator.stop();
    running = undefined;
  });
  const current = () => {
    if (!running) throw new Error('The IoT Hub emulator is used outside the suite that started it.');
    return running;
  };
  return {
    get emulator() {
      return current().emulator;
    },
    get service() {
      return current().service;
    },
  };
}

/** The device's primary key (works for ids containing ';' or '=', which a connection string cannot carry). */
export function deviceKey(emulator: RunningIotHubEmulator, deviceId: string): string {
  return emulator.deviceCredentials(deviceId).sharedAccessKey;
}

export interface DeviceClientOptions {
  /** Sign with this key instead of the device's primary key. */
  key?: string;
  /** Token lifetime in seconds (default: the SDK's 3600). */
  tokenValidSeconds?: number;
}

/**
 * An unopened `azure-iot-device` Client over MQTT, built with the SDK's own SharedAccessKeyAuthenticationProvider
 * (so any device id works, even one a connection string cannot carry), trusting the emulator's CA.
 * setOptions must be awaited: the SDK first tries to read `ca` as a file name and applies it asynchronously.
 */
export async function deviceClient(emulator: RunningIotHubEmulator, deviceId: string, options: DeviceClientOptions = {}): Promise<DeviceClient> {
  const provider = new SharedAccessKeyAuthenticationProvider(
    {
      host: emulator.hostName,
      deviceId,
      sharedAccessKey: options.key ?? deviceKey(emulator, deviceId),
      gatewayHostName: `${emulator.hostName}:${emulator.mqttPort}`,
    },
    options.tokenValidSeconds,
    options.tokenValidSeconds === undefined ? undefined : Math.max(1, Math.floor(options.tokenValidSeconds / 4)),
  );
  const client = DeviceClient.fromAuthenticationProvider(provider, Mqtt);
  await client.setOptions({ ca: emulator.caCertPem });
  return client;
}

/** deviceClient() and open(). */
export async function openDeviceClient(emulator: RunningIotHubEmulator, deviceId: string, options: DeviceClientOptions = {}): Promise<DeviceClient> {
  const client = await deviceClient(emulator, deviceId, options);
  await client.open();
  return client;
}

export interface RestCallOptions {
  body?: unknown;
  headers?: Record<string, string>;
  /** Sign with this shared access policy (default iothubowner); `null` sends no Authorization header. */
  policy?: ServicePolicyName | null;
  /** A complete Authorization header value to send instead. */
  authorization?: string;
}

export interface RestCallResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON when the response is JSON, else the text. */
  body: unknown;
}

/** A raw HTTPS call to the emulator, for what the SDK cannot express (or would retry for minutes). */
export function restCall(emulator: RunningIotHubEmulator, method: string, path: string, options: RestCallOptions = {}): Promise<RestCallResult> {
  const headers: Record<string, string> = { ...(options.headers ?? {}) };
  if (options.authorization !== undefined) {
    headers.authorization = options.authorization;
  } else if (options.policy !== null) {
    const cs = ConnectionString.parse(emulator.serviceConnectionStringFor(options.policy ?? 'iothubowner'));
    headers.authorization = SharedAccessSignature.create(emulator.hostName, cs.SharedAccessKeyName as string, cs.SharedAccessKey as string, Math.ceil(Date.now() / 1000) + 600).toString();
  }
  const payload = options.body === undefined ? undefined : Buffer.from(typeof options.body === 'string' ? options.body : JSON.stringify(options.body));
  if (payload) {
    headers['content-type'] ??= 'application/json; charset=utf-8';
    headers['content-length'] = String(payload.length);
  }
  const separator = path.includes('?') ? '&' : '?';
  return new Promise((resolve, reject) => {
    const request = https.request(
      {
        host: '127.0.0.1',
        servername: emulator.hostName,
        port: emulator.httpsPort,
        method,
        path: path.startsWith('/_emulator') ? path : `${path}${separator}api-version=2021-04-12`,
        headers,
        ca: emulator.caCertPem,
        agent: false,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const json = String(response.headers['content-type'] ?? '').includes('application/json');
          resolve({ status: response.statusCode ?? 0, headers: response.headers, body: json && text ? JSON.parse(text) : text });
        });
      },
    );
    request.on('error', reject);
    if (payload) request.write(payload);
    request.end();
  });
}

/**
 * A SAS token built from first principles (not with emulator code): HMAC-SHA256 over "<sr as sent>\n<se>".
 * `resource` is signed as given; `encode` URL-encodes it first, as the device SDK does.
 */
export function sasToken(resource: string, key: string, expiresInSeconds: number, options: { keyName?: string; encode?: boolean } = {}): string {
  const sr = options.encode === false ? resource : encodeURIComponent(resource);
  const se = Math.floor(Date.now() / 1000) + expiresInSeconds;
  const sig = createHmac('sha256', Buffer.from(key, 'base64')).update(`${sr}\n${se}`).digest('base64');
  return `SharedAccessSignature sr=${sr}&sig=${encodeURIComponent(sig)}&se=${se}${options.keyName ? `&skn=${options.keyName}` : ''}`;
}

/** The key of one of the hub's shared access policies, read from its connection string. */
export function policyKey(emulator: RunningIotHubEmulator, policy: ServicePolicyName): string {
  return String(ConnectionString.parse(emulator.serviceConnectionStringFor(policy)).SharedAccessKey);
}

export interface RawMqttOptions {
  clientId: string;
  username?: string;
  password?: string;
}

/** A plain MQTT 3.1.1 client (mqtt.js 5) over TLS, for protocol-level checks the device SDK hides. */
export function rawMqttConnect(emulator: RunningIotHubEmulator, options: RawMqttOptions): Promise<MqttClient> {
  const client = mqtt.connect(`mqtts://${emulator.hostName}:${emulator.mqttPort}`, {
    protocolVersion: 4,
    clientId: options.clientId,
    username: options.username ?? `${emulator.hostName}/${options.clientId}/?api-version=2021-04-12`,
    password: options.password,
    ca: emulator.caCertPem,
    reconnectPeriod: 0,
    clean: true,
  });
  return new Promise((resolve, reject) => {
    client.once('connect', () => resolve(client));
    client.once('error', (error) => {
      client.end(true);
      reject(error);
    });
  });
}

/** The status code of an HTTP error the service SDK raised. */
export function httpStatus(error: unknown): number | undefined {
  return (error as { response?: { statusCode?: number } }).response?.statusCode;
}

/**
 * The hub's numeric error code (404103, 504101, …) from a service SDK error: `errorCode` in the body, or nested as
 * JSON in the body's `Message` as direct-method failures carry it (research iothub-emulator.md §5.3), or a numeric
 * `iothub-errorcode` header.
 */
export function hubErrorCode(error: unknown): number | undefined {
  const e = error as { response?: { headers?: Record<string, string | string[] | undefined> }; responseBody?: unknown };
  const body = typeof e.responseBody === 'string' ? parseJson(e.responseBody) : e.responseBody;
  const direct = (body as { errorCode?: unknown } | undefined)?.errorCode;
  if (typeof direct === 'number') return direct;
  const nested = (body as { Message?: unknown } | undefined)?.Message;
  if (typeof nested === 'string') {
    const code = (parseJson(nested.replace(/^ErrorCode:[^;]*;/, '')) as { errorCode?: unknown } | undefined)?.errorCode;
    if (typeof code === 'number') return code;
  }
  const header = e.response?.headers?.['iothub-errorcode'];
  return typeof header === 'string' && /^\d+$/.test(header) ? Number(header) : undefined;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The SDK's Twin/Device typings omit fields the service returns (connectionState, lastActivityTime, type…). */
export function fields(value: unknown): Record<string, unknown> {
  return value as Record<string, unknown>;
}

/** `value.a.b.c` through plain objects (twin JSON), undefined when a step is missing. */
export function at(value: unknown, ...path: string[]): unknown {
  let current = value;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/** Polls `read` until `accept` holds; returns the accepted value or throws with the last one seen. */
export async function pollUntil<T>(read: () => Promise<T>, accept: (value: T) => boolean, what: string, timeoutMs = 10_000, everyMs = 25): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() <= deadline) {
    last = await read();
    if (accept(last)) return last;
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
  throw new Error(`timed out waiting for ${what}; last seen: ${JSON.stringify(last)}`);
}

/** pollUntil for a yes/no condition. */
export async function waitUntil(condition: () => Promise<boolean>, what = 'the condition', timeoutMs = 5000): Promise<void> {
  await pollUntil(condition, (met) => met, what, timeoutMs, 20);
}

/**
 * An https.Agent that delivers every connection to the emulator's HTTPS port. MqttWs always dials
 * wss://<host>:443/$iothub/websocket; the device SDK's documented `mqtt.webSocketAgent` option (meant for proxies)
 * is how a test reaches an emulator on a free port instead of 443.
 */
export function webSocketAgentFor(emulator: RunningIotHubEmulator): https.Agent {
  const port = emulator.httpsPort;
  class EmulatorPortAgent extends https.Agent {
    override createConnection(options: Record<string, unknown>, callback?: unknown): ReturnType<https.Agent['createConnection']> {
      const base = https.Agent.prototype.createConnection as (this: https.Agent, o: Record<string, unknown>, cb?: unknown) => ReturnType<https.Agent['createConnection']>;
      return base.call(this, { ...options, port, host: '127.0.0.1', servername: emulator.hostName }, callback);
    }
  }
  return new EmulatorPortAgent({ ca: emulator.caCertPem });
}

/** An opened `azure-iot-device` Client over MQTT over WebSockets (MqttWs), reaching the emulator's HTTPS port. */
export async function openWebSocketDeviceClient(emulator: RunningIotHubEmulator, deviceId: string): Promise<DeviceClient> {
  const provider = new SharedAccessKeyAuthenticationProvider({ host: emulator.hostName, deviceId, sharedAccessKey: deviceKey(emulator, deviceId) });
  const client = DeviceClient.fromAuthenticationProvider(provider, MqttWs);
  await client.setOptions({ ca: emulator.caCertPem, mqtt: { webSocketAgent: webSocketAgentFor(emulator) } });
  await client.open();
  return client;
}

/** The job as JobClient.getJob returns it (JobResponse JSON). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function jobOf(jobs: JobClient, jobId: string): Promise<Record<string, any>> {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return (await jobs.getJob(jobId)).jobStatus as Record<string, any>;
}

/** Reads the job until it reaches `status`, every 100 ms (getJob counts against the jobs-operations throttle). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function jobReaching(jobs: JobClient, jobId: string, status: string, timeoutMs = 15_000): Promise<Record<string, any>> {
  return pollUntil(() => jobOf(jobs, jobId), (job) => job.status === status, `job ${jobId} ${status}`, timeoutMs, 100);
}
