// Redistribution into a distance-vector table, for RIPv2 and RIPng: other protocols' RTM best
// routes (ctx.routes' change notifications) become the table's 'redistributed' local routes
// while the policy admits them, and are withdrawn (metric 16, then garbage) when it no longer
// does, when they are withdrawn in RTM, or when our own route becomes best there.
import type { BestRouteChange, Routes } from '../../lib/api/routes.js';
import type { Logger } from '../../lib/api/types.js';
import { INFINITY, prefixKey, type RipTable } from './table.js';

/** In a redistribute list: every other protocol (also an owner RTM does not name). */
export const REDISTRIBUTE_ANY = 0xffffffff;

export interface RedistributionPolicy {
  /** Protocol ids whose best routes are taken; REDISTRIBUTE_ANY = all. */
  readonly redistribute: readonly number[];
  /** Metric announced; 0 = the route's RTM metric, clamped to 1..15. */
  readonly metric: number;
  /** The redistribution prefix filter. */
  allow(destination: string, prefixLength: number): boolean;
}

export class Redistributor {
  private readonly taken = new Set<string>();
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly table: RipTable,
    private readonly routes: Pick<Routes, 'bestRoutes' | 'onBestRouteChange'>,
    private readonly ownProtocolId: number,
    private readonly policy: () => RedistributionPolicy,
    private readonly log: Logger,
  ) {}

  start(): void {
    this.unsubscribe = this.routes.onBestRouteChange((changes) => this.changed(changes));
    this.changed(this.routes.bestRoutes());
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }

  /** The policy changed: takes and drops what it now admits and refuses. */
  recompute(): void {
    const best = this.routes.bestRoutes();
    const seen = new Set(best.map((b) => prefixKey(b.destination, b.prefixLength)));
    for (const key of [...this.taken]) {
      if (seen.has(key)) continue;
      const slash = key.lastIndexOf('/');
      this.taken.delete(key);
      this.table.removeLocal(key.slice(0, slash), Number(key.slice(slash + 1)), 'redistributed');
    }
    this.changed(best);
  }

  private eligible(b: BestRouteChange): boolean {
    const p = this.policy();
    const listed = p.redistribute.includes(b.owner) || p.redistribute.includes(REDISTRIBUTE_ANY);
    return !b.withdrawn && b.owner !== 0 && b.owner !== this.ownProtocolId && listed && p.allow(b.destination, b.prefixLength);
  }

  private changed(changes: BestRouteChange[]): void {
    for (const b of changes) {
      const key = prefixKey(b.destination, b.prefixLength);
      const take = this.eligible(b);
      this.log.debug(`RTM best route ${key}: owner ${b.owner}${b.withdrawn ? ' (withdrawn)' : ''} -> ${take ? 'redistributed' : 'not redistributed'}`);
      if (take) {
        const metric = this.policy().metric || Math.max(1, Math.min(INFINITY - 1, b.metric));
        this.table.setLocal({ destination: b.destination, prefixLength: b.prefixLength, source: 'redistributed', metric, nextHop: b.nextHop, interfaceIndex: b.interfaceIndex });
        this.taken.add(key);
      } else if (this.taken.delete(key)) {
        this.table.removeLocal(b.destination, b.prefixLength, 'redistributed');
      }
    }
  }
}
