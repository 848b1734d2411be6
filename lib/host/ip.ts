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
