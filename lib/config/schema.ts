// Typed schemas for a protocol's own fixed-layout config structs (the bytes of its TOC entry).
//
// Layout rule (matches MSVC x64 / natural C alignment, no #pragma pack): each C member is placed at
// the next offset that is a multiple of its alignment (u8 1, u16 2, u32/i32/BOOL/IPv4 DWORD 4,
// u64 8, arrays and byte arrays take the element alignment, nested structs their own); the struct
// size is rounded up to its largest member alignment. So a C struct with the same members in the
// same order matches byte for byte. Padding is written as zero and ignored on decode.
//
// Field kinds and their C equivalents:
//   u8/u16/u32/i32/u64     UCHAR/USHORT/ULONG/LONG/ULONG64, little-endian; number (u64: bigint)
//   bool32                 BOOL (4 bytes); decodes any non-zero as true, encodes 1/0
//   ipv4                   DWORD holding an IPv4 address in network order; dotted-quad string
//   ipv6                   IN6_ADDR (16 bytes, align 2); IPv6 text in, RFC 5952 text out
//   enumOf(int, map)       the integer; string key of the map, unknown values rejected
//   bytes(n)               BYTE[n]; Buffer of n bytes, shorter input zero-padded
//   array(f, n)            T[n]; exactly n elements
//   list(f, n)             two C members `ULONG count; T items[n];`; 0..n elements, unused slots zero
//   struct(name, {...})    nested struct, also usable as a field
import { formatIPv6, parseIPv6 } from './ipv6.js';
import type { InfoBlockEntry } from './infoBlock.js';

export type ConfigErrorCode = 'SIZE' | 'COUNT' | 'TYPE' | 'RANGE' | 'ENUM' | 'LENGTH' | 'UNKNOWN_FIELD';

export class ConfigError extends Error {
  /** `path` names the field, e.g. `RIP_GLOBAL_CONFIG.peers[2]`. */
  constructor(readonly code: ConfigErrorCode, readonly path: string, problem: string) {
    super(`${path}: ${problem}`);
    this.name = 'ConfigError';
  }
}

/** One C member: a field occupies one, except list() which occupies two. */
export interface Member {
  readonly size: number;
  readonly align: number;
}

export interface Field<T, In = T> {
  readonly kind: string;
  readonly members: readonly Member[];
  /** `offs[i]` is the offset of `members[i]`. */
  read(buf: Buffer, offs: readonly number[], path: string): T;
  write(buf: Buffer, offs: readonly number[], value: T): void;
  /** Validates input and returns the normalised value (defaults filled in nested structs). */
  check(value: unknown, path: string): T;
  defaultValue(): T;
  /** Type-level only: the accepted input type. */
  readonly __input?: In;
}

/** Any field: what a struct's shape holds (a Field<T, In> of any T and In). */
export type AnyField = Field<unknown, unknown>;
export type Shape = Record<string, AnyField>;
export type Infer<F> = F extends Field<infer T, unknown> ? T : never;
export type InputOf<F> = F extends Field<unknown, infer I> ? I : never;
export type StructValue<S extends Shape> = { [K in keyof S]: Infer<S[K]> };
export type StructInput<S extends Shape> = { [K in keyof S]?: InputOf<S[K]> };

const alignUp = (n: number, a: number) => Math.ceil(n / a) * a;
const show = (v: unknown) => (typeof v === 'string' ? JSON.stringify(v) : typeof v === 'bigint' ? `${v}n` : String(v));

// ---- integers ----

export interface IntOptions<N extends number | bigint = number> {
  default?: N;
  min?: N;
  max?: N;
}

export interface IntField<N extends number | bigint = number> extends Field<N> {
  readonly min: N;
  readonly max: N;
}

