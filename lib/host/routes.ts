// ctx.routes in the host: validates route values, batches them to the protocol library
// (which owns the RTM registration, next hops and handles), and mirrors what RTM accepted.
// IPv4 routes travel as `routes` (addresses as u32), IPv6 ones as `routes6` (family
// AF_INET6 and 16 address bytes); best-route changes come back as routeChanges(6).
// A batch is encoded in one pass into packed records (a Uint32Array the addon reads without
// an object per route), and the statuses come back as a Uint32Array: at a full BGP table the
// host's per-route JS work is what bounds the bridge (issue 12).
import { ERROR_INVALID_PARAMETER, NO_ERROR } from '../constants.js';
import type { AddressFamily, BestRouteChange, RouteKey, RouteResult, Routes, RouteSpec } from '../api/routes.js';
import { canonicalIPv6, formatIPv6, ipv6HostBitsClear, parseIPv6 } from '../config/ipv6.js';
import type { PackedRecords } from '../addon/index.js';
import { RouteBatch } from '../api/routeBatch.js';
// From the catalogue's module itself: the index re-exports through getters, a call per use.
import {
  AddressFamily as WireFamily, RouteChanges6ChangesLayout, RouteChangesChangesLayout, RouteFlag, RouteOperation, Routes6OpsLayout,
  RoutesOpsLayout,
} from '../addon/wire.js';
import { hostToWire, ipToNumber, isIPv4, parseIPv4, prefixMask, wireToIp } from './ip.js';
import type { Reply, Requester } from './requests.js';
import { Ipv4RouteTable } from './routeTable.js';

const BATCH = 4096;
/** Batches sent before the first answer is awaited (the library applies them in order). */
const IN_FLIGHT = 4;
/** Packed route records (schema.h kRouteRecord, kRoute6Record): where each field sits. */
const V4 = RoutesOpsLayout;
const V6 = Routes6OpsLayout;
type OpsLayout = typeof V4 | typeof V6;
/** A route given to replace() of another interface: refused without a round trip. */
const FOREIGN = 'foreign';
type Op = RouteOperation | typeof FOREIGN;

// IPv6 keys use the canonical text, so '2001:DB8::' and '2001:db8:0::' are one route.
const canon = (a: unknown) => (typeof a === 'string' && a.includes(':') ? canonicalIPv6(a) ?? a : String(a));
const keyOf = (r: RouteKey) => `${canon(r.destination)}/${r.prefixLength}|${r.interfaceIndex}|${canon(r.nextHop)}`;
const destOf = (d: string, len: number) => `${d}/${len}`;

const isU32 = (n: unknown): n is number => typeof n === 'number' && n >= 0 && n <= 0xffffffff && Number.isInteger(n);

function invalidAddresses(r: Partial<RouteSpec>, family: AddressFamily): string | undefined {
  if (family === 'ipv6') {
    const dest = typeof r.destination === 'string' ? parseIPv6(r.destination) : null;
    if (!dest) return `destination ${JSON.stringify(r.destination)} is not an IPv6 address (this protocol is on the IPv6 router manager)`;
    if (!Number.isInteger(r.prefixLength) || r.prefixLength! < 0 || r.prefixLength! > 128) return `prefixLength ${r.prefixLength} is not 0..128`;
    if (!ipv6HostBitsClear(dest, r.prefixLength!)) return `${r.destination}/${r.prefixLength} has host bits set`;
    if (typeof r.nextHop !== 'string' || !parseIPv6(r.nextHop)) return `nextHop ${JSON.stringify(r.nextHop)} is not an IPv6 address`;
    return undefined;
  }
  if (!isIPv4(r.destination)) return `destination ${JSON.stringify(r.destination)} is not a dotted IPv4 address`;
  if (!Number.isInteger(r.prefixLength) || r.prefixLength! < 0 || r.prefixLength! > 32) return `prefixLength ${r.prefixLength} is not 0..32`;
  if ((ipToNumber(r.destination) & ~prefixMask(r.prefixLength!)) >>> 0 !== 0) return `${r.destination}/${r.prefixLength} has host bits set`;
  if (!isIPv4(r.nextHop)) return `nextHop ${JSON.stringify(r.nextHop)} is not a dotted IPv4 address`;
  return undefined;
}

