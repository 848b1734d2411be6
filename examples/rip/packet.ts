// RIP version 2 messages (RFC 2453 §4), RFC 2091 triggered-update messages, and RFC 2082
// authentication (simple password, keyed MD5), as a codec over Buffers.
//
// Layout (all big-endian):
//   header       command u8 | version u8 | must-be-zero u16
//   [RFC 2091]   version u8 (=1) | flush u8 (0/1) | sequence u16         commands 9, 10, 11 only
//   [auth]       0xFFFF | auth type u16 | 16 bytes                         the first entry, if any
//                  type 2: the password, zero padded
//                  type 3: packet length u16 | key id u8 | auth data len u8 | sequence u32 | 8 zero bytes
//   entries      AFI u16 | route tag u16 | address | mask | next hop | metric u32     20 bytes each
//   [MD5 trailer] 0xFFFF | 0x0001 | 16-byte digest, at "packet length"
//
// The MD5 digest is MD5(bytes 0 .. packet length + 4, then the key zero-padded to 16 bytes):
// the trailer's header is covered, its digest field is where the key was while hashing.
// "Auth data len" is 16 in RFC 2082's reading and 20 (the whole trailer) in BIRD's and in
// FRR's default; both are accepted, either can be sent.
//
// decodePacket never throws anything but RipDecodeError, whatever the bytes; semantic checks
// of single entries (metric range, mask, destination) are validateEntry's, because RFC 2453
// drops a bad entry, not the whole message.
import crypto from 'node:crypto';
import { ipToU32, isAcceptableDestination, maskOf, prefixLengthOf, u32ToIp } from './ip.js';
import { CodedError } from '../../lib/codedError.js';
import { INFINITY, type OutgoingEntry } from '../distance-vector/table.js';
import {
  Command, UPDATE_HEADER_SIZE, commandName, isKnownCommand, isUpdateCommand, readUpdateHeader, writeUpdateHeader,
  type CommandCode, type UpdateHeader,
} from '../distance-vector/commands.js';

export type { OutgoingEntry };

export const RIP_PORT = 520;
export const RIP_GROUP = '224.0.0.9';
export const RIP_INFINITY = INFINITY;
/** RFC 2453 §4: at most 25 entries (the auth entry counts) in a 512-byte datagram. */
export const RIP_MAX_ENTRIES = 25;
/**
 * RFC 2453 §4: a RIP datagram is at most 512 octets; RFC 2082's keyed-MD5 trailer comes on
 * top (BIRD's default "tx length" is 532 for that reason). FRR drops larger ones, BIRD too.
 */
export const RIP_MAX_DATAGRAM = 512;
export const HEADER_SIZE = 4;
export const ENTRY_SIZE = 20;
export const MD5_TRAILER_SIZE = 20;
export const AFI_INET = 2;
export const AFI_AUTH = 0xffff;
export const AUTH_SIMPLE = 2;
export const AUTH_MD5 = 3;

export { Command, UPDATE_HEADER_SIZE, commandName, type CommandCode, type UpdateHeader };

/** One route entry as it is on the wire (AFI 2), or the whole-table request (AFI 0, metric 16). */
export interface RouteEntry {
  afi: number;
  tag: number;
  destination: string;
  /** null when the mask on the wire is not contiguous (the entry is then invalid). */
  prefixLength: number | null;
  nextHop: string;
  metric: number;
}

/** RFC 2091 header of commands 9, 10 and 11. */
export type ReceivedAuth =
  | { type: 'none' }
  | { type: 'simple'; password: Buffer }
  | { type: 'md5'; keyId: number; authDataLength: number; sequence: number; packetLength: number; digest: Buffer }
  | { type: 'unknown'; authType: number };

export interface RipPacket {
  command: CommandCode;
  version: number;
  update?: UpdateHeader;
  auth: ReceivedAuth;
  entries: RouteEntry[];
}

