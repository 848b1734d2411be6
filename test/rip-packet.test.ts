// RIP message codec: exact bytes on the wire (RFC 2453 §4, RFC 2091 §3, RFC 2082), auth
// digests computed here independently of the encoder, and garbage that must only ever yield
// a RipDecodeError.
import crypto from 'node:crypto';
import test from 'ava';
import {
  Command, RipDecodeError, decodePacket, encodePacket, tryDecodePacket, validateEntry, verifyAuth, wholeTableRequest,
  isWholeTableRequest, entriesPerPacket, RIP_MAX_DATAGRAM, type RouteEntry,
} from '../examples/rip/packet.js';

const hex = (s: string) => Buffer.from(s.replace(/[\s|]/g, ''), 'hex');

test('the whole-table Request is exactly RFC 2453 §3.9.1: one entry, AFI 0, metric 16', (t) => {
  t.deepEqual(encodePacket(wholeTableRequest()), hex('01 02 0000 | 0000 0000 00000000 00000000 00000000 00000010'));
  const p = decodePacket(encodePacket(wholeTableRequest()));
  t.true(isWholeTableRequest(p));
});

test('RFC 2091 Update Request carries the 4-byte triggered header before the entry', (t) => {
  t.deepEqual(encodePacket(wholeTableRequest(Command.UpdateRequest)), hex('09 02 0000 | 01 00 0000 | 0000 0000 00000000 00000000 00000000 00000010'));
  const ack = encodePacket({ command: Command.UpdateAck, update: { flush: true, sequence: 0x1234 }, entries: [] });
  t.deepEqual(ack, hex('0b 02 0000 | 01 01 1234'));
  t.deepEqual(decodePacket(ack).update, { version: 1, flush: true, sequence: 0x1234 });
});

test('a Response round-trips: AFI 2, tag, mask, next hop, metric', (t) => {
  const bytes = encodePacket({ command: Command.Response, entries: [
    { destination: '10.1.0.0', prefixLength: 16, metric: 3, tag: 0xbeef, nextHop: '192.0.2.9' },
    { destination: '0.0.0.0', prefixLength: 0, metric: 16 },
  ] });
  t.deepEqual(bytes, hex(`02 02 0000
    0002 beef 0a010000 ffff0000 c0000209 00000003
    0002 0000 00000000 00000000 00000000 00000010`));
  const p = decodePacket(bytes);
  t.deepEqual(p.entries, [
    { afi: 2, tag: 0xbeef, destination: '10.1.0.0', prefixLength: 16, nextHop: '192.0.2.9', metric: 3 },
    { afi: 2, tag: 0, destination: '0.0.0.0', prefixLength: 0, nextHop: '0.0.0.0', metric: 16 },
  ]);
  t.deepEqual(p.auth, { type: 'none' });
});

test('simple password: the first entry is FFFF 0002 and the zero-padded password', (t) => {
  const bytes = encodePacket({ command: Command.Response, entries: [{ destination: '10.9.0.0', prefixLength: 16, metric: 1 }] }, { type: 'simple', password: 's3cret' });
  t.deepEqual(bytes.subarray(4, 24), Buffer.concat([hex('ffff 0002'), Buffer.from('s3cret'), Buffer.alloc(10)]));
  const p = decodePacket(bytes);
  t.is(p.entries.length, 1, 'the auth entry is not a route');
  t.deepEqual(verifyAuth(bytes, p, { type: 'simple', passwords: ['s3cret'] }), { ok: true });
  t.deepEqual(verifyAuth(bytes, p, { type: 'simple', passwords: ['other'] }), { ok: false, reason: 'wrong password' });
  t.false(verifyAuth(bytes, p, { type: 'none' }).ok, 'auth received but none configured');
});

// RFC 2082 keyed MD5, built by hand: header, auth entry, one route, trailer FFFF 0001, then
// MD5(all of that + the key zero-padded to 16) in place of the key.
function md5Vector(authLen: number, keyId: number, seq: number, key: string): Buffer {
  const body = hex(`02 02 0000
    ffff 0003 002c ${keyId.toString(16).padStart(2, '0')} ${authLen.toString(16).padStart(2, '0')} ${seq.toString(16).padStart(8, '0')} 00000000 00000000
    0002 0000 0aff1400 ffffff00 00000000 00000001
    ffff 0001`);
  const padded = Buffer.alloc(16);
  Buffer.from(key).copy(padded);
  const digest = crypto.createHash('md5').update(Buffer.concat([body, padded])).digest();
  return Buffer.concat([body, digest]);
}

