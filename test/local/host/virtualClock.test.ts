// The virtual clock: durable timers fire as soon as the host is otherwise idle, with
// OrchestratorStarted timestamps following the virtual time.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { LocalHost } from '../../../local/host/index';
import { idTrail, raiseEvent, startInstance, startScenarioHost, waitForStatus } from './helpers';

describe('local host: virtual clock', () => {
  let host: LocalHost;
  before(async () => {
    host = await startScenarioHost({ clock: 'virtual' });
  });
  after(async () => {
    await host.stop();
  });

  it('completes a 10-minute durable timer in well under a second of real time', async () => {
    const started = Date.now();
    const id = await startInstance(host, 'DeadlineTimer');
    const status = await waitForStatus(host, id, undefined, 5000);
    const elapsed = Date.now() - started;
    assert.equal(status.runtimeStatus, 'Completed');
    assert.ok((status.output as number) >= 10 * 60 * 1000, 'orchestrator time moved by at least the timer length');
    assert.ok(elapsed < 1000, `took ${elapsed} ms`);
    const history = await host.history(id);
    const fired = history.find((e) => e.EventType === 11) as Record<string, unknown>;
    const lastStart = history.filter((e) => e.EventType === 12).pop() as Record<string, unknown>;
    assert.ok(Date.parse(String(lastStart.Timestamp)) >= Date.parse(String(fired.FireAt)));
  });

  it('fires a 10-day timer (no long-timer chunking needed)', async () => {
    const id = await startInstance(host, 'LongTimer', { ms: 10 * 24 * 60 * 60 * 1000 });
    const status = await waitForStatus(host, id, undefined, 5000);
    const output = status.output as { firedAt: string; fireAt: string };
    assert.ok(Date.parse(output.firedAt) >= Date.parse(output.fireAt));
    assert.deepEqual(idTrail(await host.history(id)), ['TimerCreated:0', 'TimerFired:0']);
  });

  it('lets a deadline win a race against an event that never comes', async () => {
    const id = await startInstance(host, 'ApprovalWithDeadline', { timeoutMs: 60 * 60 * 1000 });
    const status = await waitForStatus(host, id, undefined, 5000);
    assert.equal((status.output as { approved: boolean }).approved, false);
  });
});

describe('local host: manual clock', () => {
  let host: LocalHost;
  before(async () => {
    host = await startScenarioHost({ clock: 'manual' });
  });
  after(async () => {
    await host.stop();
  });

  it('only moves when told, so an event can win before the deadline', async () => {
    const id = await startInstance(host, 'ApprovalWithDeadline', { timeoutMs: 60 * 1000 });
    await waitForStatus(host, id, (s) => s.runtimeStatus === 'Running');
    await host.whenIdle();
    assert.equal(await raiseEvent(host, id, 'Approve', 'yes'), 202);
    const status = await waitForStatus(host, id, undefined, 5000);
    assert.deepEqual(status.output, { approved: 'yes' });

    const late = await startInstance(host, 'ApprovalWithDeadline', { timeoutMs: 60 * 1000 });
    await waitForStatus(host, late, (s) => s.runtimeStatus === 'Running');
    host.advanceClock(61 * 1000);
    const timedOut = await waitForStatus(host, late, undefined, 5000);
    assert.equal((timedOut.output as { approved: boolean }).approved, false);
  });
});
