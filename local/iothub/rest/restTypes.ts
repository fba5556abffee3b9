// The shapes REST handlers work with: a parsed request and the result they return (the server writes it).
import type { IncomingHttpHeaders } from 'node:http';
import type { IotHub } from '../hub';
import type { Permission } from '../sas/policies';

export interface RestRequest {
  readonly method: string;
  /** Path segments after the route's literal parts, URL-decoded (device ids may contain # ? % and more). */
  readonly params: readonly string[];
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  /** The JSON body, or undefined when the request had none. */
  readonly body: unknown;
}

export interface RestResult {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export type RestHandler = (hub: IotHub, request: RestRequest) => RestResult | Promise<RestResult>;

export interface Route {
  method: 'GET' | 'PUT' | 'POST' | 'PATCH' | 'DELETE';
  /** Literal segments and ':param' placeholders, e.g. ['twins', ':id', 'methods']. */
  path: readonly string[];
  /** The request needs a policy holding at least one of these. */
  permissions: readonly Permission[];
  handle: RestHandler;
}

/** The route's one ':id' parameter (a device or job id). */
export function idParam(request: RestRequest): string {
  const [id] = request.params;
  // Only a route declared without ':id' can get here without one: a bug in SERVICE_ROUTES, not a bad request.
  if (id === undefined) throw new Error('This route has no :id parameter.');
  return id;
}

export function header(request: RestRequest, name: string): string | undefined {
  const value = request.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}