/** What to sign an outgoing packet with. */
export type AuthSpec =
  | { type: 'none' }
  | { type: 'simple'; password: Buffer | string }
  | { type: 'md5'; keyId: number; key: Buffer | string; sequence: number; authDataLength?: 16 | 20 };

/** What a receiver accepts. Keys are compared after zero padding to 16 bytes. */
export type AuthPolicy =
  | { type: 'none' }
  | { type: 'simple'; passwords: (Buffer | string)[] }
  | { type: 'md5'; keys: { keyId: number; key: Buffer | string }[] };

export type DecodeErrorCode =
  | 'TOO_SHORT'
  | 'TOO_LONG'
  | 'BAD_VERSION'
  | 'BAD_COMMAND'
  | 'BAD_LENGTH'
  | 'BAD_UPDATE_HEADER'
  | 'BAD_AUTH'
  | 'MISPLACED_AUTH';

export class RipDecodeError extends CodedError<DecodeErrorCode> {}

const fail = (code: DecodeErrorCode, message: string): never => {
  throw new RipDecodeError(code, message);
};

export function pad16(key: Buffer | string): Buffer {
  const src = typeof key === 'string' ? Buffer.from(key, 'utf8') : key;
  const out = Buffer.alloc(16);
  src.copy(out, 0, 0, Math.min(16, src.length));
  return out;
}

function readEntry(buf: Buffer, off: number): RouteEntry {
  return {
    afi: buf.readUInt16BE(off),
    tag: buf.readUInt16BE(off + 2),
    destination: u32ToIp(buf.readUInt32BE(off + 4)),
    prefixLength: prefixLengthOf(buf.readUInt32BE(off + 8)),
    nextHop: u32ToIp(buf.readUInt32BE(off + 12)),
    metric: buf.readUInt32BE(off + 16),
  };
}