function invalid(r: Partial<RouteSpec>, full: boolean, family: AddressFamily): string | undefined {
  if (typeof r !== 'object' || r === null) return 'a route must be an object';
  const bad = invalidAddresses(r, family);
  if (bad) return bad;
  if (!Number.isInteger(r.interfaceIndex) || r.interfaceIndex! < 0 || r.interfaceIndex! > 0xffffffff) return `interfaceIndex ${r.interfaceIndex} is not a u32`;
  if (!full) return undefined;
  if (!Number.isInteger(r.metric) || r.metric! < 0 || r.metric! > 0xffffffff) return `metric ${r.metric} is not a u32`;
  if (r.preference !== undefined && (!Number.isInteger(r.preference) || r.preference < 0 || r.preference > 0xffffffff)) return `preference ${r.preference} is not a u32`;
  if (r.ttlMs !== undefined && (!Number.isInteger(r.ttlMs) || r.ttlMs <= 0 || r.ttlMs >= 0xffffffff)) return `ttlMs ${r.ttlMs} is not 1..2^32-2`;
  return undefined;
}

/** The notifications of best-route changes: routeChanges (IPv4: u32 addresses) or routeChanges6 (16 bytes). */
export type ChangeType = 'routeChanges' | 'routeChanges6';

/** The mirror of the protocol's own routes: a packed table (IPv4) or a map by key (IPv6). */
interface Mirror {
  /**
   * RTM answered a batch: packed records [0, n) of `rec` are routes[index[k]], each accepted
   * when `statuses` is absent or statuses[k] is NO_ERROR or absent.
   */
  accept(rec: Uint32Array, n: number, statuses: Uint32Array | undefined, routes: readonly (RouteSpec | RouteKey)[], index: Int32Array): void;
  list(): RouteSpec[];
  /** The routes through interfaceIndex not among `keep` (replace's deletions). */
  others(interfaceIndex: number, keep: readonly (RouteSpec | RouteKey)[]): RouteKey[];
}

class Ipv4Mirror implements Mirror {
  private readonly table = new Ipv4RouteTable();

  accept(rec: Uint32Array, n: number, statuses: Uint32Array | undefined): void {
    // All from the records encode() (or a RouteBatch) wrote: the route objects are the user's, of any shape.
    this.table.accept(rec, n, statuses);
  }

  list(): RouteSpec[] {
    return this.table.list();
  }

  others(interfaceIndex: number, keep: readonly (RouteSpec | RouteKey)[]): RouteKey[] {
    const kept = new Set<string>();
    for (const k of keep) {
      const d = parseIPv4(k?.destination);
      const n = parseIPv4(k?.nextHop);
      if (d >= 0 && n >= 0) kept.add(`${hostToWire(d)}/${k.prefixLength}|${hostToWire(n)}`);
    }
    return this.table.keysOf(interfaceIndex, (d, len, n) => kept.has(`${d}/${len}|${n}`));
  }
}

class Ipv6Mirror implements Mirror {
  private readonly own = new Map<string, RouteSpec>();
  private readonly expiry = new Map<string, NodeJS.Timeout>();

  accept(rec: Uint32Array, n: number, statuses: Uint32Array | undefined, routes: readonly (RouteSpec | RouteKey)[], index: Int32Array): void {
    for (let k = 0; k < n; k++) {
      if (statuses && (statuses[k] ?? NO_ERROR) !== NO_ERROR) continue;
      this.acceptOne(rec[k * V6.stride + V6.op] as RouteOperation, routes[index[k]!]!);
    }
  }

  private acceptOne(op: RouteOperation, route: RouteSpec | RouteKey): void {
    const key = keyOf(route);
    clearTimeout(this.expiry.get(key));
    this.expiry.delete(key);
    if (op !== RouteOperation.Add) {
      this.own.delete(key);
      return;
    }
    const spec = { ...(route as RouteSpec) };
    this.own.set(key, spec);
    // RTM deletes a route whose lifetime ends; the mirror forgets it at the same time.
    if (spec.ttlMs) {
      this.expiry.set(key, setTimeout(() => {
        if (this.own.get(key) === spec) this.own.delete(key);
        this.expiry.delete(key);
      }, spec.ttlMs).unref());
    }
  }

  list(): RouteSpec[] {
    return [...this.own.values()].map((r) => ({ ...r }));
  }

  others(interfaceIndex: number, keep: readonly (RouteSpec | RouteKey)[]): RouteKey[] {
    const kept = new Set(keep.filter(Boolean).map(keyOf));
    return [...this.own].filter(([k, r]) => r.interfaceIndex === interfaceIndex && !kept.has(k)).map(([, r]) => r);
  }
}

/** The IPv4 next hop encode() parsed last, and its value. */
const lastHop: { text: unknown; value: number } = { text: undefined, value: -1 };

