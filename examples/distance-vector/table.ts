// The routing table of the RIP family (RFC 2453 §3.4–§3.10; RIPng, RFC 2080 §2.3–§2.5, keeps
// the same one): learned routes with their timeout and
// garbage-collection timers, routes this router originates (connected subnets, redistributed
// routes), route change flags for triggered updates, and the output rules (split horizon,
// poisoned reverse, announce filters). No sockets and no RTM here: changes are reported through
// callbacks, time comes from the injected Clock.
//
// Keys are prefixes. A prefix has at most one learned route (the best one heard, RFC 2453 keeps
// one route per destination) and at most one local route (connected beats redistributed).
// What is announced for a prefix: the local route if it is reachable, else the learned one,
// else whichever is still being garbage-collected (metric 16).
//
// Addresses are text of one family; the table needs only their order (TableOptions.compare)
// and the "no next hop" address (TableOptions.unspecified): 0.0.0.0 for RIPv2, :: for RIPng.
import type { Clock, TimerHandle } from './timers.js';

/** Metric 16: unreachable, in RIPv2 and RIPng alike. */
export const INFINITY = 16;
const RIP_INFINITY = INFINITY;

/** The key of a prefix in maps: "10.1.0.0/16", "2001:db8::/48". */
export function prefixKey(destination: string, prefixLength: number): string {
  return `${destination}/${prefixLength}`;
}

/** One route to announce, as the protocol's encoder takes it. */
export interface OutgoingEntry {
  /** Default 2 (AFI_INET) in RIPv2; 0 for its whole-table request. Unused by RIPng. */
  afi?: number;
  tag?: number;
  destination: string;
  prefixLength: number;
  /** The unspecified address (or absent) when the receiver should use the sender. */
  nextHop?: string;
  metric: number;
}

export type RouteSource = 'connected' | 'redistributed' | 'learned';

export interface RipRoute {
  readonly key: string;
  readonly destination: string;
  readonly prefixLength: number;
  source: RouteSource;
  /** 1..16; learned: the metric heard plus the receiving interface's cost. */
  metric: number;
  tag: number;
  /** The next hop to install: the entry's next hop if usable, else the neighbour. */
  nextHop: string;
  interfaceIndex: number;
  /** Learned: who sent it. */
  neighbor: string | null;
  /** Learned through RFC 2091 (Update Response): does not time out. */
  demand: boolean;
  /** Clock time the route becomes unreachable unless refreshed; null = never. */
  expiresAt: number | null;
  /** Clock time an unreachable route is removed; null while reachable. */
  garbageAt: number | null;
  /** RFC 2091 flush: not yet confirmed by the current update session. */
  stale: boolean;
  updatedAt: number;
}

export interface HeardRoute {
  interfaceIndex: number;
  neighbor: string;
  destination: string;
  prefixLength: number;
  /** Already including the interface cost, capped at 16. */
  metric: number;
  tag: number;
  nextHop: string;
  demand: boolean;
}

export type HeardResult = 'added' | 'updated' | 'refreshed' | 'withdrawn' | 'ignored';

export interface LocalRoute {
  destination: string;
  prefixLength: number;
  source: 'connected' | 'redistributed';
  metric: number;
  nextHop: string;
  interfaceIndex: number;
}

export interface TableOptions {
  clock: Clock;
  /** Orders two destination addresses (numerically: the announced order). */
  compare(a: string, b: string): number;
  /** The next hop meaning "the sender itself": '0.0.0.0' or '::'. */
  unspecified: string;
  timeoutMs: number;
  garbageMs: number;
  /** A learned route's installable state changed (added, metric/next hop changed, unreachable, removed). */
  onLearnedChange?(route: RipRoute, previous: { nextHop: string; interfaceIndex: number; reachable: boolean } | null): void;
  /** An announced route changed: a triggered update is wanted. */
  onTriggered?(): void;
}

export type SplitHorizon = 'poisonReverse' | 'simple' | 'none';

export interface OutputOptions {
  interfaceIndex: number;
  splitHorizon: SplitHorizon;
  /** Only routes whose change flag is set (a triggered update). */
  changedOnly: boolean;
  /** The announce filter. */
  allow(destination: string, prefixLength: number): boolean;
  /** Whether an address is on this interface's subnets (third-party next hop, RFC 2453 §4.4). */
  onLink(address: string): boolean;
  /** Tag of routes this router originates. */
  localTag: number;
}

