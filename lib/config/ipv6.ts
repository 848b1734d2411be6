// IPv6 addresses as text and as the 16 network-order bytes of IN6_ADDR / RTM_NET_ADDRESS:
// RFC 4291 §2.2 text in (hex groups, one "::", a dotted quad at the end; no zone), RFC 5952
// text out (lowercase, the longest run of two or more zero groups as "::", leading zeros off).
import type * as Net from 'node:net';

// node:net loads when an address is first parsed, not with this file: it (and the streams it
// loads) would cost every host start about 2 ms, and most protocols never parse IPv6 text.
let net: typeof Net | undefined;

/** The 16 bytes of an IPv6 address, or null when `text` is not one. */
export function parseIPv6(text: string): Buffer | null {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  net ??= require('node:net') as typeof Net;
  if (typeof text !== 'string' || text.includes('%') || !net.isIPv6(text)) return null;
  let s = text;
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(s);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    s = `${s.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = s.split('::') as [string, string | undefined];
  const groups = (x: string) => (x === '' ? [] : x.split(':').map((g) => parseInt(g, 16)));
  const left = groups(head);
  const right = tail === undefined ? [] : groups(tail);
  const all = tail === undefined ? left : [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
  if (all.length !== 8) return null;
  const out = Buffer.alloc(16);
  all.forEach((g, i) => out.writeUInt16BE(g, 2 * i));
  return out;
}

export function isIPv6(text: unknown): text is string {
  return typeof text === 'string' && parseIPv6(text) !== null;
}

/** RFC 5952 text of the 16 bytes at `offset`. */
export function formatIPv6(buf: Uint8Array, offset = 0): string {
  const g = Array.from({ length: 8 }, (_, i) => (buf[offset + 2 * i]! << 8) | buf[offset + 2 * i + 1]!);
  let best = -1;
  let bestLen = 1; // a single zero group is not shortened (RFC 5952 §4.2.2)
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) [best, bestLen] = [i, j - i];
    i = j === i ? i + 1 : j;
  }
  const hex = (a: number[]) => a.map((x) => x.toString(16)).join(':');
  return best < 0 ? hex(g) : `${hex(g.slice(0, best))}::${hex(g.slice(best + bestLen))}`;
}

/** The canonical (RFC 5952) form of an IPv6 text, or null. */
export function canonicalIPv6(text: string): string | null {
  const b = parseIPv6(text);
  return b ? formatIPv6(b) : null;
}

/** True when the bits of `addr` past `prefixLength` are zero. */
export function ipv6HostBitsClear(addr: Uint8Array, prefixLength: number): boolean {
  for (let bit = prefixLength; bit < 128; bit++) if (addr[bit >> 3]! & (0x80 >> (bit & 7))) return false;
  return true;
}
