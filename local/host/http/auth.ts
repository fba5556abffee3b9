// Authorization levels of HTTP triggers as the Functions host enforces them in Azure: the key comes
// from the `code` query parameter or the `x-functions-key` header; the master key satisfies any level.
import type { IncomingMessage } from 'node:http';
import { keyEquals, type HostKeys } from './keys';

export type AuthLevel = 'anonymous' | 'function' | 'admin' | 'system';

export function presentedKey(req: IncomingMessage, url: URL): string | undefined {
  const header = req.headers['x-functions-key'];
  if (typeof header === 'string' && header !== '') return header;
  return url.searchParams.get('code') ?? undefined;
}

export function isAuthorized(level: AuthLevel, key: string | undefined, keys: HostKeys): boolean {
  if (level === 'anonymous') return true;
  if (keyEquals(key, keys.masterKey)) return true;
  if (level === 'function') return keyEquals(key, keys.functionKey);
  if (level === 'system') return keyEquals(key, keys.systemKey);
  return false;
}

export function normalizeAuthLevel(value: unknown): AuthLevel {
  const v = typeof value === 'string' ? value.toLowerCase() : 'anonymous';
  if (v === 'function' || v === 'admin' || v === 'system') return v;
  return 'anonymous';
}
