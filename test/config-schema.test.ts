import test from 'ava';
import {
  ConfigError,
  array,
  bool32,
  bytes,
  configEntry,
  decodeConfigEntry,
  decodeConfigItem,
  decodeInfoBlock,
  encodeInfoBlock,
  enumOf,
  findEntry,
  i32,
  ipv4,
  list,
  struct,
  u16,
  u32,
  u64,
  u8,
  type ConfigErrorCode,
  type Infer,
} from '../lib/config/index.js';

// C equivalent (MSVC x64):
// typedef struct { ULONG LoggingLevel; ULONG UpdateSeconds; ULONG Mode; DWORD Neighbour;
//                  BYTE Password[16]; ULONG PeerCount; DWORD Peers[8]; } RIP_GLOBAL_CONFIG;  // 68 bytes
const GlobalConfig = struct('RIP_GLOBAL_CONFIG', {
  loggingLevel: u32({ default: 1, min: 0, max: 4 }),
  updateSeconds: u32({ default: 30, min: 5, max: 86400 }),
  mode: enumOf(u32(), { send: 1, receive: 2, both: 3 }, { default: 'both' }),
  neighbour: ipv4({ default: '0.0.0.0' }),
  password: bytes(16),
  peers: list(ipv4(), 8),
});
type GlobalConfig = Infer<typeof GlobalConfig>;

function expectConfigError(t: import('ava').ExecutionContext, fn: () => unknown, code: ConfigErrorCode, path: string, ...fragments: string[]) {
  const err = t.throws(fn, { instanceOf: ConfigError });
  t.is(err?.code, code, err?.message);
  t.is(err?.path, path, err?.message);
  for (const f of fragments) t.true(err!.message.includes(f), `"${err!.message}" lacks "${f}"`);
}

test('natural C layout of the sample struct', (t) => {
  t.is(GlobalConfig.size, 68);
  t.is(GlobalConfig.align, 4);
  t.deepEqual(GlobalConfig.offsets, { loggingLevel: 0, updateSeconds: 4, mode: 8, neighbour: 12, password: 16, peers: 32 });
});

test('padding: members aligned to their size, struct padded to the largest alignment', (t) => {
  // struct { UCHAR a; ULONG b; USHORT c; ULONG64 d; UCHAR e; } -> a@0 b@4 c@8 d@16 e@24, sizeof 32
  const S = struct('S', { a: u8(), b: u32(), c: u16(), d: u64(), e: u8() });
  t.deepEqual(S.offsets, { a: 0, b: 4, c: 8, d: 16, e: 24 });
  t.is(S.size, 32);
  t.is(S.align, 8);
  // struct { UCHAR a; USHORT b[3]; UCHAR c; } -> a@0 b@2 c@8, sizeof 10
  const T = struct('T', { a: u8(), b: array(u16(), 3), c: u8() });
  t.deepEqual(T.offsets, { a: 0, b: 2, c: 8 });
  t.is(T.size, 10);
  // list() is two members: struct { UCHAR a; ULONG n; ULONG64 v[2]; UCHAR z; } -> n@4 v@8 z@24, sizeof 32
  const L = struct('L', { a: u8(), v: list(u64(), 2), z: u8() });
  t.deepEqual(L.offsets, { a: 0, v: 4, z: 24 });
  t.is(L.size, 32);
  // nested struct aligned to its own alignment, arrays of structs strided by sizeof
  const Inner = struct('INNER', { x: u64(), y: u8() }); // 16 bytes
  const Outer = struct('OUTER', { a: u8(), inner: Inner, items: array(Inner, 2), b: u16() });
  t.deepEqual(Outer.offsets, { a: 0, inner: 8, items: 24, b: 56 });
  t.is(Outer.size, 64);
});

test('exact bytes: little-endian integers, network-order IPv4, zero padding', (t) => {
  const S = struct('S', { a: u8(), b: u32(), c: i32(), ip: ipv4(), on: bool32(), pw: bytes(3), s: u16() });
  const buf = S.encode({ a: 0x11, b: 0x01020304, c: -2, ip: '10.1.2.3', on: true, pw: Buffer.from([0xaa]), s: 0xbeef });
  t.is(
    buf.toString('hex'),
    ['11000000', '04030201', 'feffffff', '0a010203', '01000000', 'aa0000', '00', 'efbe', '0000'].join(''), // padded to 28,
  );
});

test('defaults and partial encode', (t) => {
  const d: GlobalConfig = GlobalConfig.defaults();
  t.deepEqual(d, {
    loggingLevel: 1,
    updateSeconds: 30,
    mode: 'both',
    neighbour: '0.0.0.0',
    password: Buffer.alloc(16),
    peers: [],
  });
  t.deepEqual(GlobalConfig.decode(GlobalConfig.encode()), d);
  const v = GlobalConfig.decode(GlobalConfig.encode({ mode: 'send', peers: ['192.0.2.1', '192.0.2.2'] }));
  t.is(v.mode, 'send');
  t.is(v.updateSeconds, 30);
  t.deepEqual(v.peers, ['192.0.2.1', '192.0.2.2']);
});

