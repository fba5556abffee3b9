// Sends one completion callback: an HTTP POST of JSON to the stored URL. The host name is resolved again here,
// and the connection goes only to an address the callback policy allows (a name that resolved to a public address
// at start could point inside the network by now: DNS rebinding). Redirects are not followed, and the request
// is bounded by a timeout. Errors never quote the URL.
import * as dns from 'node:dns';
import * as http from 'node:http';
import * as https from 'node:https';
import * as net from 'node:net';
import type { LookupFunction } from 'node:net';
import { refusedAddress, type AddressPolicy } from '../../domain/callbacks/callbackAddress';
import { hostOf } from '../../domain/callbacks/callbackUrl';

export const CALLBACK_TIMEOUT_MS = 30_000;

/** The callback's address is not allowed (refused before any byte was sent). */
export class CallbackBlockedError extends Error {
  constructor(reason: string) {
    super(`the callback host is ${reason}`);
    this.name = 'CallbackBlockedError';
  }
}

export type CallbackSender = (url: string, body: unknown) => Promise<number>;

/** Returns the HTTP status the receiver answered; rejects on a network failure or a refused address. */
export function createCallbackSender(policy: AddressPolicy, timeoutMs = CALLBACK_TIMEOUT_MS): CallbackSender {
  return (url, body) => new Promise<number>((resolve, reject) => {
    const target = new URL(url);
    const payload = Buffer.from(JSON.stringify(body), 'utf8');
    const lookup: LookupFunction = (hostname, options, callback) => {
      dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
        if (err !== null) return callback(err, '', 4);
        const list = addresses as dns.LookupAddress[];
        const refused = list.map((a) => refusedAddress(a.address, policy)).find((p) => p !== undefined);
        if (refused !== undefined || list.length === 0) return callback(new CallbackBlockedError(refused ?? 'unresolvable'), '', 4);
        if (options.all === true) return (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, list);
        callback(null, list[0]!.address, list[0]!.family);
      });
    };
    const literal = hostOf(target);
    // An IP literal is connected to without a lookup: judge it here.
    const literalProblem = net.isIP(literal) !== 0 ? refusedAddress(literal, policy) : undefined;
    if (literalProblem !== undefined) return reject(new CallbackBlockedError(literalProblem));
    const client = target.protocol === 'https:' ? https : http;
    const request = client.request(target, {
      method: 'POST', lookup, timeout: timeoutMs, agent: false,
      headers: { 'content-type': 'application/json; charset=utf-8', 'content-length': String(payload.length), 'user-agent': 'iot-device-management-callback' },
    }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
      response.on('error', reject);
    });
    request.on('timeout', () => request.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    request.on('error', (err) => reject(err instanceof CallbackBlockedError ? err : new Error(networkReason(err))));
    request.end(payload);
  });
}

/** A network failure, said without the URL (Node's messages can quote the host and port). */
function networkReason(err: unknown): string {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' ? `network error ${code}` : err instanceof Error && /no answer within/.test(err.message) ? err.message : 'network error';
}