for (const authLen of [16, 20] as const) {
  test(`keyed MD5 with auth data length ${authLen}: the encoder's bytes equal an independently computed vector`, (t) => {
    const expected = md5Vector(authLen, 7, 1795655796, 's3cret');
    const bytes = encodePacket({ command: Command.Response, entries: [{ destination: '10.255.20.0', prefixLength: 24, metric: 1 }] },
      { type: 'md5', keyId: 7, key: 's3cret', sequence: 1795655796, authDataLength: authLen });
    t.deepEqual(bytes, expected);
    const p = decodePacket(expected);
    t.like(p.auth, { type: 'md5', keyId: 7, authDataLength: authLen, sequence: 1795655796, packetLength: 44 });
    t.deepEqual(verifyAuth(expected, p, { type: 'md5', keys: [{ keyId: 7, key: 's3cret' }] }), { ok: true, keyId: 7, sequence: 1795655796 });
  });
}

test('keyed MD5 refuses a wrong key, an unknown key id, and a tampered packet', (t) => {
  const good = md5Vector(20, 7, 5, 's3cret');
  const p = decodePacket(good);
  t.deepEqual(verifyAuth(good, p, { type: 'md5', keys: [{ keyId: 7, key: 'wrong' }] }), { ok: false, reason: 'wrong MD5 digest for key id 7' });
  t.deepEqual(verifyAuth(good, p, { type: 'md5', keys: [{ keyId: 8, key: 's3cret' }] }), { ok: false, reason: 'no key with id 7' });
  t.true(verifyAuth(good, p, { type: 'md5', keys: [{ keyId: 8, key: 'x' }, { keyId: 7, key: 's3cret' }] }).ok, 'any configured key with that id');
  const tampered = Buffer.from(good);
  tampered[27] ^= 1; // the route's metric
  t.false(verifyAuth(tampered, decodePacket(tampered), { type: 'md5', keys: [{ keyId: 7, key: 's3cret' }] }).ok);
  t.false(verifyAuth(good, p, { type: 'simple', passwords: ['s3cret'] }).ok, 'MD5 received, simple configured');
});

test('malformed datagrams get a RipDecodeError with a code that says why', (t) => {
  const cases: [string, Buffer, string][] = [
    ['TOO_SHORT', hex('0202'), 'shorter than the 4-byte'],
    ['BAD_VERSION', hex('02 00 0000'), 'version 0'],
    ['BAD_COMMAND', hex('03 02 0000'), 'command 3'],
    ['BAD_LENGTH', hex('02 02 0000 0002 0000 0a000000'), 'not a multiple of 20'],
    ['TOO_SHORT', hex('0a 02 0000 01'), 'RFC 2091 header'],
    ['BAD_UPDATE_HEADER', hex('0a 02 0000 02 00 0001'), 'header version 2'],
    ['BAD_UPDATE_HEADER', hex('0a 02 0000 01 05 0001'), 'flush flag 5'],
    ['BAD_AUTH', md5Vector(20, 1, 1, 'k').subarray(0, 60), 'trailer != datagram length'],
    ['BAD_AUTH', Buffer.concat([md5Vector(20, 1, 1, 'k').subarray(0, 44), hex('ffff 0002'), Buffer.alloc(16)]), 'trailer (0xFFFF 0x0001) missing'],
    ['BAD_AUTH', (() => { const b = md5Vector(20, 1, 1, 'k'); b[11] = 12; return b; })(), 'auth data length 12'],
    ['MISPLACED_AUTH', hex('02 02 0000 0002 0000 0a000000 ff000000 00000000 00000001 ffff 0002 00000000 00000000 00000000 00000000'), 'only the first entry'],
  ];
  for (const [code, bytes, words] of cases) {
    const err = t.throws(() => decodePacket(bytes), { instanceOf: RipDecodeError }, code);
    t.is(err?.code as string, code, words);
    t.true(err!.message.includes(words), `${code}: ${err?.message}`);
  }
});