test('round trip of a full value; bytes are zero-padded; list count stored', (t) => {
  const value = {
    loggingLevel: 4,
    updateSeconds: 86400,
    mode: 'receive' as const,
    neighbour: '255.255.255.255',
    password: Buffer.from('secret'),
    peers: ['10.0.0.1', '10.0.0.2', '10.0.0.3'],
  };
  const buf = GlobalConfig.encode(value);
  t.is(buf.length, GlobalConfig.size);
  t.is(buf.readUInt32LE(32), 3); // PeerCount
  t.deepEqual(buf.subarray(36, 40), Buffer.from([10, 0, 0, 1]));
  t.deepEqual(buf.subarray(48, 68), Buffer.alloc(20)); // unused peer slots
  t.deepEqual(GlobalConfig.decode(buf), { ...value, password: Buffer.concat([Buffer.from('secret'), Buffer.alloc(10)]) });
  t.deepEqual(GlobalConfig.validate(value).password.length, 16);
});

test('nested structs, arrays, u64 and i32 round trip', (t) => {
  const Inner = struct('INNER', { x: u64({ default: 5n }), y: i32({ min: -10, max: 10 }) });
  const Outer = struct('OUTER', { a: u8(), inner: Inner, items: array(Inner, 2), flags: array(bool32(), 2) });
  const v = Outer.decode(Outer.encode({ inner: { y: -3 }, items: [{ x: 2n ** 64n - 1n, y: 10 }, {}] }));
  t.deepEqual(v, {
    a: 0,
    inner: { x: 5n, y: -3 },
    items: [
      { x: 2n ** 64n - 1n, y: 10 },
      { x: 5n, y: 0 },
    ],
    flags: [false, false],
  });
});

test('bool32 decodes any non-zero as true', (t) => {
  const B = struct('B', { on: bool32() });
  t.true(B.decode(Buffer.from([5, 0, 0, 0])).on);
  t.false(B.decode(Buffer.alloc(4)).on);
});

test('decode: buffer size checks', (t) => {
  expectConfigError(t, () => GlobalConfig.decode(Buffer.alloc(10)), 'SIZE', 'RIP_GLOBAL_CONFIG', 'buffer is 10 bytes', 'expected 68');
  const long = Buffer.concat([GlobalConfig.encode(), Buffer.alloc(4, 0xff)]);
  expectConfigError(t, () => GlobalConfig.decode(long), 'SIZE', 'RIP_GLOBAL_CONFIG', 'buffer is 72 bytes', 'allowTrailing');
  t.deepEqual(GlobalConfig.decode(long, { allowTrailing: true }), GlobalConfig.defaults());
  t.deepEqual(GlobalConfig.decode(new Uint8Array(GlobalConfig.encode())), GlobalConfig.defaults());
});

test('decode: range, enum and list count are validated with the field named', (t) => {
  const buf = GlobalConfig.encode();
  const at = (field: keyof typeof GlobalConfig.offsets, v: number) => {
    const b = Buffer.from(buf);
    b.writeUInt32LE(v, GlobalConfig.offsets[field]);
    return b;
  };
  expectConfigError(t, () => GlobalConfig.decode(at('updateSeconds', 1)), 'RANGE', 'RIP_GLOBAL_CONFIG.updateSeconds', 'decoded value 1', '[5, 86400]');
  expectConfigError(t, () => GlobalConfig.decode(at('mode', 7)), 'ENUM', 'RIP_GLOBAL_CONFIG.mode', 'decoded value 7', 'send=1, receive=2, both=3');
  expectConfigError(t, () => GlobalConfig.decode(at('peers', 9)), 'COUNT', 'RIP_GLOBAL_CONFIG.peers', 'count 9', 'capacity 8');
  const Nested = struct('N', { items: array(struct('E', { v: u8({ max: 3 }) }), 2) });
  expectConfigError(t, () => Nested.decode(Buffer.from([0, 4])), 'RANGE', 'N.items[1].v');
});

