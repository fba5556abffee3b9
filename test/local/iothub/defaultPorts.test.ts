// The default-port path for real: in a private network namespace (root's `unshare -n`, so the fixed ports 443 and
// 8883 cannot collide with anything else on the machine), the CLI with --default-ports prints connection strings
// without ports, and an unmodified app that uses only them and NODE_EXTRA_CA_CERTS reaches the emulator over HTTPS
// (Registry, Client), MQTT over TLS (Mqtt) and MQTT over WebSockets (MqttWs).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { parseCliArguments } from '../../../local/iothub/cli';

describe('emulator on the default ports', () => {
  it('--default-ports means 443 and 8883 and excludes explicit ports', () => {
    const options = parseCliArguments(['--default-ports']);
    assert.deepEqual([options.httpsPort, options.mqttPort], [443, 8883]);
    assert.throws(() => parseCliArguments(['--default-ports', '--https-port', '8443']), /cannot be combined/);
  });

  it('serves an unmodified app that has only the printed connection strings and NODE_EXTRA_CA_CERTS', async () => {
    const driver = path.resolve(__dirname, `defaultPorts/driver${path.extname(__filename)}`);
    const nodeCommand = [process.execPath, ...process.execArgv.filter((a) => !a.startsWith('--test')), driver].map((part) => `'${part}'`).join(' ');
    const child = spawn('unshare', ['--net', 'sh', '-c', `ip link set lo up && exec ${nodeCommand}`], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let errors = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    assert.equal(code, 0, errors);
    const result = JSON.parse(output) as { service: string; device: string; appExitCode: number; app: string; appErrors: string };
    assert.match(result.service, /^HostName=localhost;SharedAccessKeyName=iothubowner;SharedAccessKey=\S+$/);
    assert.match(result.device, /^HostName=localhost;DeviceId=sim-001;SharedAccessKey=[^;]+$/, 'no GatewayHostName on 8883');
    assert.equal(result.appExitCode, 0, result.appErrors);
    assert.deepEqual(JSON.parse(result.app), { mqttMethod: { status: 200, payload: { over: 'mqtts:8883' } }, reported: 'wss:443' });
  });
});
