// Paging of query results over REST: the page size comes from the `x-ms-max-item-count` request header, the
// position from `x-ms-continuation`. The response must leave out `x-ms-continuation` on the last page: the Node
// SDK sets `hasMoreResults = (header !== undefined)`, so an empty header would make it loop forever
// (azure-iothub src/query.ts; research iothub-emulator.md §7).
import { QueryError } from './errors';

/** Used when the request has no x-ms-max-item-count header. */
export const DEFAULT_PAGE_SIZE = 100;
/** "the query object is instantiated with a page size (up to 1000)" (iot-hub-devguide-query-language.md). */
export const MAX_PAGE_SIZE = 1000;

export interface Page {
  items: unknown[];
  /** Absent on the last page. */
  continuationToken?: string;
}

/**
 * One page of `results`. The token is opaque to clients (base64url of `{"o":<offset>}`); an empty token counts
 * as none, since the SDK never sends one. A token past the end (the fleet shrank between pages) gives an empty
 * last page. Throws QueryError for a bad page size or a malformed token.
 */
export function paginate(results: unknown[], pageSize: number | undefined, continuationToken: string | undefined): Page {
  const size = pageSize ?? DEFAULT_PAGE_SIZE;
  if (!Number.isSafeInteger(size) || size < 1 || size > MAX_PAGE_SIZE) {
    throw new QueryError(`Invalid x-ms-max-item-count '${String(pageSize)}': the page size must be an integer from 1 to ${MAX_PAGE_SIZE}`);
  }
  const offset = continuationToken === undefined || continuationToken === '' ? 0 : decodeContinuationToken(continuationToken);
  const end = offset + size;
  const items = results.slice(offset, end);
  return end < results.length ? { items, continuationToken: encodeContinuationToken(end) } : { items };
}

export function encodeContinuationToken(offset: number): string {
  return Buffer.from(JSON.stringify({ o: offset }), 'utf8').toString('base64url');
}

export function decodeContinuationToken(token: string): number {
  const invalid = () => new QueryError('Invalid x-ms-continuation token: pass back the token of the previous page unchanged');
  // Node's base64url decoder skips characters outside the alphabet, so check the alphabet first.
  if (!/^[A-Za-z0-9_-]{1,256}$/.test(token)) throw invalid();
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  const offset = typeof decoded === 'object' && decoded !== null ? (decoded as { o?: unknown }).o : undefined;
  if (typeof offset !== 'number' || !Number.isSafeInteger(offset) || offset < 0) throw invalid();
  return offset;
}
