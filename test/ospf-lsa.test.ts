// LSAs and packets byte for byte: Fletcher checksums against LSAs BIRD 2.0.12 and FRR 8.4.4
// computed (captured from their databases in a lab), our encoding of the same contents, the
// RFC 2328 13.1 instance comparison, the packet checksum, and MD5 digests of real Hellos.
import test from 'ava';
import { fletcherChecksum, ipChecksum, verifyFletcher } from '../examples/ospf/checksum.js';
import { PacketType } from '../examples/ospf/constants.js';
import { compareInstances, decodeLsa, encodeLsa, LsaError, withAge } from '../examples/ospf/lsa.js';
import { decodePacket, encodePacket, PacketError, verifyAuth, type PacketErrorReason } from '../examples/ospf/packet.js';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

// Captured: type, who computed the checksum, bytes.
const REAL = {
  birdRouter: hex('000742010aff48020aff4802800000031a390030020000020aff4802ffffffff030000000aff46030aff46020200000a'),
  frrRouter: hex('000402010aff48030aff48038000000b9fe90030000000020aff46030aff46030200000a0aff4803ffffffff03000000'),
  frrNetwork: hex('000402020aff46030aff480380000004228b0024ffffff000aff48010aff48020aff4803'),
  birdExternal: hex('001c02050aff4aff0aff480280000001cf230024ffffff00800027100000000000000000'),
};

test('Fletcher: the checksums BIRD and FRR put on their LSAs verify, and we compute the same values', (t) => {
  for (const [name, raw] of Object.entries(REAL)) {
    t.true(verifyFletcher(raw), name);
    t.is(fletcherChecksum(raw), raw.readUInt16BE(16), name);
  }
  t.is(REAL.birdRouter.readUInt16BE(16), 0x1a39);
  t.is(REAL.frrNetwork.readUInt16BE(16), 0x228b);
});

test('Fletcher: the age is outside the checksum; any other changed byte breaks it', (t) => {
  const aged = withAge(REAL.frrRouter, 3600);
  t.true(verifyFletcher(aged));
  for (let i = 2; i < REAL.frrRouter.length; i++) {
    const bad = Buffer.from(REAL.frrRouter);
    bad[i]! ^= 0x10;
    t.false(verifyFletcher(bad), `byte ${i}`);
  }
});

test('decoding real LSAs gives their contents; encoding those contents gives the same bytes', (t) => {
  const r = decodeLsa(REAL.frrRouter);
  t.deepEqual(r.body, {
    kind: 'router', flags: 0, links: [
      { id: 0x0aff4603, data: 0x0aff4603, type: 2, metric: 10 }, // transit: the DR's address, ours
      { id: 0x0aff4803, data: 0xffffffff, type: 3, metric: 0 }, // stub: its loopback /32
    ],
  });
  t.deepEqual(decodeLsa(REAL.frrNetwork).body, { kind: 'network', mask: 0xffffff00, routers: [0x0aff4801, 0x0aff4802, 0x0aff4803] });
  // BIRD's external for 10.255.74.0/24 with link state id 10.255.74.255 (host bits set).
  t.deepEqual(decodeLsa(REAL.birdExternal).body, { kind: 'external', mask: 0xffffff00, type2: true, metric: 10000, forwardingAddress: 0, tag: 0 });
  for (const [name, raw] of Object.entries(REAL)) {
    const d = decodeLsa(raw);
    const again = encodeLsa({ age: d.header.age, options: d.header.options, type: d.header.type, id: d.header.id, advertisingRouter: d.header.advertisingRouter, sequence: d.header.sequence }, d.body);
    t.true(again.raw.equals(raw), name);
  }
});

test('malformed LSAs are refused with LsaError, never anything else', (t) => {
  t.throws(() => decodeLsa(REAL.frrRouter.subarray(0, 10)), { instanceOf: LsaError });
  const long = Buffer.from(REAL.frrRouter);
  long.writeUInt16BE(200, 18);
  t.throws(() => decodeLsa(long), { instanceOf: LsaError, message: /runs past/ });
  const bad = Buffer.from(REAL.frrRouter);
  bad[30]! ^= 1;
  t.throws(() => decodeLsa(bad), { instanceOf: LsaError, message: /bad checksum/ });
  // A router-LSA that claims more links than it holds (checksum made right, so the body check runs).
  const body = encodeLsa({ age: 1, options: 2, type: 1, id: 1, advertisingRouter: 1, sequence: 1 }, { kind: 'router', flags: 0, links: [] });
  const lying = Buffer.from(body.raw);
  lying.writeUInt16BE(3, 22);
  lying.writeUInt16BE(0, 16);
  lying.writeUInt16BE(fletcherChecksum(lying), 16);
  t.throws(() => decodeLsa(lying), { instanceOf: LsaError, message: /link 1 of 3/ });
  for (let n = 0; n < 2000; n++) {
    const junk = Buffer.alloc(20 + (n % 60));
    for (let i = 0; i < junk.length; i++) junk[i] = (n * 131 + i * 7) & 255;
    junk.writeUInt16BE(junk.length, 18);
    try {
      decodeLsa(junk);
    } catch (err) {
      if (!(err instanceof LsaError)) t.fail(`${(err as Error).name}: ${(err as Error).message}`);
    }
  }
});

