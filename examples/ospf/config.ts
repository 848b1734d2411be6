// The OSPF protocol's configuration blocks, declared with the public config schema: fixed C
// structs (natural alignment), so RRAS stores and hands back the bytes a C definition of
// OSPFTS_GLOBAL_CONFIG / OSPFTS_IF_CONFIG would produce. The README documents each field;
// defaults are RFC 2328's (appendix C) where it has one.
import os from 'node:os';
import {
  PROTOCOL_ID, PROTO_TYPE_UCAST, bool32, bytes, enumOf, ipv4, list, struct, u8, u32,
  type StructInput, type StructValue,
} from '../../lib/index.js';

/** Vendor 0x2b1d (this project, not Microsoft), protocol 3. */
export const PROTOCOL_ID_OSPF = PROTOCOL_ID(PROTO_TYPE_UCAST, 0x2b1d, 3);

/** In a redistribution rule: every other protocol's best routes. */
export const REDISTRIBUTE_ANY = 0xffffffff;

export const PrefixEntry = struct('OSPFTS_PREFIX', {
  address: ipv4(),
  prefixLength: u8({ max: 32 }),
  /** Shortest route length matched; 0 = prefixLength. */
  ge: u8({ max: 32 }),
  /** Longest; 0 = ge (or prefixLength): an exact match. */
  le: u8({ max: 32 }),
});

export const PrefixFilter = struct('OSPFTS_FILTER', {
  action: enumOf(u32(), { off: 0, permit: 1, deny: 2 }),
  entries: list(PrefixEntry, 8),
});

/** Which RTM routes become AS-external-LSAs, and how. */
export const RedistributeRule = struct('OSPFTS_REDISTRIBUTE', {
  /** Protocol id of the routes' owner (10006 static, 2 local, 8 RIP, ...); REDISTRIBUTE_ANY = any other. */
  protocolId: u32(),
  /** RFC 2328 metric type: 1 (comparable with OSPF costs) or 2 (larger than any OSPF path). */
  metricType: enumOf(u32(), { type1: 1, type2: 2 }, { default: 'type2' }),
  /** The external metric; 0 = the route's RTM metric (at least 1). */
  metric: u32({ default: 20, max: 0xfffffe }),
  /** The external route tag carried in the LSA. */
  tag: u32(),
});

export const GlobalConfig = struct('OSPFTS_GLOBAL_CONFIG', {
  /** 0 error, 1 warn, 2 info, 3 debug. */
  loggingLevel: u32({ default: 2, max: 3 }),
  /** 0.0.0.0 = the router manager's GetRouterId. */
  routerId: ipv4(),
  /** The one area of this router (no ABR). */
  areaId: ipv4(),
  /** RTM preference of OSPF routes; 0 = the library's. */
  preference: u32(),
  /** SPF throttling: wait this long after the first change, ... */
  spfDelayMs: u32({ default: 200, max: 60_000 }),
  /** ... then at least this long between runs, doubling while changes keep coming ... */
  spfHoldMs: u32({ default: 1_000, max: 60_000 }),
  /** ... up to this. */
  spfMaxHoldMs: u32({ default: 10_000, max: 600_000 }),
  /** RFC 2328 MinLSInterval: a self-originated LSA changes at most this often. */
  minLsIntervalMs: u32({ default: 5_000, min: 1_000, max: 60_000 }),
  /** RFC 2328 MinLSArrival: a neighbour's newer instance sooner than this is not accepted. */
  minLsArrivalMs: u32({ default: 1_000, max: 60_000 }),
  /** RFC 2328 LSRefreshTime: self-originated LSAs are re-originated at this age (seconds). */
  lsRefreshS: u32({ default: 1_800, min: 30, max: 3_500 }),
  redistribute: list(RedistributeRule, 8),
  /** Which of the chosen protocols' best routes are redistributed. */
  redistributeFilter: PrefixFilter,
  /** Where the MD5 sequence number persists (UTF-8, NUL padded); empty = os.tmpdir(). */
  stateDirectory: bytes(256),
});

