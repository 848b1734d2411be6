// Link-state advertisements (RFC 2328 A.4): the 20-byte header, the bodies of router (1),
// network (2), summary (3, 4) and AS-external (5) LSAs, encoding with the Fletcher checksum,
// decoding that throws only LsaError, and which of two instances is newer (13.1).
//
// Addresses and ids are unsigned 32-bit numbers here (what SPF compares); sequence numbers
// are signed 32-bit numbers, as the RFC orders them.
import { u32ToIp } from '../rip/ip.js';
import { fletcherChecksum, verifyFletcher } from './checksum.js';
import {
  EXTERNAL_E_BIT, LSA_HEADER_SIZE, LinkType, LsaType, MAX_AGE, MAX_AGE_DIFF,
} from './constants.js';

export class LsaError extends Error {
  override readonly name = 'LsaError';
}

export interface LsaHeader {
  age: number;
  options: number;
  type: number;
  id: number;
  advertisingRouter: number;
  sequence: number;
  checksum: number;
  length: number;
}

export interface RouterLink {
  id: number;
  data: number;
  type: LinkType;
  metric: number;
  /** TOS metrics (RFC 2328 keeps them for compatibility; routing uses TOS 0). */
  tos?: { tos: number; metric: number }[];
}

export interface RouterLsaBody {
  kind: 'router';
  /** V, E, B bits. */
  flags: number;
  links: RouterLink[];
}

export interface NetworkLsaBody {
  kind: 'network';
  mask: number;
  routers: number[];
}

export interface SummaryLsaBody {
  kind: 'summary';
  mask: number;
  metric: number;
}

export interface ExternalLsaBody {
  kind: 'external';
  mask: number;
  /** Metric type 2 when true (the E bit), else type 1. */
  type2: boolean;
  metric: number;
  forwardingAddress: number;
  tag: number;
}

export interface UnknownLsaBody {
  kind: 'unknown';
  bytes: Buffer;
}

export type LsaBody = RouterLsaBody | NetworkLsaBody | SummaryLsaBody | ExternalLsaBody | UnknownLsaBody;

export interface Lsa {
  header: LsaHeader;
  body: LsaBody;
  /** The LSA as sent or received (age as in `header.age`), checksum included. */
  raw: Buffer;
}

/** The key of an LSA in the database: type, Link State ID, advertising router. */
export const lsaKey = (h: { type: number; id: number; advertisingRouter: number }): string => `${h.type}:${h.id >>> 0}:${h.advertisingRouter >>> 0}`;

export function decodeLsaHeader(buf: Buffer, at = 0): LsaHeader {
  if (buf.length - at < LSA_HEADER_SIZE) throw new LsaError(`LSA header truncated: ${buf.length - at} bytes of ${LSA_HEADER_SIZE}`);
  return {
    age: buf.readUInt16BE(at),
    options: buf[at + 2]!,
    type: buf[at + 3]!,
    id: buf.readUInt32BE(at + 4),
    advertisingRouter: buf.readUInt32BE(at + 8),
    sequence: buf.readInt32BE(at + 12),
    checksum: buf.readUInt16BE(at + 16),
    length: buf.readUInt16BE(at + 18),
  };
}

export function encodeLsaHeader(h: LsaHeader, out: Buffer, at = 0): void {
  out.writeUInt16BE(h.age, at);
  out[at + 2] = h.options;
  out[at + 3] = h.type;
  out.writeUInt32BE(h.id >>> 0, at + 4);
  out.writeUInt32BE(h.advertisingRouter >>> 0, at + 8);
  out.writeInt32BE(h.sequence | 0, at + 12);
  out.writeUInt16BE(h.checksum, at + 16);
  out.writeUInt16BE(h.length, at + 18);
}

function bodyLength(body: LsaBody): number {
  switch (body.kind) {
    case 'router': return 4 + body.links.reduce((n, l) => n + 12 + 4 * (l.tos?.length ?? 0), 0);
    case 'network': return 4 + 4 * body.routers.length;
    case 'summary': return 8;
    case 'external': return 16;
    case 'unknown': return body.bytes.length;
  }
}

