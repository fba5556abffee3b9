// The service side of the device tests: the unmodified azure-iothub Registry and Client, pointed at the
// emulator through their public constructors and an https.Agent on its port (research iothub-emulator.md
// §2.3 recipe A), plus small polling helpers.
import * as https from 'node:https';
import { Amqp, Client, ConnectionString, Registry, SharedAccessSignature } from 'azure-iothub';
import { RestApiClient } from 'azure-iothub/dist/common-http/rest_api_client';
import { NoRetry } from 'azure-iot-common';

export interface EmulatorEndpoint {
  serviceConnectionString: string;
  httpsPort: number;
  caCertPem: string;
}

export interface ServiceSide {
  registry: Registry;
  client: Client;
  /** Invokes a direct method; resolves with the device's `{ status, payload }` or rejects with the SDK error. */
  invoke(deviceId: string, methodName: string, payload?: unknown, responseTimeoutInSeconds?: number): Promise<{ status: number; payload: unknown }>;
  connectionState(deviceId: string): Promise<string | undefined>;
  reported(deviceId: string): Promise<Record<string, unknown>>;
  close(): void;
}

export function serviceSide(emulator: EmulatorEndpoint): ServiceSide {
  const cn = ConnectionString.parse(emulator.serviceConnectionString);
  if (!cn.HostName || !cn.SharedAccessKeyName || !cn.SharedAccessKey) throw new Error('incomplete service connection string');
  // The SAS `sr` is the bare host name, as for a real hub; the port only reaches the socket, through the agent.
  const host = cn.HostName.split(':')[0];
  const config = {
    host,
    keyName: cn.SharedAccessKeyName,
    // An object (not a string) so the SDK re-signs it on every call.
    sharedAccessSignature: SharedAccessSignature.create(host, cn.SharedAccessKeyName, cn.SharedAccessKey, Math.ceil(Date.now() / 1000) + 3600),
  };
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const pkg = require('azure-iothub/package.json') as { name: string; version: string };
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the SDK's TransportConfig typings disagree with its own runtime shapes
  const rac = new RestApiClient(config as any, `${pkg.name}/${pkg.version}`);
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const registry = new Registry(config as any, rac);
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const client = new Client(new Amqp(config as any), rac); // the Amqp transport is never opened by invokeDeviceMethod
  // The SDK would otherwise retry 429/5xx for up to 4 minutes; tests want the hub's first answer.
  client.setRetryPolicy(new NoRetry());
  const agent = new https.Agent({ keepAlive: true, ca: emulator.caCertPem });
  // https.request uses agent.defaultPort when the request has no port (Node's public Agent property; untyped).
  (agent as https.Agent & { defaultPort: number }).defaultPort = emulator.httpsPort;
  rac.setOptions({ http: { agent } }); // after the constructors, which install their own agent
  return {
    registry,
    client,
    async invoke(deviceId, methodName, payload = null, responseTimeoutInSeconds = 10) {
      const { result } = await client.invokeDeviceMethod(deviceId, { methodName, payload, responseTimeoutInSeconds });
      return result as { status: number; payload: unknown };
    },
    async connectionState(deviceId) {
      const { responseBody } = await registry.get(deviceId);
      return responseBody.connectionState;
    },
    async reported(deviceId) {
      const { responseBody } = await registry.getTwin(deviceId);
      return responseBody.properties.reported as Record<string, unknown>;
    },
    close() {
      agent.destroy();
    },
  };
}

/** The hub's error code from an SDK error (`errorCode` in the body, possibly nested as JSON in `Message`). */
export function hubErrorCode(error: unknown): number | undefined {
  const e = error as { response?: { statusCode?: number; headers?: Record<string, string | string[] | undefined> }; responseBody?: unknown };
  const header = e.response?.headers?.['iothub-errorcode'];
  const body = typeof e.responseBody === 'string' ? safeJson(e.responseBody) : e.responseBody;
  const direct = (body as { errorCode?: unknown } | undefined)?.errorCode;
  if (typeof direct === 'number') return direct;
  const nested = (body as { Message?: unknown } | undefined)?.Message;
  if (typeof nested === 'string') {
    const inner = safeJson(nested.replace(/^ErrorCode:[^;]*;/, ''));
    const code = (inner as { errorCode?: unknown } | undefined)?.errorCode;
    if (typeof code === 'number') return code;
  }
  return typeof header === 'string' && /^\d+$/.test(header) ? Number(header) : undefined;
}

export function httpStatus(error: unknown): number | undefined {
  return (error as { response?: { statusCode?: number } }).response?.statusCode;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Polls `read` until `accept` holds; returns the accepted value or throws with the last one seen. */
export async function pollUntil<T>(read: () => Promise<T>, accept: (value: T) => boolean, what: string, timeoutMs = 10_000, everyMs = 25): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() <= deadline) {
    last = await read();
    if (accept(last)) return last;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`timed out waiting for ${what}; last seen: ${JSON.stringify(last)}`);
}

/** `value.a.b.c` for plain objects, undefined when a step is missing. */
export function at(value: unknown, ...path: string[]): unknown {
  let current = value;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}
