// The callback part of a start request (the subscribe call of the Logic Apps HTTP Webhook action): takes
// `callbackUrl` out of the body, checks it (shape, scheme, every resolved address) and gives back the URL with its
// lookup key. The URL is never logged or echoed; error messages name the field, not the value.
import * as dns from 'node:dns';
import { callbackKey, type CallbackStore } from '../domain/callbacks/callbackStore';
import { checkCallbackTarget, parseCallbackUrl, type HostResolver } from '../domain/callbacks/callbackUrl';
import type { AddressPolicy } from '../domain/callbacks/callbackAddress';
import type { RetrySpec } from '../orchestrations/deviceOperationInput';

export interface CallbackDependencies {
  store: CallbackStore;
  retry: RetrySpec;
  /** Checks a callbackUrl value; throws RequestError naming callbackUrl. */
  check(value: unknown): Promise<{ url: string; key: string }>;
}

export const systemResolver: HostResolver = async (hostname) => (await dns.promises.lookup(hostname, { all: true, verbatim: true })).map((a) => a.address);

export function callbackDependencies(store: CallbackStore, policy: AddressPolicy, retry: RetrySpec, resolve: HostResolver = systemResolver): CallbackDependencies {
  return {
    store, retry,
    check: async (value) => {
      const url = parseCallbackUrl(value, policy);
      await checkCallbackTarget(url, policy, resolve);
      const text = value as string;
      return { url: text, key: callbackKey(text) };
    },
  };
}

/** Splits a parsed start body into its callbackUrl (undefined when absent) and the rest. */
export function takeCallbackUrl(body: unknown): { callback: unknown; rest: unknown } {
  if (typeof body !== 'object' || body === null || Array.isArray(body) || !Object.prototype.hasOwnProperty.call(body, 'callbackUrl')) {
    return { callback: undefined, rest: body };
  }
  const { callbackUrl, ...rest } = body as Record<string, unknown>;
  return { callback: callbackUrl === undefined ? null : callbackUrl, rest };
}
