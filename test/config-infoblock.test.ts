import test from 'ava';
import {
  InfoBlockError,
  decodeInfoBlock,
  encodeInfoBlock,
  findEntry,
  infoBlockSize,
  withEntry,
  withoutEntry,
  type InfoBlockEntry,
  type InfoBlockErrorCode,
} from '../lib/config/index.js';

const entry = (infoType: number, infoSize: number, count: number, fill = 0xab): InfoBlockEntry => ({
  infoType,
  infoSize,
  count,
  data: Buffer.alloc(infoSize * count, fill),
});

/** Hand-built blob: header fields and TOC as given, zero data. */
function raw(o: { version?: number; size?: number; count?: number; toc: number[][]; length: number }): Buffer {
  const b = Buffer.alloc(o.length);
  b.writeUInt32LE(o.version ?? 1, 0);
  b.writeUInt32LE(o.size ?? o.length, 4);
  b.writeUInt32LE(o.count ?? o.toc.length, 8);
  o.toc.forEach((t, i) => t.forEach((v, k) => b.writeUInt32LE(v, 12 + 16 * i + 4 * k)));
  return b;
}

function expectError(t: import('ava').ExecutionContext, buf: Buffer, code: InfoBlockErrorCode, ...fragments: string[]) {
  const err = t.throws(() => decodeInfoBlock(buf), { instanceOf: InfoBlockError });
  t.is(err?.code, code, err?.message);
  for (const f of fragments) t.true(err!.message.includes(f), `"${err!.message}" lacks "${f}"`);
}

test('one entry: header 28 bytes, data at 32, size padded to 8', (t) => {
  const buf = encodeInfoBlock([{ infoType: 0x1234, infoSize: 4, count: 1, data: Buffer.from([1, 2, 3, 4]) }]);
  const expected = Buffer.alloc(40);
  expected.writeUInt32LE(1, 0); // Version
  expected.writeUInt32LE(40, 4); // Size
  expected.writeUInt32LE(1, 8); // TocEntriesCount
  expected.writeUInt32LE(0x1234, 12);
  expected.writeUInt32LE(4, 16);
  expected.writeUInt32LE(1, 20);
  expected.writeUInt32LE(32, 24); // Offset
  expected.set([1, 2, 3, 4], 32);
  t.deepEqual(buf, expected);
  t.is(infoBlockSize([entry(0x1234, 4, 1)]), 40);
});

test('two entries: data areas aligned after a 44-byte TOC', (t) => {
  const buf = encodeInfoBlock([entry(7, 3, 3, 1), entry(9, 8, 2, 2)]);
  t.is(buf.readUInt32LE(12 + 12), 48);
  t.is(buf.readUInt32LE(28 + 12), 48 + 16); // 9 bytes padded to 16
  t.is(buf.readUInt32LE(4), 48 + 16 + 16);
  t.is(buf.length, 80);
  t.is(buf[48 + 9], 0); // padding is zero
});

test('empty block round trips', (t) => {
  const buf = encodeInfoBlock([]);
  t.is(buf.readUInt32LE(8), 0);
  t.deepEqual(decodeInfoBlock(buf).entries, []);
});

test('round trip keeps order, sizes, counts and bytes (including zero-count entries)', (t) => {
  const entries = [entry(0xffff0003, 8, 1, 5), entry(10, 12, 0), entry(11, 1, 13, 6), entry(0, 20, 3, 7)];
  const block = decodeInfoBlock(encodeInfoBlock(entries));
  t.is(block.version, 1);
  t.is(block.size, infoBlockSize(entries));
  t.deepEqual(block.entries, entries);
});

test('accepts a Uint8Array view and ignores bytes beyond Size', (t) => {
  const buf = encodeInfoBlock([entry(1, 4, 2, 9)]);
  const backing = new Uint8Array(buf.length + 64).fill(0xee);
  backing.set(buf, 16);
  const view = new Uint8Array(backing.buffer, 16, buf.length + 20); // 20 trailing junk bytes
  const block = decodeInfoBlock(view);
  t.is(block.size, buf.length);
  t.deepEqual(block.entries, [entry(1, 4, 2, 9)]);
});

test('decoded data is a copy', (t) => {
  const buf = encodeInfoBlock([entry(1, 4, 1, 3)]);
  const block = decodeInfoBlock(buf);
  buf.fill(0);
  t.deepEqual(block.entries[0].data, Buffer.alloc(4, 3));
});