/** Parses a datagram. Throws RipDecodeError (and nothing else) on a malformed one. */
export function decodePacket(input: Buffer | Uint8Array): RipPacket {
  const buf = Buffer.isBuffer(input) ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  if (buf.length < HEADER_SIZE) fail('TOO_SHORT', `datagram of ${buf.length} bytes is shorter than the 4-byte RIP header`);
  if (buf.length > RIP_MAX_DATAGRAM + MD5_TRAILER_SIZE) {
    fail('TOO_LONG', `datagram of ${buf.length} bytes is longer than RIP's ${RIP_MAX_DATAGRAM} octets (RFC 2453 §4) plus the ${MD5_TRAILER_SIZE}-byte MD5 trailer`);
  }
  const command = buf[0]!;
  const version = buf[1]!;
  if (version === 0) fail('BAD_VERSION', 'version 0 messages are discarded (RFC 2453 §4)');
  if (!isKnownCommand(command)) fail('BAD_COMMAND', `unknown or obsolete command ${command}`);
  let off = HEADER_SIZE;
  let update: UpdateHeader | undefined;
  if (isUpdateCommand(command)) {
    const h = readUpdateHeader(buf, off, command);
    if ('code' in h) fail(h.code, h.message);
    update = h as UpdateHeader;
    off += UPDATE_HEADER_SIZE;
  }
  const bodyStart = off;
  let end = buf.length;
  let auth: ReceivedAuth = { type: 'none' };
  if (version >= 2 && buf.length >= off + ENTRY_SIZE && buf.readUInt16BE(off) === AFI_AUTH) {
    const authType = buf.readUInt16BE(off + 2);
    if (authType === AUTH_SIMPLE) {
      auth = { type: 'simple', password: Buffer.from(buf.subarray(off + 4, off + 20)) };
    } else if (authType === AUTH_MD5) {
      const packetLength = buf.readUInt16BE(off + 4);
      const keyId = buf[off + 6]!;
      const authDataLength = buf[off + 7]!;
      const sequence = buf.readUInt32BE(off + 8);
      if (authDataLength !== 16 && authDataLength !== 20) fail('BAD_AUTH', `keyed MD5 auth data length ${authDataLength}, expected 16 or 20`);
      if (packetLength < bodyStart + ENTRY_SIZE || (packetLength - bodyStart) % ENTRY_SIZE !== 0) {
        fail('BAD_AUTH', `keyed MD5 packet length ${packetLength} does not end on an entry boundary`);
      }
      if (packetLength + MD5_TRAILER_SIZE !== buf.length) {
        fail('BAD_AUTH', `keyed MD5 packet length ${packetLength} + 20-byte trailer != datagram length ${buf.length}`);
      }
      if (buf.readUInt16BE(packetLength) !== AFI_AUTH || buf.readUInt16BE(packetLength + 2) !== 1) {
        fail('BAD_AUTH', 'keyed MD5 trailer (0xFFFF 0x0001) missing');
      }
      auth = { type: 'md5', keyId, authDataLength, sequence, packetLength, digest: Buffer.from(buf.subarray(packetLength + 4, packetLength + 20)) };
      end = packetLength;
    } else {
      auth = { type: 'unknown', authType };
    }
    off += ENTRY_SIZE;
  }
  if (auth.type !== 'md5' && buf.length > RIP_MAX_DATAGRAM) {
    fail('TOO_LONG', `datagram of ${buf.length} bytes is longer than RIP's ${RIP_MAX_DATAGRAM} octets (RFC 2453 §4) and has no MD5 trailer`);
  }
  if ((end - bodyStart) % ENTRY_SIZE !== 0) {
    fail('BAD_LENGTH', `${end - bodyStart} bytes of entries is not a multiple of ${ENTRY_SIZE}`);
  }
  const entries: RouteEntry[] = [];
  for (; off < end; off += ENTRY_SIZE) {
    const e = readEntry(buf, off);
    if (e.afi === AFI_AUTH) fail('MISPLACED_AUTH', `authentication entry at byte ${off}: only the first entry may carry authentication`);
    entries.push(e);
  }
  return { command: command as CommandCode, version, update, auth, entries };
}

export type DecodeResult = { ok: true; packet: RipPacket } | { ok: false; error: RipDecodeError };

export function tryDecodePacket(input: Buffer | Uint8Array): DecodeResult {
  try {
    return { ok: true, packet: decodePacket(input) };
  } catch (err) {
    if (err instanceof RipDecodeError) return { ok: false, error: err };
    // A bug in the decoder, not bad input: still never escapes as anything but a decode error.
    return { ok: false, error: new RipDecodeError('BAD_LENGTH', `undecodable datagram: ${(err as Error).message}`) };
  }
}

/** RFC 2453 §3.9.1: a request for the whole table is exactly one entry, AFI 0, metric 16. */
export function isWholeTableRequest(p: RipPacket): boolean {
  return (p.command === Command.Request || p.command === Command.UpdateRequest) &&
    p.entries.length === 1 && p.entries[0]!.afi === 0 && p.entries[0]!.metric === RIP_INFINITY;
}

/**
 * Why an AFI 2 entry of a Response must be ignored (RFC 2453 §3.9.2), or null when it is
 * valid. Version 1 entries have no mask: the caller supplies the classful or subnet length.
 */
export function validateEntry(e: RouteEntry, version: number): string | null {
  if (e.afi !== AFI_INET) return `address family ${e.afi} is not IPv4 (2)`;
  if (!Number.isInteger(e.metric) || e.metric < 1 || e.metric > RIP_INFINITY) return `metric ${e.metric} is outside 1..16`;
  if (version === 1) {
    if (e.tag !== 0 || e.nextHop !== '0.0.0.0' || e.prefixLength !== 0) return 'RIPv1 must-be-zero fields are not zero';
    return null;
  }
  if (e.prefixLength === null) return 'the subnet mask is not contiguous';
  const dest = ipToU32(e.destination);
  if ((dest & ~maskOf(e.prefixLength)) >>> 0 !== 0) return `host bits are set in ${e.destination}/${e.prefixLength}`;
  if (!isAcceptableDestination(dest, e.prefixLength)) return `${e.destination}/${e.prefixLength} is not a unicast destination`;
  return null;
}

