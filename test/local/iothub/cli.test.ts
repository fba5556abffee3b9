// The CLI: argument parsing, and a real process that prints its connection details and stops on SIGTERM.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { parseCliArguments, simulatedDeviceIds } from '../../../local/iothub/cli';

describe('iothub emulator CLI', () => {
  it('parses its flags', () => {
    assert.deepEqual(parseCliArguments(['--host-name', 'hub.local', '--https-port', '0', '--mqtt-port', '0', '--events-port', '0', '--partitions', '2', '--tier', 'S2', '--units', '3', '--devices', '5', '--cert-dir', 'certs']), {
      hostName: 'hub.local', httpsPort: 0, mqttPort: 0, eventsPort: 0, partitions: 2, bindAddress: undefined, tier: 'S2', units: 3, devices: 5, certDir: 'certs', adminKey: undefined, verbose: false,
    });
    assert.equal(parseCliArguments([]).httpsPort, 8443);
    assert.equal(parseCliArguments([]).eventsPort, 5672);
    assert.throws(() => parseCliArguments(['--partitions', '0']), /--partitions/);
    assert.throws(() => parseCliArguments(['--tier', 'S9']), /--tier/);
    assert.throws(() => parseCliArguments(['--units', '0']), /--units/);
    assert.throws(() => parseCliArguments(['--nope']), /Unknown option/);
    assert.deepEqual(simulatedDeviceIds(3), ['sim-001', 'sim-002', 'sim-003']);
    assert.equal(simulatedDeviceIds(1200)[1199], 'sim-1200');
  });

  it('starts, prints connection strings, the CA path and the admin key, and exits 0 on SIGTERM', async () => {
    const extension = path.extname(__filename);
    const cli = path.resolve(__dirname, '../../../local/iothub/cli' + extension);
    // Under tsx the loader flags are in execArgv; compiled, execArgv is empty and cli.js runs directly.
    const child = spawn(process.execPath, [...process.execArgv.filter((a) => !a.startsWith('--test')), cli, '--https-port', '0', '--mqtt-port', '0', '--events-port', '0', '--devices', '2', '--tier', 'S1'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    let errors = '';
    child.stderr.on('data', (chunk: Buffer) => {
      errors += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const deadline = Date.now() + 20_000;
    while (!output.includes('Press Ctrl+C') && Date.now() < deadline && child.exitCode === null) await new Promise((resolve) => setTimeout(resolve, 50));
    assert.match(output, /Service connection string: HostName=localhost:\d+;SharedAccessKeyName=iothubowner;SharedAccessKey=\S+/, errors);
    assert.match(output, /Device connection string \(sim-001\): HostName=localhost;DeviceId=sim-001;SharedAccessKey=\S+;GatewayHostName=localhost:\d+/);
    assert.match(output, /Event Hubs-compatible endpoint \(built-in events, name localhost\): Endpoint=sb:\/\/127\.0\.0\.1:\d+\/;SharedAccessKeyName=service;SharedAccessKey=\S+;EntityPath=localhost;UseDevelopmentEmulator=true/);
    assert.match(output, /CA certificate: \S+iothub-emulator-ca\.pem/);
    assert.match(output, /Admin key: \S+/);
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
    assert.match(output, /SIGTERM: stopping/);
  });
});
