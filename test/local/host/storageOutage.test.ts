// Storage (Azurite, on disk) stopped and started again under a running host: the host notices, probes
// with bounded backoff, reloads inbox and work items, and finishes the work in flight within 10 s of
// storage returning.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { startAzurite, type RunningAzurite } from '../../../local/azurite/index';
import type { HostLogEntry, LocalHost } from '../../../local/host/index';
import { startInstance, startScenarioHost, waitForStatus } from './helpers';

/** A promise for the first log entry matching `pattern`, from now on (rejected after timeoutMs). */
function logWatcher(): { log: (e: HostLogEntry) => void; next(pattern: RegExp, timeoutMs?: number): Promise<HostLogEntry> } {
  const waiters: { pattern: RegExp; resolve: (e: HostLogEntry) => void }[] = [];
  return {
    log(entry) {
      for (const w of [...waiters]) {
        if (w.pattern.test(entry.message)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(entry);
        }
      }
    },
    next: (pattern, timeoutMs = 30_000) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no log line matching ${pattern} within ${timeoutMs} ms`)), timeoutMs);
        waiters.push({ pattern, resolve: (e) => (clearTimeout(timer), resolve(e)) });
      }),
  };
}

describe('local host: storage outage under a running host', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'host-outage-'));
  let azurite: RunningAzurite | undefined;
  let host: LocalHost | undefined;
  after(async () => {
    await host?.stop();
    await azurite?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('resumes activities, timers and completions within 10 s of storage returning', async () => {
    azurite = await startAzurite({ location: dir });
    const port = azurite.tablePort;
    const watch = logWatcher();
    host = await startScenarioHost({ storage: azurite.connectionString, log: watch.log });
    // Work that is in flight when storage goes: activities still running, then timers.
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) ids.push(await startInstance(host, 'ActivityThenTimer', { activityMs: 400, timerMs: 300 }, `outage-${i}`));
    const noticed = watch.next(/^Storage unavailable/);
    await azurite.stop();
    azurite = undefined;
    await noticed;
    const back = watch.next(/^Storage is back/);
    azurite = await startAzurite({ location: dir, tablePort: port });
    const returnedAt = Date.now();
    await back;
    for (const id of ids) {
      const status = await waitForStatus(host, id, undefined, 10_000);
      assert.equal(status.runtimeStatus, 'Completed', id);
      assert.equal(status.output, 'slept 400');
    }
    const elapsed = Date.now() - returnedAt;
    assert.ok(elapsed < 10_000, `finished ${elapsed} ms after storage returned`);
  });
});
