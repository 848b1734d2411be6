// From SPF results to RTM (ctx.routes): the routes SPF wants are compared with what is
// installed and only the difference goes out, as one batch of adds (first, so a destination
// is never without a route while its next hops change) and one of deletes. Runs are chained:
// a new result waits for the previous batch and is compared with what that left.
import type { Logger, RouteKey, Routes, RouteSpec } from '../../lib/index.js';
import { RtmErrors } from '../distance-vector/rtm.js';

const keyOf = (r: RouteKey) => `${r.destination}/${r.prefixLength}|${r.interfaceIndex}|${r.nextHop}`;

export interface RtmStats {
  batches: number;
  added: number;
  deleted: number;
  /** Routes RTM refused, and calls that failed. */
  errors: number;
  lastError: string;
  /** Routes installed now. */
  installed: number;
}

export interface SyncResult {
  added: number;
  deleted: number;
}

export class RouteSync {
  private readonly installed = new Map<string, RouteSpec>();
  private chain: Promise<unknown> = Promise.resolve();
  readonly stats: RtmStats = { batches: 0, added: 0, deleted: 0, errors: 0, lastError: '', installed: 0 };
  private readonly errors: RtmErrors;

  constructor(private readonly routes: Routes, log: Logger) {
    this.errors = new RtmErrors(this.stats, log);
  }

  /** Makes RTM hold exactly `wanted` (our routes); resolves with what changed. */
  apply(wanted: RouteSpec[]): Promise<SyncResult> {
    const p = this.chain.then(() => this.sync(wanted));
    this.chain = p.catch(() => undefined);
    return p;
  }

  /** Waits for the batches in flight. */
  async settle(): Promise<void> {
    await this.chain;
  }

  installedRoutes(): RouteSpec[] {
    return [...this.installed.values()];
  }

  isInstalled(r: RouteKey): boolean {
    return this.installed.has(keyOf(r));
  }

  private async sync(wanted: RouteSpec[]): Promise<SyncResult> {
    const want = new Map(wanted.map((r) => [keyOf(r), r]));
    const adds: RouteSpec[] = [];
    const deletes: RouteSpec[] = [];
    for (const [k, r] of want) {
      const cur = this.installed.get(k);
      if (!cur || cur.metric !== r.metric || cur.preference !== r.preference) adds.push(r);
    }
    for (const [k, r] of this.installed) if (!want.has(k)) deletes.push(r);
    if (!adds.length && !deletes.length) return { added: 0, deleted: 0 };
    this.stats.batches++;
    if (adds.length) {
      try {
        const results = await this.routes.add(adds);
        for (const r of results) if (r.status === 0) this.installed.set(keyOf(r.route), r.route);
        this.errors.refused(results);
        this.stats.added += results.filter((r) => r.status === 0).length;
      } catch (err) {
        this.errors.failed('add', err);
      }
    }
    if (deletes.length) {
      try {
        const results = await this.routes.delete(deletes);
        // A route RTM no longer has (deleted by someone else, or expired) is gone all the same.
        for (const r of results) this.installed.delete(keyOf(r.route));
        this.errors.refused(results.filter((r) => r.status !== 1168));
        this.stats.deleted += results.length;
      } catch (err) {
        this.errors.failed('delete', err);
      }
    }
    this.stats.installed = this.installed.size;
    return { added: adds.length, deleted: deletes.length };
  }
}
