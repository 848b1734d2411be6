// IPv4 as it crosses the wire: a u32 whose little-endian bytes are the address in network
// order (what the library copies into RTM_NET_ADDRESS.AddrBits and IP_LOCAL_BINDING).
const DOTTED = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

export function isIPv4(s: unknown): s is string {
  return typeof s === 'string' && DOTTED.test(s);
}

export function ipToWire(s: string): number {
  const [a, b, c, d] = s.split('.').map(Number) as [number, number, number, number];
  return (a | (b << 8) | (c << 16) | (d << 24)) >>> 0;
}

export function wireToIp(n: number): string {
  return [n & 255, (n >>> 8) & 255, (n >>> 16) & 255, (n >>> 24) & 255].join('.');
}

/** The address as a host-order number (for masks and comparisons). */
export function ipToNumber(s: string): number {
  return s.split('.').reduce((n, o) => ((n << 8) | Number(o)) >>> 0, 0);
}

export function prefixMask(len: number): number {
  return len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
}

/**
 * A dotted quad (the same strings isIPv4 accepts: no leading zeros) as a host-order number, or
 * -1: one pass over the characters, for ctx.routes' batches (no regex, no split).
 */
export function parseIPv4(s: unknown): number {
  if (typeof s !== 'string' || s.length < 7 || s.length > 15) return -1;
  let n = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i) - 48; // '0'
    if (c >= 0 && c <= 9) {
      if (digits > 0 && octet === 0) return -1; // a leading zero
      octet = octet * 10 + c;
      if (++digits > 3 || octet > 255) return -1;
    } else if (c === -2 && digits > 0 && dots < 3) { // '.'
      n = (n << 8) | octet;
      octet = 0;
      digits = 0;
      dots++;
    } else {
      return -1;
    }
  }
  if (dots !== 3 || digits === 0) return -1;
  return ((n << 8) | octet) >>> 0;
}

/** A host-order address as the wire's u32 (its little-endian bytes in network order). */
export function hostToWire(n: number): number {
  return (((n >>> 24) & 255) | ((n >>> 8) & 0xff00) | ((n & 0xff00) << 8) | ((n & 255) << 24)) >>> 0;
}
