// The `callbackUrl` of a start request: where the app POSTs the operation's final status (the Logic Apps HTTP
// Webhook action passes `@{listCallbackUrl()}`). It is a secret — Logic Apps' callback URLs carry a SAS signature
// that stays valid for the run — so no message here ever quotes it. Rules: an absolute https URL without user
// name or password, at most 4,096 characters, whose host is a DNS name or IP literal that is not private,
// loopback, link-local or otherwise internal (every address the name resolves to is checked; see
// callbackAddress.ts). With CALLBACK_ALLOW_LOOPBACK, loopback hosts are allowed, over http too.
import * as net from 'node:net';
import { invalid } from '../requestError';
import { isLoopback, refusedAddress, type AddressPolicy } from './callbackAddress';

export const MAX_CALLBACK_URL_LENGTH = 4096;
const FIELD = 'callbackUrl';

/** Resolves a host name to every address it has (dns.promises.lookup with `all: true`, in production). */
export type HostResolver = (hostname: string) => Promise<string[]>;

/** Checks the shape of the value; the network check is `checkCallbackTarget`. Throws RequestError naming callbackUrl. */
export function parseCallbackUrl(value: unknown, policy: AddressPolicy): URL {
  if (typeof value !== 'string' || value === '') throw invalid(FIELD, 'callbackUrl must be a non-empty string (an absolute https URL).');
  if (value.length > MAX_CALLBACK_URL_LENGTH) throw invalid(FIELD, `callbackUrl must be at most ${MAX_CALLBACK_URL_LENGTH} characters.`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw invalid(FIELD, 'callbackUrl is not an absolute URL.');
  }
  if (url.username !== '' || url.password !== '') throw invalid(FIELD, 'callbackUrl must not contain a user name or password.');
  const host = hostOf(url);
  if (url.protocol === 'https:') return url;
  if (url.protocol === 'http:' && policy.allowLoopback && (host === 'localhost' || (net.isIP(host) !== 0 && isLoopback(host)))) return url;
  throw invalid(FIELD, 'callbackUrl must be an https URL.');
}

/**
 * Resolves the URL's host and refuses it when any address is not allowed (a name with one public and one private
 * address could be steered to the private one). Throws RequestError naming callbackUrl.
 */
export async function checkCallbackTarget(url: URL, policy: AddressPolicy, resolve: HostResolver): Promise<void> {
  const host = hostOf(url);
  let addresses: string[];
  if (net.isIP(host) !== 0) {
    addresses = [host];
  } else {
    try {
      addresses = await resolve(host);
    } catch {
      addresses = [];
    }
    if (addresses.length === 0) throw invalid(FIELD, "callbackUrl's host name does not resolve.");
  }
  for (const address of addresses) {
    const problem = refusedAddress(address, policy);
    if (problem !== undefined) throw invalid(FIELD, `callbackUrl's host is ${problem}; callbacks go only to public addresses.`);
  }
  if (url.protocol === 'http:' && !addresses.every(isLoopback)) throw invalid(FIELD, 'callbackUrl must be an https URL.');
}

/** The URL's host without IPv6 brackets. */
export function hostOf(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1');
}