function intField<N extends number | bigint>(
  kind: string,
  size: number,
  lo: N,
  hi: N,
  isInt: (v: unknown) => v is N,
  get: (buf: Buffer, off: number) => N,
  put: (buf: Buffer, off: number, v: N) => void,
  opts: IntOptions<N>,
): IntField<N> {
  const min = opts.min ?? lo;
  const max = opts.max ?? hi;
  if (min < lo || max > hi || min > max) throw new RangeError(`${kind}: bad range [${show(min)}, ${show(max)}]`);
  const zero = (typeof lo === 'bigint' ? 0n : 0) as N;
  const def = opts.default ?? (zero < min ? min : zero > max ? max : zero);
  if (def < min || def > max) throw new RangeError(`${kind}: default ${show(def)} outside [${show(min)}, ${show(max)}]`);
  const range = `[${show(min)}, ${show(max)}]`;
  return {
    kind,
    min,
    max,
    members: [{ size, align: size }],
    read(buf, [off], path) {
      const v = get(buf, off);
      if (v < min || v > max) throw new ConfigError('RANGE', path, `decoded value ${show(v)} is outside ${range}`);
      return v;
    },
    write: (buf, [off], v) => put(buf, off, v),
    check(v, path) {
      if (!isInt(v)) throw new ConfigError('TYPE', path, `expected ${typeof lo === 'bigint' ? 'a bigint' : 'an integer'} (${kind}), got ${show(v)}`);
      if (v < min || v > max) throw new ConfigError('RANGE', path, `${show(v)} is outside ${range}`);
      return v;
    },
    defaultValue: () => def,
  };
}

const isInteger = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);
const isBigint = (v: unknown): v is bigint => typeof v === 'bigint';

export const u8 = (o: IntOptions = {}) =>
  intField('u8', 1, 0, 0xff, isInteger, (b, off) => b.readUInt8(off), (b, off, v) => b.writeUInt8(v, off), o);
export const u16 = (o: IntOptions = {}) =>
  intField('u16', 2, 0, 0xffff, isInteger, (b, off) => b.readUInt16LE(off), (b, off, v) => b.writeUInt16LE(v, off), o);
export const u32 = (o: IntOptions = {}) =>
  intField('u32', 4, 0, 0xffffffff, isInteger, (b, off) => b.readUInt32LE(off), (b, off, v) => b.writeUInt32LE(v, off), o);
export const i32 = (o: IntOptions = {}) =>
  intField('i32', 4, -0x80000000, 0x7fffffff, isInteger, (b, off) => b.readInt32LE(off), (b, off, v) => b.writeInt32LE(v, off), o);
export const u64 = (o: IntOptions<bigint> = {}) =>
  intField('u64', 8, 0n, 0xffffffffffffffffn, isBigint, (b, off) => b.readBigUInt64LE(off), (b, off, v) => b.writeBigUInt64LE(v, off), o);

// ---- scalars ----

export function bool32(opts: { default?: boolean } = {}): Field<boolean> {
  const def = opts.default ?? false;
  return {
    kind: 'bool32',
    members: [{ size: 4, align: 4 }],
    read: (buf, [off]) => buf.readUInt32LE(off) !== 0,
    write: (buf, [off], v) => buf.writeUInt32LE(v ? 1 : 0, off),
    check(v, path) {
      if (typeof v !== 'boolean') throw new ConfigError('TYPE', path, `expected a boolean, got ${show(v)}`);
      return v;
    },
    defaultValue: () => def,
  };
}

/** Strict dotted quad ("10.0.0.1"; no leading zeros, no shorthand) to 4 network-order bytes, or null. */
export function parseIPv4(text: string): Buffer | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (!m) return null;
  const parts = m.slice(1).map((p) => (p.length > 1 && p[0] === '0' ? 256 : Number(p)));
  return parts.every((p) => p <= 255) ? Buffer.from(parts) : null;
}

export function formatIPv4(buf: Buffer, offset = 0): string {
  return `${buf[offset]}.${buf[offset + 1]}.${buf[offset + 2]}.${buf[offset + 3]}`;
}

export function ipv4(opts: { default?: string } = {}): Field<string> {
  const def = opts.default ?? '0.0.0.0';
  if (!parseIPv4(def)) throw new RangeError(`ipv4: bad default ${show(def)}`);
  return {
    kind: 'ipv4',
    members: [{ size: 4, align: 4 }],
    read: (buf, [off]) => formatIPv4(buf, off),
    write: (buf, [off], v) => buf.set(parseIPv4(v)!, off),
    check(v, path) {
      if (typeof v !== 'string' || !parseIPv4(v)) throw new ConfigError('TYPE', path, `expected a dotted-quad IPv4 address, got ${show(v)}`);
      return v;
    },
    defaultValue: () => def,
  };
}

