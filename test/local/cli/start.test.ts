// `npm start` (dist/local/cli/start.js) as a user runs it: the whole stack in the foreground, one real reboot
// through its HTTP API, Ctrl-C (SIGINT), and nothing left behind: every port it printed free again, no child alive.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as net from 'node:net';
import { followAsyncOperation } from '../../../local/cli/asyncPoller';
import { childProcessIds, isRunning, runCli } from './cliProcess';
import { elementAt } from '../../support/elementAt';

/** Binding the port on 127.0.0.1 succeeds only if nothing holds it any more. */
function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

function match(text: string, pattern: RegExp, what: string): RegExpExecArray {
  const found = pattern.exec(text);
  assert.ok(found, `${what} in the output:\n${text}`);
  return found;
}

test('npm start: runs the stack, serves a real reboot, and Ctrl-C stops everything it started', { timeout: 120_000 }, async () => {
  const cli = runCli('start', ['--port', '0', '--devices', '2', '--reboot-ms', '500']);
  let exited = false;
  try {
    await cli.waitForOutput(/^Ctrl-C stops everything\.$/m, 60_000);
    const out = cli.stdout();
    const baseUrl = match(out, /^ {2}Base URL +(http:\/\/127\.0\.0\.1:(\d+))\/api$/m, 'the base URL');
    const key = elementAt(match(out, /^ {2}Function key +(\S+)$/m, 'the function key'), 1);
    const hub = match(out, /^ {2}IoT Hub +emulator on https:\/\/localhost:(\d+) and mqtts:\/\/localhost:(\d+)$/m, 'the IoT Hub ports');
    const storage = match(out, /^ {2}Storage +Azurite Table service at http:\/\/127\.0\.0\.1:(\d+)\/devstoreaccount1$/m, 'the Azurite port');
    assert.match(out, /^ {2}Devices +sim-001 sim-002 {2}\(MQTT, reboot takes 500 ms\)$/m);
    const ports = { host: Number(baseUrl[2]), iothubHttps: Number(hub[1]), iothubMqtt: Number(hub[2]), azurite: Number(storage[1]) };
    for (const [name, port] of Object.entries(ports)) assert.equal(await canBind(port), false, `${name} port ${port} is in use while running`);
    const children = childProcessIds(cli.child.pid as number);
    assert.ok(children.length >= 1, 'the Functions host runs its language worker as a child process');

    // One reboot through the HTTP API, exactly as the printed curl lines do it.
    const code = `code=${encodeURIComponent(key)}`;
    const first = await fetch(`${baseUrl[1]}/api/devices/sim-001/reboot?${code}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ pollIntervalSeconds: 1 }),
    });
    assert.equal(first.status, 202);
    assert.ok(first.headers.get('location')?.startsWith(`${baseUrl[1]}/api/operations/`), String(first.headers.get('location')));
    const final = await followAsyncOperation(first, { timeoutMs: 60_000 });
    assert.equal(final.status, 200);
    const result = final.body as { outcome?: string; deviceId?: string; methodResponse?: { status: number } };
    assert.equal(result.outcome, 'Succeeded', JSON.stringify(result));
    assert.equal(result.deviceId, 'sim-001');
    assert.equal(result.methodResponse?.status, 200);

    assert.ok(cli.child.kill('SIGINT'));
    const end = await cli.waitForExit(30_000);
    exited = true;
    assert.deepEqual(end, { code: 0, signal: null }, cli.stderr());
    assert.match(cli.stdout(), /\nStopping…\nStopped\.\n$/);
    assert.equal(cli.stderr(), '', 'nothing went wrong on the way down');
    for (const [name, port] of Object.entries(ports)) assert.equal(await canBind(port), true, `${name} port ${port} is free again`);
    assert.deepEqual(children.filter(isRunning), [], 'no child process outlives npm start');
  } finally {
    if (!exited) {
      cli.child.kill('SIGKILL');
      await cli.waitForExit(10_000).catch(() => undefined);
    }
  }
});

test('npm start: a port another program holds ends it with a message naming the port and --port', { timeout: 60_000 }, async () => {
  const holder = net.createServer();
  await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
  const port = (holder.address() as net.AddressInfo).port;
  try {
    const cli = runCli('start', ['--port', String(port), '--devices', '1']);
    const end = await cli.waitForExit(45_000);
    assert.equal(end.signal, null);
    assert.equal(end.code, 1, cli.stderr());
    assert.match(cli.stderr(), new RegExp(`^Port ${port} on 127\\.0\\.0\\.1 is already in use by another program\\. Choose another with --port <port>`, 'm'));
    assert.doesNotMatch(cli.stdout(), /Ctrl-C/);
  } finally {
    await new Promise((resolve) => holder.close(resolve));
  }
});

test('npm start: a bad flag exits 2 with the reason and the usage, before starting anything', { timeout: 30_000 }, async () => {
  for (const [args, reason] of [
    [['--devcies', '3'], 'Unknown option --devcies.'],
    [['--port', 'http'], 'Option --port takes a whole number, not "http".'],
  ] as const) {
    const cli = runCli('start', args);
    const end = await cli.waitForExit(20_000);
    assert.deepEqual(end, { code: 2, signal: null }, args.join(' '));
    const [first, , usageLine, ...flags] = cli.stderr().trimEnd().split('\n');
    assert.equal(first, reason);
    assert.equal(usageLine, 'Usage: npm start -- [options]');
    assert.ok(flags.some((line) => /^ {2}--reboot-ms +how long a simulated device stays down/.test(line)), cli.stderr());
    assert.equal(cli.stdout(), '', 'nothing was started');
  }
  const tier = runCli('start', ['--tier', 'S9']);
  assert.deepEqual(await tier.waitForExit(20_000), { code: 2, signal: null });
  assert.equal(tier.stderr().trim(), '--tier must be none, S1, S2 or S3, not "S9".');
});

test('npm start -- --help prints the usage and exits 0 without starting anything', { timeout: 30_000 }, async () => {
  const cli = runCli('start', ['--help']);
  assert.deepEqual(await cli.waitForExit(20_000), { code: 0, signal: null });
  const [usageLine, ...flags] = cli.stdout().trimEnd().split('\n');
  assert.equal(usageLine, 'Usage: npm start -- [options]');
  assert.ok(flags.some((line) => line.startsWith('  --port')), cli.stdout());
  assert.equal(cli.stderr(), '');
});

test('npm start: Ctrl-C in a terminal (SIGINT to the whole process group, worker included) stops cleanly', { timeout: 120_000 }, async () => {
  // The language worker gets the terminal's SIGINT too; it must leave its shutdown to the host (it once died
  // first, and the host's terminate message then failed with EPIPE).
  for (let run = 0; run < 3; run++) {
    const cli = runCli('start', ['--port', '0', '--devices', '1'], { processGroup: true });
    try {
      await cli.waitForOutput(/^Ctrl-C stops everything\.$/m, 60_000);
      process.kill(-(cli.child.pid as number), 'SIGINT');
      assert.deepEqual(await cli.waitForExit(30_000), { code: 0, signal: null }, cli.stderr());
      assert.match(cli.stdout(), /\nStopped\.\n$/);
      assert.equal(cli.stderr(), '');
    } finally {
      if (cli.child.exitCode === null && cli.child.signalCode === null) process.kill(-(cli.child.pid as number), 'SIGKILL');
    }
  }
});