/**
 * Writes route `r` as packed record `at` of `rec` if it is valid for `op` (addresses parsed
 * once, as numbers); false if it is not (invalid() then says why).
 */
function encode(r: RouteSpec | RouteKey, op: RouteOperation, v6: boolean, rec: Uint32Array, bytes: Uint8Array, at: number): boolean {
  if (typeof r !== 'object' || r === null) return false;
  const full = op === RouteOperation.Add;
  const s = r as Partial<RouteSpec>;
  const len = s.prefixLength;
  if (!isU32(s.interfaceIndex) || !isU32(len)) return false;
  if (full && (!isU32(s.metric) || (s.preference !== undefined && !isU32(s.preference)) ||
    (s.ttlMs !== undefined && (!isU32(s.ttlMs) || s.ttlMs === 0 || s.ttlMs === 0xffffffff)))) return false;
  let l: OpsLayout;
  if (v6) {
    const dest = typeof s.destination === 'string' ? parseIPv6(s.destination) : null;
    const hop = typeof s.nextHop === 'string' ? parseIPv6(s.nextHop) : null;
    if (!dest || !hop || len > 128 || !ipv6HostBitsClear(dest, len)) return false;
    l = V6;
    rec[at + V6.family] = WireFamily.Ipv6;
    bytes.set(dest, (at + V6.destination) * 4);
    bytes.set(hop, (at + V6.nextHop) * 4);
  } else {
    const dest = parseIPv4(s.destination);
    // A batch's routes mostly share their next hop (one neighbour's routes): parsed once.
    if (s.nextHop !== lastHop.text) {
      lastHop.value = parseIPv4(s.nextHop);
      lastHop.text = s.nextHop;
    }
    const hop = lastHop.value;
    if (dest < 0 || hop < 0 || len > 32 || (dest & ~prefixMask(len)) !== 0) return false;
    l = V4;
    rec[at + V4.destination] = hostToWire(dest);
    rec[at + V4.nextHop] = hostToWire(hop);
  }
  rec[at + l.op] = op;
  rec[at + l.prefixLength] = len;
  rec[at + l.interfaceIndex] = s.interfaceIndex;
  rec[at + l.metric] = full ? s.metric! : 0;
  rec[at + l.preference] = s.preference ?? 0;
  rec[at + l.flags] = s.preference === undefined ? 0 : RouteFlag.HasPreference;
  rec[at + l.ttlMs] = s.ttlMs ?? 0;
  return true;
}

/** A batch's buffers: its packed records, and which route each record is. */
interface BatchBuffers {
  rec: Uint32Array;
  bytes: Uint8Array;
  index: Int32Array;
}

/** The library's answer to one batch, or why the request failed outright. */
type BatchOutcome = { reply: Reply<'routes'> | Reply<'routes6'> } | { error: unknown };
/** A request of a call, sent: its answer to come, what to do with it, and what to free after. */
interface InFlight {
  reply: Promise<BatchOutcome>;
  /** Records the answer (in the order the requests were sent); a request that failed outright is returned. */
  settle(outcome: BatchOutcome): { error: unknown } | undefined;
  release(): void;
}

export class HostRoutes implements Routes {
  private readonly mirrors: { ipv4?: Ipv4Mirror; ipv6?: Ipv6Mirror } = {};
  private readonly best = new Map<string, BestRouteChange>();
  private readonly listeners = new Set<(c: BestRouteChange[]) => void>();
  /**
   * Batch buffers settled and free again, by family: a full table is hundreds of batches, and
   * a fresh 150 KiB buffer each (zeroed, counted as external memory) cost the host collections.
   */
  private readonly spare: { ipv4: BatchBuffers[]; ipv6: BatchBuffers[] } = { ipv4: [], ipv6: [] };

  constructor(
    private readonly requester: Requester,
    private readonly onListenerError: (err: unknown) => void,
    private readonly ownProtocolId: number,
    /** The protocol's family; known once its module has loaded. */
    private readonly family: () => AddressFamily = () => 'ipv4',
  ) {}

  get addressFamily(): AddressFamily {
    return this.family();
  }

  async add(routes: readonly RouteSpec[]): Promise<RouteResult<RouteSpec>[]> {
    return this.apply(routes, RouteOperation.Add) as Promise<RouteResult<RouteSpec>[]>;
  }

  async delete(routes: readonly RouteKey[]): Promise<RouteResult<RouteKey>[]> {
    return this.apply(routes, RouteOperation.Delete) as Promise<RouteResult<RouteKey>[]>;
  }

