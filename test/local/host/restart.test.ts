// Crash recovery: a host process is killed with SIGKILL while an activity is in flight and a timer
// is pending; a new host on the same Azurite storage finishes both orchestrations.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { after, before, describe, it } from 'node:test';
import { startAzurite, type RunningAzurite } from '../../../local/azurite/index';
import { TableStore } from '../../../local/host/store/tableStore';
import { fixtureApp, idTrail } from './helpers';

interface HostInfo {
  baseUrl: string;
  systemKey: string;
  workerPid: number;
}

function cliPath(): string {
  // cli.ts under tsx, cli.js when compiled: same extension as this file.
  return path.resolve(__dirname, '..', '..', '..', 'local', 'host', `cli${path.extname(__filename)}`);
}

function startHostProcess(storage: string): Promise<{ child: ChildProcess; info: HostInfo }> {
  const execArgv = process.execArgv.filter((a) => !a.startsWith('--test') && !a.startsWith('--inspect'));
  const child = spawn(process.execPath, [...execArgv, cliPath(), '--app-root', fixtureApp('scenario-app'), '--port', '0', '--storage', storage, '--json'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    const lines = readline.createInterface({ input: child.stdout as NodeJS.ReadableStream });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    lines.on('line', (line) => {
      if (line.startsWith('{')) resolve({ child, info: JSON.parse(line) as HostInfo });
    });
    child.once('exit', (code) => reject(new Error(`host exited with ${code}: ${stderr}`)));
  });
}

function api(info: HostInfo, pathAndQuery: string): string {
  const sep = pathAndQuery.includes('?') ? '&' : '?';
  return `${info.baseUrl}/runtime/webhooks/durabletask/${pathAndQuery}${sep}code=${encodeURIComponent(info.systemKey)}`;
}

async function status(info: HostInfo, id: string): Promise<{ runtimeStatus: string; output: unknown; historyEvents: Record<string, unknown>[] | null }> {
  const res = await fetch(api(info, `instances/${id}?showHistory=true`));
  return (await res.json()) as { runtimeStatus: string; output: unknown; historyEvents: Record<string, unknown>[] | null };
}

function processGone(pid: number): Promise<void> {
  return new Promise((resolve) => {
    const check = () => {
      try {
        process.kill(pid, 0);
        setTimeout(check, 20);
      } catch {
        resolve();
      }
    };
    check();
  });
}

describe('local host: restart recovery on Azurite', () => {
  let azurite: RunningAzurite;
  const children: ChildProcess[] = [];
  before(async () => {
    azurite = await startAzurite();
  });
  after(async () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await azurite.stop();
  });

  it('resumes an in-flight activity and a pending timer after kill -9', async () => {
    const first = await startHostProcess(azurite.connectionString);
    children.push(first.child);
    const start = async (name: string, id: string, input: unknown) => {
      const res = await fetch(api(first.info, `orchestrators/${name}/${id}`), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(input) });
      assert.equal(res.status, 202);
    };
    await start('ActivityThenTimer', 'crash-activity', { activityMs: 1500, timerMs: 50 });
    await start('LongTimer', 'crash-timer', { ms: 1500 });
    // Wait until the activity is scheduled (running in the worker) and the timer is created.
    for (let i = 0; i < 200; i++) {
      const a = await status(first.info, 'crash-activity');
      const t = await status(first.info, 'crash-timer');
      if (a.historyEvents?.some((e) => e.EventType === 'TaskScheduled') && t.runtimeStatus === 'Running') break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    first.child.kill('SIGKILL');
    await new Promise((resolve) => first.child.once('exit', resolve));
    await processGone(first.info.workerPid); // the orphaned worker leaves when its IPC channel closes

    const second = await startHostProcess(azurite.connectionString);
    children.push(second.child);
    let a = await status(second.info, 'crash-activity');
    let t = await status(second.info, 'crash-timer');
    assert.equal(a.runtimeStatus, 'Running', 'the activity had not finished when the host died');
    for (let i = 0; i < 400 && (a.runtimeStatus !== 'Completed' || t.runtimeStatus !== 'Completed'); i++) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      a = await status(second.info, 'crash-activity');
      t = await status(second.info, 'crash-timer');
    }
    assert.equal(a.runtimeStatus, 'Completed');
    assert.equal(a.output, 'slept 1500');
    assert.equal(t.runtimeStatus, 'Completed');
    const res = await fetch(api(second.info, 'instances/crash-activity'));
    assert.equal(res.status, 200);

    second.child.kill('SIGTERM');
    const code = await new Promise<number | null>((resolve) => second.child.once('exit', (c) => resolve(c)));
    assert.equal(code, 0, 'SIGTERM stops the host cleanly');
  });

  it('kept exactly one schedule per id across the crash', async () => {
    const store = new TableStore(azurite.connectionString, 'ScenarioHub');
    const record = await store.getInstance('crash-activity');
    assert.ok(record);
    const history = await store.readHistory('crash-activity', record.historyLength);
    assert.deepEqual(idTrail(history), ['TaskScheduled:0', 'TaskCompleted:0', 'TimerCreated:1', 'TimerFired:1']);
    assert.deepEqual(await store.listWorkItems(), []);
  });
});
