// The mirror of an IPv4 protocol's own routes in the host (ctx.routes.list, replace's
// deletions): what RTM accepted, in fixed-size records of one growable Uint32Array, found
// through a chained hash of bucket heads in an Int32Array. A full table (1M routes) costs
// about 50 bytes a route here, where a Map of key strings to route objects cost over 500, and
// nothing in it is a JS object the garbage collector has to trace.
import type { RouteKey, RouteSpec } from '../api/routes.js';
import { wireToIp } from './ip.js';

/** A record's slots: the key (wire u32 addresses), the rest of the route, the bucket chain. */
const DEST = 0;
const LEN = 1;
const IFINDEX = 2;
const NEXT_HOP = 3;
const METRIC = 4;
const PREFERENCE = 5;
const FLAGS = 6;
const TTL = 7;
const NEXT = 8;
const STRIDE = 9;
const HAS_PREFERENCE = 1;
const IN_USE = 2;
const NONE = -1;
const INITIAL_RECORDS = 1024;

/** A route as the table takes it: wire u32 addresses (the routes message's own numbers). */
export interface Ipv4Route {
  destination: number;
  prefixLength: number;
  interfaceIndex: number;
  nextHop: number;
  metric: number;
  preference?: number;
  ttlMs?: number;
}

export class Ipv4RouteTable {
  private slots = new Uint32Array(INITIAL_RECORDS * STRIDE);
  private buckets = new Int32Array(INITIAL_RECORDS).fill(NONE);
  /** Records ever used (the high-water mark); freed ones are chained from freeHead. */
  private used = 0;
  private freeHead = NONE;
  private count = 0;
  /** Routes with a lifetime: RTM deletes them when it ends, and the mirror forgets them then. */
  private readonly timers = new Map<number, NodeJS.Timeout>();

  get size(): number {
    return this.count;
  }

  /** The record of a route, or -1. */
  find(destination: number, prefixLength: number, interfaceIndex: number, nextHop: number): number {
    return this.findIn(this.bucketOf(destination, prefixLength, interfaceIndex, nextHop), destination, prefixLength, interfaceIndex, nextHop);
  }

  private findIn(bucket: number, destination: number, prefixLength: number, interfaceIndex: number, nextHop: number): number {
    const s = this.slots;
    for (let r = this.buckets[bucket]!; r !== NONE; r = s[r * STRIDE + NEXT]! | 0) {
      const o = r * STRIDE;
      if (s[o + DEST] === destination && s[o + LEN] === prefixLength && s[o + IFINDEX] === interfaceIndex && s[o + NEXT_HOP] === nextHop) return r;
    }
    return NONE;
  }

  /** RTM accepted an add (or an update of the same destination, interface and next hop). */
  set(route: Ipv4Route): void {
    this.add(route.destination, route.prefixLength, route.interfaceIndex, route.nextHop, route.metric, route.preference ?? NONE, route.ttlMs ?? 0);
  }

  /** set() with the route's values as numbers (no object per route): preference -1 for none, ttlMs 0 for none. */
  add(destination: number, prefixLength: number, interfaceIndex: number, nextHop: number, metric: number, preference: number, ttlMs: number): void {
    const b = this.bucketOf(destination, prefixLength, interfaceIndex, nextHop);
    let r = this.findIn(b, destination, prefixLength, interfaceIndex, nextHop);
    if (r === NONE) r = this.insert(b, destination, prefixLength, interfaceIndex, nextHop);
    else this.stopTimer(r);
    const o = r * STRIDE;
    const s = this.slots;
    s[o + METRIC] = metric;
    s[o + PREFERENCE] = preference < 0 ? 0 : preference;
    s[o + FLAGS] = IN_USE | (preference < 0 ? 0 : HAS_PREFERENCE);
    s[o + TTL] = ttlMs;
    if (ttlMs) {
      const timer: NodeJS.Timeout = setTimeout(() => {
        if (this.timers.get(r) === timer) this.remove(r);
      }, ttlMs).unref();
      this.timers.set(r, timer);
    }
  }

  /** RTM deleted the route (or never had it): one walk of its chain finds and unlinks it. */
  delete(destination: number, prefixLength: number, interfaceIndex: number, nextHop: number): void {
    const s = this.slots;
    const b = this.bucketOf(destination, prefixLength, interfaceIndex, nextHop);
    for (let prev = NONE, r = this.buckets[b]!; r !== NONE; prev = r, r = s[r * STRIDE + NEXT]! | 0) {
      const o = r * STRIDE;
      if (s[o + DEST] === destination && s[o + LEN] === prefixLength && s[o + IFINDEX] === interfaceIndex && s[o + NEXT_HOP] === nextHop) {
        this.unlink(b, prev, r);
        return;
      }
    }
  }

