// Shared helpers of the local host tests: fixture locations and Durable HTTP API shortcuts.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startLocalHost, type LocalHost, type LocalHostOptions } from '../../../local/host/index';

/** The fixture folder in the source tree (tests also run compiled from dist/, where .cjs fixtures are not copied). */
export function fixtureApp(name: string): string {
  let dir = __dirname;
  for (;;) {
    const candidate = path.join(dir, 'test', 'local', 'host', 'fixtures', name);
    if (fs.existsSync(path.join(candidate, 'package.json'))) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`fixture ${name} not found above ${__dirname}`);
    dir = parent;
  }
}

export function repoRoot(): string {
  return path.resolve(fixtureApp('scenario-app'), '..', '..', '..', '..', '..');
}

export function startScenarioHost(options: Partial<LocalHostOptions> = {}): Promise<LocalHost> {
  return startLocalHost({ appRoot: fixtureApp('scenario-app'), ...options });
}

export interface StatusBody {
  name: string;
  instanceId: string;
  runtimeStatus: string;
  input: unknown;
  output: unknown;
  customStatus: unknown;
  createdTime: string;
  lastUpdatedTime: string;
  historyEvents: Record<string, unknown>[] | null;
}

export function webhook(host: LocalHost, pathAndQuery: string): string {
  const sep = pathAndQuery.includes('?') ? '&' : '?';
  return `${host.baseUrl}/runtime/webhooks/durabletask/${pathAndQuery}${sep}code=${encodeURIComponent(host.systemKey)}`;
}

export async function startInstance(host: LocalHost, name: string, input?: unknown, instanceId?: string): Promise<string> {
  const res = await fetch(webhook(host, `orchestrators/${name}${instanceId ? `/${encodeURIComponent(instanceId)}` : ''}`), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: input === undefined ? undefined : JSON.stringify(input),
  });
  if (res.status !== 202) throw new Error(`start ${name} answered ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { id: string }).id;
}

export async function getStatus(host: LocalHost, instanceId: string, query = ''): Promise<{ status: number; body: StatusBody }> {
  const res = await fetch(webhook(host, `instances/${encodeURIComponent(instanceId)}${query ? `?${query}` : ''}`));
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as StatusBody };
}

export async function raiseEvent(host: LocalHost, instanceId: string, name: string, data: unknown): Promise<number> {
  const res = await fetch(webhook(host, `instances/${encodeURIComponent(instanceId)}/raiseEvent/${name}`), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(data),
  });
  await res.arrayBuffer();
  return res.status;
}

const TERMINAL = new Set(['Completed', 'Failed', 'Terminated', 'Canceled']);

/** Polls until the instance reaches `predicate` (default: a terminal status). Fails loudly with the last status on timeout. */
export async function waitForStatus(host: LocalHost, instanceId: string, predicate: (s: StatusBody) => boolean = (s) => TERMINAL.has(s.runtimeStatus), timeoutMs = 20_000): Promise<StatusBody> {
  const deadline = Date.now() + timeoutMs;
  let last: StatusBody | undefined;
  while (Date.now() < deadline) {
    const { status, body } = await getStatus(host, instanceId);
    if (status !== 404) {
      last = body;
      if (predicate(body)) return body;
    }
    await new Promise((resolve) => setTimeout(resolve, 15));
  }
  throw new Error(`instance ${instanceId} did not reach the expected state; last status: ${JSON.stringify(last)}`);
}

/** The (EventType name, id) pairs of scheduling and completion events, in history order. */
export function idTrail(history: Record<string, unknown>[]): string[] {
  const names: Record<number, string> = { 4: 'TaskScheduled', 5: 'TaskCompleted', 6: 'TaskFailed', 7: 'SubOrchestrationInstanceCreated', 8: 'SubOrchestrationInstanceCompleted', 9: 'SubOrchestrationInstanceFailed', 10: 'TimerCreated', 11: 'TimerFired', 15: 'EventRaised' };
  const out: string[] = [];
  for (const e of history) {
    const type = e.EventType as number;
    if (!(type in names)) continue;
    const id = type === 4 || type === 7 || type === 10 ? e.EventId : type === 11 ? e.TimerId : type === 15 ? e.Name : e.TaskScheduledId;
    out.push(`${names[type]}:${String(id)}`);
  }
  return out;
}
