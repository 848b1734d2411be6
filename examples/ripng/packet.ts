// RIPng messages (RFC 2080 §2.1), with RFC 2091's triggered-update header on demand
// interfaces, as a codec over Buffers.
//
// Layout (big-endian):
//   header      command u8 | version u8 (1) | must-be-zero u16
//   [RFC 2091]  version u8 (1) | flush u8 (0/1) | sequence u16          commands 9, 10, 11 only
//   RTEs        prefix (16 bytes) | route tag u16 | prefix length u8 | metric u8     20 bytes each
//               metric 0xFF: a next-hop RTE (§2.1.1); its prefix is the next hop of the RTEs
//               that follow it (:: = the sender), tag and length are zero.
//
// How many RTEs fit is the link's business (§2.1): (MTU - 40 IPv6 - 8 UDP - header) / 20,
// 72 on Ethernet. decodePacket throws only RipngDecodeError; the checks of one RTE are
// validateRte's, because a bad RTE is ignored, not the datagram.
import { CodedError } from '../../lib/codedError.js';
import { formatIPv6, ipv6HostBitsClear, parseIPv6 } from '../../lib/config/ipv6.js';
import { INFINITY, type OutgoingEntry } from '../distance-vector/table.js';
import {
  Command, UPDATE_HEADER_SIZE, commandName, isKnownCommand, isUpdateCommand, readUpdateHeader, writeUpdateHeader,
  type CommandCode, type UpdateHeader,
} from '../distance-vector/commands.js';

export const RIPNG_PORT = 521;
export const RIPNG_GROUP = 'ff02::9';
export const RIPNG_VERSION = 1;
export const RIPNG_INFINITY = INFINITY;
export const NEXT_HOP_METRIC = 0xff;
export const HEADER_SIZE = 4;
export const RTE_SIZE = 20;
/** IPv6 (40) and UDP (8) headers in front of the RIPng message. */
export const IP_UDP_OVERHEAD = 48;
/** RFC 2080 §2.4.2: Responses are sent, and accepted, with hop limit 255. */
export const RIPNG_HOP_LIMIT = 255;
export const UNSPECIFIED = '::';

export { Command, UPDATE_HEADER_SIZE, commandName, isUpdateCommand, type CommandCode };

/** One RTE as received: a route, or a next-hop RTE (metric 0xFF). */
export interface Rte {
  prefix: string;
  tag: number;
  prefixLength: number;
  metric: number;
}

/** A route RTE with the next hop the preceding next-hop RTE gave it (:: = the sender). */
export interface ReceivedRoute extends Rte {
  nextHop: string;
}

export interface RipngPacket {
  command: CommandCode;
  version: number;
  update?: UpdateHeader;
  /** Route RTEs only; next-hop RTEs are folded into their nextHop. */
  routes: ReceivedRoute[];
  /** Next-hop RTEs whose address is not link-local, treated as :: (RFC 2080 §2.1.1). */
  ignoredNextHops: string[];
}

export type DecodeErrorCode = 'TOO_SHORT' | 'BAD_VERSION' | 'BAD_COMMAND' | 'BAD_LENGTH' | 'BAD_UPDATE_HEADER' | 'TOO_LONG';
export class RipngDecodeError extends CodedError<DecodeErrorCode> {}
const fail = (code: DecodeErrorCode, message: string): never => {
  throw new RipngDecodeError(code, message);
};

export const isLinkLocal = (a: Uint8Array) => a[0] === 0xfe && (a[1]! & 0xc0) === 0x80;
export const isLinkLocalText = (text: string) => {
  const b = parseIPv6(text.split('%')[0]!);
  return b !== null && isLinkLocal(b);
};

/** RTEs that fit one datagram on a link of this MTU (with RFC 2091's header for commands 9-11). */
export function rtesPerPacket(mtu: number, command: CommandCode = Command.Response): number {
  const room = mtu - IP_UDP_OVERHEAD - HEADER_SIZE - (isUpdateCommand(command) ? UPDATE_HEADER_SIZE : 0);
  return Math.max(1, Math.floor(room / RTE_SIZE));
}