export class RipTable {
  private readonly learned = new Map<string, RipRoute>();
  private readonly local = new Map<string, RipRoute>();
  private readonly changedKeys = new Set<string>();
  private timer: TimerHandle | undefined;
  private timerAt = Infinity;
  private readonly clock: Clock;
  timeoutMs: number;
  garbageMs: number;

  constructor(private readonly opts: TableOptions) {
    this.clock = opts.clock;
    this.timeoutMs = opts.timeoutMs;
    this.garbageMs = opts.garbageMs;
  }

  // ---- learned routes (RFC 2453 §3.9.2) ----

  /** Processes one valid route entry of a Response. */
  heard(h: HeardRoute): HeardResult {
    const key = prefixKey(h.destination, h.prefixLength);
    const now = this.clock.now();
    const metric = Math.min(h.metric, RIP_INFINITY);
    const existing = this.learned.get(key);
    const reachable = metric < RIP_INFINITY;
    if (!existing || existing.garbageAt !== null) {
      if (!reachable) return 'ignored';
      const route: RipRoute = {
        key, destination: h.destination, prefixLength: h.prefixLength, source: 'learned', metric, tag: h.tag,
        nextHop: h.nextHop, interfaceIndex: h.interfaceIndex, neighbor: h.neighbor, demand: h.demand,
        expiresAt: h.demand ? null : now + this.timeoutMs, garbageAt: null, stale: false, updatedAt: now,
      };
      const previous = existing ? { nextHop: existing.nextHop, interfaceIndex: existing.interfaceIndex, reachable: false } : null;
      this.learned.set(key, route);
      this.markChanged(key);
      this.opts.onLearnedChange?.(route, previous);
      this.schedule(route.expiresAt);
      return 'added';
    }
    const sameSource = existing.neighbor === h.neighbor && existing.interfaceIndex === h.interfaceIndex;
    if (sameSource) {
      existing.stale = false;
      if (!reachable) {
        this.withdraw(existing);
        return 'withdrawn';
      }
      existing.demand = h.demand;
      existing.expiresAt = h.demand ? null : now + this.timeoutMs;
      if (existing.metric === metric && existing.nextHop === h.nextHop && existing.tag === h.tag) return 'refreshed';
      this.replaceWith(existing, h, metric, now);
      return 'updated';
    }
    // RFC 2453 §3.9.2: a better metric from another router wins; an equal one only when the
    // current route is about to time out (at least halfway to its timeout).
    const aging = existing.expiresAt !== null && existing.expiresAt - now <= this.timeoutMs / 2;
    if (reachable && (metric < existing.metric || (metric === existing.metric && aging))) {
      this.replaceWith(existing, h, metric, now);
      return 'updated';
    }
    return 'ignored';
  }

  private replaceWith(r: RipRoute, h: HeardRoute, metric: number, now: number): void {
    const previous = { nextHop: r.nextHop, interfaceIndex: r.interfaceIndex, reachable: true };
    const visible = r.metric !== metric || r.tag !== h.tag || r.nextHop !== h.nextHop || r.interfaceIndex !== h.interfaceIndex;
    Object.assign(r, {
      metric, tag: h.tag, nextHop: h.nextHop, interfaceIndex: h.interfaceIndex, neighbor: h.neighbor, demand: h.demand,
      expiresAt: h.demand ? null : now + this.timeoutMs, stale: false, updatedAt: now,
    });
    if (visible) this.markChanged(r.key);
    this.opts.onLearnedChange?.(r, previous);
    this.schedule(r.expiresAt);
  }

  /** Timeout or metric 16: unreachable now, removed after the garbage time (RFC 2453 §3.8). */
  private withdraw(r: RipRoute): void {
    if (r.garbageAt !== null) return;
    const previous = { nextHop: r.nextHop, interfaceIndex: r.interfaceIndex, reachable: true };
    r.metric = RIP_INFINITY;
    r.expiresAt = null;
    r.garbageAt = this.clock.now() + this.garbageMs;
    r.updatedAt = this.clock.now();
    this.markChanged(r.key);
    this.opts.onLearnedChange?.(r, previous);
    this.schedule(r.garbageAt);
  }

