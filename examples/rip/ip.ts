// IPv4 helpers shared by the RIP modules. Addresses travel as dotted quads (what RTM, the
// config schema and people use) and are compared as unsigned 32-bit numbers.

/** Dotted quad to an unsigned 32-bit number; NaN when it is not a strict dotted quad. */
export function ipToU32(text: string): number {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (!m) return NaN;
  let n = 0;
  for (const part of m.slice(1)) {
    const v = Number(part);
    if (v > 255 || (part.length > 1 && part[0] === '0')) return NaN;
    n = n * 256 + v;
  }
  return n;
}

export function u32ToIp(n: number): string {
  return `${(n >>> 24) & 255}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

export function maskOf(prefixLength: number): number {
  return prefixLength <= 0 ? 0 : (0xffffffff << (32 - prefixLength)) >>> 0;
}

/** Prefix length of a contiguous mask, or null (RIP drops entries with such masks). */
export function prefixLengthOf(mask: number): number | null {
  const inv = ~mask >>> 0;
  return (inv & (inv + 1)) === 0 ? Math.clz32(inv) : null;
}

export function networkOf(address: number, prefixLength: number): number {
  return (address & maskOf(prefixLength)) >>> 0;
}

export function sameSubnet(a: number, b: number, prefixLength: number): boolean {
  return networkOf(a, prefixLength) === networkOf(b, prefixLength);
}

export { prefixKey } from '../distance-vector/table.js';

/** Numeric order of two dotted quads (the RIP table's order). */
export const compareIPv4 = (a: string, b: string): number => ipToU32(a) - ipToU32(b);

/** The RIP table's address family: dotted-quad order, 0.0.0.0 = "via the sender". */
export const IPV4_TABLE = { compare: compareIPv4, unspecified: '0.0.0.0' } as const;

/**
 * RFC 2453 §3.9.2 / RFC 1122: destinations RIP must not accept — class D/E, loopback (127/8),
 * and "this network" (0/8) unless it is the default route.
 */
export function isAcceptableDestination(address: number, prefixLength: number): boolean {
  if (prefixLength === 0) return address === 0; // the default route
  const first = address >>> 24;
  if (first === 0 || first === 127 || first >= 224) return false;
  return true;
}

/** The classful mask length of a RIPv1 destination (RFC 1058 §3.2). */
export function classfulPrefixLength(address: number): number {
  const first = address >>> 24;
  if (first < 128) return 8;
  if (first < 192) return 16;
  return 24;
}
