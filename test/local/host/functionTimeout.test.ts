// host.json functionTimeout is enforced for every invocation: the invocation fails with the
// FunctionTimeoutException text, the Durable extension treats it as a user-code failure, the worker is
// restarted (code still running cannot be cancelled) and the instance lock is released.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startLocalHost, type LocalHost } from '../../../local/host/index';
import { formatTimeSpan } from '../../../local/host/worker/workerProcess';
import { parseFunctionTimeout } from '../../../local/host/config/hostJson';
import { fixtureApp, startInstance, waitForStatus } from './helpers';

describe('local host: functionTimeout', () => {
  let host: LocalHost;
  before(async () => {
    host = await startLocalHost({ appRoot: fixtureApp('timeout-app') });
  });
  after(async () => {
    await host.stop();
  });

  it('fails an activity that overruns with the FunctionTimeoutException message; the orchestrator can catch it', async () => {
    const id = await startInstance(host, 'CallsHang');
    const status = await waitForStatus(host, id);
    assert.equal(status.runtimeStatus, 'Completed');
    assert.equal(status.output, "caught: Activity function 'Hang' failed: Timeout value of 00:00:01 was exceeded by function: Functions.Hang");
  });

  it('fails an orchestrator that blocks its worker, releases the instance and keeps serving', async () => {
    const id = await startInstance(host, 'Spins', undefined, 'spinner');
    const status = await waitForStatus(host, id);
    assert.equal(status.runtimeStatus, 'Failed');
    assert.equal(status.output, "Orchestrator function 'Spins' failed: Timeout value of 00:00:01 was exceeded by function: Functions.Spins");
    // The id is free again, and the restarted worker runs new work.
    await startInstance(host, 'Greets', 'again', 'spinner');
    assert.equal((await waitForStatus(host, 'spinner')).output, 'Hello again');
  });

  it('answers 500 for an HTTP function that overruns', async () => {
    const res = await fetch(`${host.baseUrl}/api/hang`);
    assert.equal(res.status, 500);
  });
});

describe('functionTimeout parsing and formatting', () => {
  it('reads host.json time spans, "-1" for none, and the 30-minute default', async (t) => {
    const cases: [unknown, number | undefined][] = [
      ['00:10:00', 600_000],
      ['00:00:01', 1000],
      ['1.02:03:04', ((26 * 60 + 3) * 60 + 4) * 1000],
      ['00:00:00.5', 500],
      ['-1', undefined],
      [undefined, 30 * 60_000],
    ];
    for (const [value, expected] of cases) await t.test(String(value), () => assert.equal(parseFunctionTimeout(value), expected));
    for (const bad of ['10 minutes', '00:00:00', 600]) assert.throws(() => parseFunctionTimeout(bad), /functionTimeout/);
  });

  it('prints spans as .NET TimeSpan does', () => {
    assert.equal(formatTimeSpan(600_000), '00:10:00');
    assert.equal(formatTimeSpan(86_400_000 + 1000), '1.00:00:01');
    assert.equal(formatTimeSpan(1500), '00:00:01.5000000');
  });
});
