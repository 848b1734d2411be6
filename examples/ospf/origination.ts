// The LSAs this router originates (RFC 2328 12.4): its router-LSA, a network-LSA for each
// broadcast network where it is DR with a full adjacency, and an AS-external-LSA per
// redistributed route (12.4.4, link state ids per appendix E). Sequence numbers continue from
// the database copy, also one left by an earlier run of this router (13.4); MinLSInterval
// spaces new instances; refresh at LSRefreshTime; flushing by premature aging (14.1).
import type { TimerHandle } from '../distance-vector/timers.js';
import {
  INITIAL_SEQUENCE_NUMBER, LsaType, MAX_AGE, MAX_SEQUENCE_NUMBER,
} from './constants.js';
import type { RouterContext } from './context.js';
import type { Flooding } from './flooding.js';
import type { DbEntry } from './lsdb.js';
import { encodeLsa, formatId, lsaKey, withAge, type LsaBody } from './lsa.js';

export interface Wanted {
  type: LsaType;
  id: number;
  body: LsaBody;
}

export interface OriginationStats {
  originated: number;
  refreshed: number;
  flushed: number;
  /** Originations postponed by MinLSInterval. */
  deferred: number;
}

const maskOfLength = (len: number): number => (len <= 0 ? 0 : (0xffffffff << (32 - len)) >>> 0);

export interface ExternalRoute {
  prefix: number;
  prefixLength: number;
  type2: boolean;
  metric: number;
  tag: number;
  forwardingAddress: number;
}

export class Originator {
  readonly stats: OriginationStats = { originated: 0, refreshed: 0, flushed: 0, deferred: 0 };
  private readonly lastAt = new Map<string, number>();
  private readonly deferredTimers = new Map<string, TimerHandle>();
  /** What each of our LSAs should now say (null: it should not exist). */
  private readonly wanted = new Map<string, Wanted | null>();
  /** Keys flushed at the sequence-number wrap, to originate again once the flush is gone. */
  private readonly wrapped = new Set<string>();
  private externalIds = new Map<string, number>();

  constructor(
    private readonly ctx: RouterContext,
    private readonly flooding: () => Flooding,
    private readonly build: { routerLsa(): LsaBody; networkLsas(): Wanted[] },
  ) {}

  private get lsdb() {
    return this.ctx.lsdb;
  }

  private selfKey(type: LsaType, id: number): string {
    return lsaKey({ type, id, advertisingRouter: this.ctx.routerId });
  }

  /** The router-LSA (and the network-LSAs) may have changed: interfaces, neighbours, DR. */
  refreshTopology(): void {
    this.want({ type: LsaType.Router, id: this.ctx.routerId, body: this.build.routerLsa() });
    const nets = this.build.networkLsas();
    const keep = new Set(nets.map((n) => this.selfKey(n.type, n.id)));
    for (const n of nets) this.want(n);
    // Network-LSAs of networks where we are no longer DR (or of an old address) are flushed.
    for (const e of this.lsdb.ofType(LsaType.Network)) {
      if (this.lsdb.isSelfOriginated(e.lsa.header) && !keep.has(e.key)) this.unwant(e.key);
    }
  }

  /**
   * The AS-external routes to advertise. Link state ids: the network number, or (appendix E)
   * the network with its host bits set when a shorter prefix with the same number has it.
   */
  setExternals(routes: ExternalRoute[]): void {
    const byLength = [...routes].sort((a, b) => a.prefixLength - b.prefixLength || a.prefix - b.prefix);
    const used = new Map<number, string>();
    const ids = new Map<string, number>();
    for (const r of byLength) {
      const name = `${r.prefix}/${r.prefixLength}`;
      let id = r.prefix >>> 0;
      if (used.has(id)) id = (r.prefix | ~maskOfLength(r.prefixLength)) >>> 0;
      if (used.has(id)) {
        this.ctx.log.warn(`external ${formatId(r.prefix)}/${r.prefixLength}: no free link state id (appendix E); not advertised`);
        continue;
      }
      used.set(id, name);
      ids.set(name, id);
      this.want({
        type: LsaType.AsExternal, id,
        body: { kind: 'external', mask: maskOfLength(r.prefixLength), type2: r.type2, metric: r.metric, forwardingAddress: r.forwardingAddress, tag: r.tag },
      });
    }
    for (const e of this.lsdb.ofType(LsaType.AsExternal)) {
      if (this.lsdb.isSelfOriginated(e.lsa.header) && !used.has(e.lsa.header.id >>> 0)) this.unwant(e.key);
    }
    for (const [k, w] of this.wanted) {
      if (w && w.type === LsaType.AsExternal && !used.has(w.id >>> 0)) this.unwant(k);
    }
    this.externalIds = ids;
  }

  /** Link state id of an advertised external route (for the MIB). */
  externalId(prefix: number, prefixLength: number): number | undefined {
    return this.externalIds.get(`${prefix}/${prefixLength}`);
  }

  get originatesExternals(): boolean {
    return this.externalIds.size > 0;
  }

  private want(w: Wanted): void {
    const key = this.selfKey(w.type, w.id);
    this.wanted.set(key, w);
    this.originate(key, false);
  }

  private unwant(key: string): void {
    this.wanted.set(key, null);
    this.deferredTimers.get(key)?.cancel();
    this.deferredTimers.delete(key);
    this.flush(key);
  }