export const AuthKey = struct('OSPFTS_AUTH_KEY', {
  keyId: u8(),
  /** MD5 key zero padded to 16 bytes; a simple password uses the first 8. */
  key: bytes(16),
});

export const InterfaceConfig = struct('OSPFTS_IF_CONFIG', {
  /** auto: point-to-point on demand-dial interfaces and /31, /32 or peer-addressed bindings, else broadcast. */
  networkType: enumOf(u32(), { auto: 0, broadcast: 1, pointToPoint: 2 }),
  /** The subnet is advertised, but no OSPF packets are sent or accepted here. */
  passive: bool32(),
  /** Interface output cost (RFC 2328 C.3). */
  cost: u32({ default: 10, min: 1, max: 0xffff }),
  /** Router priority for the DR election; 0 = never DR or BDR. */
  priority: u32({ default: 1, max: 255 }),
  helloIntervalS: u32({ default: 10, min: 1, max: 0xffff }),
  /** 0 = four times the hello interval. */
  deadIntervalS: u32({ default: 40, max: 0xffff }),
  /** RxmtInterval: unacknowledged LSAs, DBDs and requests are sent again after this. */
  retransmitIntervalS: u32({ default: 5, min: 1, max: 3_600 }),
  /** InfTransDelay, added to the age of LSAs sent here. */
  transmitDelayS: u32({ default: 1, min: 1, max: 3_600 }),
  /** Delayed acknowledgements are sent this long after the first one queued. */
  ackDelayMs: u32({ default: 1_000, min: 10, max: 10_000 }),
  /** 0 = the binding's MTU, else the system's, else 1500. */
  mtu: u32({ max: 65_535 }),
  /** Accept Database Descriptions whose MTU is larger than ours (RFC 2328 10.6 refuses them). */
  mtuIgnore: bool32(),
  auth: enumOf(u32(), { none: 0, simple: 1, md5: 2 }),
  /** The first key signs what is sent (MD5) or is the password (simple); any listed MD5 key id is accepted. */
  keys: list(AuthKey, 4),
});

export type GlobalConfigValue = StructValue<typeof GlobalConfig.fields>;
export type InterfaceConfigValue = StructValue<typeof InterfaceConfig.fields>;
export type GlobalConfigInput = StructInput<typeof GlobalConfig.fields>;
export type InterfaceConfigInput = StructInput<typeof InterfaceConfig.fields>;
export type FilterInput = StructInput<typeof PrefixFilter.fields>;

export function stateDirectoryOf(g: GlobalConfigValue): string {
  const end = g.stateDirectory.indexOf(0);
  return g.stateDirectory.subarray(0, end < 0 ? g.stateDirectory.length : end).toString('utf8') || os.tmpdir();
}

export const deadIntervalOf = (c: InterfaceConfigValue): number => c.deadIntervalS || 4 * c.helloIntervalS;

/** Cross-field checks the schema cannot express (empty = valid). */
export function globalProblems(g: GlobalConfigValue): string[] {
  const out: string[] = [];
  if (g.spfHoldMs > g.spfMaxHoldMs) out.push(`spfHoldMs ${g.spfHoldMs} > spfMaxHoldMs ${g.spfMaxHoldMs}`);
  if (g.minLsArrivalMs > g.minLsIntervalMs) out.push(`minLsArrivalMs ${g.minLsArrivalMs} > minLsIntervalMs ${g.minLsIntervalMs}: our own LSAs would be refused by routers like us`);
  return out;
}

export function interfaceProblems(c: InterfaceConfigValue): string[] {
  const out: string[] = [];
  if (c.auth !== 'none' && c.keys.length === 0) out.push(`auth ${c.auth} needs a key`);
  if (deadIntervalOf(c) <= c.helloIntervalS) out.push(`deadIntervalS ${deadIntervalOf(c)} must exceed helloIntervalS ${c.helloIntervalS}`);
  const ids = c.keys.map((k) => k.keyId);
  if (new Set(ids).size !== ids.length) out.push('two keys with the same keyId');
  return out;
}
