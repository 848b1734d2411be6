// The mirror of an IPv4 protocol's own routes in the host (ctx.routes.list, replace's
// deletions): what RTM accepted. The table itself is native (native/addon/route_mirror.cc,
// fed a whole answered batch in one call: in JS a 1M-route hash table was the largest part of
// the host's work per route, issue 12); here are the lifetimes (RTM deletes a route whose
// lifetime ends, and the mirror forgets it then) and the conversion to RouteSpec values.
import type { RouteKey, RouteSpec } from '../api/routes.js';
import { loadAddon, type RouteMirror } from '../addon/index.js';
// From the catalogue's module itself: the index re-exports through getters, a call per use.
import { RouteFlag, RouteOperation, RoutesOpsLayout as V4 } from '../addon/wire.js';
import { wireToIp } from './ip.js';

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

/** RouteMirror.records(): a route's slots. */
const R = { destination: 0, prefixLength: 1, interfaceIndex: 2, nextHop: 3, metric: 4, preference: 5, flags: 6, ttlMs: 7, stride: 8 } as const;

const keyText = (destination: number, prefixLength: number, interfaceIndex: number, nextHop: number) =>
  `${destination},${prefixLength},${interfaceIndex},${nextHop}`;

export class Ipv4RouteTable {
  private readonly native: RouteMirror = new (loadAddon().RouteMirror)();
  /** The timers of routes with a lifetime, by keyText (routes without one, the common case, have none). */
  private readonly lifetimes = new Map<string, NodeJS.Timeout>();

  get size(): number {
    return this.native.size;
  }

  /**
   * The library answered a batch of packed routes records: records [0, count) of ops that RTM
   * accepted (statuses[k] NO_ERROR or absent) are applied in order.
   */
  accept(ops: Uint32Array, count: number, statuses?: Uint32Array): void {
    // Without lifetimes, before or in the batch (the common case), no timer changes.
    if (!this.native.accept(ops, count, statuses) && this.lifetimes.size === 0) return;
    for (let k = 0, at = 0; k < count; k++, at += V4.stride) {
      const ttlMs = ops[at + V4.op] === RouteOperation.Add ? ops[at + V4.ttlMs]! : 0;
      if (ttlMs === 0 && this.lifetimes.size === 0) continue;
      if (statuses && (statuses[k] ?? 0) !== 0) continue;
      this.lifetime(ops[at + V4.destination]!, ops[at + V4.prefixLength]!, ops[at + V4.interfaceIndex]!, ops[at + V4.nextHop]!, ttlMs);
    }
  }

  /** RTM accepted an add (or an update of the same destination, interface and next hop). */
  set(route: Ipv4Route): void {
    const ops = new Uint32Array(V4.stride);
    ops[V4.op] = RouteOperation.Add;
    ops[V4.destination] = route.destination;
    ops[V4.prefixLength] = route.prefixLength;
    ops[V4.interfaceIndex] = route.interfaceIndex;
    ops[V4.nextHop] = route.nextHop;
    ops[V4.metric] = route.metric;
    ops[V4.preference] = route.preference ?? 0;
    ops[V4.flags] = route.preference === undefined ? 0 : RouteFlag.HasPreference;
    ops[V4.ttlMs] = route.ttlMs ?? 0;
    this.accept(ops, 1);
  }

  /** RTM deleted the route (or never had it). */
  delete(destination: number, prefixLength: number, interfaceIndex: number, nextHop: number): void {
    this.native.delete(destination, prefixLength, interfaceIndex, nextHop);
    if (this.lifetimes.size) this.lifetime(destination, prefixLength, interfaceIndex, nextHop, 0);
  }

  has(destination: number, prefixLength: number, interfaceIndex: number, nextHop: number): boolean {
    return this.native.has(destination, prefixLength, interfaceIndex, nextHop);
  }

  /** Every route, as the RouteSpec values the protocol gave. */
  list(): RouteSpec[] {
    const r = this.native.records();
    const out: RouteSpec[] = [];
    for (let at = 0; at < r.length; at += R.stride) {
      const spec: RouteSpec = { ...keyAt(r, at), metric: r[at + R.metric]! };
      if (r[at + R.flags]! & RouteFlag.HasPreference) spec.preference = r[at + R.preference]!;
      if (r[at + R.ttlMs]) spec.ttlMs = r[at + R.ttlMs]!;
      out.push(spec);
    }
    return out;
  }

  /** The keys of the routes through interfaceIndex that keep() refuses (given wire u32 destination, length and next hop). */
  keysOf(interfaceIndex: number, keep: (destination: number, prefixLength: number, nextHop: number) => boolean): RouteKey[] {
    const r = this.native.records();
    const out: RouteKey[] = [];
    for (let at = 0; at < r.length; at += R.stride) {
      if (r[at + R.interfaceIndex] === interfaceIndex && !keep(r[at + R.destination]!, r[at + R.prefixLength]!, r[at + R.nextHop]!)) out.push(keyAt(r, at));
    }
    return out;
  }

  /** The route's lifetime is now ttlMs (0: none): its old timer stops, a new one starts. */
  private lifetime(destination: number, prefixLength: number, interfaceIndex: number, nextHop: number, ttlMs: number): void {
    const key = keyText(destination, prefixLength, interfaceIndex, nextHop);
    clearTimeout(this.lifetimes.get(key));
    this.lifetimes.delete(key);
    if (!ttlMs) return;
    const timer: NodeJS.Timeout = setTimeout(() => {
      if (this.lifetimes.get(key) !== timer) return;
      this.lifetimes.delete(key);
      this.native.delete(destination, prefixLength, interfaceIndex, nextHop);
    }, ttlMs).unref();
    this.lifetimes.set(key, timer);
  }
}

function keyAt(r: Uint32Array, at: number): RouteKey {
  return { destination: wireToIp(r[at + R.destination]!), prefixLength: r[at + R.prefixLength]!, interfaceIndex: r[at + R.interfaceIndex]!, nextHop: wireToIp(r[at + R.nextHop]!) };
}
