// Which network addresses a completion callback may be sent to. A callback URL comes from the caller, so without
// this rule the app could be made to POST into its own network (server-side request forgery): private ranges
// (RFC 1918, RFC 4193), loopback, link-local (169.254.0.0/16 holds the cloud metadata endpoint), carrier-grade NAT,
// multicast and reserved ranges are refused, and so is Azure's platform address 168.63.129.16. Loopback is allowed
// only when the app setting CALLBACK_ALLOW_LOOPBACK says so (the local stack's Logic Apps stand-in).
import * as net from 'node:net';

export interface AddressPolicy {
  /** Allow 127.0.0.0/8 and ::1 (and http: to them). Off on Azure. */
  allowLoopback: boolean;
}

type Range = readonly [base: string, prefix: number, what: string];

const IPV4_REFUSED: readonly Range[] = [
  ['0.0.0.0', 8, 'an unspecified ("this network") address'],
  ['10.0.0.0', 8, 'a private address'],
  ['100.64.0.0', 10, 'a shared (carrier-grade NAT) address'],
  ['169.254.0.0', 16, 'a link-local address'],
  ['172.16.0.0', 12, 'a private address'],
  ['192.0.0.0', 24, 'an IETF protocol address'],
  ['192.168.0.0', 16, 'a private address'],
  ['198.18.0.0', 15, 'a benchmarking address'],
  ['168.63.129.16', 32, "Azure's platform address"],
  ['224.0.0.0', 4, 'a multicast address'],
  ['240.0.0.0', 4, 'a reserved address'],
];
const IPV4_LOOPBACK: Range = ['127.0.0.0', 8, 'a loopback address'];

/** Why `address` (an IP literal) may not receive callbacks, or undefined when it may. */
export function refusedAddress(address: string, policy: AddressPolicy): string | undefined {
  const family = net.isIP(address);
  if (family === 4) return refusedIpv4(ipv4ToInt(address), policy);
  if (family === 6) return refusedIpv6(address, policy);
  return 'not an IP address';
}

/** True for loopback addresses (127.0.0.0/8, ::1, and ::ffff:127.x). */
export function isLoopback(address: string): boolean {
  const family = net.isIP(address);
  if (family === 4) return inRange(ipv4ToInt(address), IPV4_LOOPBACK);
  if (family === 6) {
    const words = ipv6Words(address);
    const mapped = mappedIpv4(words);
    if (mapped !== undefined) return inRange(mapped, IPV4_LOOPBACK);
    return words.slice(0, 7).every((w) => w === 0) && words[7] === 1;
  }
  return false;
}

function refusedIpv4(value: number, policy: AddressPolicy): string | undefined {
  if (inRange(value, IPV4_LOOPBACK)) return policy.allowLoopback ? undefined : IPV4_LOOPBACK[2];
  return IPV4_REFUSED.find((range) => inRange(value, range))?.[2];
}

function refusedIpv6(address: string, policy: AddressPolicy): string | undefined {
  const words = ipv6Words(address);
  const mapped = mappedIpv4(words);
  if (mapped !== undefined) return refusedIpv4(mapped, policy);
  if (words.every((w) => w === 0)) return 'an unspecified address';
  if (words.slice(0, 7).every((w) => w === 0) && words[7] === 1) return policy.allowLoopback ? undefined : 'a loopback address';
  const first = words[0]!;
  if ((first & 0xfe00) === 0xfc00) return 'a private (unique local) address';
  if ((first & 0xffc0) === 0xfe80) return 'a link-local address';
  if ((first & 0xffc0) === 0xfec0) return 'a site-local address';
  if ((first & 0xff00) === 0xff00) return 'a multicast address';
  if (first === 0x64 && words[1] === 0xff9b) {
    // NAT64 (64:ff9b::/96): judge the IPv4 address it stands for.
    return refusedIpv4(((words[6]! << 16) | words[7]!) >>> 0, policy);
  }
  return undefined;
}

function inRange(value: number, [base, prefix]: Range): boolean {
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return ((value & mask) >>> 0) === ((ipv4ToInt(base) & mask) >>> 0);
}

function ipv4ToInt(address: string): number {
  return address.split('.').reduce((acc, part) => ((acc << 8) | Number(part)) >>> 0, 0);
}

/** The eight 16-bit words of an IPv6 address (an embedded dotted IPv4 tail included). */
function ipv6Words(address: string): number[] {
  let text = address.toLowerCase().replace(/%.*$/, '');
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted !== null) {
    const v4 = ipv4ToInt(dotted[1]!);
    text = `${text.slice(0, dotted.index)}${(v4 >>> 16).toString(16)}:${(v4 & 0xffff).toString(16)}`;
  }
  const [head, tail] = text.split('::') as [string, string | undefined];
  const headWords = head === '' ? [] : head.split(':').map((w) => parseInt(w, 16));
  const tailWords = tail === undefined || tail === '' ? [] : tail.split(':').map((w) => parseInt(w, 16));
  const fill = tail === undefined ? [] : new Array<number>(8 - headWords.length - tailWords.length).fill(0);
  return [...headWords, ...fill, ...tailWords];
}

/** The IPv4 address of an IPv4-mapped (::ffff:a.b.c.d) or IPv4-compatible (::a.b.c.d) IPv6 address. */
function mappedIpv4(words: number[]): number | undefined {
  const zeros = words.slice(0, 5).every((w) => w === 0);
  if (!zeros) return undefined;
  if (words[5] === 0xffff || (words[5] === 0 && (words[6]! !== 0 || words[7]! > 1))) return ((words[6]! << 16) | words[7]!) >>> 0;
  return undefined;
}
