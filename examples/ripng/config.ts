// The RIPng protocol's configuration blocks (RIPNGTS_GLOBAL_CONFIG, RIPNGTS_IF_CONFIG),
// declared with lib/config/schema.ts as fixed C structs. Defaults are RFC 2080's (the timers
// of RFC 2453). The README documents each field.
import { struct, u16, u32, bool32, ipv6, enumOf, list, type StructValue, type StructInput } from '../../lib/config/schema.js';
import { PROTOCOL_ID, PROTO_TYPE_UCAST } from '../../lib/constants.js';
import { RIPNG_PORT } from './packet.js';
import { speakerGlobalFields, timerProblems } from '../distance-vector/config.js';

/** Vendor 0x2b1d (this project, not Microsoft), protocol 3. */
export const PROTOCOL_ID_RIPNG = PROTOCOL_ID(PROTO_TYPE_UCAST, 0x2b1d, 3);

export { REDISTRIBUTE_ANY } from '../distance-vector/redistribute.js';

export const GlobalConfig = struct('RIPNGTS_GLOBAL_CONFIG', {
  ...speakerGlobalFields,
  /** Metric announced for redistributed routes; 0 = the route's RTM metric, clamped to 1..15. */
  redistributeMetric: u32({ default: 1, max: 15 }),
});

export const InterfaceConfig = struct('RIPNGTS_IF_CONFIG', {
  /** both, send only, receive only, or silent (RIPng off here; its prefixes still announced). */
  mode: enumOf(u32(), { both: 0, send: 1, receive: 2, silent: 3 }),
  /** Where updates go: ff02::9, or only the unicast peers. */
  destination: enumOf(u32(), { multicast: 0, peersOnly: 1 }),
  /** Cost added to the metric of routes received here (RFC 2080 §2.4.2). */
  metric: u32({ default: 1, min: 1, max: 15 }),
  splitHorizon: enumOf(u32(), { poisonReverse: 0, simple: 1, none: 2 }),
  /** RFC 2091 on this interface: triggered updates only, acknowledged, routes do not time out. */
  demand: bool32(),
  demandRetransmitMs: u32({ default: 1_000, min: 100, max: 60_000 }),
  demandRetransmitLimit: u32({ default: 10, min: 1, max: 1000 }),
  /** DoUpdateRoutes fails (ERROR_CAN_NOT_COMPLETE) when no Update Response arrives within this. */
  demandUpdateTimeoutMs: u32({ default: 10_000, min: 100, max: 600_000 }),
  /** An update session is complete when no further Update Response came for this long. */
  demandQuietMs: u32({ default: 500, min: 10, max: 60_000 }),
  /** The link MTU datagrams are sized for; 0 = the binding's, or 1500 when it gives none. */
  mtu: u32({ max: 65_535 }),
  /** UDP port: 521, another for tests and demos without root. */
  port: u16({ default: RIPNG_PORT, min: 1 }),
  /** The port the peers listen on; 0 = port (a demo of two routers on one host needs two). */
  peerPort: u16(),
  /** Route tag of routes originated here. */
  tag: u16(),
  /**
   * Unicast neighbours, sent to besides (or, with peersOnly, instead of) ff02::9. A link-local
   * peer is scoped to this interface. Responses from a listed peer are accepted from any
   * source address; from anyone else only from a link-local one (RFC 2080 §2.4.2).
   */
  peers: list(ipv6(), 8),
});

export type GlobalConfigValue = StructValue<typeof GlobalConfig.fields>;
export type InterfaceConfigValue = StructValue<typeof InterfaceConfig.fields>;
export type GlobalConfigInput = StructInput<typeof GlobalConfig.fields>;
export type InterfaceConfigInput = StructInput<typeof InterfaceConfig.fields>;

/** Cross-field checks the schema cannot express; returns the problems (empty = valid). */
export function globalProblems(g: GlobalConfigValue): string[] {
  return timerProblems(g);
}

export function interfaceProblems(c: InterfaceConfigValue): string[] {
  const out: string[] = [];
  if (c.destination === 'peersOnly' && c.peers.length === 0 && c.mode !== 'receive' && c.mode !== 'silent') {
    out.push('destination peersOnly with no peers: nothing would be sent');
  }
  if (c.mtu !== 0 && c.mtu < 1280) out.push(`mtu ${c.mtu} is below IPv6's minimum of 1280`);
  return out;
}
