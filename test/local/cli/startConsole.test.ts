// `npm start`'s console while operations run: one line per operation event for a reboot that succeeds and one
// that is refused, the host's 401 on stderr, and the same events as JSON objects with --json. Keys never appear.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { runCli, type CliProcess } from './cliProcess';

interface Running {
  cli: CliProcess;
  base: string;
  key: string;
}

async function start(args: string[]): Promise<Running> {
  const cli = runCli('start', ['--port', '0', '--devices', '2', '--reboot-ms', '300', ...args]);
  await cli.waitForOutput(/^Ctrl-C stops everything\.$/m, 60_000);
  const base = /^ {2}Base URL +(\S+)$/m.exec(cli.stdout())![1]!;
  const key = /^ {2}Function key +(\S+)$/m.exec(cli.stdout())![1]!;
  return { cli, base, key };
}

async function reboot(running: Running, deviceId: string): Promise<void> {
  const response = await fetch(`${running.base}/devices/${deviceId}/reboot?code=${encodeURIComponent(running.key)}`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ pollIntervalSeconds: 1, timeoutSeconds: 30 }),
  });
  assert.equal(response.status, 202);
  await response.body?.cancel();
}

async function stop(running: Running): Promise<void> {
  running.cli.child.kill('SIGINT');
  const end = await running.cli.waitForExit(30_000);
  assert.deepEqual(end, { code: 0, signal: null });
}

/** What was printed after the banner. */
function logLines(cli: CliProcess): string[] {
  const out = cli.stdout();
  return out.slice(out.indexOf('Ctrl-C stops everything.') + 'Ctrl-C stops everything.'.length).split('\n')
    .filter((line) => line !== '' && line !== 'Stopping…' && line !== 'Stopped.');
}

test('npm start: a reboot, a refused reboot and a wrong key, one readable line each', { timeout: 120_000 }, async () => {
  const running = await start(['--reject', 'sim-002']);
  try {
    assert.match(running.cli.stdout(), /^Faults and tags \(IoT Hub emulator admin API\):$/m);
    assert.match(running.cli.stdout(), /-X PUT "\$ADMIN\/faults\/devices\/sim-002" -d '\{"kind":"methodStatus","status":403\}'/);
    await reboot(running, 'sim-001');
    await reboot(running, 'sim-002');
    await running.cli.waitForOutput(/^\d{2}:\d{2}:\d{2}\.\d{3} {2}reboot sim-001 {2}-> Succeeded after \d+ poll\(s\) {2}\[reboot-sim-001-1\]$/m, 60_000);
    await running.cli.waitForOutput(/^\d{2}:\d{2}:\d{2}\.\d{3} {2}reboot sim-002 {2}-> Rejected after 0 poll\(s\) {2}\[reboot-sim-002-1\]$/m, 60_000);
    const wrong = await fetch(`${running.base}/devices/sim-001/operations?code=not-the-key`);
    assert.equal(wrong.status, 401);
    await running.cli.waitForOutput(/answered 401/, 10_000, 'stderr');
  } finally {
    await stop(running);
  }
  assert.match(running.cli.stderr(), /^\d{2}:\d{2}:\d{2}\.\d{3} {2}WARNING http: GET \/api\/devices\/sim-001\/operations answered 401$/m);
  assert.ok(!running.cli.stdout().split('Ctrl-C stops everything.')[1]!.includes(running.key), 'the key is not in the log lines');
  assert.ok(!running.cli.stderr().includes('not-the-key'), 'the presented key is not logged');
});

test('npm start --json: the log lines after the banner are JSON objects, operation events included', { timeout: 120_000 }, async () => {
  const running = await start(['--json']);
  try {
    await reboot(running, 'sim-001');
    await running.cli.waitForOutput(/"transition":"completed"/, 60_000);
  } finally {
    await stop(running);
  }
  const objects = logLines(running.cli).map((line) => JSON.parse(line) as Record<string, unknown>);
  const done = objects.find((o) => o.event === 'operation' && o.transition === 'completed');
  assert.ok(done, JSON.stringify(objects));
  assert.equal(done.source, 'app');
  assert.equal(done.deviceId, 'sim-001');
  assert.equal(done.instanceId, 'reboot-sim-001-1');
  assert.equal(done.operation, 'reboot');
  assert.equal(done.outcome, 'Succeeded');
  assert.ok(!Number.isNaN(Date.parse(String(done.time))));
});
