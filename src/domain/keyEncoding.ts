// Device ids may hold characters that Azure Table keys forbid ('#', '?', and '/' '\' in general) and that are
// unsafe in URL paths and Durable instance ids ('%', '#', '?', quotes). Both uses get a reversible escape
// where only [A-Za-z0-9.-] pass through and every other character becomes `_` plus two hex digits
// (device ids are ASCII, so one byte per character). `_` itself is escaped, which keeps the mapping one-to-one.
import { createHash } from 'node:crypto';

const PASS_THROUGH = /[A-Za-z0-9.-]/;

/** Reversible, table-key-safe and URL-path-safe form of a device id: "a#b_c" → "a_23b_5Fc". */
export function encodeKey(value: string): string {
  let out = '';
  for (const ch of value) {
    if (PASS_THROUGH.test(ch)) {
      out += ch;
    } else {
      const code = ch.codePointAt(0)!;
      if (code > 0xff) throw new RangeError('Only ASCII/Latin-1 text can be key-encoded');
      out += `_${code.toString(16).toUpperCase().padStart(2, '0')}`;
    }
  }
  return out;
}

/**
 * A bounded key for places with a length limit (Durable instance ids: 256 characters). Keys up to `maxLength`
 * are the plain encoding; longer ones keep a readable prefix and add a SHA-256 digest of the full device id.
 */
export function boundedKey(value: string, maxLength = 160): string {
  const full = encodeKey(value);
  if (full.length <= maxLength) return full;
  const digest = createHash('sha256').update(value, 'utf8').digest('hex').slice(0, 20);
  // '~' never appears in an encoded key, so a digest-bearing key cannot equal a plain one.
  return `${full.slice(0, maxLength - digest.length - 1)}~${digest}`;
}
