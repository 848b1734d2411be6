// Codec for RRAS info blocks (rtinfo.h RTR_INFO_BLOCK_HEADER + RTR_TOC_ENTRY[]).
//
//   @0  Version          u32 LE (RTR_INFO_BLOCK_VERSION = 1)
//   @4  Size             u32 LE, total bytes of the blob
//   @8  TocEntriesCount  u32 LE
//   @12 TocEntry[n]      16 bytes each: InfoType, InfoSize (bytes per item), Count, Offset (from blob start)
//   data areas           InfoSize*Count bytes each, 8-byte aligned (ALIGN_SIZE), after the TOC
//
// The blob is native little-endian in-process (the "network byte order" wording in MS-RRASM is unverified).
// Decoding accepts a buffer longer than Size (trailing bytes ignored: RM buffers are often over-allocated)
// but never one shorter. Encoding writes data areas in entry order, each padded to 8 bytes, so Size is a
// multiple of 8 and the first data area of a one-entry block starts at 32.
import { CodedError } from '../codedError.js';

export const RTR_INFO_BLOCK_VERSION = 1;
export const INFO_BLOCK_HEADER_SIZE = 12;
export const TOC_ENTRY_SIZE = 16;
export const INFO_BLOCK_ALIGN = 8;

const U32_MAX = 0xffffffff;

export type InfoBlockErrorCode =
  | 'TRUNCATED'
  | 'BAD_VERSION'
  | 'BAD_SIZE'
  | 'BAD_OFFSET'
  | 'OVERLAP'
  | 'MISALIGNED'
  | 'BAD_COUNT'
  | 'DUPLICATE_TYPE'
  | 'BAD_ENTRY';

export class InfoBlockError extends CodedError<InfoBlockErrorCode> {}

export interface InfoBlockEntry {
  infoType: number;
  /** Bytes per item (RTR_TOC_ENTRY.InfoSize). */
  infoSize: number;
  /** Number of items (RTR_TOC_ENTRY.Count). */
  count: number;
  /** Exactly infoSize * count bytes. */
  data: Buffer;
}

export interface InfoBlock {
  version: number;
  /** Header Size field (decoded) or the encoded size (built by withEntry/withoutEntry). */
  size: number;
  entries: InfoBlockEntry[];
}

const hex = (n: number) => '0x' + n.toString(16).padStart(8, '0');
const align8 = (n: number) => Math.ceil(n / INFO_BLOCK_ALIGN) * INFO_BLOCK_ALIGN;
const tocEnd = (n: number) => INFO_BLOCK_HEADER_SIZE + TOC_ENTRY_SIZE * n;

function asBuffer(buf: Buffer | Uint8Array): Buffer {
  return Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
}

export function decodeInfoBlock(input: Buffer | Uint8Array): InfoBlock {
  const buf = asBuffer(input);
  if (buf.length < INFO_BLOCK_HEADER_SIZE) {
    throw new InfoBlockError('TRUNCATED', `info block: buffer is ${buf.length} bytes, shorter than the ${INFO_BLOCK_HEADER_SIZE}-byte header`);
  }
  const version = buf.readUInt32LE(0);
  const size = buf.readUInt32LE(4);
  const n = buf.readUInt32LE(8);
  if (version !== RTR_INFO_BLOCK_VERSION) {
    throw new InfoBlockError('BAD_VERSION', `info block: Version is ${version}, expected ${RTR_INFO_BLOCK_VERSION}`);
  }
  if (size > buf.length) {
    throw new InfoBlockError('TRUNCATED', `info block: header Size is ${size} but the buffer holds only ${buf.length} bytes`);
  }
  if (size < INFO_BLOCK_HEADER_SIZE) {
    throw new InfoBlockError('BAD_SIZE', `info block: header Size is ${size}, smaller than the ${INFO_BLOCK_HEADER_SIZE}-byte header`);
  }
  // n ≤ 2^32-1 so 12 + 16n stays well inside safe-integer range.
  const headerEnd = tocEnd(n);
  if (headerEnd > size) {
    throw new InfoBlockError(
      'BAD_COUNT',
      `info block: TocEntriesCount ${n} needs ${headerEnd} bytes of header and TOC, but Size is ${size} (room for at most ${Math.floor((size - INFO_BLOCK_HEADER_SIZE) / TOC_ENTRY_SIZE)})`,
    );
  }

  const entries: InfoBlockEntry[] = [];
  const areas: { index: number; infoType: number; start: number; end: number }[] = [];
  const seen = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const at = INFO_BLOCK_HEADER_SIZE + TOC_ENTRY_SIZE * i;
    const infoType = buf.readUInt32LE(at);
    const infoSize = buf.readUInt32LE(at + 4);
    const count = buf.readUInt32LE(at + 8);
    const offset = buf.readUInt32LE(at + 12);
    const what = `info block: TOC entry ${i} (InfoType ${hex(infoType)})`;

    const prev = seen.get(infoType);
    if (prev !== undefined) {
      throw new InfoBlockError('DUPLICATE_TYPE', `${what} repeats the InfoType of TOC entry ${prev}`);
    }
    seen.set(infoType, i);

    if (offset > size) {
      throw new InfoBlockError('BAD_OFFSET', `${what}: Offset ${offset} is beyond Size ${size}`);
    }
    if (offset % INFO_BLOCK_ALIGN !== 0) {
      throw new InfoBlockError('MISALIGNED', `${what}: Offset ${offset} is not ${INFO_BLOCK_ALIGN}-byte aligned`);
    }
    if (offset < headerEnd) {
      throw new InfoBlockError('OVERLAP', `${what}: Offset ${offset} lies inside the header/TOC, which ends at ${headerEnd}`);
    }
    // u32 * u32 can exceed 2^53: compute exactly.
    const big = BigInt(infoSize) * BigInt(count);
    if (big > BigInt(size - headerEnd)) {
      throw new InfoBlockError(
        'BAD_SIZE',
        `${what}: InfoSize ${infoSize} × Count ${count} = ${big} bytes, more than the ${size - headerEnd} data bytes the block can hold`,
      );
    }
    const length = Number(big);
    if (length > size - offset) {
      throw new InfoBlockError(
        'BAD_OFFSET',
        `${what}: data [${offset}, ${offset + length}) (InfoSize ${infoSize} × Count ${count}) ends past Size ${size}`,
      );
    }
    if (length > 0) areas.push({ index: i, infoType, start: offset, end: offset + length });
    entries.push({ infoType, infoSize, count, data: Buffer.from(buf.subarray(offset, offset + length)) });
  }

  areas.sort((a, b) => a.start - b.start || a.index - b.index);
  for (let k = 1; k < areas.length; k++) {
    const a = areas[k - 1];
    const b = areas[k];
    if (b.start < a.end) {
      throw new InfoBlockError(
        'OVERLAP',
        `info block: data of TOC entry ${b.index} (InfoType ${hex(b.infoType)}) [${b.start}, ${b.end}) overlaps TOC entry ${a.index} (InfoType ${hex(a.infoType)}) [${a.start}, ${a.end})`,
      );
    }
  }
  return { version, size, entries };
}