// ---- encoding ----

export interface OutgoingPacket {
  command: CommandCode;
  /** Default 2. */
  version?: number;
  update?: { flush: boolean; sequence: number };
  entries: readonly OutgoingEntry[];
}

export type AuthKind = AuthSpec['type'];

/**
 * Route entries that fit one datagram of `command` sent with this authentication. What we
 * send stays within 512 octets including keyed MD5's 20-byte trailer (FRR's ripd reads 512
 * bytes and drops a longer datagram as misaligned): none 25, simple password 24, keyed MD5
 * 23 entries, as FRR sends, with or without RFC 2091's header. On receipt the trailer may
 * come on top of 512 (RFC 2082 §3.2; BIRD's default "tx length" 532 sends 24 with MD5).
 */
export function entriesPerPacket(auth: AuthKind, command: CommandCode = Command.Response): number {
  const room = RIP_MAX_DATAGRAM - HEADER_SIZE - (isUpdateCommand(command) ? UPDATE_HEADER_SIZE : 0) -
    (auth === 'none' ? 0 : ENTRY_SIZE) - (auth === 'md5' ? MD5_TRAILER_SIZE : 0);
  return Math.floor(room / ENTRY_SIZE);
}

const toU32 = (text: string, what: string) => {
  const n = ipToU32(text);
  if (Number.isNaN(n)) throw new RangeError(`RIP encode: ${what} ${JSON.stringify(text)} is not a dotted quad`);
  return n;
};

export function md5Digest(signed: Buffer, key: Buffer | string): Buffer {
  return crypto.createHash('md5').update(signed).update(pad16(key)).digest();
}

/** Builds a datagram (throws RangeError on invalid input: that is a caller bug, not bad input). */
export function encodePacket(p: OutgoingPacket, auth: AuthSpec = { type: 'none' }): Buffer {
  const withAuth = auth.type !== 'none';
  const capacity = entriesPerPacket(auth.type, p.command);
  if (p.entries.length > capacity) {
    throw new RangeError(`RIP encode: ${p.entries.length} entries, at most ${capacity} fit a ${commandName(p.command)} with ${auth.type} authentication`);
  }
  const hasUpdate = isUpdateCommand(p.command);
  if (hasUpdate !== (p.update !== undefined)) throw new RangeError(`RIP encode: the RFC 2091 header goes with commands 9-11 only`);
  const bodyStart = HEADER_SIZE + (hasUpdate ? UPDATE_HEADER_SIZE : 0);
  const packetLength = bodyStart + (withAuth ? ENTRY_SIZE : 0) + ENTRY_SIZE * p.entries.length;
  const buf = Buffer.alloc(packetLength + (auth.type === 'md5' ? MD5_TRAILER_SIZE : 0));
  buf[0] = p.command;
  buf[1] = p.version ?? 2;
  if (p.update) writeUpdateHeader(buf, HEADER_SIZE, p.update);
  let off = bodyStart;
  if (auth.type === 'simple') {
    buf.writeUInt16BE(AFI_AUTH, off);
    buf.writeUInt16BE(AUTH_SIMPLE, off + 2);
    pad16(auth.password).copy(buf, off + 4);
    off += ENTRY_SIZE;
  } else if (auth.type === 'md5') {
    if (!Number.isInteger(auth.keyId) || auth.keyId < 0 || auth.keyId > 255) throw new RangeError(`RIP encode: key id ${auth.keyId}`);
    buf.writeUInt16BE(AFI_AUTH, off);
    buf.writeUInt16BE(AUTH_MD5, off + 2);
    buf.writeUInt16BE(packetLength, off + 4);
    buf[off + 6] = auth.keyId;
    buf[off + 7] = auth.authDataLength ?? 20;
    buf.writeUInt32BE(auth.sequence >>> 0, off + 8);
    off += ENTRY_SIZE;
  }
  for (const e of p.entries) {
    if (!Number.isInteger(e.prefixLength) || e.prefixLength < 0 || e.prefixLength > 32) throw new RangeError(`RIP encode: prefix length ${e.prefixLength}`);
    if (!Number.isInteger(e.metric) || e.metric < 0 || e.metric > RIP_INFINITY) throw new RangeError(`RIP encode: metric ${e.metric}`);
    buf.writeUInt16BE(e.afi ?? AFI_INET, off);
    buf.writeUInt16BE((e.tag ?? 0) & 0xffff, off + 2);
    buf.writeUInt32BE(toU32(e.destination, 'destination'), off + 4);
    buf.writeUInt32BE(maskOf(e.prefixLength), off + 8);
    buf.writeUInt32BE(toU32(e.nextHop ?? '0.0.0.0', 'next hop'), off + 12);
    buf.writeUInt32BE(e.metric, off + 16);
    off += ENTRY_SIZE;
  }
  if (auth.type === 'md5') {
    buf.writeUInt16BE(AFI_AUTH, packetLength);
    buf.writeUInt16BE(1, packetLength + 2);
    md5Digest(buf.subarray(0, packetLength + 4), auth.key).copy(buf, packetLength + 4);
  }
  return buf;
}