test('TRUNCATED: buffer shorter than the header', (t) => {
  expectError(t, Buffer.alloc(11), 'TRUNCATED', '11 bytes', '12-byte header');
});

test('TRUNCATED: Size larger than the buffer', (t) => {
  expectError(t, raw({ size: 48, toc: [], length: 40 }), 'TRUNCATED', 'Size is 48', '40 bytes');
});

test('BAD_VERSION', (t) => {
  expectError(t, raw({ version: 2, toc: [], length: 16 }), 'BAD_VERSION', 'Version is 2');
});

test('BAD_SIZE: Size smaller than the header', (t) => {
  expectError(t, raw({ size: 8, toc: [], length: 16 }), 'BAD_SIZE', 'Size is 8');
});

test('BAD_COUNT: TOC extends past Size', (t) => {
  expectError(t, raw({ size: 40, count: 2, toc: [], length: 48 }), 'BAD_COUNT', 'TocEntriesCount 2', 'Size is 40');
});

test('BAD_COUNT: absurd TocEntriesCount', (t) => {
  expectError(t, raw({ count: 0xffffffff, toc: [], length: 64 }), 'BAD_COUNT', 'TocEntriesCount 4294967295', '68719476732');
});

test('BAD_OFFSET: Offset beyond Size', (t) => {
  expectError(t, raw({ toc: [[5, 4, 1, 48]], length: 40 }), 'BAD_OFFSET', 'entry 0', 'InfoType 0x00000005', 'Offset 48', 'Size 40');
});

test('BAD_OFFSET: data area ends past Size', (t) => {
  expectError(t, raw({ toc: [[5, 4, 3, 32]], length: 40 }), 'BAD_OFFSET', 'entry 0', '[32, 44)', 'Size 40');
});

test('BAD_SIZE: InfoSize*Count overflows (exact product reported)', (t) => {
  expectError(t, raw({ toc: [[5, 0xffffffff, 0xffffffff, 32]], length: 40 }), 'BAD_SIZE', 'entry 0', '18446744065119617025');
});

test('BAD_SIZE: item area larger than the block', (t) => {
  expectError(t, raw({ toc: [[5, 16, 4096, 32]], length: 40 }), 'BAD_SIZE', '65536 bytes');
});

test('OVERLAP: data inside the header/TOC', (t) => {
  expectError(t, raw({ toc: [[5, 4, 1, 8]], length: 40 }), 'OVERLAP', 'entry 0', 'Offset 8', 'ends at 28');
  // Second TOC entry overlaps: TOC ends at 44, offset 40 is aligned but inside it.
  expectError(t, raw({ toc: [[5, 4, 1, 48], [6, 4, 1, 40]], length: 64 }), 'OVERLAP', 'entry 1', 'ends at 44');
});

test('OVERLAP: two data areas overlap', (t) => {
  expectError(
    t,
    raw({ toc: [[5, 16, 1, 48], [6, 8, 1, 56]], length: 72 }),
    'OVERLAP',
    'entry 1',
    'InfoType 0x00000006',
    '[56, 64)',
    'entry 0',
    '[48, 64)',
  );
});

test('adjacent and zero-length areas do not overlap', (t) => {
  const block = decodeInfoBlock(raw({ toc: [[5, 8, 1, 64], [6, 8, 1, 72], [7, 0, 0, 80]], length: 80 }));
  t.deepEqual(
    block.entries.map((e) => e.data.length),
    [8, 8, 0],
  );
});

test('MISALIGNED', (t) => {
  expectError(t, raw({ toc: [[5, 4, 1, 36]], length: 48 }), 'MISALIGNED', 'entry 0', 'Offset 36', '8-byte');
});

test('DUPLICATE_TYPE', (t) => {
  expectError(t, raw({ toc: [[5, 4, 1, 48], [5, 4, 1, 56]], length: 64 }), 'DUPLICATE_TYPE', 'entry 1', 'entry 0', '0x00000005');
});

test('encode validates entries', (t) => {
  const bad = (entries: InfoBlockEntry[], code: InfoBlockErrorCode, fragment: string) => {
    const err = t.throws(() => encodeInfoBlock(entries), { instanceOf: InfoBlockError });
    t.is(err?.code, code);
    t.true(err!.message.includes(fragment), err!.message);
  };
  bad([{ infoType: 1, infoSize: 4, count: 2, data: Buffer.alloc(4) }], 'BAD_SIZE', 'data is 4 bytes');
  bad([entry(1, 4, 1), entry(1, 8, 1)], 'DUPLICATE_TYPE', 'entry 1');
  bad([{ infoType: -1, infoSize: 0, count: 0, data: Buffer.alloc(0) }], 'BAD_ENTRY', 'infoType -1');
  bad([{ infoType: 1, infoSize: 2 ** 32, count: 0, data: Buffer.alloc(0) }], 'BAD_ENTRY', 'infoSize');
});

