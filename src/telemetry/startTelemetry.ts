// Telemetry through the Azure Monitor OpenTelemetry distro (@azure/monitor-opentelemetry,
// https://learn.microsoft.com/azure/azure-monitor/app/opentelemetry-enable?tabs=nodejs), on only when
// APPLICATIONINSIGHTS_CONNECTION_STRING is set. Dependencies: HTTP (IoT Hub REST) and Azure SDK (Tables) calls.
// Requests and logs: the Functions host sends one request per invocation and forwards context.log lines as traces.
// Entra ID ingestion when APPLICATIONINSIGHTS_AUTHENTICATION_STRING says Authorization=AAD (the Functions setting,
// https://learn.microsoft.com/azure/azure-functions/functions-monitoring#enable-microsoft-entra-authentication).
import { trace } from '@opentelemetry/api';
import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { ManagedIdentityCredential } from '@azure/identity';
import { useAzureMonitor } from '@azure/monitor-opentelemetry';
import type { PreInvocationContext } from '@azure/functions';
import { traceInvocation } from './invocationSpan';
import { RedactingSpanProcessor } from './redactingSpanProcessor';

export const TELEMETRY_SETTING = Object.freeze({
  connectionString: 'APPLICATIONINSIGHTS_CONNECTION_STRING',
  authentication: 'APPLICATIONINSIGHTS_AUTHENTICATION_STRING',
} as const);

export const TRACER_NAME = 'iot-device-operations';

/** Where the invocation hook is registered: `app.hook` of @azure/functions. */
export interface HookRegistry {
  preInvocation(handler: (context: PreInvocationContext) => void): unknown;
}

export interface TelemetryOptions {
  /** Extra span processors (tests pass an in-memory exporter), run before the Azure Monitor exporter. */
  spanProcessors?: SpanProcessor[];
  /** Keep unsent telemetry on disk for retries (the exporter's default). Tests turn it off. */
  offlineStorage?: boolean;
}

type Env = Readonly<Record<string, string | undefined>>;

/** Parses `ClientId=<id>;Authorization=AAD`; null when Entra auth is not asked for. */
export function entraAuthentication(value: string | undefined): { clientId: string | undefined } | null {
  if (value === undefined) return null;
  const fields = new Map(value.split(';').map((part) => {
    const eq = part.indexOf('=');
    return [part.slice(0, eq).trim().toLowerCase(), part.slice(eq + 1).trim()] as const;
  }));
  if (fields.get('authorization')?.toUpperCase() !== 'AAD') return null;
  const clientId = fields.get('clientid');
  return { clientId: clientId === '' ? undefined : clientId };
}

/** Starts telemetry when configured; returns whether it did. Never logs the connection string. */
export function startTelemetry(env: Env, hooks: HookRegistry, options: TelemetryOptions = {}): boolean {
  const connectionString = env[TELEMETRY_SETTING.connectionString]?.trim();
  if (connectionString === undefined || connectionString === '') return false;
  const entra = entraAuthentication(env[TELEMETRY_SETTING.authentication]);
  useAzureMonitor({
    azureMonitorExporterOptions: {
      connectionString,
      disableOfflineStorage: options.offlineStorage === false,
      ...(entra === null ? {} : { credential: new ManagedIdentityCredential(entra.clientId === undefined ? {} : { clientId: entra.clientId }) }),
    },
    enableLiveMetrics: false,
    // Every span: device operations are few, and a rate-limited sample (the distro's default) would drop the
    // activity spans that carry outcomes. The host's own telemetry keeps host.json's sampling settings.
    samplingRatio: 1,
    tracesPerSecond: 0,
    instrumentationOptions: {
      http: { enabled: true },
      azureSdk: { enabled: true },
      mongoDb: { enabled: false },
      mySql: { enabled: false },
      postgreSql: { enabled: false },
      redis: { enabled: false },
      redis4: { enabled: false },
    },
    spanProcessors: [new RedactingSpanProcessor(), ...(options.spanProcessors ?? [])],
  });
  const tracer = trace.getTracer(TRACER_NAME);
  hooks.preInvocation((context) => traceInvocation(tracer, context));
  return true;
}
