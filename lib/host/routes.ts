// ctx.routes in the host: validates route values, batches them to the protocol library
// (which owns the RTM registration, next hops and handles), and mirrors what RTM accepted.
// IPv4 routes travel as `routes` (addresses as u32), IPv6 ones as `routes6` (family
// AF_INET6 and 16 address bytes); best-route changes come back as routeChanges(6).
import { ERROR_INVALID_PARAMETER, NO_ERROR } from '../constants.js';
import type { AddressFamily, BestRouteChange, RouteKey, RouteResult, Routes, RouteSpec } from '../api/routes.js';
import { canonicalIPv6, formatIPv6, ipv6HostBitsClear, parseIPv6 } from '../config/ipv6.js';
import {
  AddressFamily as WireFamily, RouteFlag, RouteOperation, type Input, type RouteChanges6ChangesItem, type RouteChangesChangesItem,
  type Routes6OpsItem, type RoutesOpsItem,
} from '../addon/index.js';
import { ipToNumber, ipToWire, isIPv4, prefixMask, wireToIp } from './ip.js';
import type { Requester } from './requests.js';

const BATCH = 4096;
/** A route given to replace() of another interface: refused without a round trip. */
const FOREIGN = 'foreign';
type Op = RouteOperation | typeof FOREIGN;

// IPv6 keys use the canonical text, so '2001:DB8::' and '2001:db8:0::' are one route.
const canon = (a: string) => (a.includes(':') ? canonicalIPv6(a) ?? a : a);
const keyOf = (r: RouteKey) => `${canon(r.destination)}/${r.prefixLength}|${r.interfaceIndex}|${canon(r.nextHop)}`;
const destOf = (d: string, len: number) => `${d}/${len}`;

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

/** A best-route change as routeChanges (IPv4: u32 addresses) or routeChanges6 (16 bytes) carry it. */
export type WireChange = RouteChangesChangesItem | RouteChanges6ChangesItem;

export class HostRoutes implements Routes {
  private readonly own = new Map<string, RouteSpec>();
  private readonly expiry = new Map<string, NodeJS.Timeout>();
  private readonly best = new Map<string, BestRouteChange>();
  private readonly listeners = new Set<(c: BestRouteChange[]) => void>();

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
    return this.apply(routes.map((route) => ({ op: RouteOperation.Add, route }))) as Promise<RouteResult<RouteSpec>[]>;
  }

  async delete(routes: readonly RouteKey[]): Promise<RouteResult<RouteKey>[]> {
    return this.apply(routes.map((route) => ({ op: RouteOperation.Delete, route }))) as Promise<RouteResult<RouteKey>[]>;
  }

  async replace(interfaceIndex: number, routes: readonly RouteSpec[]): Promise<RouteResult<RouteSpec | RouteKey>[]> {
    const keep = new Set<string>();
    const ops: { op: Op; route: RouteSpec | RouteKey }[] = [];
    for (const r of routes) {
      if (r && r.interfaceIndex !== interfaceIndex) {
        ops.push({ op: FOREIGN, route: r });
        continue;
      }
      if (r) keep.add(keyOf(r));
      ops.push({ op: RouteOperation.Add, route: r });
    }
    for (const [k, r] of this.own) if (r.interfaceIndex === interfaceIndex && !keep.has(k)) ops.push({ op: RouteOperation.Delete, route: r });
    return this.apply(ops);
  }

  async synced(): Promise<void> {
    const r = await this.requester.request('synced', {});
    if (r.status !== NO_ERROR) throw new Error(`synced: ${r.error}`);
  }

  list(): RouteSpec[] {
    return [...this.own.values()].map((r) => ({ ...r }));
  }

  onBestRouteChange(listener: (changes: BestRouteChange[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  bestRoutes(): BestRouteChange[] {
    return [...this.best.values()].map((r) => ({ ...r }));
  }

  /** From the library's routeChanges (u32 addresses) or routeChanges6 (16 bytes) notification. */
  changed(records: WireChange[]): void {
    const text = (a: number | Buffer) => (typeof a === 'number' ? wireToIp(a) : formatIPv6(a));
    const changes: BestRouteChange[] = records.map((c) => ({
      destination: text(c.destination), prefixLength: c.prefixLength, owner: c.owner, nextHop: text(c.nextHop),
      interfaceIndex: c.interfaceIndex, metric: c.metric, preference: c.preference,
      // Our own route became best: no other protocol's route is best there any more.
      withdrawn: c.owner === 0 || c.owner === this.ownProtocolId,
    }));
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

  private async apply(ops: { op: Op; route: RouteSpec | RouteKey }[]): Promise<RouteResult<RouteSpec | RouteKey>[]> {
    const results: RouteResult<RouteSpec | RouteKey>[] = new Array(ops.length);
    const family = this.family();
    const v6 = family === 'ipv6';
    const sendable: number[] = [];
    ops.forEach((o, i) => {
      const problem = o.op === FOREIGN ? `route for interface ${(o.route as RouteKey).interfaceIndex} given to replace() of another interface` : invalid(o.route as Partial<RouteSpec>, o.op === RouteOperation.Add, family);
      if (problem) results[i] = { route: o.route, status: ERROR_INVALID_PARAMETER, error: problem };
      else sendable.push(i);
    });
    for (let start = 0; start < sendable.length; start += BATCH) {
      const chunk = sendable.slice(start, start + BATCH);
      const common = (i: number) => {
        const r = ops[i]!.route as RouteSpec;
        return {
          op: ops[i]!.op as RouteOperation, prefixLength: r.prefixLength, interfaceIndex: r.interfaceIndex, metric: r.metric ?? 0,
          preference: r.preference ?? 0, flags: r.preference === undefined ? 0 : RouteFlag.HasPreference, ttlMs: r.ttlMs ?? 0,
        };
      };
      const ipv6 = (i: number): Input<Routes6OpsItem> => {
        const r = ops[i]!.route;
        return { ...common(i), family: WireFamily.Ipv6, destination: parseIPv6(r.destination)!, nextHop: parseIPv6(r.nextHop)! };
      };
      const ipv4 = (i: number): Input<RoutesOpsItem> => {
        const r = ops[i]!.route;
        return { ...common(i), destination: ipToWire(r.destination), nextHop: ipToWire(r.nextHop) };
      };
      const reply = v6
        ? await this.requester.request('routes6', { ops: chunk.map(ipv6) })
        : await this.requester.request('routes', { ops: chunk.map(ipv4) });
      const perRoute = reply.status === NO_ERROR && 'results' in reply.fields ? reply.fields.results : [];
      chunk.forEach((i, k) => {
        const o = ops[i]!;
        const status = reply.status !== NO_ERROR ? reply.status : (perRoute[k]?.status ?? reply.status);
        const error = status === NO_ERROR ? undefined : reply.error || `RTM refused the route (${status})`;
        results[i] = error === undefined ? { route: o.route, status } : { route: o.route, status, error };
        if (status !== NO_ERROR) return;
        const key = keyOf(o.route);
        clearTimeout(this.expiry.get(key));
        this.expiry.delete(key);
        if (o.op !== RouteOperation.Add) {
          this.own.delete(key);
          return;
        }
        const spec = { ...(o.route as RouteSpec) };
        this.own.set(key, spec);
        // RTM deletes a route whose lifetime ends; the mirror forgets it at the same time.
        if (spec.ttlMs) {
          this.expiry.set(key, setTimeout(() => {
            if (this.own.get(key) === spec) this.own.delete(key);
            this.expiry.delete(key);
          }, spec.ttlMs).unref());
        }
      });
    }
    return results;
  }
}