/** IN6_ADDR (16 bytes, network order, 2-byte aligned as its USHORT Word[8]); IPv6 text, RFC 5952 out. */
export function ipv6(opts: { default?: string } = {}): Field<string> {
  const def = opts.default ?? '::';
  if (!parseIPv6(def)) throw new RangeError(`ipv6: bad default ${show(def)}`);
  return {
    kind: 'ipv6',
    members: [{ size: 16, align: 2 }],
    read: (buf, [off]) => formatIPv6(buf, off),
    write: (buf, [off], v) => buf.set(parseIPv6(v)!, off),
    check(v, path) {
      const b = typeof v === 'string' ? parseIPv6(v) : null;
      if (!b) throw new ConfigError('TYPE', path, `expected an IPv6 address, got ${show(v)}`);
      return formatIPv6(b);
    },
    defaultValue: () => formatIPv6(parseIPv6(def)!),
  };
}

export function enumOf<K extends string>(
  base: IntField<number>,
  values: Record<K, number>,
  opts: { default?: NoInfer<K> } = {},
): Field<K> {
  const keys = Object.keys(values) as K[];
  if (keys.length === 0) throw new RangeError('enumOf: no values');
  const byValue = new Map<number, K>();
  for (const k of keys) {
    const n = values[k];
    if (!Number.isInteger(n) || n < base.min || n > base.max) throw new RangeError(`enumOf: ${k}=${n} does not fit ${base.kind}`);
    if (byValue.has(n)) throw new RangeError(`enumOf: ${k} and ${byValue.get(n)} share value ${n}`);
    byValue.set(n, k);
  }
  const def = opts.default ?? keys[0];
  if (!keys.includes(def)) throw new RangeError(`enumOf: default ${show(def)} is not a key`);
  const listing = keys.map((k) => `${k}=${values[k]}`).join(', ');
  return {
    kind: `enum<${base.kind}>`,
    members: base.members,
    read(buf, offs, path) {
      const n = base.read(buf, offs, path);
      const k = byValue.get(n);
      if (k === undefined) throw new ConfigError('ENUM', path, `decoded value ${n} is not one of ${listing}`);
      return k;
    },
    write: (buf, offs, v) => base.write(buf, offs, values[v]),
    check(v, path) {
      if (typeof v !== 'string' || !Object.prototype.hasOwnProperty.call(values, v)) {
        throw new ConfigError('ENUM', path, `expected one of ${keys.join(', ')}, got ${show(v)}`);
      }
      return v as K;
    },
    defaultValue: () => def,
  };
}

export function bytes(length: number, opts: { default?: Uint8Array } = {}): Field<Buffer, Uint8Array> {
  if (!Number.isInteger(length) || length < 1) throw new RangeError(`bytes: bad length ${length}`);
  const pad = (v: Uint8Array) => {
    const out = Buffer.alloc(length);
    out.set(v);
    return out;
  };
  const check = (v: unknown, path: string): Buffer => {
    if (!(v instanceof Uint8Array)) throw new ConfigError('TYPE', path, `expected a Buffer, got ${show(v)}`);
    if (v.length > length) throw new ConfigError('LENGTH', path, `${v.length} bytes, at most ${length} allowed`);
    return pad(v);
  };
  const def = check(opts.default ?? Buffer.alloc(0), 'bytes default');
  return {
    kind: `bytes[${length}]`,
    members: [{ size: length, align: 1 }],
    read: (buf, [off]) => Buffer.from(buf.subarray(off, off + length)),
    write: (buf, [off], v) => buf.set(v, off),
    check,
    defaultValue: () => Buffer.from(def),
  };
}

// ---- arrays ----

function single(f: AnyField, who: string): Member {
  if (f.members.length !== 1) throw new TypeError(`${who}: element must be a single C member (not a list())`);
  return f.members[0];
}

