// RFC 2328's numbers: packet and LSA types, option bits, and the architectural constants of
// appendix B, named as the RFC names them.

export const OSPF_VERSION = 2;
/** IP protocol number of OSPF. */
export const IPPROTO_OSPF = 89;
export const ALL_SPF_ROUTERS = '224.0.0.5';
export const ALL_D_ROUTERS = '224.0.0.6';
/** IP precedence "internetwork control" (RFC 2328 A.1). */
export const OSPF_TOS = 0xc0;
export const IP_HEADER_SIZE = 20;
export const OSPF_HEADER_SIZE = 24;
export const LSA_HEADER_SIZE = 20;
export const MD5_DIGEST_SIZE = 16;

export enum PacketType {
  Hello = 1,
  DatabaseDescription = 2,
  LinkStateRequest = 3,
  LinkStateUpdate = 4,
  LinkStateAck = 5,
}

export const PACKET_NAMES: Record<number, string> = { 1: 'Hello', 2: 'DBD', 3: 'LSR', 4: 'LSU', 5: 'LSAck' };

export enum AuType {
  Null = 0,
  Simple = 1,
  Cryptographic = 2,
}

export enum LsaType {
  Router = 1,
  Network = 2,
  SummaryNetwork = 3,
  SummaryAsbr = 4,
  AsExternal = 5,
}

export const LSA_TYPE_NAMES: Record<number, string> = { 1: 'router', 2: 'network', 3: 'summary', 4: 'asbr-summary', 5: 'external' };

/** Router-LSA link types (RFC 2328 A.4.2). */
export enum LinkType {
  PointToPoint = 1,
  Transit = 2,
  Stub = 3,
  Virtual = 4,
}

/** Options field bits (RFC 2328 A.2). */
export const OPTION_E = 0x02; // AS-external-LSAs are flooded (not a stub area)
export const OPTION_MC = 0x04;
export const OPTION_NP = 0x08;
export const OPTION_DC = 0x20;

/** Router-LSA flag bits. */
export const ROUTER_B = 0x01; // area border router
export const ROUTER_E = 0x02; // AS boundary router
export const ROUTER_V = 0x04; // virtual link endpoint

/** Database Description flag bits. */
export const DD_MS = 0x01;
export const DD_M = 0x02;
export const DD_I = 0x04;

/** AS-external-LSA: the E bit of the metric word (type 2 metric). */
export const EXTERNAL_E_BIT = 0x80;

// Appendix B (seconds, except where said)
export const LS_REFRESH_TIME = 1800;
export const MIN_LS_INTERVAL = 5;
export const MIN_LS_ARRIVAL = 1;
export const MAX_AGE = 3600;
export const CHECK_AGE = 300;
export const MAX_AGE_DIFF = 900;
export const LS_INFINITY = 0xffffff;
export const DEFAULT_DESTINATION = 0;
export const INITIAL_SEQUENCE_NUMBER = -0x7fffffff; // 0x80000001 as a signed 32-bit number
export const MAX_SEQUENCE_NUMBER = 0x7fffffff;
