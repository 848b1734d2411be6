// OSPFv2 packets (RFC 2328 A.3): the 24-byte header and the five bodies, encoding with the
// packet checksum and authentication (D: null, simple password, cryptographic MD5), and
// decoding that throws only PacketError, whose `reason` is the counter it is filed under.
// LSAs in a Link State Update are decoded one by one: a bad one is reported and the rest
// are kept (RFC 2328 13: a bad LSA is discarded, not the packet).
import crypto from 'node:crypto';
import { ipChecksum } from './checksum.js';
import {
  AuType, LSA_HEADER_SIZE, MD5_DIGEST_SIZE, OSPF_HEADER_SIZE, OSPF_VERSION, PacketType,
} from './constants.js';
import { decodeLsa, decodeLsaHeader, encodeLsaHeader, LsaError, type Lsa, type LsaHeader } from './lsa.js';

export type PacketErrorReason = 'truncated' | 'version' | 'length' | 'checksum' | 'type' | 'body';

export class PacketError extends Error {
  override readonly name = 'PacketError';
  constructor(readonly reason: PacketErrorReason, message: string) {
    super(message);
  }
}

export interface PacketHeader {
  version: number;
  type: PacketType;
  length: number;
  routerId: number;
  areaId: number;
  checksum: number;
  auType: number;
  /** The 8-byte authentication field as received. */
  auth: Buffer;
}

export interface HelloBody {
  type: PacketType.Hello;
  networkMask: number;
  helloInterval: number;
  options: number;
  priority: number;
  deadInterval: number;
  designatedRouter: number;
  backupDesignatedRouter: number;
  neighbors: number[];
}

export interface DbdBody {
  type: PacketType.DatabaseDescription;
  mtu: number;
  options: number;
  /** I, M, MS bits. */
  flags: number;
  /** Unsigned 32-bit DD sequence number. */
  sequence: number;
  headers: LsaHeader[];
}

export interface LsRequest {
  type: number;
  id: number;
  advertisingRouter: number;
}

export interface LsrBody {
  type: PacketType.LinkStateRequest;
  requests: LsRequest[];
}

export interface LsuBody {
  type: PacketType.LinkStateUpdate;
  lsas: Lsa[];
  /** LSAs that could not be decoded (bad checksum, malformed); the others are in `lsas`. */
  rejected: LsaError[];
}

export interface LsAckBody {
  type: PacketType.LinkStateAck;
  headers: LsaHeader[];
}

export type PacketBody = HelloBody | DbdBody | LsrBody | LsuBody | LsAckBody;

export interface OspfPacket {
  header: PacketHeader;
  body: PacketBody;
}

/** How a packet is signed. */
export type AuthSigner =
  | { type: 'none' }
  | { type: 'simple'; password: Buffer }
  | { type: 'md5'; keyId: number; key: Buffer; sequence: number };

// ---- encoding ----

function bodySize(b: PacketBody): number {
  switch (b.type) {
    case PacketType.Hello: return 20 + 4 * b.neighbors.length;
    case PacketType.DatabaseDescription: return 8 + LSA_HEADER_SIZE * b.headers.length;
    case PacketType.LinkStateRequest: return 12 * b.requests.length;
    case PacketType.LinkStateUpdate: return 4 + b.lsas.reduce((n, l) => n + l.raw.length, 0);
    case PacketType.LinkStateAck: return LSA_HEADER_SIZE * b.headers.length;
  }
}

function writeBody(b: PacketBody, out: Buffer, at: number): void {
  switch (b.type) {
    case PacketType.Hello:
      out.writeUInt32BE(b.networkMask >>> 0, at);
      out.writeUInt16BE(b.helloInterval, at + 4);
      out[at + 6] = b.options;
      out[at + 7] = b.priority;
      out.writeUInt32BE(b.deadInterval >>> 0, at + 8);
      out.writeUInt32BE(b.designatedRouter >>> 0, at + 12);
      out.writeUInt32BE(b.backupDesignatedRouter >>> 0, at + 16);
      b.neighbors.forEach((n, i) => out.writeUInt32BE(n >>> 0, at + 20 + 4 * i));
      return;
    case PacketType.DatabaseDescription:
      out.writeUInt16BE(b.mtu, at);
      out[at + 2] = b.options;
      out[at + 3] = b.flags;
      out.writeUInt32BE(b.sequence >>> 0, at + 4);
      b.headers.forEach((h, i) => encodeLsaHeader(h, out, at + 8 + LSA_HEADER_SIZE * i));
      return;
    case PacketType.LinkStateRequest:
      b.requests.forEach((r, i) => {
        out.writeUInt32BE(r.type, at + 12 * i);
        out.writeUInt32BE(r.id >>> 0, at + 12 * i + 4);
        out.writeUInt32BE(r.advertisingRouter >>> 0, at + 12 * i + 8);
      });
      return;
    case PacketType.LinkStateUpdate: {
      out.writeUInt32BE(b.lsas.length, at);
      let p = at + 4;
      for (const l of b.lsas) {
        l.raw.copy(out, p);
        p += l.raw.length;
      }
      return;
    }
    case PacketType.LinkStateAck:
      b.headers.forEach((h, i) => encodeLsaHeader(h, out, at + LSA_HEADER_SIZE * i));
  }
}