function encodeBody(body: LsaBody, out: Buffer, at: number): void {
  switch (body.kind) {
    case 'router':
      out[at] = body.flags;
      out[at + 1] = 0;
      out.writeUInt16BE(body.links.length, at + 2);
      at += 4;
      for (const l of body.links) {
        out.writeUInt32BE(l.id >>> 0, at);
        out.writeUInt32BE(l.data >>> 0, at + 4);
        out[at + 8] = l.type;
        out[at + 9] = l.tos?.length ?? 0;
        out.writeUInt16BE(l.metric, at + 10);
        at += 12;
        for (const t of l.tos ?? []) {
          out[at] = t.tos;
          out[at + 1] = 0;
          out.writeUInt16BE(t.metric, at + 2);
          at += 4;
        }
      }
      return;
    case 'network':
      out.writeUInt32BE(body.mask >>> 0, at);
      body.routers.forEach((r, i) => out.writeUInt32BE(r >>> 0, at + 4 + 4 * i));
      return;
    case 'summary':
      out.writeUInt32BE(body.mask >>> 0, at);
      out.writeUInt32BE(body.metric & 0xffffff, at + 4); // TOS 0 byte, then the 24-bit metric
      return;
    case 'external':
      out.writeUInt32BE(body.mask >>> 0, at);
      out.writeUInt32BE(((body.type2 ? EXTERNAL_E_BIT : 0) << 24 | (body.metric & 0xffffff)) >>> 0, at + 4);
      out.writeUInt32BE(body.forwardingAddress >>> 0, at + 8);
      out.writeUInt32BE(body.tag >>> 0, at + 12);
      return;
    case 'unknown':
      body.bytes.copy(out, at);
  }
}

/** Encodes an LSA and computes its length and Fletcher checksum. */
export function encodeLsa(header: Omit<LsaHeader, 'checksum' | 'length'>, body: LsaBody): Lsa {
  const length = LSA_HEADER_SIZE + bodyLength(body);
  if (length > 0xffff) throw new LsaError(`LSA of ${length} bytes does not fit its 16-bit length`);
  const raw = Buffer.alloc(length);
  const h: LsaHeader = { ...header, checksum: 0, length };
  encodeLsaHeader(h, raw);
  encodeBody(body, raw, LSA_HEADER_SIZE);
  h.checksum = fletcherChecksum(raw);
  raw.writeUInt16BE(h.checksum, 16);
  return { header: h, body, raw };
}

function decodeBody(type: number, b: Buffer): LsaBody {
  const need = (n: number, what: string) => {
    if (b.length < n) throw new LsaError(`${what}: body of ${b.length} bytes, needs ${n}`);
  };
  switch (type) {
    case LsaType.Router: {
      need(4, 'router-LSA');
      const count = b.readUInt16BE(2);
      const links: RouterLink[] = [];
      let at = 4;
      for (let i = 0; i < count; i++) {
        need(at + 12, `router-LSA link ${i + 1} of ${count}`);
        const tosCount = b[at + 9]!;
        const link: RouterLink = { id: b.readUInt32BE(at), data: b.readUInt32BE(at + 4), type: b[at + 8]!, metric: b.readUInt16BE(at + 10) };
        if (link.type < LinkType.PointToPoint || link.type > LinkType.Virtual) throw new LsaError(`router-LSA link ${i + 1}: unknown link type ${link.type}`);
        at += 12;
        need(at + 4 * tosCount, `router-LSA link ${i + 1} TOS metrics`);
        if (tosCount) {
          link.tos = [];
          for (let t = 0; t < tosCount; t++) link.tos.push({ tos: b[at + 4 * t]!, metric: b.readUInt16BE(at + 4 * t + 2) });
          at += 4 * tosCount;
        }
        links.push(link);
      }
      if (at !== b.length) throw new LsaError(`router-LSA: ${b.length - at} bytes after its ${count} links`);
      return { kind: 'router', flags: b[0]!, links };
    }
    case LsaType.Network: {
      need(8, 'network-LSA');
      if ((b.length - 4) % 4) throw new LsaError(`network-LSA: body of ${b.length} bytes is not a mask and whole router ids`);
      const routers: number[] = [];
      for (let at = 4; at < b.length; at += 4) routers.push(b.readUInt32BE(at));
      return { kind: 'network', mask: b.readUInt32BE(0), routers };
    }
    case LsaType.SummaryNetwork:
    case LsaType.SummaryAsbr:
      need(8, 'summary-LSA');
      if ((b.length - 4) % 4) throw new LsaError(`summary-LSA: body of ${b.length} bytes`);
      return { kind: 'summary', mask: b.readUInt32BE(0), metric: b.readUInt32BE(4) & 0xffffff };
    case LsaType.AsExternal: {
      need(16, 'AS-external-LSA');
      if (b.length % 12 !== 4) throw new LsaError(`AS-external-LSA: body of ${b.length} bytes`);
      const word = b.readUInt32BE(4);
      return {
        kind: 'external', mask: b.readUInt32BE(0), type2: (word >>> 24 & EXTERNAL_E_BIT) !== 0, metric: word & 0xffffff,
        forwardingAddress: b.readUInt32BE(8), tag: b.readUInt32BE(12),
      };
    }
    default:
      return { kind: 'unknown', bytes: Buffer.from(b) };
  }
}