  /** RFC 2091 flush bit: every route from this neighbour must be confirmed by the session. */
  markStale(interfaceIndex: number, neighbor: string): void {
    for (const r of this.learned.values()) {
      if (r.interfaceIndex === interfaceIndex && r.neighbor === neighbor && r.garbageAt === null) r.stale = true;
    }
  }

  /** End of an RFC 2091 session: what was not confirmed is withdrawn. Returns how many. */
  sweepStale(interfaceIndex: number, neighbor?: string): number {
    let n = 0;
    for (const r of [...this.learned.values()]) {
      if (r.stale && r.interfaceIndex === interfaceIndex && (neighbor === undefined || r.neighbor === neighbor)) {
        r.stale = false;
        this.withdraw(r);
        n++;
      }
    }
    return n;
  }

  /**
   * The interface went down: its routes are unreachable (RFC 2453 §3.9.2 via the timeout,
   * sooner here). Demand routes stay: autostatic routes persist while a demand-dial link is down.
   */
  interfaceDown(interfaceIndex: number): number {
    let n = 0;
    for (const r of [...this.learned.values()]) {
      if (r.interfaceIndex === interfaceIndex && !r.demand && r.garbageAt === null) {
        this.withdraw(r);
        n++;
      }
    }
    return n;
  }

  /** Withdraws learned routes that a (new) accept filter refuses. */
  refilter(interfaceIndex: number, allow: (destination: string, prefixLength: number) => boolean): number {
    let n = 0;
    for (const r of [...this.learned.values()]) {
      if (r.interfaceIndex === interfaceIndex && r.garbageAt === null && !allow(r.destination, r.prefixLength)) {
        this.withdraw(r);
        n++;
      }
    }
    return n;
  }

  // ---- local routes ----

  /** Adds or updates a route this router originates. */
  setLocal(l: LocalRoute): void {
    const key = prefixKey(l.destination, l.prefixLength);
    const existing = this.local.get(key);
    if (existing && existing.garbageAt === null && existing.source === 'connected' && l.source === 'redistributed') return;
    const metric = Math.max(1, Math.min(l.metric, RIP_INFINITY - 1));
    if (existing && existing.garbageAt === null && existing.source === l.source && existing.metric === metric &&
      existing.nextHop === l.nextHop && existing.interfaceIndex === l.interfaceIndex) return;
    this.local.set(key, {
      key, destination: l.destination, prefixLength: l.prefixLength, source: l.source, metric, tag: 0, nextHop: l.nextHop,
      interfaceIndex: l.interfaceIndex, neighbor: null, demand: false, expiresAt: null, garbageAt: null, stale: false,
      updatedAt: this.clock.now(),
    });
    this.markChanged(key);
  }

  /** Stops originating a route: advertised with metric 16 for the garbage time. */
  removeLocal(destination: string, prefixLength: number, source: 'connected' | 'redistributed'): void {
    const key = prefixKey(destination, prefixLength);
    const r = this.local.get(key);
    if (!r || r.source !== source || r.garbageAt !== null) return;
    r.metric = RIP_INFINITY;
    r.garbageAt = this.clock.now() + this.garbageMs;
    r.updatedAt = this.clock.now();
    this.markChanged(key);
    this.schedule(r.garbageAt);
  }

  localRoutes(source?: RouteSource): RipRoute[] {
    return [...this.local.values()].filter((r) => r.garbageAt === null && (!source || r.source === source));
  }

  // ---- views ----

  /** Learned routes (including those being garbage-collected). */
  learnedRoutes(): RipRoute[] {
    return [...this.learned.values()];
  }

  /** Reachable learned routes through an interface (what an autostatic update installs). */
  learnedVia(interfaceIndex: number): RipRoute[] {
    return [...this.learned.values()].filter((r) => r.interfaceIndex === interfaceIndex && r.garbageAt === null);
  }

  /** The route announced for a prefix (see the header comment). */
  announced(key: string): RipRoute | undefined {
    const local = this.local.get(key);
    if (local && local.garbageAt === null) return local;
    return this.learned.get(key) ?? local;
  }