test('random garbage and mutated packets never throw anything but RipDecodeError', (t) => {
  let seed = 12345;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
  const valid = [encodePacket(wholeTableRequest()), md5Vector(20, 7, 9, 'k'), encodePacket(wholeTableRequest(Command.UpdateRequest))];
  let decoded = 0;
  for (let i = 0; i < 5000; i++) {
    let b: Buffer;
    if (i % 2) {
      b = Buffer.from(Array.from({ length: Math.floor(rnd() * 80) }, () => Math.floor(rnd() * 256)));
      if (b.length > 1 && rnd() < 0.5) b[1] = 2;
    } else {
      b = Buffer.from(valid[i % valid.length]!);
      for (let k = 0; k < 3; k++) b[Math.floor(rnd() * b.length)] = Math.floor(rnd() * 256);
      if (rnd() < 0.3) b = b.subarray(0, Math.floor(rnd() * b.length));
    }
    const r = tryDecodePacket(b);
    if (r.ok) decoded++;
    else t.true(r.error instanceof RipDecodeError);
    try {
      decodePacket(b);
    } catch (err) {
      if (!(err instanceof RipDecodeError)) t.fail(`threw ${String(err)} for ${b.toString('hex')}`);
    }
  }
  t.true(decoded > 0, 'some mutations still decode');
});

test('validateEntry names what RFC 2453 §3.9.2 ignores', (t) => {
  const e = (over: Partial<RouteEntry>): RouteEntry => ({ afi: 2, tag: 0, destination: '10.1.0.0', prefixLength: 16, nextHop: '0.0.0.0', metric: 1, ...over });
  t.is(validateEntry(e({}), 2), null);
  t.is(validateEntry(e({ destination: '0.0.0.0', prefixLength: 0 }), 2), null, 'the default route');
  t.regex(validateEntry(e({ metric: 0 }), 2)!, /metric 0/);
  t.regex(validateEntry(e({ metric: 17 }), 2)!, /metric 17/);
  t.regex(validateEntry(e({ prefixLength: null }), 2)!, /not contiguous/);
  t.regex(validateEntry(e({ destination: '10.1.0.1' }), 2)!, /host bits/);
  t.regex(validateEntry(e({ destination: '127.0.0.0', prefixLength: 8 }), 2)!, /not a unicast destination/);
  t.regex(validateEntry(e({ destination: '224.0.0.0', prefixLength: 4 }), 2)!, /not a unicast destination/);
  t.regex(validateEntry(e({ afi: 7 }), 2)!, /family 7/);
  t.regex(validateEntry(e({ tag: 1, prefixLength: 0 }), 1)!, /must-be-zero/);
});

test('encode refuses more entries than a datagram holds (25, or 24 next to authentication)', (t) => {
  const entries = Array.from({ length: 25 }, (_, i) => ({ destination: `10.${i}.0.0`, prefixLength: 16, metric: 1 }));
  t.is(encodePacket({ command: Command.Response, entries }).length, 4 + 25 * 20);
  t.throws(() => encodePacket({ command: Command.Response, entries }, { type: 'simple', password: 'x' }), { instanceOf: RangeError });
});

// ---- datagram size (RFC 2453 §4, RFC 2082 §3.2) ----

const manyEntries = (n: number) => Array.from({ length: n }, (_, k) => ({ destination: `10.${k >> 8}.${k & 255}.0`, prefixLength: 24, metric: 1 }));
const AUTHS = {
  none: { type: 'none' },
  simple: { type: 'simple', password: 's3cret' },
  md5: { type: 'md5', keyId: 1, key: 'k', sequence: 1 },
} as const;