function checkEntries(entries: readonly InfoBlockEntry[]): void {
  const seen = new Map<number, number>();
  entries.forEach((e, i) => {
    for (const key of ['infoType', 'infoSize', 'count'] as const) {
      const v = e[key];
      if (!Number.isInteger(v) || v < 0 || v > U32_MAX) {
        throw new InfoBlockError('BAD_ENTRY', `info block: entry ${i} ${key} ${String(v)} is not a u32`);
      }
    }
    const prev = seen.get(e.infoType);
    if (prev !== undefined) {
      throw new InfoBlockError('DUPLICATE_TYPE', `info block: entry ${i} repeats InfoType ${hex(e.infoType)} of entry ${prev}`);
    }
    seen.set(e.infoType, i);
    if (!(e.data instanceof Uint8Array)) {
      throw new InfoBlockError('BAD_ENTRY', `info block: entry ${i} (InfoType ${hex(e.infoType)}) data is not a Buffer`);
    }
    const expected = e.infoSize * e.count;
    if (e.data.length !== expected) {
      throw new InfoBlockError(
        'BAD_SIZE',
        `info block: entry ${i} (InfoType ${hex(e.infoType)}) data is ${e.data.length} bytes, InfoSize ${e.infoSize} × Count ${e.count} = ${expected}`,
      );
    }
  });
}

/** Encoded size of a block holding `entries` (header, TOC and each data area padded to 8). */
export function infoBlockSize(entries: readonly InfoBlockEntry[]): number {
  return entries.reduce((total, e) => total + align8(e.data.length), align8(tocEnd(entries.length)));
}

export function encodeInfoBlock(entries: readonly InfoBlockEntry[]): Buffer {
  checkEntries(entries);
  const size = infoBlockSize(entries);
  if (size > U32_MAX) {
    throw new InfoBlockError('BAD_SIZE', `info block: encoded size ${size} does not fit the u32 Size field`);
  }
  const out = Buffer.alloc(size);
  out.writeUInt32LE(RTR_INFO_BLOCK_VERSION, 0);
  out.writeUInt32LE(size, 4);
  out.writeUInt32LE(entries.length, 8);
  let offset = align8(tocEnd(entries.length));
  entries.forEach((e, i) => {
    const at = INFO_BLOCK_HEADER_SIZE + TOC_ENTRY_SIZE * i;
    out.writeUInt32LE(e.infoType, at);
    out.writeUInt32LE(e.infoSize, at + 4);
    out.writeUInt32LE(e.count, at + 8);
    out.writeUInt32LE(offset, at + 12);
    out.set(e.data, offset);
    offset += align8(e.data.length);
  });
  return out;
}

/** Like MprInfoBlockFind. */
export function findEntry(block: InfoBlock, infoType: number): InfoBlockEntry | undefined {
  return block.entries.find((e) => e.infoType === infoType);
}

/** Like MprInfoBlockSet: replaces the entry of the same InfoType in place, or appends it. Returns a new block. */
export function withEntry(block: InfoBlock, entry: InfoBlockEntry): InfoBlock {
  const i = block.entries.findIndex((e) => e.infoType === entry.infoType);
  const entries = i < 0 ? [...block.entries, entry] : block.entries.map((e, k) => (k === i ? entry : e));
  checkEntries(entries);
  return { version: RTR_INFO_BLOCK_VERSION, size: infoBlockSize(entries), entries };
}

/** Like MprInfoBlockRemove (absent InfoType is not an error). Returns a new block. */
export function withoutEntry(block: InfoBlock, infoType: number): InfoBlock {
  const entries = block.entries.filter((e) => e.infoType !== infoType);
  return { version: RTR_INFO_BLOCK_VERSION, size: infoBlockSize(entries), entries };
}