/**
 * Decodes the LSA at `at` (its length field says how far it goes) and checks its Fletcher
 * checksum; throws LsaError naming what is wrong.
 */
export function decodeLsa(buf: Buffer, at = 0): Lsa {
  const header = decodeLsaHeader(buf, at);
  if (header.length < LSA_HEADER_SIZE) throw new LsaError(`LSA length ${header.length} is shorter than its header`);
  if (at + header.length > buf.length) throw new LsaError(`LSA length ${header.length} runs past the packet (${buf.length - at} bytes left)`);
  const raw = Buffer.from(buf.subarray(at, at + header.length));
  if (!verifyFletcher(raw)) {
    throw new LsaError(`LSA type ${header.type} id ${formatId(header.id)} adv ${formatId(header.advertisingRouter)}: bad checksum 0x${header.checksum.toString(16).padStart(4, '0')}`);
  }
  if (header.age > MAX_AGE) header.age = MAX_AGE; // RFC 2328 13.2: ages beyond MaxAge are MaxAge
  return { header, body: decodeBody(header.type, raw.subarray(LSA_HEADER_SIZE)), raw };
}

/** A copy of the LSA's bytes with its age field set (ages are not covered by the checksum). */
export function withAge(raw: Buffer, age: number): Buffer {
  const copy = Buffer.from(raw);
  copy.writeUInt16BE(Math.min(MAX_AGE, Math.max(0, age)), 0);
  return copy;
}

/**
 * RFC 2328 13.1: > 0 when a is the more recent instance, < 0 when b is, 0 when they are the
 * same instance. Compares sequence numbers, then checksums, then MaxAge, then ages that differ
 * by more than MaxAgeDiff (the younger wins).
 */
export function compareInstances(a: Pick<LsaHeader, 'sequence' | 'checksum' | 'age'>, b: Pick<LsaHeader, 'sequence' | 'checksum' | 'age'>): number {
  if (a.sequence !== b.sequence) return a.sequence > b.sequence ? 1 : -1;
  if (a.checksum !== b.checksum) return a.checksum > b.checksum ? 1 : -1;
  const aMax = a.age >= MAX_AGE;
  const bMax = b.age >= MAX_AGE;
  if (aMax !== bMax) return aMax ? 1 : -1;
  if (Math.abs(a.age - b.age) > MAX_AGE_DIFF) return a.age < b.age ? 1 : -1;
  return 0;
}

/** Dotted quad of a router id, area id or address. */
export const formatId = u32ToIp;

/** Same content, ignoring age (RFC 2328 13.2: a change that needs a new routing table). */
export function sameContents(a: Lsa, b: Lsa): boolean {
  if ((a.header.age >= MAX_AGE) !== (b.header.age >= MAX_AGE)) return false;
  if (a.raw.length !== b.raw.length || a.header.options !== b.header.options) return false;
  return a.raw.subarray(LSA_HEADER_SIZE).equals(b.raw.subarray(LSA_HEADER_SIZE));
}