/** The whole-table request (RFC 2453 §3.9.1), or with RFC 2091's header the Update Request. */
export function wholeTableRequest(command: typeof Command.Request | typeof Command.UpdateRequest = Command.Request): OutgoingPacket {
  return {
    command,
    update: command === Command.UpdateRequest ? { flush: false, sequence: 0 } : undefined,
    entries: [{ afi: 0, destination: '0.0.0.0', prefixLength: 0, metric: RIP_INFINITY }],
  };
}

// ---- authentication check ----

export type AuthCheck = { ok: true; keyId?: number; sequence?: number } | { ok: false; reason: string };

/**
 * Checks a decoded packet against what the receiving interface accepts. `raw` is the datagram
 * the packet was decoded from (the MD5 digest covers its bytes).
 */
export function verifyAuth(raw: Buffer, packet: RipPacket, policy: AuthPolicy): AuthCheck {
  const got = packet.auth;
  if (policy.type === 'none') {
    return got.type === 'none' ? { ok: true } : { ok: false, reason: `authentication (${got.type}) received, none configured` };
  }
  if (got.type === 'none') return { ok: false, reason: `unauthenticated packet, ${policy.type === 'md5' ? 'keyed MD5' : 'simple password'} required` };
  if (got.type === 'unknown') return { ok: false, reason: `unsupported authentication type ${got.authType}` };
  if (policy.type === 'simple') {
    if (got.type !== 'simple') return { ok: false, reason: 'keyed MD5 received, simple password configured' };
    return policy.passwords.some((pw) => pad16(pw).equals(got.password)) ? { ok: true } : { ok: false, reason: 'wrong password' };
  }
  if (got.type !== 'md5') return { ok: false, reason: 'simple password received, keyed MD5 configured' };
  const keys = policy.keys.filter((k) => k.keyId === got.keyId);
  if (keys.length === 0) return { ok: false, reason: `no key with id ${got.keyId}` };
  const signed = Buffer.from(raw.subarray(0, got.packetLength + 4));
  for (const k of keys) {
    if (crypto.timingSafeEqual(md5Digest(signed, k.key), got.digest)) return { ok: true, keyId: got.keyId, sequence: got.sequence };
  }
  return { ok: false, reason: `wrong MD5 digest for key id ${got.keyId}` };
}