test('findEntry / withEntry / withoutEntry', (t) => {
  const block = decodeInfoBlock(encodeInfoBlock([entry(1, 4, 1, 1), entry(2, 4, 1, 2)]));
  t.deepEqual(findEntry(block, 2), entry(2, 4, 1, 2));
  t.is(findEntry(block, 3), undefined);

  const replaced = withEntry(block, entry(1, 8, 2, 9));
  t.deepEqual(replaced.entries.map((e) => e.infoType), [1, 2]); // replaced in place
  t.deepEqual(findEntry(replaced, 1), entry(1, 8, 2, 9));
  t.deepEqual(findEntry(block, 1), entry(1, 4, 1, 1)); // original untouched
  t.deepEqual(decodeInfoBlock(encodeInfoBlock(replaced.entries)), replaced);

  const added = withEntry(block, entry(3, 2, 1));
  t.deepEqual(added.entries.map((e) => e.infoType), [1, 2, 3]);
  t.is(added.size, infoBlockSize(added.entries));

  const removed = withoutEntry(added, 2);
  t.deepEqual(removed.entries.map((e) => e.infoType), [1, 3]);
  t.deepEqual(withoutEntry(removed, 42).entries, removed.entries);
  t.throws(() => withEntry(block, { infoType: 4, infoSize: 4, count: 1, data: Buffer.alloc(3) }), { instanceOf: InfoBlockError });
});

// mulberry32: small deterministic PRNG so failures reproduce.
function prng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) >>> 0;
    let x = seed;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

test('property: 2000 random mutations decode or throw InfoBlockError, within bounds', (t) => {
  const rand = prng(0xc0ffee);
  const int = (n: number) => Math.floor(rand() * n);
  const base = encodeInfoBlock([entry(0xffff0003, 8, 1, 1), entry(17, 4, 3, 2), entry(18, 0, 0), entry(19, 1, 5, 3)]);
  const interesting = [0, 1, 7, 8, 12, 16, 28, 32, 44, 48, 0x7fffffff, 0x80000000, 0xfffffff8, 0xffffffff];
  let ok = 0;
  let failed = 0;
  for (let iter = 0; iter < 2000; iter++) {
    let buf = Buffer.from(base);
    for (let m = 1 + int(3); m > 0; m--) {
      switch (int(4)) {
        case 0: // flip a byte
          buf[int(buf.length)] = int(256);
          break;
        case 1: // overwrite an aligned u32 (header/TOC fields mostly) with an edge value
          if (buf.length >= 4) {
            const value = rand() < 0.5 ? interesting[int(interesting.length)] : int(128);
            buf.writeUInt32LE(value, 4 * int(Math.floor(Math.min(buf.length, 80) / 4)));
          }
          break;
        case 2: // truncate
          buf = buf.subarray(0, int(buf.length + 1));
          break;
        default: // extend with junk
          buf = Buffer.concat([buf, Buffer.alloc(int(24), 0x5a)]);
      }
    }
    const exact = Buffer.from(buf); // exact-length copy: any out-of-bounds read would throw RangeError
    let block;
    try {
      block = decodeInfoBlock(exact);
    } catch (error) {
      if (!(error instanceof InfoBlockError)) {
        t.fail(`iteration ${iter}: threw ${String(error)} for ${exact.toString('hex')}`);
        return;
      }
      failed++;
      continue;
    }
    ok++;
    // Nothing past Size influenced the result, and the data areas fit inside the block.
    t.deepEqual(decodeInfoBlock(exact.subarray(0, block.size)), block);
    const dataBytes = block.entries.reduce((n, e) => n + e.data.length, 0);
    t.true(dataBytes <= block.size - 12 - 16 * block.entries.length);
    for (const e of block.entries) t.is(e.data.length, e.infoSize * e.count);
    t.deepEqual(decodeInfoBlock(encodeInfoBlock(block.entries)).entries, block.entries);
  }
  t.log(`ok=${ok} failed=${failed}`);
  t.true(ok > 0 && failed > 0, `ok=${ok} failed=${failed}`);
});
