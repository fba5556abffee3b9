// `npm run demo` (dist/local/cli/demo.js) with its output going to a pipe, as in CI or `npm run demo > log`:
// one reboot end to end, plain text (no colour codes), the audit row, and the function key never in clear.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from './cliProcess';
import { elementAt } from '../../support/elementAt';

test('npm run demo: reboots sim-001 end to end and prints a plain, key-free report', { timeout: 120_000 }, async () => {
  const cli = runCli('demo');
  const end = await cli.waitForExit(100_000);
  const out = cli.stdout();
  assert.deepEqual(end, { code: 0, signal: null }, `${out}\n${cli.stderr()}`);
  assert.equal(cli.stderr(), '');

  assert.match(out, /^Outcome: Succeeded$/m);
  assert.match(out, /^ {2}deviceId +"sim-001"$/m);
  assert.match(out, /^ {2}method +\{"status":200,"payload":"Reboot started"\}$/m);
  assert.match(out, /^→ 202, Location: http:\/\/127\.0\.0\.1:\d+\/api\/operations\/\S+\?code=<function key>, Retry-After: \d+$/m);
  // Without a TTY, progress comes as separate lines rather than one line rewritten with \r.
  assert.match(out, /^ {2}phase \S+ +twin polls +\d+ +elapsed +[\d.]+ s$/m);
  assert.doesNotMatch(out, /\r/);

  const audit = /^Audit row \(DeviceOperations table, newest first\):\n {2}(.+)$/m.exec(out);
  assert.ok(audit, out);
  const row = JSON.parse(elementAt(audit, 1)) as { deviceId?: string; operation?: string; outcome?: string; statusUrl?: string };
  assert.equal(row.deviceId, 'sim-001');
  assert.equal(row.operation, 'reboot');
  assert.equal(row.outcome, 'Succeeded');
  assert.match(String(row.statusUrl), /\?code=<function key>$/, 'the stored status URL is printed with its key masked');

  assert.ok(!out.includes('\u001b'), 'no ANSI escape codes (ESC) when stdout is not a TTY');
  // The key is never printed: every `code=` the demo shows carries the placeholder.
  const codes = [...out.matchAll(/code=(<function key>|[^\s"&]*)/g)].map((m) => m[1]);
  assert.ok(codes.length >= 3, out);
  assert.deepEqual([...new Set(codes)], ['<function key>']);
  assert.match(out, /\nStack stopped\.\n$/);
});
