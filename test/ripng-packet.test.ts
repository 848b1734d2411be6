// RIPng codec (RFC 2080 §2.1): exact bytes, next-hop RTEs both ways, datagrams sized to the
// MTU, RTE validation, and garbage that only ever yields a RipngDecodeError.
import test from 'ava';
import {
  Command, RipngDecodeError, chunkEntries, decodePacket, encodePacket, isWholeTableRequest, rteCount, rtesPerPacket,
  tryDecodePacket, validateRte, wholeTableRequest, type DecodeErrorCode,
} from '../examples/ripng/packet.js';

const hex = (s: string) => Buffer.from(s.replace(/[\s|]/g, ''), 'hex');

test('the whole-table Request: one RTE ::/0 metric 16 (RFC 2080 §2.4.1)', (t) => {
  t.deepEqual(encodePacket(wholeTableRequest()), hex('01 01 0000 | 00000000000000000000000000000000 0000 00 10'));
  t.true(isWholeTableRequest(decodePacket(encodePacket(wholeTableRequest()))));
  t.deepEqual(encodePacket(wholeTableRequest(Command.UpdateRequest)).subarray(0, 8), hex('09 01 0000 01 00 0000'), 'RFC 2091 header after the RIPng one');
});

test('a Response with next-hop RTEs: one in front of each run of routes with the same next hop', (t) => {
  const bytes = encodePacket({ command: Command.Response, entries: [
    { destination: '2001:db8:1::', prefixLength: 48, metric: 1, tag: 0xbeef },
    { destination: '2001:db8:2::', prefixLength: 64, metric: 2, nextHop: 'fe80::9' },
    { destination: '2001:db8:3::', prefixLength: 64, metric: 3, nextHop: 'fe80::9' },
    { destination: '2001:db8:4::', prefixLength: 64, metric: 4 },
  ] });
  t.deepEqual(bytes, hex(`02 01 0000
    20010db8000100000000000000000000 beef 30 01
    fe800000000000000000000000000009 0000 00 ff
    20010db8000200000000000000000000 0000 40 02
    20010db8000300000000000000000000 0000 40 03
    00000000000000000000000000000000 0000 00 ff
    20010db8000400000000000000000000 0000 40 04`));
  const p = decodePacket(bytes);
  t.deepEqual(p.routes.map((r) => [r.prefix, r.prefixLength, r.metric, r.tag, r.nextHop]), [
    ['2001:db8:1::', 48, 1, 0xbeef, '::'],
    ['2001:db8:2::', 64, 2, 0, 'fe80::9'],
    ['2001:db8:3::', 64, 3, 0, 'fe80::9'],
    ['2001:db8:4::', 64, 4, 0, '::'],
  ]);
  t.is(rteCount([{ destination: '2001:db8::', prefixLength: 32, metric: 1, nextHop: 'fe80::1' }]), 2);
});

test('a next hop that is not link-local is taken as the sender (RFC 2080 §2.1.1)', (t) => {
  const p = decodePacket(hex(`02 01 0000
    20010db8ffff00000000000000000001 0000 00 ff
    20010db8000500000000000000000000 0000 40 01`));
  t.is(p.routes[0]!.nextHop, '::');
  t.deepEqual(p.ignoredNextHops, ['2001:db8:ffff::1']);
});

test('datagram size follows the MTU: 72 RTEs on Ethernet, next-hop RTEs counted', (t) => {
  t.is(rtesPerPacket(1500), 72);
  t.is(rtesPerPacket(1280), 61);
  t.is(rtesPerPacket(1500, Command.UpdateResponse), 72);
  const entries = Array.from({ length: 150 }, (_, k) => ({ destination: `2001:db8:${k.toString(16)}::`, prefixLength: 48, metric: 1, nextHop: k % 10 === 0 ? `fe80::${k}` : undefined }));
  const chunks = chunkEntries(entries, 72);
  t.is(chunks.flat().length, 150);
  for (const c of chunks) {
    t.true(rteCount(c) <= 72);
    t.true(encodePacket({ command: Command.Response, entries: c }).length <= 1500 - 48);
  }
});

test('validateRte names what RFC 2080 §2.4.2 ignores', (t) => {
  const r = (prefix: string, prefixLength: number, metric = 1) => validateRte({ prefix, prefixLength, metric, tag: 0 });
  t.is(r('2001:db8::', 32), null);
  t.is(r('::', 0), null, 'the default route');
  t.regex(r('2001:db8::', 32, 0)!, /metric 0/);
  t.regex(r('2001:db8::', 32, 17)!, /metric 17/);
  t.regex(r('2001:db8::', 129)!, /above 128/);
  t.regex(r('ff02::', 16)!, /multicast/);
  t.regex(r('fe80::', 64)!, /link-local/);
  t.regex(r('2001:db8::1', 64)!, /host bits/);
});

test('malformed datagrams get a RipngDecodeError with a code; garbage never throws anything else', (t) => {
  const cases: [DecodeErrorCode, Buffer][] = [
    ['TOO_SHORT', hex('0201')],
    ['BAD_VERSION', hex('02 02 0000')],
    ['BAD_COMMAND', hex('03 01 0000')],
    ['BAD_LENGTH', hex('02 01 0000 0000')],
    ['TOO_SHORT', hex('0a 01 0000 01')],
    ['BAD_UPDATE_HEADER', hex('0a 01 0000 02 00 0001')],
  ];
  for (const [code, bytes] of cases) t.is((t.throws(() => decodePacket(bytes), { instanceOf: RipngDecodeError }) as RipngDecodeError).code, code);
  t.is((t.throws(() => decodePacket(Buffer.alloc(64, 0), 60)) as RipngDecodeError).code, 'TOO_LONG');
  let seed = 7;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
  for (let i = 0; i < 3000; i++) {
    const b = Buffer.from(Array.from({ length: Math.floor(rnd() * 90) }, () => Math.floor(rnd() * 256)));
    if (b.length > 1 && rnd() < 0.7) b[1] = 1;
    const res = tryDecodePacket(b);
    if (!res.ok) t.true(res.error instanceof RipngDecodeError);
  }
});
