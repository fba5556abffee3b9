// Start and stop: the generated certificate (SAN, CA chain), files on disk, closing keep-alive sockets and device
// sessions, a custom host name, and fixed ports.
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tls from 'node:tls';
import { describe, it } from 'node:test';
import { startIotHubEmulator } from '../../../local/iothub/index';
import { openDeviceClient, restCall, serviceClients } from '../../support/iothub';

describe('emulator lifecycle', () => {
  it('issues a server certificate signed by the CA, with localhost, 127.0.0.1 and the host name as SANs', async () => {
    const emulator = await startIotHubEmulator({ hostName: 'myhub.azure-devices.net' });
    try {
      const ca = new X509Certificate(emulator.caCertPem);
      assert.equal(ca.ca, true);
      const served = await new Promise<X509Certificate>((resolve, reject) => {
        const socket = tls.connect(
          { host: '127.0.0.1', port: emulator.httpsPort, servername: 'myhub.azure-devices.net', ca: emulator.caCertPem },
          () => {
            resolve(new X509Certificate(socket.getPeerCertificate().raw));
            socket.destroy();
          },
        );
        socket.on('error', reject);
      });
      assert.ok(served.verify(ca.publicKey), 'signed by the CA');
      assert.equal(served.checkHost('myhub.azure-devices.net'), 'myhub.azure-devices.net');
      assert.equal(served.checkHost('localhost'), 'localhost');
      assert.equal(served.checkIP('127.0.0.1'), '127.0.0.1');
      assert.match(emulator.serviceConnectionString, /^HostName=myhub\.azure-devices\.net:\d+;/);
      await emulator.admin.createDevices(['d']);
      assert.match(emulator.deviceConnectionString('d'), new RegExp(`^HostName=myhub\\.azure-devices\\.net;DeviceId=d;SharedAccessKey=[^;]+;GatewayHostName=myhub\\.azure-devices\\.net:${emulator.mqttPort}$`));
      assert.throws(() => emulator.deviceConnectionString('missing'), /does not exist/);
      assert.equal((await restCall(emulator, 'GET', '/devices/d')).status, 200, 'SAS sr is the custom host name');
    } finally {
      await emulator.stop();
    }
  });

  it('writes the CA PEM to a temporary folder and removes it at stop; keeps it in certDir when asked', async () => {
    const emulator = await startIotHubEmulator();
    assert.equal(fs.readFileSync(emulator.caCertPath, 'utf8'), emulator.caCertPem);
    await emulator.stop();
    assert.equal(fs.existsSync(path.dirname(emulator.caCertPath)), false);

    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'emu-cert-test-'));
    try {
      const kept = await startIotHubEmulator({ certDir: dir, keepCertFiles: true });
      await kept.stop();
      assert.equal(fs.existsSync(kept.caCertPath), true);
      assert.equal(path.dirname(kept.caCertPath), dir);
      const removed = await startIotHubEmulator({ certDir: dir });
      await removed.stop();
      assert.equal(fs.existsSync(removed.caCertPath), false);
      assert.equal(fs.existsSync(dir), true, 'a caller-owned folder is left in place');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('stop() closes keep-alive sockets and device sessions, frees the ports, and is idempotent', async () => {
    const emulator = await startIotHubEmulator();
    await emulator.admin.createDevices(['live']);
    const service = serviceClients(emulator);
    await service.registry.get('live'); // leaves a pooled keep-alive socket open
    const device = await openDeviceClient(emulator, 'live');
    const started = Date.now();
    await Promise.all([emulator.stop(), emulator.stop()]);
    assert.ok(Date.now() - started < 5000);
    for (const port of [emulator.httpsPort, emulator.mqttPort]) {
      await assert.rejects(
        new Promise((resolve, reject) => net.connect(port, '127.0.0.1').once('connect', resolve).once('error', reject)),
        /ECONNREFUSED/,
      );
    }
    await device.close();
    service.close();
  });

  it('listens on the ports it is given', async () => {
    const free = async () => {
      const server = net.createServer().listen(0, '127.0.0.1');
      await new Promise((resolve) => server.once('listening', resolve));
      const { port } = server.address() as net.AddressInfo;
      await new Promise((resolve) => server.close(resolve));
      return port;
    };
    const [httpsPort, mqttPort] = [await free(), await free()];
    const emulator = await startIotHubEmulator({ httpsPort, mqttPort });
    try {
      assert.deepEqual([emulator.httpsPort, emulator.mqttPort], [httpsPort, mqttPort]);
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'emu-port-test-'));
      try {
        await assert.rejects(startIotHubEmulator({ httpsPort, certDir: dir }), /EADDRINUSE/);
        await assert.rejects(startIotHubEmulator({ mqttPort, certDir: dir }), /EADDRINUSE/);
        assert.deepEqual(fs.readdirSync(dir), [], 'a failed start leaves no files behind');
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    } finally {
      await emulator.stop();
    }
  });
});
