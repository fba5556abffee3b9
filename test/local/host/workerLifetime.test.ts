// The host, not a signal, decides when its language worker ends: a terminal's Ctrl-C reaches the worker too
// (same process group). A worker that died first made the host's terminate message fail with EPIPE.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { startScenarioHost } from './helpers';

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

test('the language worker ignores SIGINT; the host still stops it', { timeout: 60_000 }, async () => {
  const host = await startScenarioHost();
  const pid = host.workerPid as number;
  try {
    process.kill(pid, 'SIGINT');
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(alive(pid), true, 'the worker survived SIGINT');
    const res = await fetch(`${host.baseUrl}/api/echo/after-sigint`);
    assert.ok(res.ok, `the app still answers (${res.status})`);
  } finally {
    await host.stop();
  }
  assert.equal(alive(pid), false, 'stop() ended the worker');
});