  /** Originates `key` as wanted now: unchanged contents are left alone unless `refresh`. */
  private originate(key: string, refresh: boolean): void {
    const w = this.wanted.get(key);
    if (!w) return;
    const cur = this.lsdb.get(key);
    const h = cur ? this.lsdb.header(cur) : undefined;
    if (!refresh && cur && h!.age < MAX_AGE && !this.wrapped.has(key)) {
      const probe = encodeLsa({ age: 0, options: this.ctx.options, type: w.type, id: w.id, advertisingRouter: this.ctx.routerId, sequence: h!.sequence }, w.body);
      if (probe.raw.subarray(2).equals(cur.lsa.raw.subarray(2))) return; // the same LSA
    }
    if (this.wrapped.has(key) && cur) return; // wait until the flushed instance is gone
    const since = this.ctx.clock.now() - (this.lastAt.get(key) ?? -Infinity);
    if (since < this.ctx.global.minLsIntervalMs) {
      if (!this.deferredTimers.has(key)) {
        this.stats.deferred++;
        this.deferredTimers.set(key, this.ctx.clock.setTimeout(() => {
          this.deferredTimers.delete(key);
          this.originate(key, refresh);
        }, this.ctx.global.minLsIntervalMs - since));
      }
      return;
    }
    let sequence = cur ? h!.sequence + 1 : INITIAL_SEQUENCE_NUMBER;
    if (cur && h!.sequence >= MAX_SEQUENCE_NUMBER) {
      // 12.1.6: flush the instance with the highest number, then start again from the initial one.
      this.wrapped.add(key);
      this.flush(key);
      return;
    }
    if (!cur) this.wrapped.delete(key);
    if (sequence > MAX_SEQUENCE_NUMBER) sequence = INITIAL_SEQUENCE_NUMBER;
    const lsa = encodeLsa({ age: 0, options: this.ctx.options, type: w.type, id: w.id, advertisingRouter: this.ctx.routerId, sequence }, w.body);
    this.lastAt.set(key, this.ctx.clock.now());
    if (refresh) this.stats.refreshed++;
    else this.stats.originated++;
    this.ctx.log.debug(`originating LSA type ${w.type} ${formatId(w.id)} seq 0x${(sequence >>> 0).toString(16)}${refresh ? ' (refresh)' : ''}`);
    this.flooding().originate(lsa);
  }

  /** 14.1 premature aging: our instance, aged MaxAge, flooded. */
  private flush(key: string): void {
    const cur = this.lsdb.get(key);
    if (!cur || this.lsdb.ageOf(cur) >= MAX_AGE) return;
    this.stats.flushed++;
    const h = cur.lsa.header;
    this.ctx.log.debug(`flushing LSA type ${h.type} ${formatId(h.id)} seq 0x${(h.sequence >>> 0).toString(16)}`);
    this.flooding().originate({ header: { ...h, age: MAX_AGE }, body: cur.lsa.body, raw: withAge(cur.lsa.raw, MAX_AGE) });
  }

  /** Every self-originated LSA flushed (a planned stop). */
  flushAll(): void {
    for (const t of this.deferredTimers.values()) t.cancel();
    this.deferredTimers.clear();
    for (const e of [...this.lsdb.all()]) if (this.lsdb.isSelfOriginated(e.lsa.header)) this.flush(e.key);
  }

  /** 13.4: a neighbour had an instance of an LSA of ours (from before a restart, or forged). */
  selfOriginatedReceived(entry: DbEntry): void {
    const h = entry.lsa.header;
    const ours = h.advertisingRouter >>> 0 === this.ctx.routerId >>> 0;
    const w = ours ? this.wanted.get(entry.key) : undefined;
    if (!w) {
      // Not something we originate now (or a network-LSA with our address from another router id).
      this.ctx.log.info(`received an instance of LSA type ${h.type} ${formatId(h.id)} adv ${formatId(h.advertisingRouter)} seq 0x${(h.sequence >>> 0).toString(16)} that we do not originate; flushing it`);
      if (h.age < MAX_AGE) {
        this.stats.flushed++;
        this.flooding().originate({ header: { ...h, age: MAX_AGE }, body: entry.lsa.body, raw: withAge(entry.lsa.raw, MAX_AGE) });
      }
      return;
    }
    this.ctx.log.info(`received our own LSA type ${h.type} ${formatId(h.id)} seq 0x${(h.sequence >>> 0).toString(16)}; originating a newer instance`);
    this.lastAt.delete(entry.key); // the instance in the network is not one we sent in this run
    this.originate(entry.key, true);
  }

  /** Once a second: refresh what reached LSRefreshTime; re-originate what the wrap flushed. */
  tick(): void {
    const refreshAt = this.ctx.global.lsRefreshS;
    for (const e of [...this.lsdb.all()]) {
      if (!this.lsdb.isSelfOriginated(e.lsa.header) || !this.wanted.get(e.key)) continue;
      const age = this.lsdb.ageOf(e);
      if (age >= refreshAt && age < MAX_AGE) this.originate(e.key, true);
    }
    for (const k of [...this.wrapped]) if (!this.lsdb.get(k)) this.originate(k, false);
  }

  /** Forgets what it originated (the router id changed; the database was emptied). */
  reset(): void {
    this.dispose();
    this.lastAt.clear();
    this.wanted.clear();
    this.wrapped.clear();
    this.externalIds = new Map();
  }

  dispose(): void {
    for (const t of this.deferredTimers.values()) t.cancel();
    this.deferredTimers.clear();
  }
}
