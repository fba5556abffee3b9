// Continuation tokens are base64 JSON `{ nextPartitionKey, nextRowKey }` (@azure/data-tables
// utils/continuationToken) whose values the service encodes opaquely. Check the shape so garbage is the caller's
// 400, not a 500; a token from another query cannot leak rows because every query keeps its own filter.
import { invalid } from '../../domain/requestError';

export function checkContinuationToken(token: string): void {
  const bad = invalid('continuationToken', 'continuationToken is not a token this API returned.');
  if (token.length > 4096 || !/^[A-Za-z0-9+/=_-]+$/.test(token)) throw bad;
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(token, 'base64').toString('utf8'));
  } catch {
    throw bad;
  }
  const next = decoded as { nextPartitionKey?: unknown; nextRowKey?: unknown } | null;
  if (next === null || typeof next !== 'object' || Array.isArray(next) || typeof next.nextPartitionKey !== 'string'
    || (next.nextRowKey !== undefined && typeof next.nextRowKey !== 'string')) {
    throw bad;
  }
}