/** Bytes a packet adds to its body: the header, and the digest when signed with MD5. */
export function packetOverhead(auth: AuthSigner['type']): number {
  return OSPF_HEADER_SIZE + (auth === 'md5' ? MD5_DIGEST_SIZE : 0);
}

/** A whole packet (header, body, checksum, authentication) ready for the wire. */
export function encodePacket(routerId: number, areaId: number, body: PacketBody, auth: AuthSigner): Buffer {
  const length = OSPF_HEADER_SIZE + bodySize(body);
  const out = Buffer.alloc(length + (auth.type === 'md5' ? MD5_DIGEST_SIZE : 0));
  out[0] = OSPF_VERSION;
  out[1] = body.type;
  out.writeUInt16BE(length, 2);
  out.writeUInt32BE(routerId >>> 0, 4);
  out.writeUInt32BE(areaId >>> 0, 8);
  writeBody(body, out, OSPF_HEADER_SIZE);
  switch (auth.type) {
    case 'none':
      out.writeUInt16BE(AuType.Null, 14);
      out.writeUInt16BE(ipChecksum(out.subarray(0, length)), 12);
      break;
    case 'simple':
      out.writeUInt16BE(AuType.Simple, 14);
      out.writeUInt16BE(ipChecksum(out.subarray(0, length), { from: 16, to: 24 }), 12); // D.4.2: without the password
      auth.password.copy(out, 16, 0, Math.min(8, auth.password.length));
      break;
    case 'md5':
      // D.4.3: checksum 0; the auth field is 0, key id, digest length, sequence number; the
      // digest of the packet followed by the key (zero padded to 16) is appended.
      out.writeUInt16BE(AuType.Cryptographic, 14);
      out[18] = auth.keyId;
      out[19] = MD5_DIGEST_SIZE;
      out.writeUInt32BE(auth.sequence >>> 0, 20);
      md5(out.subarray(0, length), auth.key).copy(out, length);
      break;
  }
  return out;
}

function md5(packet: Buffer, key: Buffer): Buffer {
  const padded = Buffer.alloc(16);
  key.copy(padded, 0, 0, Math.min(16, key.length));
  return crypto.createHash('md5').update(packet).update(padded).digest();
}

// ---- decoding ----

function headersAt(buf: Buffer, from: number, to: number, what: string): LsaHeader[] {
  if ((to - from) % LSA_HEADER_SIZE) throw new PacketError('body', `${what}: ${to - from} bytes of LSA headers is not a multiple of ${LSA_HEADER_SIZE}`);
  const out: LsaHeader[] = [];
  for (let at = from; at < to; at += LSA_HEADER_SIZE) out.push(decodeLsaHeader(buf, at));
  return out;
}

function decodeBody(type: PacketType, b: Buffer): PacketBody {
  switch (type) {
    case PacketType.Hello: {
      if (b.length < 20 || (b.length - 20) % 4) throw new PacketError('body', `Hello body of ${b.length} bytes`);
      const neighbors: number[] = [];
      for (let at = 20; at < b.length; at += 4) neighbors.push(b.readUInt32BE(at));
      return {
        type, networkMask: b.readUInt32BE(0), helloInterval: b.readUInt16BE(4), options: b[6]!, priority: b[7]!,
        deadInterval: b.readUInt32BE(8), designatedRouter: b.readUInt32BE(12), backupDesignatedRouter: b.readUInt32BE(16), neighbors,
      };
    }
    case PacketType.DatabaseDescription:
      if (b.length < 8) throw new PacketError('body', `Database Description body of ${b.length} bytes`);
      return { type, mtu: b.readUInt16BE(0), options: b[2]!, flags: b[3]!, sequence: b.readUInt32BE(4), headers: headersAt(b, 8, b.length, 'Database Description') };
    case PacketType.LinkStateRequest: {
      if (b.length % 12) throw new PacketError('body', `Link State Request body of ${b.length} bytes is not whole requests`);
      const requests: LsRequest[] = [];
      for (let at = 0; at < b.length; at += 12) requests.push({ type: b.readUInt32BE(at), id: b.readUInt32BE(at + 4), advertisingRouter: b.readUInt32BE(at + 8) });
      return { type, requests };
    }
    case PacketType.LinkStateUpdate: {
      if (b.length < 4) throw new PacketError('body', `Link State Update body of ${b.length} bytes`);
      const count = b.readUInt32BE(0);
      const lsas: Lsa[] = [];
      const rejected: LsaError[] = [];
      let at = 4;
      for (let i = 0; i < count; i++) {
        if (b.length - at < LSA_HEADER_SIZE) throw new PacketError('body', `Link State Update says ${count} LSAs, holds ${i}`);
        const length = b.readUInt16BE(at + 18);
        if (length < LSA_HEADER_SIZE || at + length > b.length) throw new PacketError('body', `Link State Update: LSA ${i + 1} of length ${length} does not fit`);
        try {
          lsas.push(decodeLsa(b, at));
        } catch (err) {
          if (!(err instanceof LsaError)) throw err;
          rejected.push(err);
        }
        at += length;
      }
      return { type, lsas, rejected };
    }
    case PacketType.LinkStateAck:
      return { type, headers: headersAt(b, 0, b.length, 'Link State Acknowledgment') };
    default:
      throw new PacketError('type', `unknown packet type ${type as number}`);
  }
}

