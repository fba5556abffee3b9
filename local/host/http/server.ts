// The public HTTP front (function routes under the route prefix, the durabletask webhooks) and the
// local RPC listener of the Durable extension. Wiring only: routing, auth and conversion live elsewhere.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { clientBindingPayload, WEBHOOK_PATH, type WebhookContext } from '../durable/clientBinding';
import type { DurableEngine, Invoke } from '../durable/engine';
import type { DurableHttpApi } from '../durable/httpApi';
import type { HostLog } from '../log';
import type { RpcParameterBinding } from '../rpc/types';
import { isAuthorized, presentedKey } from './auth';
import { matchRoute, type FunctionRoute } from './functionRoutes';
import type { HostKeys } from './keys';
import { toRpcHttpRequest, writeRpcHttpResponse } from './rpcHttp';

export const RPC_PATH = '/durabletask/';

export interface FrontOptions {
  routes: FunctionRoute[];
  routePrefix: string;
  keys: HostKeys;
  engine: DurableEngine;
  durableApi: DurableHttpApi;
  webhook: WebhookContext;
  invoke: Invoke;
  log: HostLog;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function empty(res: ServerResponse, status: number): void {
  res.writeHead(status, { 'content-length': '0' });
  res.end();
}

/** WebUtility.UrlDecode of the path, as HttpApiHandler does before matching its routes. */
function urlDecodePath(path: string): string {
  try {
    return decodeURIComponent(path.replace(/\+/g, ' '));
  } catch {
    return path;
  }
}

function requestUrl(req: IncomingMessage, fallbackOrigin: string): URL {
  const host = req.headers.host;
  return new URL(req.url ?? '/', host ? `http://${host}` : fallbackOrigin);
}

export function createFrontHandler(options: FrontOptions): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    // 5xx answers and refused keys are logged (method, path without query: never the key), never silent.
    res.on('finish', () => {
      if (res.statusCode >= 500 || res.statusCode === 401 || res.statusCode === 403) {
        options.log({ level: res.statusCode >= 500 ? 'error' : 'warning', category: 'http', message: `${req.method ?? 'GET'} ${(req.url ?? '/').split('?')[0]} answered ${res.statusCode}` });
      }
    });
    void handleFront(options, req, res).catch((err: Error) => {
      options.log({ level: 'error', category: 'host', message: `HTTP request failed: ${err.stack ?? err.message}` });
      if (!res.headersSent) empty(res, 500);
      else res.destroy();
    });
  };
}

async function handleFront(options: FrontOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = await readBody(req);
  const url = requestUrl(req, options.webhook.origin);
  const method = (req.method ?? 'GET').toUpperCase();
  const path = url.pathname;

  if (path === WEBHOOK_PATH || path.startsWith(`${WEBHOOK_PATH}/`)) {
    if (!isAuthorized('system', presentedKey(req, url), options.keys)) return empty(res, 401);
    return options.durableApi.handle(
      { method, path: urlDecodePath(path.slice(WEBHOOK_PATH.length)), url, headers: req.headers, body, linkOrigin: url.origin },
      res,
    );
  }

  const prefix = options.routePrefix ? `/${options.routePrefix}` : '';
  if (path === '/' && prefix !== '') {
    // The host's default page ("Your Functions 4.0 app is up and running").
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
    res.end('Your Functions 4.0 app is up and running (local host)\n');
    return;
  }
  if (prefix !== '' && path !== prefix && !path.toLowerCase().startsWith(`${prefix.toLowerCase()}/`)) return empty(res, 404);
  const rest = path.slice(prefix.length).replace(/^\/+/, '');
  const segments = rest === '' ? [] : rest.replace(/\/+$/, '').split('/');
  const matched = matchRoute(options.routes, method, segments);
  if (!matched) return empty(res, 404);
  const { route, params } = matched;
  if (!isAuthorized(route.authLevel, presentedKey(req, url), options.keys)) return empty(res, 401);

  const inputData: RpcParameterBinding[] = [{ name: route.triggerBinding, data: { http: toRpcHttpRequest(req, url, body, params) } }];
  for (const name of route.durableClientBindings) {
    inputData.push({ name, data: { string: JSON.stringify(clientBindingPayload(options.webhook)) } });
  }
  options.engine.beginExternalWork();
  try {
    const outcome = await options.invoke({
      invocationId: randomUUID(),
      functionId: route.functionId,
      inputData,
      triggerMetadata: {},
    });
    if (outcome.error) {
      options.log({ level: 'error', category: 'host', functionName: route.functionName, message: `Executed with an error: ${outcome.error.stack ?? outcome.error.message}` });
      return empty(res, 500);
    }
    writeRpcHttpResponse(res, outcome.response?.returnValue?.http, method);
  } finally {
    options.engine.endExternalWork();
  }
}

export function createRpcHandler(durableApi: DurableHttpApi, publicOrigin: string, log: HostLog): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    void (async () => {
      const body = await readBody(req);
      const url = requestUrl(req, publicOrigin);
      if (!url.pathname.startsWith(RPC_PATH)) return empty(res, 404);
      await durableApi.handle(
        { method: (req.method ?? 'GET').toUpperCase(), path: urlDecodePath(url.pathname.slice(RPC_PATH.length)), url, headers: req.headers, body, linkOrigin: publicOrigin },
        res,
      );
    })().catch((err: Error) => {
      log({ level: 'error', category: 'host', message: `RPC request failed: ${err.message}` });
      if (!res.headersSent) empty(res, 500);
    });
  };
}