test('encode/validate errors name the field', (t) => {
  expectConfigError(t, () => GlobalConfig.encode({ updateSeconds: 3 }), 'RANGE', 'RIP_GLOBAL_CONFIG.updateSeconds', '3 is outside [5, 86400]');
  expectConfigError(t, () => GlobalConfig.encode({ loggingLevel: 1.5 }), 'TYPE', 'RIP_GLOBAL_CONFIG.loggingLevel', 'integer');
  expectConfigError(t, () => GlobalConfig.validate({ mode: 'sometimes' }), 'ENUM', 'RIP_GLOBAL_CONFIG.mode', 'send, receive, both', '"sometimes"');
  expectConfigError(t, () => GlobalConfig.validate({ neighbour: '10.0.0.256' }), 'TYPE', 'RIP_GLOBAL_CONFIG.neighbour', 'IPv4');
  expectConfigError(t, () => GlobalConfig.validate({ neighbour: '010.0.0.1' }), 'TYPE', 'RIP_GLOBAL_CONFIG.neighbour');
  expectConfigError(t, () => GlobalConfig.validate({ password: Buffer.alloc(17) }), 'LENGTH', 'RIP_GLOBAL_CONFIG.password', '17 bytes', 'at most 16');
  expectConfigError(t, () => GlobalConfig.validate({ peers: Array(9).fill('1.1.1.1') }), 'LENGTH', 'RIP_GLOBAL_CONFIG.peers', '9 elements');
  expectConfigError(t, () => GlobalConfig.validate({ peers: ['1.1.1.1', 'x'] }), 'TYPE', 'RIP_GLOBAL_CONFIG.peers[1]');
  expectConfigError(t, () => GlobalConfig.validate({ updateSecs: 30 }), 'UNKNOWN_FIELD', 'RIP_GLOBAL_CONFIG.updateSecs', 'updateSeconds');
  expectConfigError(t, () => GlobalConfig.validate(null), 'TYPE', 'RIP_GLOBAL_CONFIG', 'object');
  const A = struct('A', { v: array(u16(), 3), big: u64() });
  expectConfigError(t, () => A.validate({ v: [1, 2] }), 'LENGTH', 'A.v', 'exactly 3');
  expectConfigError(t, () => A.validate({ big: 1 }), 'TYPE', 'A.big', 'bigint');
  expectConfigError(t, () => A.validate({ big: -1n }), 'RANGE', 'A.big');
});

test('schema definitions are checked when declared', (t) => {
  t.throws(() => u32({ default: 10, max: 4 }), { instanceOf: RangeError });
  t.throws(() => u8({ max: 256 }), { instanceOf: RangeError });
  t.throws(() => enumOf(u8(), { a: 1, b: 300 }), { instanceOf: RangeError });
  t.throws(() => enumOf(u8(), { a: 1, b: 1 }), { instanceOf: RangeError });
  t.throws(() => ipv4({ default: 'localhost' }), { instanceOf: RangeError });
  t.throws(() => array(list(u8(), 2), 2), { instanceOf: TypeError });
  t.is(u32({ min: 5 }).defaultValue(), 5); // implicit default clamps 0 into range
});

test('decodeConfigItem checks StructureSize, StructureCount and data length', (t) => {
  const data = GlobalConfig.encode({ loggingLevel: 2 });
  t.is(decodeConfigItem(GlobalConfig, data, 68, 1).loggingLevel, 2);
  expectConfigError(t, () => decodeConfigItem(GlobalConfig, data, 68, 2), 'COUNT', 'RIP_GLOBAL_CONFIG', 'StructureCount is 2', 'expected 1');
  expectConfigError(t, () => decodeConfigItem(GlobalConfig, data, 64, 1), 'SIZE', 'RIP_GLOBAL_CONFIG', 'StructureSize is 64', 'expected 68');
  expectConfigError(t, () => decodeConfigItem(GlobalConfig, data.subarray(0, 60), 68, 1), 'SIZE', 'RIP_GLOBAL_CONFIG', 'data is 60 bytes');
  const longer = Buffer.concat([data, Buffer.alloc(8)]);
  expectConfigError(t, () => decodeConfigItem(GlobalConfig, longer, 68, 1), 'SIZE', 'RIP_GLOBAL_CONFIG', 'buffer is 76 bytes');
  t.is(decodeConfigItem(GlobalConfig, longer, 68, 1, { allowTrailing: true }).loggingLevel, 2);
});

test('config entries travel through an info block', (t) => {
  const PROTO = 0x00010009;
  const blob = encodeInfoBlock([configEntry(GlobalConfig, PROTO, { neighbour: '198.51.100.7' })]);
  const e = findEntry(decodeInfoBlock(blob), PROTO)!;
  t.is(e.infoSize, 68);
  t.is(e.count, 1);
  t.is(decodeConfigEntry(GlobalConfig, e).neighbour, '198.51.100.7');
});

test('property: mutated encodings decode or throw ConfigError; successes round trip', (t) => {
  let seed = 12345;
  const next = (n: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 8) % n;
  const valid = GlobalConfig.encode({ mode: 'send', peers: ['10.0.0.1', '10.0.0.2'], password: Buffer.from('pw') });
  let ok = 0;
  for (let i = 0; i < 1000; i++) {
    const buf = Buffer.from(valid);
    for (let m = 1 + next(3); m > 0; m--) buf[next(buf.length)] = next(256);
    try {
      const v = GlobalConfig.decode(buf);
      ok++;
      t.deepEqual(GlobalConfig.decode(GlobalConfig.encode(v)), v);
    } catch (error) {
      if (!(error instanceof ConfigError)) return t.fail(`iteration ${i}: ${String(error)}`);
    }
  }
  t.true(ok > 100 && ok < 1000, `decoded ${ok}`);
});
