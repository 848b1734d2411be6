// Between a distance-vector table (RIPv2, RIPng) and RTM (ctx.routes): RtmSync turns learned-route changes into batched
// add/delete calls, keeps what RTM accepted, and does the autostatic replace. MemoryRoutes is
// an in-memory stand-in with the same interface, for the unit tests.
import type { AddressFamily, BestRouteChange, RouteKey, RouteResult, Routes, RouteSpec } from '../../lib/api/routes.js';
import type { RouteBatch } from '../../lib/api/routeBatch.js';
import type { Logger } from '../../lib/api/types.js';
import { prefixKey, type RipRoute } from './table.js';

const keyOf = (r: RouteKey) => `${r.destination}/${r.prefixLength}|${r.interfaceIndex}|${r.nextHop}`;

/** The Routes interface in memory: add/delete/replace/list, and injectable best-route changes. */
export class MemoryRoutes<AF extends AddressFamily = 'ipv4'> implements Routes<AF> {
  constructor(readonly addressFamily: AF = 'ipv4' as AF) {}
  private readonly own = new Map<string, RouteSpec>();
  private readonly best = new Map<string, BestRouteChange>();
  private readonly listeners = new Set<(c: BestRouteChange[]) => void>();
  /** Every call, for tests: ['add', specs] / ['delete', keys] / ['replace', index, specs]. */
  readonly calls: [string, ...unknown[]][] = [];

  async add(routes: readonly RouteSpec[]): Promise<RouteResult<RouteSpec>[]> {
    this.calls.push(['add', routes.map((r) => ({ ...r }))]);
    for (const r of routes) this.own.set(keyOf(r), { ...r });
    return routes.map((route) => ({ route, status: 0 }));
  }

  async delete(routes: readonly RouteKey[]): Promise<RouteResult<RouteKey>[]> {
    this.calls.push(['delete', routes.map((r) => ({ ...r }))]);
    return routes.map((route) => {
      const found = this.own.delete(keyOf(route));
      return found ? { route, status: 0 } : { route, status: 1168, error: 'no such route' };
    });
  }

  async applyBatch(batch: RouteBatch): Promise<Uint32Array> {
    const statuses = new Uint32Array(batch.length);
    for (let i = 0; i < batch.length; i++) {
      const e = batch.at(i);
      const [result] = e.op === 'add' ? await this.add([e.route]) : await this.delete([e.route]);
      statuses[i] = result!.status;
    }
    return statuses;
  }

  async replace(interfaceIndex: number, routes: readonly RouteSpec[]): Promise<RouteResult<RouteSpec | RouteKey>[]> {
    this.calls.push(['replace', interfaceIndex, routes.map((r) => ({ ...r }))]);
    const results: RouteResult<RouteSpec | RouteKey>[] = [];
    const keep = new Set(routes.map(keyOf));
    for (const [k, r] of [...this.own]) {
      if (r.interfaceIndex === interfaceIndex && !keep.has(k)) {
        this.own.delete(k);
        results.push({ route: r, status: 0 });
      }
    }
    for (const r of routes) {
      this.own.set(keyOf(r), { ...r });
      results.push({ route: r, status: 0 });
    }
    return results;
  }

  list(): RouteSpec[] {
    return [...this.own.values()].map((r) => ({ ...r }));
  }

  synced_ = 0;
  async synced(): Promise<void> {
    this.synced_++;
  }

  onBestRouteChange(listener: (changes: BestRouteChange[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  bestRoutes(): BestRouteChange[] {
    return [...this.best.values()];
  }

  /** Test hook: other protocols' best routes change. */
  injectBest(changes: BestRouteChange[]): void {
    for (const c of changes) {
      const k = prefixKey(c.destination, c.prefixLength);
      if (c.withdrawn || c.owner === 0) this.best.delete(k);
      else this.best.set(k, { ...c });
    }
    for (const l of this.listeners) l(changes);
  }
}

export interface RtmStats {
  adds: number;
  deletes: number;
  replaces: number;
  /** Routes RTM refused (non-zero status) or calls that failed. */
  errors: number;
  lastError: string;
}

/**
 * Pushes learned routes into RTM. Changes made in one turn of the event loop go out as one
 * batch; operations run one after another so RTM sees them in order.
 */
export class RtmSync {
  private readonly installed = new Map<string, RouteSpec>();
  private readonly pending = new Map<string, RouteSpec | null>();
  private chain: Promise<void> = Promise.resolve();
  private scheduled = false;
  readonly stats: RtmStats = { adds: 0, deletes: 0, replaces: 0, errors: 0, lastError: '' };
  private readonly errors: RtmErrors;

  constructor(
    private readonly routes: Routes,
    log: Logger,
    private preference: number,
  ) {
    this.errors = new RtmErrors(this.stats, log);
  }

  setPreference(preference: number): void {
    this.preference = preference;
  }

  spec(r: RipRoute): RouteSpec {
    const s: RouteSpec = { destination: r.destination, prefixLength: r.prefixLength, nextHop: r.nextHop, interfaceIndex: r.interfaceIndex, metric: r.metric };
    if (this.preference) s.preference = this.preference;
    return s;
  }

  /** A learned route changed: install it if reachable, else remove it. */
  learnedChanged(r: RipRoute): void {
    this.pending.set(r.key, r.garbageAt === null && r.metric < 16 ? this.spec(r) : null);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        this.chain = this.chain.then(() => this.flushPending());
      });
    }
  }

