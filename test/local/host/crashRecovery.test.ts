// kill -9 of the host process at random points while it runs 200 orchestrations (two activities around
// a durable timer each) on Azurite on disk, five times over, then a last host finishes the work. Every
// instance completes exactly once, none is left behind, and an activity runs again only across a kill
// (executions of one activity come from distinct hosts, and all but the last from killed ones).
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { after, describe, it } from 'node:test';
import { startAzurite, type RunningAzurite } from '../../../local/azurite/index';
import type { LocalHost } from '../../../local/host/index';
import { fixtureApp, getStatus, waitForStatus, webhook } from './helpers';

const TOTAL = 200;
const KILLS = 5;
const CLI = path.join(__dirname, '..', '..', '..', 'local', 'host', 'cli.js');

interface HostProcess {
  child: ChildProcess;
  exited: Promise<void>;
  /** Enough of LocalHost for the webhook helpers. */
  api: LocalHost;
  workerPid: number;
}

async function spawnHost(storage: string, tallyFile: string): Promise<HostProcess> {
  const child = spawn(process.execPath, [CLI, '--app-root', fixtureApp('scenario-app'), '--port', '0', '--storage', storage, '--json'], {
    env: { ...process.env, TALLY_FILE: tallyFile },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stderr: string[] = [];
  readline.createInterface({ input: child.stderr as NodeJS.ReadableStream }).on('line', (line) => stderr.push(line));
  const ready = await new Promise<{ baseUrl: string; systemKey: string; workerPid: number }>((resolve, reject) => {
    readline.createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      if (line.startsWith('{')) resolve(JSON.parse(line) as { baseUrl: string; systemKey: string; workerPid: number });
    });
    void exited.then(() => reject(new Error(`host exited before it was ready: ${stderr.join('\n')}`)));
  });
  return { child, exited, api: { baseUrl: ready.baseUrl, systemKey: ready.systemKey } as LocalHost, workerPid: ready.workerPid };
}

function killNine(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // Already gone (the worker leaves by itself when its host disappears).
  }
}

/** Starts one instance; true when the host acknowledged it (202). */
async function start(host: HostProcess, id: string): Promise<boolean> {
  try {
    const res = await fetch(webhook(host.api, `orchestrators/Tallied/${id}`), { method: 'POST' });
    await res.arrayBuffer();
    return res.status === 202;
  } catch {
    return false; // the host died during the request
  }
}

describe('local host: kill -9 during 200 orchestrations on Azurite on disk', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'host-crash-'));
  const tallyFile = path.join(dir, 'tally.txt');
  let azurite: RunningAzurite | undefined;
  let host: HostProcess | undefined;
  after(async () => {
    if (host) {
      host.child.kill('SIGTERM');
      await host.exited;
    }
    await azurite?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it(`every instance completes exactly once across ${KILLS} kills`, async () => {
    azurite = await startAzurite({ location: path.join(dir, 'azurite') });
    fs.writeFileSync(tallyFile, '');
    const ids = Array.from({ length: TOTAL }, (_, i) => `crash-${String(i).padStart(3, '0')}`);
    const unconfirmed = new Set<string>();
    const killedHosts = new Set<string>();
    let next = 0;
    const perRound = Math.ceil(TOTAL / (KILLS + 1));
    for (let round = 0; round <= KILLS; round++) {
      host = await spawnHost(azurite.connectionString, tallyFile);
      const current = host;
      let acknowledged!: () => void;
      const firstAck = new Promise<void>((resolve) => (acknowledged = resolve));
      const tryStart = async (id: string) => {
        if (await start(current, id)) {
          unconfirmed.delete(id);
          acknowledged();
        } else unconfirmed.add(id);
      };
      // A start whose answer was lost may or may not have happened: start it again only if it is unknown.
      const rechecks = [...unconfirmed].map(async (id) => {
        const known = await getStatus(current.api, id).then((r) => r.status !== 404, () => false);
        if (known) unconfirmed.delete(id);
        else await tryStart(id);
      });
      const batch = ids.slice(next, round === KILLS ? TOTAL : next + perRound);
      next += batch.length;
      const work = Promise.all([...rechecks, ...batch.map(tryStart)]);
      if (round === KILLS) {
        await work;
        break;
      }
      // The kill point: at random within the burst of starts, activities and timers.
      await Promise.race([firstAck, work]);
      await new Promise((resolve) => setTimeout(resolve, Math.floor(Math.random() * 500)));
      killedHosts.add(String(current.child.pid));
      killNine(current.child.pid);
      killNine(current.workerPid);
      await current.exited;
      await work;
      host = undefined;
    }
    assert.equal(unconfirmed.size, 0, `starts never confirmed: ${[...unconfirmed].join(', ')}`);
    const finalHost = host as unknown as HostProcess;
    for (const id of ids) {
      const status = await waitForStatus(finalHost.api, id, undefined, 60_000);
      assert.equal(status.runtimeStatus, 'Completed', `${id}: ${JSON.stringify(status)}`);
      assert.equal(status.output, 'done');
    }
    const left = await fetch(webhook(finalHost.api, 'instances/?instanceIdPrefix=crash-&runtimeStatus=Pending,Running,ContinuedAsNew,Suspended,Failed'));
    assert.deepEqual(await left.json(), [], 'no instance left behind');

    const runs = new Map<string, string[]>();
    for (const line of fs.readFileSync(tallyFile, 'utf8').split('\n').filter(Boolean)) {
      const [key, hostPid] = line.split(' ');
      assert.ok(key !== undefined && hostPid !== undefined, `tally line "${line}"`);
      runs.set(key, [...(runs.get(key) ?? []), hostPid]);
    }
    let reruns = 0;
    for (const id of ids) {
      for (const key of [`${id}:a`, `${id}:b`]) {
        const hosts = runs.get(key) ?? [];
        assert.ok(hosts.length >= 1, `${key} never ran`);
        assert.equal(new Set(hosts).size, hosts.length, `${key} ran twice in one host's lifetime: ${hosts.join(', ')}`);
        for (const earlier of hosts.slice(0, -1)) assert.ok(killedHosts.has(earlier), `${key} ran again although host ${earlier} was not killed`);
        reruns += hosts.length - 1;
      }
    }
    // Only activities in flight at a kill run again: at most the activity concurrency per kill.
    assert.ok(reruns <= KILLS * 20, `${reruns} re-executions`);
  });
});