  /**
   * The batch's packed records go as they are, BATCH a request (no encoding: RouteBatch checked
   * each value as it was written); the statuses come back into one Uint32Array.
   */
  async applyBatch(batch: RouteBatch): Promise<Uint32Array> {
    if (this.family() === 'ipv6') throw new Error('ctx.routes.applyBatch: a RouteBatch holds IPv4 routes, and this protocol is on the IPv6 router manager');
    const mirror = this.mirror() as Ipv4Mirror;
    const held = RouteBatch.hold(batch);
    const statuses = new Uint32Array(held.count);
    let from = 0;
    try {
      await this.inFlight(() => {
        if (from >= held.count) return undefined;
        const at = from;
        const n = Math.min(BATCH, held.count - at);
        from += n;
        const ops = held.records.subarray(at * V4.stride, (at + n) * V4.stride);
        const settle = (outcome: BatchOutcome) => {
          if ('error' in outcome) return outcome;
          const { reply } = outcome;
          if (reply.status !== NO_ERROR) {
            statuses.fill(reply.status, at, at + n);
            return undefined;
          }
          const results = 'results' in reply.fields ? reply.fields.results : undefined;
          if (results) statuses.set(results.subarray(0, n), at); // a status not given is NO_ERROR (0)
          mirror.accept(ops, n, results);
          return undefined;
        };
        return { reply: this.send(false, ops), settle, release: () => undefined };
      });
    } finally {
      held.release();
    }
    return statuses;
  }

  async replace(interfaceIndex: number, routes: readonly RouteSpec[]): Promise<RouteResult<RouteSpec | RouteKey>[]> {
    const mine = routes.filter((r) => !r || r.interfaceIndex === interfaceIndex);
    const stale = this.mirror().others(interfaceIndex, mine);
    const all: (RouteSpec | RouteKey)[] = [...routes, ...stale];
    const ops: Op[] = all.map((r, i) => (i >= routes.length ? RouteOperation.Delete : r && r.interfaceIndex !== interfaceIndex ? FOREIGN : RouteOperation.Add));
    return this.apply(all, ops);
  }

  async synced(): Promise<void> {
    const r = await this.requester.request('synced', {});
    if (r.status !== NO_ERROR) throw new Error(`synced: ${r.error}`);
  }

  list(): RouteSpec[] {
    return this.mirror().list();
  }

