// The link-state database of the area (and the AS-external LSAs, which a single-area router
// keeps beside it): installed instances with the time they were installed, so ages advance
// without touching every LSA each second (RFC 2328 12.1.1, 14), and per-type summaries for
// operators (count, checksum sum, MaxAge and self-originated counts).
import type { Clock } from '../distance-vector/timers.js';
import { MAX_AGE } from './constants.js';
import { lsaKey, withAge, type Lsa, type LsaHeader } from './lsa.js';

export interface DbEntry {
  readonly key: string;
  readonly lsa: Lsa;
  /** Clock time of installation: the age then was lsa.header.age. */
  readonly installedAt: number;
  /** Installed from a neighbour's flooding (MinLSArrival applies), not originated here. */
  readonly flooded: boolean;
  /** Clock time this instance was last sent back to a neighbour that had an older one (13 step 8). */
  lastSentNewerAt: number;
}

export interface TypeSummary {
  type: number;
  count: number;
  /** Sum of the LSAs' checksums, modulo 2^32 (the MIB's ospfAreaLsaCksumSum, per type). */
  checksumSum: number;
  maxAged: number;
  selfOriginated: number;
}

export class Lsdb {
  private readonly entries = new Map<string, DbEntry>();

  constructor(private readonly clock: Clock, private readonly routerId: () => number) {}

  get size(): number {
    return this.entries.size;
  }

  get(key: string): DbEntry | undefined {
    return this.entries.get(key);
  }

  lookup(type: number, id: number, advertisingRouter: number): DbEntry | undefined {
    return this.entries.get(lsaKey({ type, id, advertisingRouter }));
  }

  /** The entry's LS age now, in seconds (at most MaxAge). */
  ageOf(e: DbEntry): number {
    const h = e.lsa.header;
    if (h.age >= MAX_AGE) return MAX_AGE;
    return Math.min(MAX_AGE, h.age + Math.floor((this.clock.now() - e.installedAt) / 1000));
  }

  /** Milliseconds until the entry reaches MaxAge (0 when it has). */
  untilMaxAge(e: DbEntry): number {
    const h = e.lsa.header;
    if (h.age >= MAX_AGE) return 0;
    return Math.max(0, e.installedAt + (MAX_AGE - h.age) * 1000 - this.clock.now());
  }

  /** The header with the current age. */
  header(e: DbEntry): LsaHeader {
    return { ...e.lsa.header, age: this.ageOf(e) };
  }

  /** The LSA's bytes with the age it has now plus `addSeconds` (InfTransDelay when sending). */
  bytes(e: DbEntry, addSeconds = 0): Buffer {
    return withAge(e.lsa.raw, this.ageOf(e) + addSeconds);
  }

  /** The LSA as a value with its current age (for a Link State Update). */
  current(e: DbEntry, addSeconds = 0): Lsa {
    const age = Math.min(MAX_AGE, this.ageOf(e) + addSeconds);
    return { header: { ...e.lsa.header, age }, body: e.lsa.body, raw: withAge(e.lsa.raw, age) };
  }

  isSelfOriginated(h: { advertisingRouter: number }): boolean {
    return h.advertisingRouter >>> 0 === this.routerId() >>> 0;
  }

  install(lsa: Lsa, flooded: boolean): DbEntry {
    const key = lsaKey(lsa.header);
    const e: DbEntry = { key, lsa, installedAt: this.clock.now(), flooded, lastSentNewerAt: -Infinity };
    this.entries.set(key, e);
    return e;
  }

  clear(): void {
    this.entries.clear();
  }

  remove(key: string): boolean {
    return this.entries.delete(key);
  }

  all(): IterableIterator<DbEntry> {
    return this.entries.values();
  }

  ofType(type: number): DbEntry[] {
    return [...this.entries.values()].filter((e) => e.lsa.header.type === type);
  }

  summary(): TypeSummary[] {
    const by = new Map<number, TypeSummary>();
    for (const e of this.entries.values()) {
      const t = e.lsa.header.type;
      let s = by.get(t);
      if (!s) by.set(t, (s = { type: t, count: 0, checksumSum: 0, maxAged: 0, selfOriginated: 0 }));
      s.count++;
      s.checksumSum = (s.checksumSum + e.lsa.header.checksum) >>> 0;
      if (this.ageOf(e) >= MAX_AGE) s.maxAged++;
      if (this.isSelfOriginated(e.lsa.header)) s.selfOriginated++;
    }
    return [...by.values()].sort((a, b) => a.type - b.type);
  }
}
