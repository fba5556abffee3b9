// SAS verification: HMAC-SHA256 over "<sr as sent>\n<se>", expiry, and scope by path segment
// (azure-docs iot-hub-dev-guide-sas.md: "/a/b" grants "/a/b/c" but not "/a/bc").
import { createHmac, timingSafeEqual } from 'node:crypto';
import { type SasToken, decodedResource } from './token';

export type SasFailure = 'malformed' | 'expired' | 'signature' | 'scope';

/**
 * How the HMAC key is taken from the policy's key text: IoT Hub decodes it from base64; Event Hubs (and so IoT Hub's
 * Event Hubs-compatible endpoint) signs with the text's UTF-8 bytes as they are (@azure/core-amqp createToken).
 */
export type KeyEncoding = 'base64' | 'utf8';

export function signatureMatches(token: SasToken, base64Key: string, keyEncoding: KeyEncoding = 'base64'): boolean {
  let presented: Buffer;
  try {
    presented = Buffer.from(decodeURIComponent(token.signature), 'base64');
  } catch {
    return false;
  }
  const expected = createHmac('sha256', Buffer.from(base64Key, keyEncoding))
    .update(`${token.resourceUri}\n${token.expiry}`)
    .digest();
  return presented.length === expected.length && timingSafeEqual(presented, expected);
}

export function isExpired(token: SasToken, nowMs = Date.now()): boolean {
  return Number(token.expiry) * 1000 <= nowMs;
}

/** True when the token's `sr` is the resource itself or one of its ancestors, segment by segment. */
export function scopeCovers(token: SasToken, resources: readonly string[]): boolean {
  const scope = decodedResource(token);
  if (scope === undefined || scope === '') return false;
  return resources.some((resource) => {
    const target = resource.toLowerCase();
    return target === scope || target.startsWith(`${scope}/`);
  });
}

/**
 * Verifies signature, expiry and scope against one key. `resources` lists every spelling of the resource being
 * accessed (bare host and host:port), since clients may sign either.
 */
export function verifySasToken(
  token: SasToken,
  base64Key: string,
  resources: readonly string[],
  nowMs = Date.now(),
  keyEncoding: KeyEncoding = 'base64',
): SasFailure | undefined {
  if (!signatureMatches(token, base64Key, keyEncoding)) return 'signature';
  if (isExpired(token, nowMs)) return 'expired';
  if (!scopeCovers(token, resources)) return 'scope';
  return undefined;
}