function checkItems<T>(elem: Field<T, unknown>, v: unknown, path: string, ok: (n: number) => boolean, want: string): T[] {
  if (!Array.isArray(v)) throw new ConfigError('TYPE', path, `expected an array, got ${show(v)}`);
  if (!ok(v.length)) throw new ConfigError('LENGTH', path, `${v.length} elements, ${want}`);
  return v.map((x, i) => elem.check(x, `${path}[${i}]`));
}

/** C `T name[length]`: exactly `length` elements. */
export function array<T, In>(elem: Field<T, In>, length: number): Field<T[], readonly In[]> {
  const m = single(elem, 'array');
  if (!Number.isInteger(length) || length < 1) throw new RangeError(`array: bad length ${length}`);
  return {
    kind: `${elem.kind}[${length}]`,
    members: [{ size: m.size * length, align: m.align }],
    read: (buf, [off], path) => Array.from({ length }, (_, i) => elem.read(buf, [off + i * m.size], `${path}[${i}]`)),
    write: (buf, [off], v) => v.forEach((x, i) => elem.write(buf, [off + i * m.size], x)),
    check: (v, path) => checkItems(elem, v, path, (n) => n === length, `exactly ${length} required`),
    defaultValue: () => Array.from({ length }, () => elem.defaultValue()),
  };
}

/** C `ULONG count; T items[capacity];` (two members): 0..capacity elements; default empty. */
export function list<T, In>(elem: Field<T, In>, capacity: number): Field<T[], readonly In[]> {
  const m = single(elem, 'list');
  if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`list: bad capacity ${capacity}`);
  return {
    kind: `list<${elem.kind}>[${capacity}]`,
    members: [{ size: 4, align: 4 }, { size: m.size * capacity, align: m.align }],
    read(buf, [countOff, off], path) {
      const count = buf.readUInt32LE(countOff);
      if (count > capacity) throw new ConfigError('COUNT', path, `decoded count ${count} exceeds capacity ${capacity}`);
      return Array.from({ length: count }, (_, i) => elem.read(buf, [off + i * m.size], `${path}[${i}]`));
    },
    write(buf, [countOff, off], v) {
      buf.writeUInt32LE(v.length, countOff);
      buf.fill(0, off, off + m.size * capacity);
      v.forEach((x, i) => elem.write(buf, [off + i * m.size], x));
    },
    check: (v, path) => checkItems(elem, v, path, (n) => n <= capacity, `at most ${capacity} allowed`),
    defaultValue: () => [],
  };
}

// ---- structs ----

export interface DecodeOptions {
  /** Accept a buffer longer than .size (extra bytes ignored). */
  allowTrailing?: boolean;
}

export interface Struct<S extends Shape> extends Field<StructValue<S>, StructInput<S>> {
  readonly name: string;
  readonly fields: S;
  /** sizeof, including trailing padding. */
  readonly size: number;
  readonly align: number;
  /** Offset of each field (for list(): of its count member). */
  readonly offsets: { readonly [K in keyof S]: number };
  decode(buf: Buffer | Uint8Array, opts?: DecodeOptions): StructValue<S>;
  /** Missing fields take their defaults; returns exactly .size bytes. */
  encode(value?: StructInput<S>): Buffer;
  defaults(): StructValue<S>;
  /** Returns the complete value (defaults filled) or throws ConfigError. */
  validate(value: unknown): StructValue<S>;
}

