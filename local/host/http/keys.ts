// Host keys: the master key (admin level, works everywhere), a default function key (function level)
// and the durabletask_extension system key that protects /runtime/webhooks/durabletask. Like the
// Functions host (azure-webjobs-secrets), the keys live in storage: a restarted host keeps them, so
// every URL it handed out still works. Pinned keys win and are saved for the next start.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Store } from '../store/store';

export interface HostKeys {
  masterKey: string;
  functionKey: string;
  systemKey: string;
}

export interface HostKeyOptions {
  masterKey?: string;
  functionKey?: string;
  systemKey?: string;
}

function newKey(): string {
  // Same shape as generated Functions keys: URL-safe base64 of random bytes.
  return randomBytes(40).toString('base64url');
}

export function keyEquals(presented: string | undefined, expected: string): boolean {
  if (presented === undefined) return false;
  const a = Buffer.from(presented);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The keys to use: pinned ones, else those saved by an earlier start, else new ones; saved either way. */
export async function loadHostKeys(store: Store, pinned: HostKeyOptions = {}): Promise<HostKeys> {
  const saved = await store.readHostKeys();
  const keys: HostKeys = {
    masterKey: pinned.masterKey ?? saved?.masterKey ?? newKey(),
    functionKey: pinned.functionKey ?? saved?.functionKey ?? newKey(),
    systemKey: pinned.systemKey ?? saved?.systemKey ?? newKey(),
  };
  if (!saved || saved.masterKey !== keys.masterKey || saved.functionKey !== keys.functionKey || saved.systemKey !== keys.systemKey) await store.writeHostKeys(keys);
  return keys;
}
