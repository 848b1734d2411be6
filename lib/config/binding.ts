// IP_ADAPTER_BINDING_INFO (the StatusInfo of RIS_INTERFACE_ADDRESS_CHANGE), x64 layout:
//   @0 AddressCount u32 LE, @4 RemoteAddress DWORD (network order), @8 Mtu u32 LE, @12 pad,
//   @16 Speed u64 LE, @24 Address[AddressCount] of IP_LOCAL_BINDING {Address, Mask} (network order).
// SIZEOF_IP_BINDING(n) = 24 + 8n. AddressCount 0 means an unnumbered interface.
// IPV6_ADAPTER_BINDING_INFO (the IPv6 router manager's; SDK routprot.h):
//   @0 AddressCount u32 LE, @4 RemoteAddress IN6_ADDR, @20 Mtu u32 LE, @24 Speed u64 LE,
//   @32 Address[AddressCount] of IPV6_LOCAL_BINDING {IN6_ADDR Address, u32 LE PrefixLength}.
// SIZEOF_IPV6_BINDING(n) = 32 + 20n.
//
// A non-contiguous mask cannot come from RRAS, but the bytes are reported as-is with
// prefixLength null rather than rejected, so a bad caller is visible instead of fatal.
import { formatIPv4, parseIPv4 } from './schema.js';
import { formatIPv6, parseIPv6 } from './ipv6.js';
import { CodedError } from '../codedError.js';

export const IP_ADAPTER_BINDING_HEADER_SIZE = 24;
export const IP_LOCAL_BINDING_SIZE = 8;

export const sizeofIpBinding = (addressCount: number) => IP_ADAPTER_BINDING_HEADER_SIZE + IP_LOCAL_BINDING_SIZE * addressCount;
export const IPV6_ADAPTER_BINDING_HEADER_SIZE = 32;
export const IPV6_LOCAL_BINDING_SIZE = 20;
export const sizeofIpv6Binding = (addressCount: number) => IPV6_ADAPTER_BINDING_HEADER_SIZE + IPV6_LOCAL_BINDING_SIZE * addressCount;

export type BindingErrorCode = 'TRUNCATED' | 'BAD_COUNT' | 'TRAILING' | 'BAD_VALUE';

export class BindingError extends CodedError<BindingErrorCode> {}

export interface BindingAddress {
  address: string;
  mask: string;
  /** null when the mask is not contiguous. */
  prefixLength: number | null;
}

export interface AdapterBinding {
  addresses: BindingAddress[];
  /** WAN peer; null when 0.0.0.0. */
  remoteAddress: string | null;
  mtu: number;
  speed: bigint;
}

/** Prefix length of a network-order mask, or null if its one-bits are not contiguous from the top. */
export function maskPrefixLength(mask: number): number | null {
  const inv = ~mask >>> 0;
  return (inv & (inv + 1)) === 0 ? Math.clz32(inv) : null;
}

/** Checks a binding's AddressCount against the buffer; returns the count. */
function checkedCount(name: string, buf: Buffer, header: number, entry: number, opts: { allowTrailing?: boolean }): number {
  if (buf.length < header) {
    throw new BindingError('TRUNCATED', `${name}: buffer is ${buf.length} bytes, shorter than the ${header}-byte header`);
  }
  const count = buf.readUInt32LE(0);
  const needed = header + entry * count; // < 2^38: a safe integer
  if (needed > buf.length) {
    throw new BindingError(
      'BAD_COUNT',
      `${name}: AddressCount ${count} needs ${needed} bytes, buffer is ${buf.length} (room for ${Math.floor((buf.length - header) / entry)})`,
    );
  }
  if (needed < buf.length && !opts.allowTrailing) {
    throw new BindingError('TRAILING', `${name}: buffer is ${buf.length} bytes, AddressCount ${count} accounts for ${needed}`);
  }
  return count;
}

const asBuffer = (input: Buffer | Uint8Array) => (Buffer.isBuffer(input) ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength));

export function decodeBinding(input: Buffer | Uint8Array, opts: { allowTrailing?: boolean } = {}): AdapterBinding {
  const buf = asBuffer(input);
  const count = checkedCount('IP_ADAPTER_BINDING_INFO', buf, IP_ADAPTER_BINDING_HEADER_SIZE, IP_LOCAL_BINDING_SIZE, opts);
  const remote = buf.readUInt32BE(4);
  const addresses: BindingAddress[] = [];
  for (let i = 0; i < count; i++) {
    const at = sizeofIpBinding(i);
    addresses.push({ address: formatIPv4(buf, at), mask: formatIPv4(buf, at + 4), prefixLength: maskPrefixLength(buf.readUInt32BE(at + 4)) });
  }
  return {
    addresses,
    remoteAddress: remote === 0 ? null : formatIPv4(buf, 4),
    mtu: buf.readUInt32LE(8),
    speed: buf.readBigUInt64LE(16),
  };
}

export interface Ipv6BindingAddress {
  /** RFC 5952 text, e.g. 'fe80::1' or '2001:db8::1'. */
  address: string;
  /** 0..128; a larger value from the router manager is reported as-is. */
  prefixLength: number;
}

export interface Ipv6AdapterBinding {
  addresses: Ipv6BindingAddress[];
  /** WAN peer; null when ::. */
  remoteAddress: string | null;
  mtu: number;
  speed: bigint;
}