/** Parses a datagram. `maxBytes`: the largest RIPng message the link can carry (MTU - 48). */
export function decodePacket(buf: Buffer, maxBytes = Infinity): RipngPacket {
  if (buf.length < HEADER_SIZE) fail('TOO_SHORT', `datagram of ${buf.length} bytes is shorter than the 4-byte RIPng header`);
  if (buf.length > maxBytes) fail('TOO_LONG', `datagram of ${buf.length} bytes is longer than the link's ${maxBytes}-byte maximum (MTU - 48)`);
  const command = buf[0]!;
  const version = buf[1]!;
  if (!isKnownCommand(command)) fail('BAD_COMMAND', `unknown command ${command}`);
  if (version !== RIPNG_VERSION) fail('BAD_VERSION', `version ${version}, RIPng is version 1`);
  let off = HEADER_SIZE;
  let update: RipngPacket['update'];
  if (isUpdateCommand(command)) {
    const h = readUpdateHeader(buf, off, command);
    if ('code' in h) fail(h.code, h.message);
    update = h as UpdateHeader;
    off += UPDATE_HEADER_SIZE;
  }
  if ((buf.length - off) % RTE_SIZE !== 0) fail('BAD_LENGTH', `${buf.length - off} bytes of RTEs is not a multiple of ${RTE_SIZE}`);
  const routes: ReceivedRoute[] = [];
  const ignoredNextHops: string[] = [];
  let nextHop = UNSPECIFIED;
  for (; off < buf.length; off += RTE_SIZE) {
    const prefix = buf.subarray(off, off + 16);
    const metric = buf[off + 19]!;
    if (metric === NEXT_HOP_METRIC) {
      // §2.1.1: a next hop that is not link-local is taken as :: (the sender).
      nextHop = isLinkLocal(prefix) ? formatIPv6(prefix) : UNSPECIFIED;
      if (!isLinkLocal(prefix) && !prefix.every((b) => b === 0)) ignoredNextHops.push(formatIPv6(prefix));
      continue;
    }
    routes.push({ prefix: formatIPv6(prefix), tag: buf.readUInt16BE(off + 16), prefixLength: buf[off + 18]!, metric, nextHop });
  }
  return { command: command as CommandCode, version, update, routes, ignoredNextHops };
}

export type DecodeResult = { ok: true; packet: RipngPacket } | { ok: false; error: RipngDecodeError };

export function tryDecodePacket(buf: Buffer, maxBytes = Infinity): DecodeResult {
  try {
    return { ok: true, packet: decodePacket(buf, maxBytes) };
  } catch (err) {
    if (err instanceof RipngDecodeError) return { ok: false, error: err };
    return { ok: false, error: new RipngDecodeError('BAD_LENGTH', `undecodable datagram: ${(err as Error).message}`) };
  }
}

/** RFC 2080 §2.4.1: the whole-table request is one RTE, prefix ::/0, metric 16. */
export function isWholeTableRequest(p: RipngPacket): boolean {
  const [r] = p.routes;
  return (p.command === Command.Request || p.command === Command.UpdateRequest) && p.routes.length === 1 &&
    r!.prefix === UNSPECIFIED && r!.prefixLength === 0 && r!.metric === RIPNG_INFINITY;
}

/** Why a route RTE of a Response is ignored (RFC 2080 §2.4.2), or null when it is valid. */
export function validateRte(r: Rte): string | null {
  if (r.metric < 1 || r.metric > RIPNG_INFINITY) return `metric ${r.metric} is outside 1..16`;
  if (r.prefixLength > 128) return `prefix length ${r.prefixLength} is above 128`;
  const b = parseIPv6(r.prefix)!;
  if (b[0] === 0xff) return `${r.prefix}/${r.prefixLength} is multicast`;
  if (isLinkLocal(b) && r.prefixLength >= 10) return `${r.prefix}/${r.prefixLength} is link-local`;
  if (!ipv6HostBitsClear(b, r.prefixLength)) return `host bits are set in ${r.prefix}/${r.prefixLength}`;
  return null;
}