  /** Every announced route, sorted by prefix. */
  announcedRoutes(): RipRoute[] {
    const keys = new Set([...this.local.keys(), ...this.learned.keys()]);
    return [...keys].map((k) => this.announced(k)!).sort(this.compareRoutes);
  }

  get hasChanges(): boolean {
    return this.changedKeys.size > 0;
  }

  /** RFC 2453 §3.10.1: flags are cleared once a triggered (or regular) update went out. */
  clearChanges(): void {
    this.changedKeys.clear();
  }

  /** The entries to send on an interface (RFC 2453 §3.10 output processing). */
  output(o: OutputOptions): OutgoingEntry[] {
    const out: OutgoingEntry[] = [];
    const keys = o.changedOnly ? [...this.changedKeys] : [...new Set([...this.local.keys(), ...this.learned.keys()])];
    const routes = keys.map((k) => this.announced(k)).filter((r): r is RipRoute => r !== undefined).sort(this.compareRoutes);
    for (const r of routes) {
      if (!o.allow(r.destination, r.prefixLength)) continue;
      let metric = r.metric;
      let nextHop = this.opts.unspecified;
      if (r.source === 'learned' && r.interfaceIndex === o.interfaceIndex) {
        if (o.splitHorizon === 'simple') continue;
        if (o.splitHorizon === 'poisonReverse') metric = RIP_INFINITY;
        else if (o.onLink(r.nextHop)) nextHop = r.nextHop; // no split horizon: point at the real gateway
      } else if (r.source === 'redistributed' && r.interfaceIndex === o.interfaceIndex && o.onLink(r.nextHop)) {
        nextHop = r.nextHop;
      }
      out.push({ destination: r.destination, prefixLength: r.prefixLength, metric, nextHop, tag: r.source === 'learned' ? r.tag : o.localTag });
    }
    return out;
  }

  /** RFC 2453 §3.9.1: a request for specific entries gets our metric for each (16 if none). */
  lookup(destination: string, prefixLength: number): number {
    return this.announced(prefixKey(destination, prefixLength))?.metric ?? RIP_INFINITY;
  }

  // ---- timers ----

  private markChanged(key: string): void {
    const first = this.changedKeys.size === 0;
    this.changedKeys.add(key);
    if (first) this.opts.onTriggered?.();
  }

  /** Ensures the sweep runs no later than `at`. One timer serves every route. */
  private schedule(at: number | null): void {
    if (at === null || at >= this.timerAt) return;
    this.timer?.cancel();
    this.timerAt = at;
    this.timer = this.clock.setTimeout(() => this.sweep(), at - this.clock.now());
  }

  /** Expires due routes, then re-arms for the next deadline. */
  private sweep(): void {
    this.timer = undefined;
    this.timerAt = Infinity;
    const now = this.clock.now();
    let next = Infinity;
    for (const r of [...this.learned.values()]) {
      if (r.expiresAt !== null && r.expiresAt <= now) this.withdraw(r);
      if (r.garbageAt !== null && r.garbageAt <= now) {
        this.learned.delete(r.key);
        this.changedKeys.delete(r.key);
        continue;
      }
      next = Math.min(next, r.expiresAt ?? Infinity, r.garbageAt ?? Infinity);
    }
    for (const r of [...this.local.values()]) {
      if (r.garbageAt !== null && r.garbageAt <= now) {
        this.local.delete(r.key);
        if (!this.learned.has(r.key)) this.changedKeys.delete(r.key);
        continue;
      }
      next = Math.min(next, r.garbageAt ?? Infinity);
    }
    if (next !== Infinity) this.schedule(next);
  }

  /** The table's address order. */
  compareAddresses(a: string, b: string): number {
    return this.opts.compare(a, b);
  }

  private readonly compareRoutes = (a: RipRoute, b: RipRoute): number =>
    this.opts.compare(a.destination, b.destination) || a.prefixLength - b.prefixLength;

  /** Cancels the timer (the protocol stops). */
  dispose(): void {
    this.timer?.cancel();
    this.timer = undefined;
    this.timerAt = Infinity;
  }
}