/**
 * The header and body of one OSPF packet (the IP payload). Checks version, length and, for
 * null and simple authentication, the checksum; authentication itself is verifyAuth's.
 */
export function decodePacket(buf: Buffer): OspfPacket {
  if (buf.length < OSPF_HEADER_SIZE) throw new PacketError('truncated', `${buf.length} bytes, shorter than the ${OSPF_HEADER_SIZE}-byte OSPF header`);
  if (buf[0] !== OSPF_VERSION) throw new PacketError('version', `version ${buf[0]}, not ${OSPF_VERSION}`);
  const length = buf.readUInt16BE(2);
  const auType = buf.readUInt16BE(14);
  const trailer = auType === AuType.Cryptographic ? MD5_DIGEST_SIZE : 0;
  if (length < OSPF_HEADER_SIZE || length + trailer > buf.length) {
    throw new PacketError('length', `packet length ${length}${trailer ? ` + ${trailer}-byte digest` : ''} does not match the ${buf.length} bytes received`);
  }
  const type = buf[1]!;
  if (type < PacketType.Hello || type > PacketType.LinkStateAck) throw new PacketError('type', `unknown packet type ${type}`);
  if (auType !== AuType.Cryptographic) {
    const sum = ipChecksum(buf.subarray(0, length), { from: 16, to: 24 });
    if (sum !== 0) throw new PacketError('checksum', `bad packet checksum 0x${buf.readUInt16BE(12).toString(16).padStart(4, '0')}`);
  }
  const header: PacketHeader = {
    version: buf[0]!, type, length, routerId: buf.readUInt32BE(4), areaId: buf.readUInt32BE(8), checksum: buf.readUInt16BE(12),
    auType, auth: Buffer.from(buf.subarray(16, 24)),
  };
  return { header, body: decodeBody(type, buf.subarray(OSPF_HEADER_SIZE, length)) };
}

/** What an interface accepts: its type and keys (simple: one password; MD5: several key ids). */
export type AuthPolicy =
  | { type: 'none' }
  | { type: 'simple'; password: Buffer }
  | { type: 'md5'; keys: { keyId: number; key: Buffer }[] };

export type AuthResult =
  | { ok: true; sequence?: number; keyId?: number }
  /** `type`: another authentication type than the interface's; `key`: the right type, a wrong password, key or digest. */
  | { ok: false; kind: 'type' | 'key'; reason: string };

const AUTYPE_NAMES = ['null', 'simple password', 'cryptographic'];

/** RFC 2328 D.5: the packet's authentication against the interface's (not the sequence check). */
export function verifyAuth(buf: Buffer, header: PacketHeader, policy: AuthPolicy): AuthResult {
  const want = policy.type === 'none' ? AuType.Null : policy.type === 'simple' ? AuType.Simple : AuType.Cryptographic;
  if (header.auType !== want) {
    return { ok: false, kind: 'type', reason: `authentication type ${AUTYPE_NAMES[header.auType] ?? header.auType}, this interface uses ${AUTYPE_NAMES[want]}` };
  }
  if (policy.type === 'none') return { ok: true };
  if (policy.type === 'simple') {
    const expected = Buffer.alloc(8);
    policy.password.copy(expected, 0, 0, Math.min(8, policy.password.length));
    return crypto.timingSafeEqual(expected, header.auth) ? { ok: true } : { ok: false, kind: 'key', reason: 'wrong password' };
  }
  const keyId = header.auth[2]!;
  const digestLength = header.auth[3]!;
  const sequence = header.auth.readUInt32BE(4);
  if (digestLength !== MD5_DIGEST_SIZE) return { ok: false, kind: 'key', reason: `digest length ${digestLength}, MD5's is ${MD5_DIGEST_SIZE}` };
  const key = policy.keys.find((k) => k.keyId === keyId);
  if (!key) return { ok: false, kind: 'key', reason: `unknown key id ${keyId}` };
  const digest = md5(buf.subarray(0, header.length), key.key);
  if (!crypto.timingSafeEqual(digest, buf.subarray(header.length, header.length + MD5_DIGEST_SIZE))) {
    return { ok: false, kind: 'key', reason: `wrong digest (key id ${keyId})` };
  }
  return { ok: true, sequence, keyId };
}
