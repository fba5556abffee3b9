// Status URLs must be followable by a poller that adds nothing of its own (the Logic Apps HTTP action follows
// Location as-is), so the caller's function key travels in the URL's `code` query, as in Durable's own status
// URLs. The key is only ever echoed back to the caller who presented it.
import type { HttpRequest } from '@azure/functions';
import { ROUTE_PREFIX } from './routes';

/** The function key the caller presented: `code` query parameter or `x-functions-key` header. */
export function presentedFunctionKey(request: HttpRequest): string | undefined {
  const fromQuery = request.query.get('code');
  if (fromQuery !== null && fromQuery !== '') return fromQuery;
  const fromHeader = request.headers.get('x-functions-key');
  return fromHeader !== null && fromHeader !== '' ? fromHeader : undefined;
}

/** Absolute URL of `path` (below the route prefix) on the host the request came to, with the caller's key. */
export function appUrl(request: HttpRequest, path: string, query: Record<string, string> = {}): string {
  const url = new URL(`/${ROUTE_PREFIX}/${path}`, new URL(request.url).origin);
  for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
  const key = presentedFunctionKey(request);
  if (key !== undefined) url.searchParams.set('code', key);
  return url.toString();
}

export function operationStatusUrl(request: HttpRequest, instanceId: string): string {
  return appUrl(request, `operations/${encodeURIComponent(instanceId)}`);
}

export function operationCancelUrl(request: HttpRequest, instanceId: string): string {
  return appUrl(request, `operations/${encodeURIComponent(instanceId)}/cancel`);
}