/** IPV6_ADAPTER_BINDING_INFO, the IPv6 router manager's StatusInfo of RIS_INTERFACE_ADDRESS_CHANGE. */
export function decodeIpv6Binding(input: Buffer | Uint8Array, opts: { allowTrailing?: boolean } = {}): Ipv6AdapterBinding {
  const buf = asBuffer(input);
  const count = checkedCount('IPV6_ADAPTER_BINDING_INFO', buf, IPV6_ADAPTER_BINDING_HEADER_SIZE, IPV6_LOCAL_BINDING_SIZE, opts);
  const addresses: Ipv6BindingAddress[] = [];
  for (let i = 0; i < count; i++) {
    const at = sizeofIpv6Binding(i);
    addresses.push({ address: formatIPv6(buf, at), prefixLength: buf.readUInt32LE(at + 16) });
  }
  const remote = buf.subarray(4, 20);
  return {
    addresses,
    remoteAddress: remote.every((b) => b === 0) ? null : formatIPv6(buf, 4),
    mtu: buf.readUInt32LE(20),
    speed: buf.readBigUInt64LE(24),
  };
}

export type BindingAddressInput = { address: string; mask: string } | { address: string; prefixLength: number };

export interface BindingInput {
  addresses?: readonly BindingAddressInput[];
  remoteAddress?: string | null;
  mtu?: number;
  speed?: bigint | number;
}

function ip(text: unknown, what: string): Buffer {
  const b = typeof text === 'string' ? parseIPv4(text) : null;
  if (!b) throw new BindingError('BAD_VALUE', `IP_ADAPTER_BINDING_INFO: ${what} ${JSON.stringify(text)} is not a dotted-quad IPv4 address`);
  return b;
}

function maskFrom(a: BindingAddressInput, i: number): Buffer {
  if ('mask' in a) return ip(a.mask, `addresses[${i}].mask`);
  const p = a.prefixLength;
  if (!Number.isInteger(p) || p < 0 || p > 32) {
    throw new BindingError('BAD_VALUE', `IP_ADAPTER_BINDING_INFO: addresses[${i}].prefixLength ${p} is not in 0..32`);
  }
  const out = Buffer.alloc(4);
  out.writeUInt32BE(p === 0 ? 0 : (0xffffffff << (32 - p)) >>> 0);
  return out;
}

function mtuAndSpeed(name: string, b: { mtu?: number; speed?: bigint | number }): { mtu: number; speed: bigint } {
  const mtu = b.mtu ?? 0;
  const rawSpeed = b.speed ?? 0;
  if (typeof rawSpeed === 'number' && !Number.isSafeInteger(rawSpeed)) {
    throw new BindingError('BAD_VALUE', `${name}: speed ${rawSpeed} is not an integer`);
  }
  const speed = BigInt(rawSpeed);
  if (!Number.isInteger(mtu) || mtu < 0 || mtu > 0xffffffff) throw new BindingError('BAD_VALUE', `${name}: mtu ${mtu} is not a u32`);
  if (speed < 0n || speed > 0xffffffffffffffffn) throw new BindingError('BAD_VALUE', `${name}: speed ${speed} is not a u64`);
  return { mtu, speed };
}

/** Builds the native layout (for test harnesses and the mock router manager). */
export function encodeBinding(b: BindingInput): Buffer {
  const addresses = b.addresses ?? [];
  const { mtu, speed } = mtuAndSpeed('IP_ADAPTER_BINDING_INFO', b);
  const out = Buffer.alloc(sizeofIpBinding(addresses.length));
  out.writeUInt32LE(addresses.length, 0);
  if (b.remoteAddress != null) out.set(ip(b.remoteAddress, 'remoteAddress'), 4);
  out.writeUInt32LE(mtu, 8);
  out.writeBigUInt64LE(speed, 16);
  addresses.forEach((a, i) => {
    const at = sizeofIpBinding(i);
    out.set(ip(a.address, `addresses[${i}].address`), at);
    out.set(maskFrom(a, i), at + 4);
  });
  return out;
}

export interface Ipv6BindingInput {
  addresses?: readonly { address: string; prefixLength: number }[];
  remoteAddress?: string | null;
  mtu?: number;
  speed?: bigint | number;
}

function ip6(text: unknown, what: string): Buffer {
  const b = typeof text === 'string' ? parseIPv6(text) : null;
  if (!b) throw new BindingError('BAD_VALUE', `IPV6_ADAPTER_BINDING_INFO: ${what} ${JSON.stringify(text)} is not an IPv6 address`);
  return b;
}

/** Builds IPV6_ADAPTER_BINDING_INFO (for test harnesses and the mock router manager). */
export function encodeIpv6Binding(b: Ipv6BindingInput): Buffer {
  const addresses = b.addresses ?? [];
  const { mtu, speed } = mtuAndSpeed('IPV6_ADAPTER_BINDING_INFO', b);
  const out = Buffer.alloc(sizeofIpv6Binding(addresses.length));
  out.writeUInt32LE(addresses.length, 0);
  if (b.remoteAddress != null) out.set(ip6(b.remoteAddress, 'remoteAddress'), 4);
  out.writeUInt32LE(mtu, 20);
  out.writeBigUInt64LE(speed, 24);
  addresses.forEach((a, i) => {
    const at = sizeofIpv6Binding(i);
    out.set(ip6(a.address, `addresses[${i}].address`), at);
    if (!Number.isInteger(a.prefixLength) || a.prefixLength < 0 || a.prefixLength > 128) {
      throw new BindingError('BAD_VALUE', `IPV6_ADAPTER_BINDING_INFO: addresses[${i}].prefixLength ${a.prefixLength} is not in 0..128`);
    }
    out.writeUInt32LE(a.prefixLength, at + 16);
  });
  return out;
}
