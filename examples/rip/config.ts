// The RIP protocol's configuration blocks, declared once with lib/config/schema.ts. Each is a
// fixed C struct (natural alignment), so RRAS stores and hands back the same bytes a C
// definition of RIPTS_GLOBAL_CONFIG / RIPTS_IF_CONFIG would produce. The README documents each
// field; the defaults are RFC 2453's.
import os from 'node:os';
import { struct, u8, u16, u32, bool32, ipv4, enumOf, bytes, list, type StructValue, type StructInput } from '../../lib/config/schema.js';
import { PROTOCOL_ID, PROTO_TYPE_UCAST } from '../../lib/constants.js';
import { speakerGlobalFields, timerProblems } from '../distance-vector/config.js';

/** Vendor 0x2b1d (this project, not Microsoft), protocol 2. */
export const PROTOCOL_ID_RIP = PROTOCOL_ID(PROTO_TYPE_UCAST, 0x2b1d, 2);

/** In GlobalConfig.redistribute: every other protocol (also an owner RTM does not name). */
export { REDISTRIBUTE_ANY } from '../distance-vector/redistribute.js';

/** One prefix-list line: matches routes inside address/prefixLength whose length is in [ge, le]. */
export const PrefixEntry = struct('RIPTS_PREFIX', {
  address: ipv4(),
  prefixLength: u8({ max: 32 }),
  /** Shortest accepted route length; 0 = prefixLength. */
  ge: u8({ max: 32 }),
  /** Longest accepted route length; 0 = ge (or prefixLength): an exact match. */
  le: u8({ max: 32 }),
});

/** A prefix list with its action: off (everything passes), permit (only listed), deny (all but listed). */
export const PrefixFilter = struct('RIPTS_FILTER', {
  action: enumOf(u32(), { off: 0, permit: 1, deny: 2 }),
  entries: list(PrefixEntry, 8),
});

export const GlobalConfig = struct('RIPTS_GLOBAL_CONFIG', {
  ...speakerGlobalFields,
  /** Which of those best routes may be announced. */
  redistributeFilter: PrefixFilter,
  /** Metric announced for redistributed routes; 0 = the route's RTM metric, clamped to 1..15. */
  redistributeMetric: u32({ default: 1, max: 15 }),
  /** Where auth sequence numbers persist (UTF-8, NUL padded); empty = os.tmpdir(). */
  stateDirectory: bytes(256),
});

export const AuthKey = struct('RIPTS_AUTH_KEY', {
  keyId: u8(),
  /** Simple password or MD5 key, zero padded to 16 bytes (RFC 2082). */
  key: bytes(16),
});

export const InterfaceConfig = struct('RIPTS_IF_CONFIG', {
  /** both, send only, receive only, or silent (RIP off on this interface). */
  mode: enumOf(u32(), { both: 0, send: 1, receive: 2, silent: 3 }),
  /** Where updates go: the RIPv2 group 224.0.0.9, or only the unicast peers. */
  destination: enumOf(u32(), { multicast: 0, peersOnly: 1 }),
  /** Versions accepted; RIPv2 is always what is sent. */
  acceptVersions: enumOf(u32(), { v2: 2, v1v2: 3 }, { default: 'v2' }),
  /** Cost added to the metric of routes received here (RFC 2453 §3.9.2). */
  metric: u32({ default: 1, min: 1, max: 15 }),
  splitHorizon: enumOf(u32(), { poisonReverse: 0, simple: 1, none: 2 }),
  auth: enumOf(u32(), { none: 0, simple: 2, md5: 3 }),
  /** MD5 "auth data length" sent: 16 (RFC 2082) or 20 (BIRD, FRR's default); both are accepted. */
  md5AuthDataLength: enumOf(u32(), { rfc16: 16, trailer20: 20 }, { default: 'trailer20' }),
  /** The first key signs what is sent; any of them is accepted. */
  keys: list(AuthKey, 4),
  /** RFC 2091 on this interface: triggered updates only, acknowledged, routes do not time out. */
  demand: bool32(),
  /** RFC 2091: retransmission interval of unacknowledged Update Requests and Responses. */
  demandRetransmitMs: u32({ default: 1_000, min: 100, max: 60_000 }),
  /** RFC 2091: give up a Response after this many retransmissions. */
  demandRetransmitLimit: u32({ default: 10, min: 1, max: 1000 }),
  /** DoUpdateRoutes fails (ERROR_CAN_NOT_COMPLETE) when no Update Response arrives within this. */
  demandUpdateTimeoutMs: u32({ default: 10_000, min: 100, max: 600_000 }),
  /** An update session is complete when no further Update Response came for this long. */
  demandQuietMs: u32({ default: 500, min: 10, max: 60_000 }),
  /** UDP port: 520, another for tests and demos without root. */
  port: u16({ default: 520, min: 1 }),
  /** Route tag of routes originated here (connected, redistributed). */
  tag: u16(),
  /** Neighbours sent to by unicast as well (RFC 2453 §3.9.1 "directed" neighbours). */
  peers: list(ipv4(), 8),
  acceptFilter: PrefixFilter,
  announceFilter: PrefixFilter,
});

export type GlobalConfigValue = StructValue<typeof GlobalConfig.fields>;
export type InterfaceConfigValue = StructValue<typeof InterfaceConfig.fields>;
export type GlobalConfigInput = StructInput<typeof GlobalConfig.fields>;
export type InterfaceConfigInput = StructInput<typeof InterfaceConfig.fields>;
export type FilterValue = StructValue<typeof PrefixFilter.fields>;
export type FilterInput = StructInput<typeof PrefixFilter.fields>;

/** A NUL-padded UTF-8 path field as a string. */
export function decodePath(field: Buffer): string {
  const end = field.indexOf(0);
  return field.subarray(0, end < 0 ? field.length : end).toString('utf8');
}

/** The bytes of a path field (throws if the path does not fit). */
export function encodePath(text: string): Buffer {
  const b = Buffer.from(text, 'utf8');
  if (b.length >= 256) throw new RangeError(`path of ${b.length} bytes does not fit the 256-byte stateDirectory field`);
  return b;
}

export function stateDirectoryOf(g: GlobalConfigValue): string {
  return decodePath(g.stateDirectory) || os.tmpdir();
}

/** A key for the keys list from a string (UTF-8, at most 16 bytes). */
export function keyBytes(text: string): Buffer {
  const b = Buffer.from(text, 'utf8');
  if (b.length > 16) throw new RangeError(`key of ${b.length} bytes; RFC 2082 keys are at most 16`);
  return b;
}

/** Cross-field checks the schema cannot express; returns the problems (empty = valid). */
export function globalProblems(g: GlobalConfigValue): string[] {
  return timerProblems(g);
}

export function interfaceProblems(c: InterfaceConfigValue): string[] {
  const out: string[] = [];
  if (c.auth !== 'none' && c.keys.length === 0) out.push(`auth ${c.auth} needs at least one key`);
  if (c.destination === 'peersOnly' && c.peers.length === 0 && c.mode !== 'receive' && c.mode !== 'silent') {
    out.push('destination peersOnly with no peers: nothing would be sent');
  }
  return out;
}
