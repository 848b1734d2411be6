// IP_ADAPTER_BINDING_INFO (the StatusInfo of RIS_INTERFACE_ADDRESS_CHANGE), x64 layout:
//   @0 AddressCount u32 LE, @4 RemoteAddress DWORD (network order), @8 Mtu u32 LE, @12 pad,
//   @16 Speed u64 LE, @24 Address[AddressCount] of IP_LOCAL_BINDING {Address, Mask} (network order).
// SIZEOF_IP_BINDING(n) = 24 + 8n. AddressCount 0 means an unnumbered interface.
//
// A non-contiguous mask cannot come from RRAS, but the bytes are reported as-is with
// prefixLength null rather than rejected, so a bad caller is visible instead of fatal.
import { formatIPv4, parseIPv4 } from './schema.js';
import { CodedError } from '../codedError.js';

export const IP_ADAPTER_BINDING_HEADER_SIZE = 24;
export const IP_LOCAL_BINDING_SIZE = 8;

export const sizeofIpBinding = (addressCount: number) => IP_ADAPTER_BINDING_HEADER_SIZE + IP_LOCAL_BINDING_SIZE * addressCount;

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

export function decodeBinding(input: Buffer | Uint8Array, opts: { allowTrailing?: boolean } = {}): AdapterBinding {
  const buf = Buffer.isBuffer(input) ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  if (buf.length < IP_ADAPTER_BINDING_HEADER_SIZE) {
    throw new BindingError('TRUNCATED', `IP_ADAPTER_BINDING_INFO: buffer is ${buf.length} bytes, shorter than the ${IP_ADAPTER_BINDING_HEADER_SIZE}-byte header`);
  }
  const count = buf.readUInt32LE(0);
  const needed = sizeofIpBinding(count); // ≤ 24 + 8·(2^32-1): a safe integer
  if (needed > buf.length) {
    throw new BindingError(
      'BAD_COUNT',
      `IP_ADAPTER_BINDING_INFO: AddressCount ${count} needs ${needed} bytes, buffer is ${buf.length} (room for ${Math.floor((buf.length - IP_ADAPTER_BINDING_HEADER_SIZE) / IP_LOCAL_BINDING_SIZE)})`,
    );
  }
  if (needed < buf.length && !opts.allowTrailing) {
    throw new BindingError('TRAILING', `IP_ADAPTER_BINDING_INFO: buffer is ${buf.length} bytes, AddressCount ${count} accounts for ${needed}`);
  }
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

/** Builds the native layout (for test harnesses and the mock router manager). */
export function encodeBinding(b: BindingInput): Buffer {
  const addresses = b.addresses ?? [];
  const mtu = b.mtu ?? 0;
  const rawSpeed = b.speed ?? 0;
  if (typeof rawSpeed === 'number' && !Number.isSafeInteger(rawSpeed)) {
    throw new BindingError('BAD_VALUE', `IP_ADAPTER_BINDING_INFO: speed ${rawSpeed} is not an integer`);
  }
  const speed = BigInt(rawSpeed);
  if (!Number.isInteger(mtu) || mtu < 0 || mtu > 0xffffffff) throw new BindingError('BAD_VALUE', `IP_ADAPTER_BINDING_INFO: mtu ${mtu} is not a u32`);
  if (speed < 0n || speed > 0xffffffffffffffffn) throw new BindingError('BAD_VALUE', `IP_ADAPTER_BINDING_INFO: speed ${speed} is not a u64`);
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
