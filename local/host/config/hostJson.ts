// The host.json settings this host honours, with `%SETTING%` indirection resolved from app settings
// like the Functions host (hubName may be "%MyTaskHub%").
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface HostSettings {
  routePrefix: string;
  hubName: string;
  /** "AnyState" (default) overwrites an existing instance on start; "NonRunningStates" answers 409 for a running one. */
  overridableExistingInstanceStates: 'AnyState' | 'NonRunningStates';
  maxConcurrentActivityFunctions: number;
  maxConcurrentOrchestratorFunctions: number;
}

function resolveSetting(value: string, env: NodeJS.ProcessEnv): string {
  const match = /^%(.+)%$/.exec(value);
  if (!match) return value;
  const resolved = env[match[1]];
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

export function readHostSettings(appRoot: string, env: NodeJS.ProcessEnv): HostSettings {
  let json: Record<string, unknown> = {};
  const file = path.join(appRoot, 'host.json');
  if (fs.existsSync(file)) json = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  const extensions = (json.extensions ?? {}) as Record<string, Record<string, unknown> | undefined>;
  const http = extensions.http ?? {};
  const durable = extensions.durableTask ?? {};
  const routePrefix = typeof http.routePrefix === 'string' ? http.routePrefix.replace(/^\/+|\/+$/g, '') : 'api';
  const hubName = validateHubName(resolveSetting(typeof durable.hubName === 'string' ? durable.hubName : 'TestHubName', env));
  const overridable = durable.overridableExistingInstanceStates === 'NonRunningStates' ? 'NonRunningStates' : 'AnyState';
  const cores = Math.max(1, (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency ?? 2);
  const num = (v: unknown, fallback: number) => (typeof v === 'number' && v > 0 ? Math.floor(v) : fallback);
  return {
    routePrefix,
    hubName,
    overridableExistingInstanceStates: overridable,
    // Durable Functions defaults: 10 x processor count for both (durable-functions-perf-and-scale).
    maxConcurrentActivityFunctions: num(durable.maxConcurrentActivityFunctions, 10 * cores),
    maxConcurrentOrchestratorFunctions: num(durable.maxConcurrentOrchestratorFunctions, 10 * cores),
  };
}
