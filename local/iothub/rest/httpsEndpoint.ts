// The HTTPS listener: service REST calls (authorised by SAS, then hub faults, then the handler) and the admin API
// under /_emulator/. JSON responses always carry `Content-Type: application/json; charset=utf-8`: the service SDK
// drops bodies without it (research §1.1). Keep-alive is long (65 s) because the SDK pools sockets.
import * as https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type * as net from 'node:net';
import { IotHubError, hubErrors, serviceErrorResponse } from '../errors';
import type { IotHub } from '../hub';
import { SERVICE_ROUTES, matchRoute } from './routes';
import type { RestRequest, RestResult } from './restTypes';
import { authorizeServiceRequest } from './serviceAuth';

export const ADMIN_PREFIX = '_emulator';
/** Larger than any legal request (method payloads are ≤128 KB, twins ≤32 KB per section); bigger bodies get 413. */
export const MAX_REQUEST_BYTES = 1024 * 1024;

export type AdminRequestHandler = (request: RestRequest & { segments: readonly string[] }) => RestResult | Promise<RestResult>;

export interface HttpsEndpointOptions {
  port: number;
  bindAddress: string;
  key: string;
  cert: string;
  admin: AdminRequestHandler;
  /** HTTP upgrades (MQTT over WebSockets); without it they are refused. */
  upgrade?: (request: IncomingMessage, socket: Duplex, head: Buffer) => void;
}

export interface RunningHttpsEndpoint {
  port: number;
  close(): Promise<void>;
}

class BodyTooLarge extends Error {}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_REQUEST_BYTES) {
        req.removeAllListeners('data');
        req.resume();
        reject(new BodyTooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function parseJsonBody(raw: Buffer): unknown {
  if (raw.length === 0) return undefined;
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    throw hubErrors.malformedJson();
  }
}

function writeResult(res: ServerResponse, result: RestResult): void {
  if (res.headersSent || res.destroyed) return;
  const headers: Record<string, string | number> = { ...(result.headers ?? {}) };
  if (result.status === 204 || result.body === undefined) {
    res.writeHead(result.status, headers);
    res.end();
    return;
  }
  const payload = Buffer.from(JSON.stringify(result.body), 'utf8');
  headers['content-type'] = 'application/json; charset=utf-8';
  headers['content-length'] = payload.length;
  res.writeHead(result.status, headers);
  res.end(payload);
}

function errorResult(hub: IotHub, error: unknown): RestResult {
  if (error instanceof IotHubError) return serviceErrorResponse(error);
  hub.log(`https: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  return serviceErrorResponse(new IotHubError(500001, 'Internal server error.'));
}

/** 5xx answers and refused credentials are logged (method, path without query, status, error code), never silent. */
function reportRefusal(hub: IotHub, req: IncomingMessage, result: RestResult): void {
  if (result.status < 500 && result.status !== 401 && result.status !== 403) return;
  const code = result.headers?.['iothub-errorcode'];
  hub.log(`https: ${req.method ?? 'GET'} ${(req.url ?? '/').split('?')[0]} answered ${result.status}${code ? ` ${code}` : ''}`);
}

export async function startHttpsEndpoint(hub: IotHub, options: HttpsEndpointOptions): Promise<RunningHttpsEndpoint> {
  async function handle(req: IncomingMessage, res: ServerResponse): Promise<RestResult> {
    const url = new URL(req.url ?? '/', 'https://emulator.invalid');
    const raw = url.pathname.split('/').slice(1);
    if (raw.length > 1 && raw[raw.length - 1] === '') raw.pop(); // GET /devices/ lists devices
    let segments: string[];
    try {
      segments = raw.map((segment) => decodeURIComponent(segment));
    } catch {
      throw hubErrors.argumentInvalid('The request path is not correctly URL-encoded.');
    }
    let body: unknown;
    try {
      body = parseJsonBody(await readBody(req));
    } catch (error) {
      if (error instanceof BodyTooLarge) {
        res.setHeader('connection', 'close');
        throw hubErrors.messageTooLarge('The request body', MAX_REQUEST_BYTES);
      }
      throw error;
    }
    const method = (req.method ?? 'GET').toUpperCase();

    if (segments[0] === ADMIN_PREFIX) {
      return options.admin({ method, params: [], segments: segments.slice(1), query: url.searchParams, headers: req.headers, body });
    }

    hub.counters.increment('restRequests');
    const match = matchRoute(SERVICE_ROUTES, method, segments);
    if (!match) throw hubErrors.unsupported(method, url.pathname);
    try {
      authorizeServiceRequest(hub, req.headers.authorization, segments.join('/'), match.route.permissions);
    } catch (error) {
      hub.counters.increment('authFailures');
      throw error;
    }
    const injected = hub.faults.takeHubFault();
    if (injected) {
      hub.counters.increment(injected.code === 429001 ? 'throttled' : 'injectedFaults');
      throw injected;
    }
    return match.route.handle(hub, { method, params: match.params, query: url.searchParams, headers: req.headers, body });
  }

  const sockets = new Set<net.Socket>();
  // noDelay: small request/response pairs on pooled sockets otherwise wait on Nagle's algorithm (measured ~2.5× slower).
  const server = https.createServer({ key: options.key, cert: options.cert, minVersion: 'TLSv1.2', noDelay: true }, (req, res) => {
    const answer = (result: RestResult) => {
      reportRefusal(hub, req, result);
      writeResult(res, result);
    };
    // A request being handled is work in flight on the stack's clock (virtual time waits for its answer).
    void hub.clock.run(`https ${req.method ?? 'GET'} ${(req.url ?? '/').split('?')[0]}`, () =>
      handle(req, res).then(answer, (error: unknown) => answer(errorResult(hub, error))));
  });
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.on('connection', (socket: net.Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('tlsClientError', () => undefined);
  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    if (options.upgrade) options.upgrade(request, socket, head);
    else socket.destroy();
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.bindAddress, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as net.AddressInfo).port;

  return {
    port,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}
