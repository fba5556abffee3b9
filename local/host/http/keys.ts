// Host keys: the master key (admin level, works everywhere), a default function key (function level)
// and the durabletask_extension system key that protects /runtime/webhooks/durabletask.
import { randomBytes, timingSafeEqual } from 'node:crypto';

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

export function createHostKeys(options: HostKeyOptions = {}): HostKeys {
  return {
    masterKey: options.masterKey ?? newKey(),
    functionKey: options.functionKey ?? newKey(),
    systemKey: options.systemKey ?? newKey(),
  };
}

export function keyEquals(presented: string | undefined, expected: string): boolean {
  if (presented === undefined) return false;
  const a = Buffer.from(presented);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
