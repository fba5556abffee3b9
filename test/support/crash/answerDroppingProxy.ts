// A proxy between the app and the IoT Hub emulator's HTTPS endpoint that can lose the hub's answer to a direct
// method AFTER the hub has delivered the method to the device: the failure of issue 8 ("a connection reset after
// the hub delivered the method is treated as transient and retried").
//
// It terminates TLS with its own throw-away CA (the app is pointed at it through IOTHUB_CA_CERT_PATH and
// `HostName=localhost:<proxy port>`; the SAS `sr` is the bare host name, which the emulator accepts on any port)
// and forwards every request to the emulator. A method invocation (POST /twins/{id}/methods) for a device that is
// armed when the request arrives is forwarded too, but as soon as the hub starts answering it (response headers),
// the app's connection is reset and the answer thrown away. Everything else (twin reads, registry reads, the
// requests of devices that are not armed) passes through untouched. Arming is per device, so a test can disarm a
// device the moment the device has the method (a device-side event) and let its later requests through.
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { createServerCertificate } from '../../../local/iothub/cert';
import { elementAt } from '../elementAt';

export interface AnswerDroppingProxyOptions {
  /** The emulator's HTTPS port and host name (its certificate's name). */
  upstreamPort: number;
  upstreamHostName: string;
  /** PEM of the emulator's CA, to verify it. */
  upstreamCaPem: string;
}

export interface ProxyStats {
  /** Requests forwarded whose answer reached the app. */
  passed: number;
  /** Method invocations whose answer was dropped, per device. */
  droppedByDevice: Map<string, number>;
  /** Method invocations seen, per device (dropped or not). */
  methodRequestsByDevice: Map<string, number>;
  /** Upstream failures answered 502 (should stay 0: the proxy itself must not add failures). */
  upstreamErrors: number;
}

export interface AnswerDroppingProxy {
  readonly port: number;
  /** PEM file of the proxy's CA: give it to the app as IOTHUB_CA_CERT_PATH. */
  readonly caCertPath: string;
  readonly stats: ProxyStats;
  /** The emulator's service connection string with the proxy's port instead of the emulator's. */
  connectionStringFor(serviceConnectionString: string): string;
  /** Method answers for these devices are dropped from now on (for requests that arrive while armed). */
  arm(deviceIds: Iterable<string>): void;
  /** Later method requests of this device (or of every device, without an argument) pass. */
  disarm(deviceId?: string): void;
  isArmed(deviceId: string): boolean;
  close(): Promise<void>;
}

const METHOD_PATH = /^\/twins\/([^/?]+)\/methods\/?(?:\?|$)/;
/** Hop-by-hop headers (RFC 9110 §7.6.1) are the connection's business, not the message's. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer']);

function endToEndHeaders(headers: http.IncomingHttpHeaders): http.OutgoingHttpHeaders {
  const out: http.OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) if (value !== undefined && !HOP_BY_HOP.has(name)) out[name] = value;
  return out;
}

/**
 * Closes the app's connection under its pending request: the app sees "socket hang up" (ECONNRESET). A TLS
 * socket's handle cannot send a TCP RST (resetAndDestroy refuses TLS handles), and for the client the effect is
 * the same: the connection died after the request went out, with no answer.
 */
function dropConnection(socket: Socket): void {
  socket.destroy();
}

export async function startAnswerDroppingProxy(options: AnswerDroppingProxyOptions): Promise<AnswerDroppingProxy> {
  const certificate = await createServerCertificate(options.upstreamHostName);
  const certDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crash-proxy-'));
  const caCertPath = path.join(certDir, 'proxy-ca.pem');
  fs.writeFileSync(caCertPath, certificate.caCertPem);

  const armed = new Set<string>();
  const stats: ProxyStats = { passed: 0, droppedByDevice: new Map(), methodRequestsByDevice: new Map(), upstreamErrors: 0 };
  const upstreamAgent = new https.Agent({ keepAlive: true, ca: options.upstreamCaPem });
  const sockets = new Set<Socket>();

  const server = https.createServer({ key: certificate.keyPem, cert: certificate.certPem }, (req, res) => {
    const match = METHOD_PATH.exec(req.url ?? '');
    const deviceId = match && req.method === 'POST' ? decodeURIComponent(elementAt(match, 1)) : undefined;
    if (deviceId !== undefined) stats.methodRequestsByDevice.set(deviceId, (stats.methodRequestsByDevice.get(deviceId) ?? 0) + 1);
    // Decided when the request arrives: a device disarmed while its request is at the hub still loses that answer.
    const dropAnswer = deviceId !== undefined && armed.has(deviceId);
    const upstream = https.request({
      host: '127.0.0.1',
      servername: options.upstreamHostName,
      port: options.upstreamPort,
      method: req.method,
      path: req.url,
      headers: endToEndHeaders(req.headers),
      agent: upstreamAgent,
    }, (answer) => {
      if (dropAnswer) {
        stats.droppedByDevice.set(deviceId, (stats.droppedByDevice.get(deviceId) ?? 0) + 1);
        answer.resume();
        dropConnection(req.socket);
        return;
      }
      stats.passed++;
      res.writeHead(answer.statusCode ?? 502, answer.statusMessage, endToEndHeaders(answer.headers));
      answer.pipe(res);
    });
    upstream.on('error', (err) => {
      stats.upstreamErrors++;
      if (!res.headersSent && !res.destroyed) {
        res.writeHead(502, { 'content-type': 'text/plain' });
        res.end(`proxy: upstream failed: ${err.message}`);
      } else {
        res.destroy();
      }
    });
    req.on('error', () => upstream.destroy());
    req.pipe(upstream);
  });
  server.on('secureConnection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.on('tlsClientError', () => undefined); // a client that gives up mid-handshake is not our concern

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;

  let closing: Promise<void> | undefined;
  return {
    port,
    caCertPath,
    stats,
    connectionStringFor: (serviceConnectionString) => {
      const replaced = serviceConnectionString.replace(/HostName=([^;:]+)(?::\d+)?;/, `HostName=$1:${port};`);
      if (replaced === serviceConnectionString) throw new Error('the service connection string has no HostName to redirect');
      return replaced;
    },
    arm: (deviceIds) => {
      for (const id of deviceIds) armed.add(id);
    },
    disarm: (deviceId) => {
      if (deviceId === undefined) armed.clear();
      else armed.delete(deviceId);
    },
    isArmed: (deviceId) => armed.has(deviceId),
    close() {
      closing ??= (async () => {
        armed.clear();
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        for (const socket of sockets) socket.destroy();
        await closed;
        upstreamAgent.destroy();
        fs.rmSync(certDir, { recursive: true, force: true });
      })();
      return closing;
    },
  };
}
