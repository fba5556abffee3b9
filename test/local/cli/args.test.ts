// The local CLIs' flag parser: strict about names and values, so a typo never falls back to a default silently.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as net from 'node:net';
import { describePortInUse, parseFlags, usage, UsageError, type FlagSpec } from '../../../local/cli/args';

const SPEC = {
  port: { kind: 'int', default: 7071, description: 'Functions host port' },
  'reboot-ms': { kind: 'int', default: 3000, description: 'reboot duration' },
  tier: { kind: 'string', default: 'none', description: 'quota tier' },
  'storage-dir': { kind: 'string', description: 'Azurite data folder' },
} satisfies FlagSpec;

function usageError(message: RegExp): (err: unknown) => boolean {
  return (err) => {
    assert.ok(err instanceof UsageError, `a UsageError, not ${String(err)}`);
    assert.match(err.message, message);
    return true;
  };
}

test('defaults stand when no flag is given', () => {
  assert.deepEqual(parseFlags([], SPEC), { port: 7071, 'reboot-ms': 3000, tier: 'none', 'storage-dir': undefined });
});

test('`--name value` and `--name=value` both set a flag; whole numbers become numbers', () => {
  const flags = parseFlags(['--port', '0', '--reboot-ms=500', '--tier=S1', '--storage-dir', 'stack-data'], SPEC);
  assert.deepEqual(flags, { port: 0, 'reboot-ms': 500, tier: 'S1', 'storage-dir': 'stack-data' });
  assert.equal(typeof flags.port, 'number');
});

test('the last of a repeated flag wins, and `=` keeps everything after the first one', () => {
  assert.equal(parseFlags(['--port', '1', '--port=2'], SPEC).port, 2);
  assert.equal(parseFlags(['--storage-dir=a=b'], SPEC)['storage-dir'], 'a=b');
  assert.equal(parseFlags(['--storage-dir=--odd'], SPEC)['storage-dir'], '--odd');
});

test('an unknown flag is an error naming it, inherited object keys included', () => {
  assert.throws(() => parseFlags(['--prot', '8080'], SPEC), usageError(/^Unknown option --prot\.$/));
  assert.throws(() => parseFlags(['--constructor', 'x'], SPEC), usageError(/^Unknown option --constructor\.$/));
});

test('a flag without its value is an error, also when the next word is another flag', () => {
  assert.throws(() => parseFlags(['--port'], SPEC), usageError(/^Option --port needs a value\.$/));
  assert.throws(() => parseFlags(['--storage-dir', '--port', '1'], SPEC), usageError(/^Option --storage-dir needs a value\.$/));
});

test('an int flag refuses anything but a whole number', () => {
  for (const text of ['abc', '-1', '1.5', '7e3', '', ' 1']) {
    assert.throws(() => parseFlags([`--port=${text}`], SPEC), usageError(new RegExp(`^Option --port takes a whole number, not "${text.replace('.', '\\.')}"\\.$`)), text);
  }
});

test('a word that is not a flag is refused', () => {
  assert.throws(() => parseFlags(['start'], SPEC), usageError(/^Unexpected argument "start"\.$/));
  assert.throws(() => parseFlags(['-p', '1'], SPEC), usageError(/^Unexpected argument "-p"\.$/));
});

test('usage lists every flag with its description and default', () => {
  const text = usage('npm start --', SPEC);
  const lines = text.split('\n');
  assert.equal(lines[0], 'Usage: npm start -- [options]');
  assert.equal(lines.length, 1 + Object.keys(SPEC).length);
  assert.match(text, /^ {2}--port +Functions host port \(default 7071\)$/m);
  assert.match(text, /^ {2}--tier +quota tier \(default none\)$/m);
  assert.match(text, /^ {2}--storage-dir +Azurite data folder$/m);
});

test('describePortInUse: a real EADDRINUSE names the port and the flag that moves it', async () => {
  const holder = net.createServer();
  await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
  const port = (holder.address() as net.AddressInfo).port;
  const second = net.createServer();
  try {
    const err = await new Promise<unknown>((resolve) => {
      second.once('error', resolve);
      second.listen(port, '127.0.0.1');
    });
    const text = describePortInUse(err, new Map([[port, 'port']]));
    assert.equal(text, `Port ${port} on 127.0.0.1 is already in use by another program. Choose another with --port <port> (e.g. npm start -- --port ${port + 10}), or 0 for any free port.`);
    // A port no flag chose (one picked by the OS) is named without advice about flags.
    assert.equal(describePortInUse(err, new Map()), `Port ${port} on 127.0.0.1 is already in use by another program.`);
  } finally {
    await new Promise((resolve) => holder.close(resolve));
  }
});

test('describePortInUse: the port is read from the message when the error has no port field', () => {
  const err = Object.assign(new Error('listen EADDRINUSE: address already in use 127.0.0.1:10002'), { code: 'EADDRINUSE' });
  assert.match(String(describePortInUse(err, new Map([[10002, 'storage-port']]))), /^Port 10002 .* --storage-port <port>/);
  const vague = Object.assign(new Error('address already in use'), { code: 'EADDRINUSE' });
  assert.match(String(describePortInUse(vague, new Map())), /^A port on 127\.0\.0\.1 is already in use/);
});

test('describePortInUse: anything but EADDRINUSE is not its business', () => {
  assert.equal(describePortInUse(Object.assign(new Error('denied'), { code: 'EACCES', port: 80 }), new Map([[80, 'port']])), undefined);
  assert.equal(describePortInUse(new Error('boom'), new Map()), undefined);
  assert.equal(describePortInUse(undefined, new Map()), undefined);
  assert.equal(describePortInUse('text', new Map()), undefined);
});