// ---- encoding ----

export interface OutgoingPacket {
  command: CommandCode;
  update?: { flush: boolean; sequence: number };
  /** Routes; those with a next hop other than :: get a next-hop RTE in front (§2.1.1). */
  entries: readonly OutgoingEntry[];
}

/** The RTEs a list of entries takes: the entries and a next-hop RTE at each change of next hop. */
export function rteCount(entries: readonly OutgoingEntry[]): number {
  let n = 0;
  let hop = UNSPECIFIED;
  for (const e of entries) {
    const h = e.nextHop ?? UNSPECIFIED;
    if (h !== hop) n++;
    hop = h;
    n++;
  }
  return n;
}

/** Splits entries into datagrams of at most `capacity` RTEs, next-hop RTEs included. */
export function chunkEntries(entries: readonly OutgoingEntry[], capacity: number): OutgoingEntry[][] {
  const out: OutgoingEntry[][] = [];
  let cur: OutgoingEntry[] = [];
  for (const e of entries) {
    if (cur.length && rteCount([...cur, e]) > capacity) {
      out.push(cur);
      cur = [];
    }
    cur.push(e);
  }
  if (cur.length) out.push(cur);
  return out;
}

function address(text: string, what: string): Buffer {
  const b = parseIPv6(text);
  if (!b) throw new RangeError(`RIPng encode: ${what} ${JSON.stringify(text)} is not an IPv6 address`);
  return b;
}

/** Builds a datagram (RangeError on invalid input: a caller bug, not bad input). */
export function encodePacket(p: OutgoingPacket): Buffer {
  const hasUpdate = isUpdateCommand(p.command);
  if (hasUpdate !== (p.update !== undefined)) throw new RangeError('RIPng encode: the RFC 2091 header goes with commands 9-11 only');
  const head = HEADER_SIZE + (hasUpdate ? UPDATE_HEADER_SIZE : 0);
  const buf = Buffer.alloc(head + RTE_SIZE * rteCount(p.entries));
  buf[0] = p.command;
  buf[1] = RIPNG_VERSION;
  if (p.update) writeUpdateHeader(buf, HEADER_SIZE, p.update);
  let off = head;
  let hop = UNSPECIFIED;
  for (const e of p.entries) {
    const h = e.nextHop ?? UNSPECIFIED;
    if (h !== hop) {
      address(h, 'next hop').copy(buf, off);
      buf[off + 19] = NEXT_HOP_METRIC;
      off += RTE_SIZE;
      hop = h;
    }
    if (!Number.isInteger(e.prefixLength) || e.prefixLength < 0 || e.prefixLength > 128) throw new RangeError(`RIPng encode: prefix length ${e.prefixLength}`);
    if (!Number.isInteger(e.metric) || e.metric < 1 || e.metric > RIPNG_INFINITY) throw new RangeError(`RIPng encode: metric ${e.metric}`);
    address(e.destination, 'prefix').copy(buf, off);
    buf.writeUInt16BE((e.tag ?? 0) & 0xffff, off + 16);
    buf[off + 18] = e.prefixLength;
    buf[off + 19] = e.metric;
    off += RTE_SIZE;
  }
  return buf;
}

/** The whole-table Request (§2.4.1), or with RFC 2091's header the Update Request. */
export function wholeTableRequest(command: typeof Command.Request | typeof Command.UpdateRequest = Command.Request): OutgoingPacket {
  return {
    command,
    update: command === Command.UpdateRequest ? { flush: false, sequence: 0 } : undefined,
    entries: [{ destination: UNSPECIFIED, prefixLength: 0, metric: RIPNG_INFINITY }],
  };
}