export function struct<S extends Shape>(name: string, fields: S): Struct<S> {
  const keys = Object.keys(fields) as (keyof S & string)[];
  if (keys.length === 0) throw new TypeError(`struct ${name}: no fields`);
  const layout = new Map<string, number[]>();
  let off = 0;
  let align = 1;
  for (const k of keys) {
    const offs: number[] = [];
    for (const m of fields[k].members) {
      off = alignUp(off, m.align);
      offs.push(off);
      off += m.size;
      align = Math.max(align, m.align);
    }
    layout.set(k, offs);
  }
  const size = alignUp(off, align);
  const at = (k: string, base: number) => layout.get(k)!.map((o) => o + base);

  const read = (buf: Buffer, base: number, path: string) => {
    const out = {} as Record<string, unknown>;
    for (const k of keys) out[k] = fields[k].read(buf, at(k, base), `${path}.${k}`);
    return out as StructValue<S>;
  };
  const write = (buf: Buffer, base: number, v: StructValue<S>) => {
    for (const k of keys) fields[k].write(buf, at(k, base), v[k]);
  };
  const check = (v: unknown, path: string): StructValue<S> => {
    if (typeof v !== 'object' || v === null || Array.isArray(v) || v instanceof Uint8Array) {
      throw new ConfigError('TYPE', path, `expected an object, got ${show(v)}`);
    }
    const input = v as Record<string, unknown>;
    for (const k of Object.keys(input)) {
      if (!Object.prototype.hasOwnProperty.call(fields, k)) {
        throw new ConfigError('UNKNOWN_FIELD', `${path}.${k}`, `not a field of ${name} (fields: ${keys.join(', ')})`);
      }
    }
    const out = {} as Record<string, unknown>;
    for (const k of keys) out[k] = input[k] === undefined ? fields[k].defaultValue() : fields[k].check(input[k], `${path}.${k}`);
    return out as StructValue<S>;
  };
  const defaults = () => {
    const out = {} as Record<string, unknown>;
    for (const k of keys) out[k] = fields[k].defaultValue();
    return out as StructValue<S>;
  };

  return {
    kind: `struct ${name}`,
    name,
    fields,
    size,
    align,
    offsets: Object.fromEntries(keys.map((k) => [k, layout.get(k)![0]])) as { [K in keyof S]: number },
    members: [{ size, align }],
    read: (buf, [base], path) => read(buf, base, path),
    write(buf, [base], v) {
      buf.fill(0, base, base + size);
      write(buf, base, v);
    },
    check,
    defaultValue: defaults,
    defaults,
    validate: (v) => check(v, name),
    decode(input, opts = {}) {
      const buf = Buffer.isBuffer(input) ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
      if (buf.length < size || (buf.length > size && !opts.allowTrailing)) {
        throw new ConfigError('SIZE', name, `buffer is ${buf.length} bytes, expected ${size}${buf.length > size ? ' (pass allowTrailing to accept more)' : ''}`);
      }
      return read(buf, 0, name);
    },
    encode(value = {}) {
      const v = check(value, name);
      const buf = Buffer.alloc(size);
      write(buf, 0, v);
      return buf;
    },
  };
}

// ---- RRAS private blocks ----

/**
 * Decodes the private config RRAS hands a protocol (the bytes of its TOC entry, with
 * StructureSize = InfoSize and StructureCount = Count). Requires exactly one item of exactly
 * schema.size bytes; `data` may be longer only with allowTrailing.
 */
export function decodeConfigItem<S extends Shape>(
  schema: Struct<S>,
  data: Buffer | Uint8Array,
  structureSize: number,
  structureCount: number,
  opts: DecodeOptions = {},
): StructValue<S> {
  if (structureCount !== 1) {
    throw new ConfigError('COUNT', schema.name, `StructureCount is ${structureCount}, expected 1`);
  }
  if (structureSize !== schema.size) {
    throw new ConfigError('SIZE', schema.name, `StructureSize is ${structureSize}, expected ${schema.size} (sizeof ${schema.name})`);
  }
  if (data.length < structureSize) {
    throw new ConfigError('SIZE', schema.name, `data is ${data.length} bytes, shorter than StructureSize ${structureSize}`);
  }
  return schema.decode(data, opts);
}

/** decodeConfigItem for an info-block entry. */
export function decodeConfigEntry<S extends Shape>(schema: Struct<S>, entry: InfoBlockEntry): StructValue<S> {
  return decodeConfigItem(schema, entry.data, entry.infoSize, entry.count);
}

/** Builds the info-block entry carrying one encoded config item. */
export function configEntry<S extends Shape>(schema: Struct<S>, infoType: number, value?: StructInput<S>): InfoBlockEntry {
  return { infoType, infoSize: schema.size, count: 1, data: schema.encode(value) };
}
