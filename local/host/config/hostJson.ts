// The host.json settings this host honours, with `%SETTING%` indirection resolved from app settings
// like the Functions host (hubName may be "%MyTaskHub%").
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface HostSettings {
  routePrefix: string;
  hubName: string;
  /**
   * "NonRunningStates" (the extension's default, DurableTaskOptions) refuses to start over a Pending, Running,
   * ContinuedAsNew or Suspended instance; "AnyState" overwrites it.
   */
  overridableExistingInstanceStates: 'AnyState' | 'NonRunningStates';
  maxConcurrentActivityFunctions: number;
  maxConcurrentOrchestratorFunctions: number;
  /** functionTimeout in ms; undefined = unlimited. */
  functionTimeoutMs: number | undefined;
  /** extensions.eventHubs as written, for the Event Hubs trigger (eventHubs/eventHubsOptions.ts reads it). */
  eventHubs: unknown;
}

function resolveSetting(value: string, env: NodeJS.ProcessEnv): string {
  const match = /^%(.+)%$/.exec(value);
  if (!match) return value;
  const resolved = env[match[1]!];
  if (resolved === undefined || resolved === '') throw new Error(`host.json refers to app setting "${match[1]}", which is not set.`);
  return resolved;
}

/** Task hub names: 3-45 alphanumeric characters starting with a letter (learn.microsoft.com, durable task hubs, "Task hub names"). */
export function validateHubName(hubName: string): string {
  if (!/^[A-Za-z][A-Za-z0-9]{2,44}$/.test(hubName)) {
    throw new Error(`Task hub name "${hubName}" is invalid: use 3-45 letters or digits, starting with a letter.`);
  }
  return hubName;
}

function parseOverridable(value: unknown): HostSettings['overridableExistingInstanceStates'] {
  if (value === undefined) return 'NonRunningStates';
  // The extension binds the enum case-insensitively; anything else is a configuration error at startup.
  if (typeof value === 'string' && /^anystate$/i.test(value)) return 'AnyState';
  if (typeof value === 'string' && /^nonrunningstates$/i.test(value)) return 'NonRunningStates';
  throw new Error(`host.json extensions.durableTask.overridableExistingInstanceStates must be "NonRunningStates" or "AnyState", not ${JSON.stringify(value)}.`);
}

/**
 * host.json functionTimeout ("hh:mm:ss", "d.hh:mm:ss", or "-1" for none) in ms. The default when absent is
 * 30 minutes, what the Functions host uses outside the Consumption plan (learn.microsoft.com,
 * "Function app time-out duration"; Consumption uses 5).
 */
export function parseFunctionTimeout(value: unknown): number | undefined {
  if (value === undefined || value === null) return 30 * 60_000;
  if (value === '-1' || value === -1) return undefined;
  const match = typeof value === 'string' ? /^(?:(\d+)\.)?(\d{1,2}):(\d{2}):(\d{2})(?:\.(\d+))?$/.exec(value) : null;
  if (!match) throw new Error(`host.json functionTimeout must be a time span such as "00:10:00" or "-1", not ${JSON.stringify(value)}.`);
  const [, days, hours, minutes, seconds, fraction] = match;
  const ms = (((Number(days ?? 0) * 24 + Number(hours)) * 60 + Number(minutes)) * 60 + Number(seconds)) * 1000 + Math.round(Number(`0.${fraction ?? '0'}`) * 1000);
  if (ms <= 0) throw new Error(`host.json functionTimeout must be positive or "-1", not ${JSON.stringify(value)}.`);
  return ms;
}

export function readHostSettings(appRoot: string, env: NodeJS.ProcessEnv): HostSettings {
  let json: Record<string, unknown> = {};
  const file = path.join(appRoot, 'host.json');
  if (fs.existsSync(file)) json = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  const extensions = (json.extensions ?? {}) as Record<string, Record<string, unknown> | undefined>;
  const http = extensions.http ?? {};
  const durable = extensions.durableTask ?? {};
  const routePrefix = typeof http.routePrefix === 'string' ? http.routePrefix.replace(/^\/+|\/+$/g, '') : 'api';
  const hubName = validateHubName(resolveSetting(typeof durable.hubName === 'string' ? durable.hubName : 'TestHubName', env));
  const overridable = parseOverridable(durable.overridableExistingInstanceStates);
  const cores = Math.max(1, (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency ?? 2);
  const num = (v: unknown, fallback: number) => (typeof v === 'number' && v > 0 ? Math.floor(v) : fallback);
  return {
    routePrefix,
    hubName,
    overridableExistingInstanceStates: overridable,
    // Durable Functions defaults: 10 x processor count for both (durable-functions-perf-and-scale).
    maxConcurrentActivityFunctions: num(durable.maxConcurrentActivityFunctions, 10 * cores),
    maxConcurrentOrchestratorFunctions: num(durable.maxConcurrentOrchestratorFunctions, 10 * cores),
    functionTimeoutMs: parseFunctionTimeout(json.functionTimeout),
    eventHubs: extensions.eventHubs,
  };
}