test('each authentication kind has its own capacity, and a full datagram stays within 512 octets with the MD5 trailer', (t) => {
  // The numbers FRR's ripd sends: 25 plain, 24 after a password entry, 23 with keyed MD5.
  t.deepEqual([entriesPerPacket('none'), entriesPerPacket('simple'), entriesPerPacket('md5')], [25, 24, 23]);
  t.deepEqual([entriesPerPacket('none', Command.UpdateResponse), entriesPerPacket('simple', Command.UpdateResponse), entriesPerPacket('md5', Command.UpdateResponse)], [25, 24, 23]);
  for (const [kind, auth] of Object.entries(AUTHS)) {
    for (const command of [Command.Response, Command.UpdateResponse] as const) {
      const n = entriesPerPacket(auth.type, command);
      const update = command === Command.UpdateResponse ? { flush: false, sequence: 1 } : undefined;
      const full = encodePacket({ command, update, entries: manyEntries(n) }, auth);
      t.true(full.length <= RIP_MAX_DATAGRAM, `${kind} ${command}: ${n} entries = ${full.length} bytes`);
      t.is(decodePacket(full).entries.length, n);
      t.throws(() => encodePacket({ command, update, entries: manyEntries(n + 1) }, auth), { instanceOf: RangeError }, `${kind}: one more does not fit`);
    }
  }
  t.is(encodePacket({ command: Command.Response, entries: manyEntries(23) }, AUTHS.md5).length, 504, 'MD5: 4 + 20 + 23 × 20 + 20');
});

test('a datagram over 512 octets (plus the MD5 trailer) is refused as TOO_LONG; BIRD\'s 524-byte MD5 datagram is accepted', (t) => {
  // 249 entries in 4,984 bytes: a well-formed Response that RFC 2453 does not allow.
  const huge = Buffer.concat([hex('02 02 0000'), ...manyEntries(249).map((e) => encodePacket({ command: Command.Response, entries: [e] }).subarray(4))]);
  t.is(huge.length, 4984);
  const err = t.throws(() => decodePacket(huge), { instanceOf: RipDecodeError });
  t.is(err?.code, 'TOO_LONG');
  t.regex(err!.message, /4984 bytes is longer than RIP's 512 octets/);
  const just = Buffer.concat([encodePacket({ command: Command.Response, entries: manyEntries(25) }), Buffer.alloc(20)]);
  t.is(just.length, 524);
  t.is((t.throws(() => decodePacket(just)) as RipDecodeError).code, 'TOO_LONG', '524 bytes without an MD5 trailer');
  t.is(decodePacket(encodePacket({ command: Command.Response, entries: manyEntries(25) })).entries.length, 25, '504 bytes is fine');

  // BIRD's default tx length (532) packs 24 entries with keyed MD5: 504 + the trailer.
  const bird = md5Datagram(24, 'k');
  t.is(bird.length, 524);
  const p = decodePacket(bird);
  t.is(p.entries.length, 24);
  t.true(verifyAuth(bird, p, { type: 'md5', keys: [{ keyId: 1, key: 'k' }] }).ok);
  // 25 entries + auth entry = 524 before the trailer: over 512 even though the trailer is allowed on top.
  const over = md5Datagram(25, 'k');
  const e2 = t.throws(() => decodePacket(over), { instanceOf: RipDecodeError });
  t.is(e2?.code, 'TOO_LONG');
  t.regex(e2!.message, /544 bytes is longer than RIP's 512 octets \(RFC 2453 §4\) plus the 20-byte MD5 trailer/);
});

/** A keyed-MD5 Response with n entries signed by hand (the encoder refuses more than 23). */
function md5Datagram(n: number, key: string): Buffer {
  const packetLength = 4 + 20 + 20 * n;
  const head = Buffer.alloc(24);
  head.writeUInt16BE(0x0202, 0);
  head.writeUInt16BE(0xffff, 4);
  head.writeUInt16BE(3, 6);
  head.writeUInt16BE(packetLength, 8);
  head[10] = 1;
  head[11] = 20;
  head.writeUInt32BE(1, 12);
  const entries = manyEntries(n).map((e) => encodePacket({ command: Command.Response, entries: [e] }).subarray(4));
  const signed = Buffer.concat([head, ...entries, hex('ffff 0001')]);
  const padded = Buffer.alloc(16);
  Buffer.from(key).copy(padded);
  return Buffer.concat([signed, crypto.createHash('md5').update(Buffer.concat([signed, padded])).digest()]);
}