  /** Every route, as the RouteSpec values the protocol gave. */
  list(): RouteSpec[] {
    const out: RouteSpec[] = [];
    for (let r = 0; r < this.used; r++) if (this.inUse(r)) out.push(this.specAt(r));
    return out;
  }

  /** The keys of the routes through interfaceIndex whose record keep() refuses. */
  keysOf(interfaceIndex: number, keep: (record: number) => boolean): RouteKey[] {
    const out: RouteKey[] = [];
    for (let r = 0; r < this.used; r++) {
      if (this.inUse(r) && this.slots[r * STRIDE + IFINDEX] === interfaceIndex && !keep(r)) out.push(this.keyAt(r));
    }
    return out;
  }

  private inUse(r: number): boolean {
    return (this.slots[r * STRIDE + FLAGS]! & IN_USE) !== 0;
  }

  private keyAt(r: number): RouteKey {
    const o = r * STRIDE;
    const s = this.slots;
    return { destination: wireToIp(s[o + DEST]!), prefixLength: s[o + LEN]!, interfaceIndex: s[o + IFINDEX]!, nextHop: wireToIp(s[o + NEXT_HOP]!) };
  }

  private specAt(r: number): RouteSpec {
    const o = r * STRIDE;
    const s = this.slots;
    const spec: RouteSpec = { ...this.keyAt(r), metric: s[o + METRIC]! };
    if (s[o + FLAGS]! & HAS_PREFERENCE) spec.preference = s[o + PREFERENCE]!;
    if (s[o + TTL]) spec.ttlMs = s[o + TTL]!;
    return spec;
  }

  private bucketOf(destination: number, prefixLength: number, interfaceIndex: number, nextHop: number): number {
    let h = Math.imul(destination ^ (prefixLength << 26), 0x9e3779b1);
    h = Math.imul(h ^ (h >>> 15) ^ nextHop, 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 13) ^ interfaceIndex, 0xc2b2ae35);
    return (h ^ (h >>> 16)) & (this.buckets.length - 1);
  }

  /** A new record for the route, linked into bucket b (the table's size as it was). */
  private insert(b: number, destination: number, prefixLength: number, interfaceIndex: number, nextHop: number): number {
    let r = this.freeHead;
    if (r !== NONE) {
      this.freeHead = this.slots[r * STRIDE + NEXT]! | 0;
    } else {
      if ((this.used + 1) * STRIDE > this.slots.length) this.grow();
      r = this.used++;
    }
    const o = r * STRIDE;
    const s = this.slots;
    s[o + DEST] = destination;
    s[o + LEN] = prefixLength;
    s[o + IFINDEX] = interfaceIndex;
    s[o + NEXT_HOP] = nextHop;
    s[o + FLAGS] = IN_USE;
    // At most one record per bucket on average: chains stay short.
    if (++this.count > this.buckets.length) {
      this.rehash(this.buckets.length * 2);
    } else {
      s[o + NEXT] = this.buckets[b]!;
      this.buckets[b] = r;
    }
    return r;
  }

  private link(r: number): void {
    const o = r * STRIDE;
    const s = this.slots;
    const b = this.bucketOf(s[o + DEST]!, s[o + LEN]!, s[o + IFINDEX]!, s[o + NEXT_HOP]!);
    s[o + NEXT] = this.buckets[b]!;
    this.buckets[b] = r;
  }

  /** Removes record r (its lifetime ended), finding what precedes it in its chain. */
  private remove(r: number): void {
    const s = this.slots;
    const o = r * STRIDE;
    const b = this.bucketOf(s[o + DEST]!, s[o + LEN]!, s[o + IFINDEX]!, s[o + NEXT_HOP]!);
    let prev = NONE;
    for (let p = this.buckets[b]!; p !== r; p = s[p * STRIDE + NEXT]! | 0) prev = p;
    this.unlink(b, prev, r);
  }

  /** Takes record r, after prev in bucket b's chain (NONE: r heads it), out of use. */
  private unlink(b: number, prev: number, r: number): void {
    this.stopTimer(r);
    const s = this.slots;
    const o = r * STRIDE;
    if (prev === NONE) this.buckets[b] = s[o + NEXT]! | 0;
    else s[prev * STRIDE + NEXT] = s[o + NEXT]!;
    s[o + FLAGS] = 0;
    s[o + NEXT] = this.freeHead;
    this.freeHead = r;
    this.count--;
  }

  private stopTimer(r: number): void {
    if (this.timers.size === 0) return; // routes without a lifetime: the common case
    const t = this.timers.get(r);
    if (t === undefined) return;
    clearTimeout(t);
    this.timers.delete(r);
  }

  private grow(): void {
    const bigger = new Uint32Array(this.slots.length * 2);
    bigger.set(this.slots);
    this.slots = bigger;
  }

  private rehash(size: number): void {
    this.buckets = new Int32Array(size).fill(NONE);
    for (let r = 0; r < this.used; r++) if (this.inUse(r)) this.link(r);
  }
}
