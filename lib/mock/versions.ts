// The router manager's structures by MS_ROUTER_VERSION, as MockRouter hands them to the
// library: 0x500 (MPR50: a 224-byte MPR_ROUTING_CHARACTERISTICS, a 96-byte SUPPORT_FUNCTIONS)
// or 0x600 (the Windows SDK's MPR60: 264 and 120 bytes; reference §3.3, §3.5). Whether a
// Windows Server router manager offers 0x600 is unverified, so the library must cope with both.
//
// The bytes of the router manager's memory that the library has no business writing carry a
// pattern: past MPR50's 224 bytes of the routing characteristics (MPR60's five pointers, or the
// memory after an MPR50 struct), and the service characteristics' pointers. Tests compare them
// with `pattern(...)` afterwards: the library answers the version it implements, fills what that
// version defines and leaves the rest as it was.
import koffi from '../koffi.js';
import * as ffi from './ffi.js';

export const MS_ROUTER_VERSION_MPR50 = 0x500;
export const MS_ROUTER_VERSION_MPR60 = 0x600;
export type RouterVersion = typeof MS_ROUTER_VERSION_MPR50 | typeof MS_ROUTER_VERSION_MPR60;

/** sizeof(MPR50_ROUTING_CHARACTERISTICS): what a library that answers 0x500 fills. */
export const MPR50_ROUTING_CHARACTERISTICS_SIZE = 224;
/** sizeof(MPR60_ROUTING_CHARACTERISTICS); also the routing buffer's size in both modes. */
export const MPR60_ROUTING_CHARACTERISTICS_SIZE = 264;
/** Where MPR_SERVICE_CHARACTERISTICS' function pointers (padding first) start: an IP protocol writes only fSupportedFunctionality before them. */
export const SERVICE_POINTERS_OFFSET = 12;

const SUPPORT = {
  [MS_ROUTER_VERSION_MPR50]: ffi.SUPPORT_FUNCTIONS,
  [MS_ROUTER_VERSION_MPR60]: ffi.SUPPORT_FUNCTIONS_60,
} as const;

export function isRouterVersion(v: number): v is RouterVersion {
  return v === MS_ROUTER_VERSION_MPR50 || v === MS_ROUTER_VERSION_MPR60;
}

/** length bytes 0xC0, 0xC1, …: no zero, no byte repeated within 64, never a plausible pointer or flag. */
export function pattern(length: number): Buffer {
  return Buffer.from(Array.from({ length }, (_, i) => 0xc0 + (i % 64)));
}

/** MPR_ROUTING_CHARACTERISTICS as the router manager offers it at RegisterProtocol. */
export function routingCharacteristics(version: RouterVersion, protocolId: number, offeredFunctionality: number): Buffer {
  const b = Buffer.alloc(MPR60_ROUTING_CHARACTERISTICS_SIZE);
  b.writeUInt32LE(version, 0);
  b.writeUInt32LE(protocolId >>> 0, 4);
  b.writeUInt32LE(offeredFunctionality >>> 0, 8);
  pattern(MPR60_ROUTING_CHARACTERISTICS_SIZE - MPR50_ROUTING_CHARACTERISTICS_SIZE).copy(b, MPR50_ROUTING_CHARACTERISTICS_SIZE);
  return b;
}

/** MPR_SERVICE_CHARACTERISTICS (112 bytes, the same in both versions): no IPX services offered. */
export function serviceCharacteristics(version: RouterVersion, protocolId: number): Buffer {
  const b = Buffer.alloc(koffi.sizeof(ffi.MPR_SERVICE_CHARACTERISTICS));
  b.writeUInt32LE(version, 0);
  b.writeUInt32LE(protocolId >>> 0, 4);
  pattern(b.length - SERVICE_POINTERS_OFFSET).copy(b, SERVICE_POINTERS_OFFSET);
  return b;
}

/**
 * SUPPORT_FUNCTIONS (0x500) or SUPPORT_FUNCTIONS_60 (0x600) with dwVersion set; callbacks maps
 * each member of that version to a koffi.register'ed pointer.
 */
export function supportFunctions(version: RouterVersion, callbacks: Record<string, bigint>): Buffer {
  const type = SUPPORT[version];
  const b = Buffer.alloc(koffi.sizeof(type));
  koffi.encode(b, 0, type, { dwVersion: version, dwReserved: 0, ...callbacks });
  return b;
}
