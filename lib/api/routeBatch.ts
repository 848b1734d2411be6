// RouteBatch: IPv4 route operations written as numbers into one packed array, the bulk form of
// ctx.routes.add/delete (ctx.routes.applyBatch). A protocol that learns routes in binary (BGP
// NLRI, a table dump) hands them on without an object and two dotted-quad strings per route:
// at a full table that per-route JS work was most of the host's time (issue 12).
import type { RouteKey, RouteSpec } from './routeSpec.js';
// From the catalogue's module itself: the index re-exports through getters, a call per use.
import { RouteFlag, RouteOperation, RoutesOpsLayout as L } from '../addon/wire.js';

const INITIAL_CAPACITY = 1024;
const U32_MAX = 0xffffffff;

const isU32 = (n: number) => Number.isInteger(n) && n >= 0 && n <= U32_MAX;
/** A host-order address as the wire's u32 (its little-endian bytes in network order). */
const toWire = (n: number) => (((n >>> 24) & 255) | ((n >>> 8) & 0xff00) | ((n & 0xff00) << 8) | ((n & 255) << 24)) >>> 0;
const fromWire = toWire; // the byte swap is its own inverse
const dotted = (n: number) => `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;

/** One operation of a batch, as values (RouteBatch.at). */
export type RouteBatchEntry = { op: 'add'; route: RouteSpec } | { op: 'delete'; route: RouteKey };

/**
 * IPv4 route adds and deletes, applied in order by `ctx.routes.applyBatch(batch)`, which answers
 * one status per operation. Addresses are host-order numbers: `0x0a000100` is 10.0.1.0 (as
 * `(a << 24 | b << 16 | c << 8 | d) >>> 0`). Each value is checked as it is written (a RangeError
 * names what is wrong), so a batch only holds operations the library can carry to RTM; RTM may
 * still refuse one, and its status says so.
 *
 * A batch may be reused (`clear()`) once the applyBatch call that has it has settled; while one
 * is applying it, writing to it throws.
 */
export class RouteBatch {
  private records: Uint32Array;
  private count = 0;
  private applying = 0;

  constructor(capacity = INITIAL_CAPACITY) {
    this.records = new Uint32Array(Math.max(1, Math.floor(capacity)) * L.stride);
  }

  /** Operations in the batch. */
  get length(): number {
    return this.count;
  }

  /**
   * Adds or updates a route (same destination, prefix length, interface and next hop = same
   * route). preference: RTM's (lower wins), default the protocol's; ttlMs: its lifetime in RTM,
   * default until deleted.
   */
  add(destination: number, prefixLength: number, interfaceIndex: number, nextHop: number, metric: number, preference?: number, ttlMs?: number): this {
    if (!isU32(metric)) throw new RangeError(`RouteBatch.add: metric ${metric} is not a u32`);
    if (preference !== undefined && !isU32(preference)) throw new RangeError(`RouteBatch.add: preference ${preference} is not a u32`);
    if (ttlMs !== undefined && (!isU32(ttlMs) || ttlMs === 0 || ttlMs === U32_MAX)) throw new RangeError(`RouteBatch.add: ttlMs ${ttlMs} is not 1..2^32-2`);
    const r = this.write(RouteOperation.Add, destination, prefixLength, interfaceIndex, nextHop, 'add');
    const at = (this.count - 1) * L.stride;
    r[at + L.metric] = metric;
    r[at + L.preference] = preference ?? 0;
    r[at + L.flags] = preference === undefined ? 0 : RouteFlag.HasPreference;
    r[at + L.ttlMs] = ttlMs ?? 0;
    return this;
  }

  /** Deletes one of the protocol's routes. */
  delete(destination: number, prefixLength: number, interfaceIndex: number, nextHop: number): this {
    const r = this.write(RouteOperation.Delete, destination, prefixLength, interfaceIndex, nextHop, 'delete');
    const at = (this.count - 1) * L.stride;
    r[at + L.metric] = 0;
    r[at + L.preference] = 0;
    r[at + L.flags] = 0;
    r[at + L.ttlMs] = 0;
    return this;
  }

  /** Empties the batch (its memory is kept for the next operations). */
  clear(): this {
    this.writable('clear');
    this.count = 0;
    return this;
  }

  /** Operation i as values (dotted-quad addresses), e.g. for a log or a Routes stand-in. */
  at(i: number): RouteBatchEntry {
    if (!Number.isInteger(i) || i < 0 || i >= this.count) throw new RangeError(`RouteBatch.at: ${i} is not below ${this.count}`);
    const r = this.records;
    const at = i * L.stride;
    const key: RouteKey = {
      destination: dotted(fromWire(r[at + L.destination]!)), prefixLength: r[at + L.prefixLength]!,
      interfaceIndex: r[at + L.interfaceIndex]!, nextHop: dotted(fromWire(r[at + L.nextHop]!)),
    };
    if (r[at + L.op] !== RouteOperation.Add) return { op: 'delete', route: key };
    const route: RouteSpec = { ...key, metric: r[at + L.metric]! };
    if (r[at + L.flags]! & RouteFlag.HasPreference) route.preference = r[at + L.preference]!;
    if (r[at + L.ttlMs]) route.ttlMs = r[at + L.ttlMs]!;
    return { op: 'add', route };
  }

  private write(op: RouteOperation, destination: number, prefixLength: number, interfaceIndex: number, nextHop: number, method: string): Uint32Array {
    this.writable(method);
    if (!isU32(destination)) throw new RangeError(`RouteBatch.${method}: destination ${destination} is not a u32 (a host-order IPv4 address)`);
    if (!Number.isInteger(prefixLength) || prefixLength < 0 || prefixLength > 32) throw new RangeError(`RouteBatch.${method}: prefixLength ${prefixLength} is not 0..32`);
    if ((destination & ~(prefixLength === 0 ? 0 : U32_MAX << (32 - prefixLength))) !== 0) {
      throw new RangeError(`RouteBatch.${method}: ${dotted(destination)}/${prefixLength} has host bits set`);
    }
    if (!isU32(interfaceIndex)) throw new RangeError(`RouteBatch.${method}: interfaceIndex ${interfaceIndex} is not a u32`);
    if (!isU32(nextHop)) throw new RangeError(`RouteBatch.${method}: nextHop ${nextHop} is not a u32 (a host-order IPv4 address)`);
    if ((this.count + 1) * L.stride > this.records.length) {
      const grown = new Uint32Array(this.records.length * 2);
      grown.set(this.records);
      this.records = grown;
    }
    const r = this.records;
    const at = this.count++ * L.stride;
    r[at + L.op] = op;
    r[at + L.destination] = toWire(destination);
    r[at + L.prefixLength] = prefixLength;
    r[at + L.interfaceIndex] = interfaceIndex;
    r[at + L.nextHop] = toWire(nextHop);
    return r;
  }

  private writable(method: string): void {
    if (this.applying) throw new Error(`RouteBatch.${method}: the batch is being applied (ctx.routes.applyBatch has not settled)`);
  }

  /**
   * For ctx.routes: the packed records (RoutesOpsLayout, wire addresses) of [0, length), held
   * unchanged until the returned release() is called.
   * @internal
   */
  static hold(batch: RouteBatch): { records: Uint32Array; count: number; release: () => void } {
    batch.applying++;
    let released = false;
    return {
      records: batch.records.subarray(0, batch.count * L.stride),
      count: batch.count,
      release: () => {
        if (!released) batch.applying--;
        released = true;
      },
    };
  }
}
