// Poison work: an instance or activity whose processing keeps failing (here: it kills the language
// worker every time) is retried a bounded number of times with backoff, then fails naming the cause.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { HostLogEntry, LocalHost } from '../../../local/host/index';
import { startInstance, startScenarioHost, waitForStatus } from './helpers';
import { elementAt } from '../../support/elementAt';

describe('local host: poison instances and activities', () => {
  let host: LocalHost;
  const logs: HostLogEntry[] = [];
  before(async () => {
    host = await startScenarioHost({ poisonPolicy: { maxAttempts: 3, firstDelayMs: 20, maxDelayMs: 100 }, log: (e) => logs.push(e) });
  });
  after(async () => {
    await host.stop();
  });

  it('fails an instance that crashes the worker on every episode after maxAttempts, naming the cause', async () => {
    const id = await startInstance(host, 'CrashesWorker', 'crash');
    const status = await waitForStatus(host, id);
    assert.equal(status.runtimeStatus, 'Failed');
    assert.match(String(status.output), /^The local host could not process orchestration 'CrashesWorker' after 3 attempts; last error: Error: Orchestrator 'CrashesWorker' could not run: The language worker exited \(code 5/);
    const attempts = logs.filter((e) => e.message.includes(`Processing instance "${id}" failed (attempt`));
    assert.equal(attempts.length, 2, 'two retries logged before the final failure');
    assert.ok(elementAt(attempts, 0).message.includes('\n    at '), 'the first attempt is logged with its stack');
    assert.ok(!elementAt(attempts, 1).message.includes('\n    at '), 'later attempts are one line');
  });

  it('fails an activity that crashes the worker on every call (TaskFailed), so the orchestrator is not left waiting', async () => {
    const id = await startInstance(host, 'CallsAlwaysCrashes');
    const status = await waitForStatus(host, id);
    assert.equal(status.runtimeStatus, 'Completed');
    assert.match(String(status.output), /^Activity function 'AlwaysCrashes' could not be run by the local host after 3 attempts: The language worker exited \(code 4/);
  });

  it('keeps serving other instances', async () => {
    const id = await startInstance(host, 'Sequence');
    assert.deepEqual((await waitForStatus(host, id)).output, ['Hello Tokyo', 'Hello Seattle', 'Hello London']);
  });
});