  /** Waits for every queued change to reach RTM. */
  async settle(): Promise<void> {
    while (this.scheduled || this.pending.size) {
      await new Promise((r) => setImmediate(r));
      await this.chain;
    }
    await this.chain;
  }

  /** What RTM accepted, by prefix. */
  installedRoutes(): RouteSpec[] {
    return [...this.installed.values()];
  }

  isInstalled(key: string): boolean {
    return this.installed.has(key);
  }

  /** The autostatic update: the interface's routes in RTM become exactly `routes`. */
  async replace(interfaceIndex: number, routes: RipRoute[]): Promise<RouteResult<RouteSpec | RouteKey>[]> {
    await this.settle();
    const specs = routes.filter((r) => r.metric < 16 && r.garbageAt === null).map((r) => this.spec(r));
    let results: RouteResult<RouteSpec | RouteKey>[] = [];
    const run = async () => {
      this.stats.replaces++;
      try {
        results = await this.routes.replace(interfaceIndex, specs);
      } catch (err) {
        this.errors.failed('replace', err);
        throw err;
      }
      for (const [k, s] of [...this.installed]) if (s.interfaceIndex === interfaceIndex) this.installed.delete(k);
      const refused = new Set(results.filter((x) => x.status !== 0).map((x) => keyOf(x.route)));
      for (const s of specs) if (!refused.has(keyOf(s))) this.installed.set(prefixKey(s.destination, s.prefixLength), s);
      this.errors.refused(results);
    };
    const p = this.chain.then(run);
    this.chain = p.catch(() => undefined);
    await p;
    return results;
  }

  private async flushPending(): Promise<void> {
    if (this.pending.size === 0) return;
    const deletes: RouteKey[] = [];
    const adds: RouteSpec[] = [];
    for (const [key, want] of this.pending) {
      const cur = this.installed.get(key);
      if (!want) {
        if (cur) deletes.push(cur);
        this.installed.delete(key);
        continue;
      }
      if (cur && cur.nextHop === want.nextHop && cur.interfaceIndex === want.interfaceIndex && cur.metric === want.metric &&
        cur.preference === want.preference) continue;
      if (cur && (cur.nextHop !== want.nextHop || cur.interfaceIndex !== want.interfaceIndex)) deletes.push(cur);
      adds.push(want);
      this.installed.set(key, want);
    }
    this.pending.clear();
    if (deletes.length) {
      this.stats.deletes += deletes.length;
      try {
        this.errors.refused(await this.routes.delete(deletes));
      } catch (err) {
        this.errors.failed('delete', err);
      }
    }
    if (adds.length) {
      this.stats.adds += adds.length;
      try {
        const results = await this.routes.add(adds);
        this.errors.refused(results);
        for (const r of results) if (r.status !== 0) this.installed.delete(prefixKey(r.route.destination, r.route.prefixLength));
      } catch (err) {
        // Not in RTM: forget it, so the next change of the route tries again.
        for (const a of adds) if (this.installed.get(prefixKey(a.destination, a.prefixLength)) === a) this.installed.delete(prefixKey(a.destination, a.prefixLength));
        this.errors.failed('add', err);
      }
    }
  }
}

/**
 * Counts (in `stats`) and logs, the first 20 of them, the routes RTM refused and the
 * ctx.routes calls that failed: nothing refused goes unnoticed, and a storm does not flood the log.
 */
export class RtmErrors {
  private warned = 0;

  constructor(private readonly stats: { errors: number; lastError: string }, private readonly log: Logger) {}

  refused(results: RouteResult<unknown>[]): void {
    for (const r of results) {
      if (r.status === 0) continue;
      this.stats.errors++;
      this.stats.lastError = `${JSON.stringify(r.route)}: status ${r.status}${r.error ? ` (${r.error})` : ''}`;
      if (this.warned++ < 20) this.log.warn(`RTM refused a route: ${this.stats.lastError}`);
    }
  }

  failed(op: string, err: unknown): void {
    this.stats.errors++;
    this.stats.lastError = `${op}: ${err instanceof Error ? err.message : String(err)}`;
    if (this.warned++ < 20) this.log.warn(`ctx.routes.${op} failed: ${this.stats.lastError}`);
  }
}