  onBestRouteChange(listener: (changes: BestRouteChange[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  bestRoutes(): BestRouteChange[] {
    return [...this.best.values()].map((r) => ({ ...r }));
  }

  /** From the library's routeChanges (u32 addresses) or routeChanges6 (16 bytes) notification, as packed records. */
  changed(type: ChangeType, records: PackedRecords): void {
    const v6 = type === 'routeChanges6';
    const l = v6 ? RouteChanges6ChangesLayout : RouteChangesChangesLayout;
    const bytes = new Uint8Array(records.buffer, records.byteOffset, records.byteLength);
    const text = (at: number) => (v6 ? formatIPv6(bytes, at * 4) : wireToIp(records[at]!));
    const changes: BestRouteChange[] = [];
    for (let at = 0; at + l.stride <= records.length; at += l.stride) {
      const owner = records[at + l.owner]!;
      changes.push({
        destination: text(at + l.destination), prefixLength: records[at + l.prefixLength]!, owner, nextHop: text(at + l.nextHop),
        interfaceIndex: records[at + l.interfaceIndex]!, metric: records[at + l.metric]!, preference: records[at + l.preference]!,
        // Our own route became best: no other protocol's route is best there any more.
        withdrawn: owner === 0 || owner === this.ownProtocolId,
      });
    }
    for (const c of changes) {
      const k = destOf(c.destination, c.prefixLength);
      if (c.withdrawn) this.best.delete(k);
      else this.best.set(k, c);
    }
    for (const l of this.listeners) {
      try {
        l(changes);
      } catch (err) {
        this.onListenerError(err);
      }
    }
  }

  private mirror(): Mirror {
    return this.family() === 'ipv6' ? (this.mirrors.ipv6 ??= new Ipv6Mirror()) : (this.mirrors.ipv4 ??= new Ipv4Mirror());
  }

  /**
   * Sends `routes` in batches of BATCH valid ones, each as packed records; an invalid route is
   * answered at once with the reason. ops: one operation for all, or each route's.
   */
  private async apply(routes: readonly (RouteSpec | RouteKey)[], ops: Op | readonly Op[]): Promise<RouteResult<RouteSpec | RouteKey>[]> {
    const results: RouteResult<RouteSpec | RouteKey>[] = new Array(routes.length);
    const family = this.family();
    const v6 = family === 'ipv6';
    const stride = v6 ? V6.stride : V4.stride;
    let next = 0;
    await this.inFlight(() => {
      if (next >= routes.length) return undefined;
      const buffers = this.buffers(family, Math.min(BATCH, routes.length - next), stride);
      const { rec, bytes, index } = buffers; // record k is routes[index[k]]
      let n = 0;
      for (; next < routes.length && n < BATCH; next++) {
        const route = routes[next]!;
        const op = typeof ops === 'object' ? ops[next]! : ops;
        if (op !== FOREIGN && encode(route, op, v6, rec, bytes, n * stride)) {
          index[n++] = next;
          continue;
        }
        const problem = op === FOREIGN
          ? `route for interface ${route.interfaceIndex} given to replace() of another interface`
          : invalid(route as Partial<RouteSpec>, op === RouteOperation.Add, family) ?? 'not a valid route';
        results[next] = { route, status: ERROR_INVALID_PARAMETER, error: problem };
      }
      if (n === 0) {
        this.release(family, buffers);
        return undefined;
      }
      return {
        reply: this.send(v6, rec.subarray(0, n * stride)),
        settle: (outcome) => this.settle(buffers, n, outcome, routes, results),
        release: () => this.release(family, buffers),
      };
    });
    return results;
  }

  /**
   * Sends what next() makes, request by request, until it makes none or one fails: up to
   * IN_FLIGHT are sent before the first answer is awaited, so the host encodes the next batch
   * while the library applies one (the library answers them in order). Throws the failure.
   */
  private async inFlight(next: () => InFlight | undefined): Promise<void> {
    const sent: InFlight[] = [];
    let failure: { error: unknown } | undefined;
    for (let request = next(); request; request = failure ? undefined : next()) {
      sent.push(request);
      if (sent.length >= IN_FLIGHT) {
        const oldest = sent.shift()!;
        failure = oldest.settle(await oldest.reply);
        oldest.release();
      }
    }
    for (const request of sent) {
      const outcome = await request.reply;
      failure ??= request.settle(outcome);
      request.release();
    }
    if (failure) throw failure.error;
  }

  /** A routes (routes6) request of packed records, settled into a value at once. */
  private send(v6: boolean, packed: Uint32Array): Promise<BatchOutcome> {
    // A value, not a rejection: a batch still in flight when an earlier one failed must not
    // become an unhandled rejection.
    return (v6 ? this.requester.request('routes6', { ops: packed }) : this.requester.request('routes', { ops: packed }))
      .then((r): BatchOutcome => ({ reply: r }), (error: unknown): BatchOutcome => ({ error }));
  }

  /** Buffers for a batch of up to `size` routes: a spare full-size set, or new ones (a small call's exact size). */
  private buffers(family: AddressFamily, size: number, stride: number): BatchBuffers {
    const spare = this.spare[family].pop();
    if (spare) return spare;
    const rec = new Uint32Array((size < BATCH / 4 ? size : BATCH) * stride);
    return { rec, bytes: new Uint8Array(rec.buffer), index: new Int32Array(rec.length / stride) };
  }

  /** A settled batch's buffers, kept for the next (up to IN_FLIGHT full-size sets a family). */
  private release(family: AddressFamily, b: BatchBuffers): void {
    const spare = this.spare[family];
    if (b.index.length === BATCH && spare.length < IN_FLIGHT) spare.push({ rec: b.rec, bytes: b.bytes, index: b.index });
  }

  /**
   * Records the library's answer to one batch in `results` and the mirror (in the order the
   * batches were sent); a request that failed outright (the channel closed) is returned.
   */
  private settle(batch: BatchBuffers, n: number, outcome: BatchOutcome, routes: readonly (RouteSpec | RouteKey)[],
    results: RouteResult<RouteSpec | RouteKey>[]): { error: unknown } | undefined {
    if ('error' in outcome) return { error: outcome.error };
    const { reply } = outcome;
    const { rec, index } = batch;
    const statuses = reply.status === NO_ERROR && 'results' in reply.fields ? reply.fields.results : undefined;
    for (let k = 0; k < n; k++) {
      const i = index[k]!;
      const route = routes[i]!;
      const status = reply.status !== NO_ERROR ? reply.status : (statuses?.[k] ?? reply.status);
      results[i] = status === NO_ERROR ? { route, status } : { route, status, error: reply.error || `RTM refused the route (${status})` };
    }
    if (reply.status === NO_ERROR) this.mirror().accept(rec, n, statuses, routes, index);
    return undefined;
  }
}