test('13.1: newer by sequence, then checksum, then MaxAge, then an age difference over MaxAgeDiff', (t) => {
  const h = (sequence: number, checksum: number, age: number) => ({ sequence, checksum, age });
  t.true(compareInstances(h(-0x7ffffffe, 1, 100), h(-0x7fffffff, 9, 0)) > 0, 'higher (signed) sequence');
  t.true(compareInstances(h(5, 0x9000, 0), h(5, 0x1000, 0)) > 0, 'higher checksum');
  t.true(compareInstances(h(5, 1, 3600), h(5, 1, 10)) > 0, 'MaxAge wins');
  t.true(compareInstances(h(5, 1, 10), h(5, 1, 1000)) > 0, 'younger by more than 15 minutes');
  t.is(compareInstances(h(5, 1, 10), h(5, 1, 800)), 0, 'within MaxAgeDiff: the same instance');
});

// Hellos captured on the wire (IP payloads), MD5 key "ospfref", key id 1.
const BIRD_HELLO = hex('02010030 0aff4802 00000000 00000002 00000110 6b0f3676 ffffff00 00010205 00000004 0aff4603 0aff4602 0aff4803 5d3d6039f020ac88a8913eeb831a4918');
const FRR_HELLO = hex('02010030 0aff4803 00000000 00000002 00000110 6b0f367c ffffff00 0001020a 00000004 0aff4603 0aff4602 0aff4802 a3534743b7820af7bdb4fcd45ecc8f98');
const key = { type: 'md5' as const, keys: [{ keyId: 1, key: Buffer.from('ospfref') }] };

test('MD5 (RFC 2328 D.4.3): the digests of BIRD\'s and FRR\'s Hellos verify with the key, not without it', (t) => {
  for (const [name, raw] of [['BIRD', BIRD_HELLO], ['FRR', FRR_HELLO]] as const) {
    const p = decodePacket(raw);
    t.is(p.header.length, 48, `${name}: the length excludes the digest`);
    t.deepEqual(verifyAuth(raw, p.header, key), { ok: true, sequence: p.header.auth.readUInt32BE(4), keyId: 1 }, name);
    const wrong = verifyAuth(raw, p.header, { type: 'md5', keys: [{ keyId: 1, key: Buffer.from('ospfrex') }] });
    t.like(wrong, { ok: false, kind: 'key' }, name);
    t.like(verifyAuth(raw, p.header, { type: 'none' }), { ok: false, kind: 'type' }, name);
    if (p.body.type !== PacketType.Hello) return t.fail();
    t.is(p.body.helloInterval, 1);
    t.is(p.body.deadInterval, 4);
  }
  const bird = decodePacket(BIRD_HELLO);
  t.is(bird.header.auth.readUInt32BE(4), 0x6b0f3676, 'crypto sequence near the Unix time, as the reference says');
});

test('our MD5 packets: same layout, and a packet we sign verifies; one byte changed does not', (t) => {
  const p = decodePacket(FRR_HELLO);
  const ours = encodePacket(p.header.routerId, p.header.areaId, p.body, { type: 'md5', keyId: 1, key: Buffer.from('ospfref'), sequence: p.header.auth.readUInt32BE(4) });
  t.true(ours.equals(FRR_HELLO), 'byte for byte what FRR sent');
  const tampered = Buffer.from(ours);
  tampered[30]! ^= 1;
  t.like(verifyAuth(tampered, decodePacket(tampered).header, key), { ok: false });
});

test('packet checksum (null and simple authentication): verified, the password excluded', (t) => {
  const body = { type: PacketType.LinkStateAck as const, headers: [decodeLsa(REAL.frrRouter).header] };
  const plain = encodePacket(1, 0, body, { type: 'none' });
  t.is(ipChecksum(plain, { from: 16, to: 24 }), 0);
  t.notThrows(() => decodePacket(plain));
  const broken = Buffer.from(plain);
  broken[30]! ^= 4;
  t.throws(() => decodePacket(broken), { instanceOf: PacketError, message: /bad packet checksum/ });
  const simple = encodePacket(1, 0, body, { type: 'simple', password: Buffer.from('pw') });
  t.is(simple.subarray(16, 24).toString('latin1'), 'pw\0\0\0\0\0\0');
  t.notThrows(() => decodePacket(simple));
  t.deepEqual(verifyAuth(simple, decodePacket(simple).header, { type: 'simple', password: Buffer.from('pw') }), { ok: true });
});

test('malformed packets are refused with PacketError and a reason, never anything else', (t) => {
  const cases: [Buffer, PacketErrorReason][] = [
    [Buffer.alloc(10), 'truncated'],
    [Buffer.from([3, ...FRR_HELLO.subarray(1)]), 'version'],
    [(() => { const b = Buffer.from(FRR_HELLO); b.writeUInt16BE(400, 2); return b; })(), 'length'],
    [(() => { const b = encodePacket(1, 0, { type: PacketType.Hello, networkMask: 0, helloInterval: 1, options: 2, priority: 1, deadInterval: 4, designatedRouter: 0, backupDesignatedRouter: 0, neighbors: [] }, { type: 'none' }); b[1] = 9; return b; })(), 'type'],
  ];
  for (const [buf, reason] of cases) t.throws(() => decodePacket(buf), { instanceOf: PacketError, message: /./ }, reason);
  for (const [buf, reason] of cases) {
    try {
      decodePacket(buf);
    } catch (err) {
      t.is((err as PacketError).reason, reason);
    }
  }
  for (let n = 0; n < 5000; n++) {
    const junk = Buffer.alloc(24 + (n % 100));
    for (let i = 0; i < junk.length; i++) junk[i] = (n * 197 + i * 13) & 255;
    junk[0] = 2;
    junk[1] = 1 + (n % 5);
    junk.writeUInt16BE(Math.min(junk.length, 24 + (n % 80)), 2);
    junk.writeUInt16BE(n % 3, 14);
    try {
      decodePacket(junk);
    } catch (err) {
      if (!(err instanceof PacketError)) t.fail(`${(err as Error).name}: ${(err as Error).message}`);
    }
  }
});
