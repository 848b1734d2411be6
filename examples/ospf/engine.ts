// The OSPF router: owns the interfaces (interface.ts, each with its neighbours), the
// link-state database (lsdb.ts), flooding (flooding.ts), what it originates
// (origination.ts), SPF scheduling (throttle.ts, spf.ts) and the routes in RTM (rtm.ts),
// redistribution of other protocols' RTM routes as AS-external-LSAs, LSA aging (RFC 2328
// 14) and the counters and views the MIB shows.
//
// It depends only on interfaces (Clock, Transport, Routes, Logger, SequenceStore), so unit
// tests run whole networks of it on a fake clock in memory; index.ts wires it to rras-bridge.
import { ProtocolError, ERROR_CAN_NOT_COMPLETE, type BestRouteChange, type Logger, type Routes, type RouteSpec } from '../../lib/index.js';
import { filterAllows } from '../rip/filter.js';
import { ipToU32, maskOf, sameSubnet, u32ToIp } from '../rip/ip.js';
import type { SequenceStore } from '../rip/state.js';
import type { Clock, TimerHandle } from '../distance-vector/timers.js';
import { REDISTRIBUTE_ANY, type GlobalConfigValue, type InterfaceConfigValue } from './config.js';
import { LinkType, LsaType, MAX_AGE, OPTION_E, ROUTER_E, LSA_TYPE_NAMES } from './constants.js';
import type { RouterContext } from './context.js';
import { Flooding, type FloodingHooks } from './flooding.js';
import { IF_STATE_NAMES, IfState, OspfInterface, type InterfaceBinding, type InterfaceInfo } from './interface.js';
import { Lsdb, type DbEntry } from './lsdb.js';
import { formatId, type LsaBody, type RouterLink } from './lsa.js';
import { NEIGHBOR_STATE_NAMES, NeighborState, type Neighbor } from './neighbor.js';
import { Originator, type ExternalRoute, type Wanted } from './origination.js';
import { RouteSync } from './rtm.js';
import { computeSpf, type SpfResult, type SpfRoute } from './spf.js';
import { SpfThrottle } from './throttle.js';
import type { Transport } from './transport.js';

export interface EngineDeps {
  clock: Clock;
  transport: Transport;
  routes: Routes;
  log: Logger;
  sequence: SequenceStore;
  protocolId: number;
  /** Wall-clock milliseconds for measuring SPF runs (performance.now). */
  hrtime?: () => number;
}

export interface SpfRun {
  run: number;
  /** Clock time it ran. */
  at: number;
  durationMs: number;
  reasons: string[];
  routes: number;
  /** What the run changed in RTM (known once the batch is through). */
  added: number;
  deleted: number;
}

export interface RouterStats {
  spfRuns: number;
  spfCoalesced: number;
  adjacencyChanges: number;
  /** LSAs removed from the database after MaxAge (RFC 2328 14). */
  maxAgeRemovals: number;
  redistributed: number;
}

export interface InterfaceState {
  operational: boolean;
  /** The binding's addresses; the first with a prefix length runs OSPF, the others are stubs. */
  addresses: { address: string; prefixLength: number | null }[];
  remoteAddress: string | null;
  mtu: number;
}

const SPF_HISTORY = 32;
/** How often an interface whose socket would not open is tried again. */
const UP_RETRY_MS = 5_000;

export class OspfRouter implements RouterContext, FloodingHooks {
  readonly lsdb: Lsdb;
  readonly flooding: Flooding;
  readonly originator: Originator;
  readonly rtm: RouteSync;
  readonly throttle: SpfThrottle;
  readonly clock: Clock;
  readonly log: Logger;
  readonly options = OPTION_E;
  readonly stats: RouterStats = { spfRuns: 0, spfCoalesced: 0, adjacencyChanges: 0, maxAgeRemovals: 0, redistributed: 0 };
  readonly spfHistory: SpfRun[] = [];
  spf: SpfResult | undefined;
  private _routerId = 0;
  private readonly ifaces = new Map<number, OspfInterface>();
  private readonly ifaceChains = new Map<number, Promise<void>>();
  private readonly ifaceState = new Map<number, { signature: string; binding: InterfaceBinding | undefined }>();
  private readonly maxAged = new Set<string>();
  private readonly retryTimers = new Map<number, TimerHandle>();
  private agingTimer: TimerHandle | undefined;
  private topologyTimer: TimerHandle | undefined;
  private redistributionTimer: TimerHandle | undefined;
  private unsubscribe: (() => void) | undefined;
  private stopped = false;
  private started = false;
  private runs = 0;
  readonly startedAt: number;

  constructor(private readonly deps: EngineDeps, private globalConfig: GlobalConfigValue) {
    this.clock = deps.clock;
    this.log = deps.log;
    this.startedAt = deps.clock.now();
    this.lsdb = new Lsdb(deps.clock, () => this._routerId);
    this.flooding = new Flooding(this, this);
    this.originator = new Originator(this, () => this.flooding, { routerLsa: () => this.buildRouterLsa(), networkLsas: () => this.buildNetworkLsas() });
    this.rtm = new RouteSync(deps.routes, deps.log);
    this.throttle = new SpfThrottle(deps.clock, this.throttleTimes(), (reasons) => this.runSpf(reasons));
  }

  // ---- RouterContext ----

  get routerId(): number {
    return this._routerId;
  }
  get areaId(): number {
    return ipToU32(this.globalConfig.areaId);
  }
  get global(): GlobalConfigValue {
    return this.globalConfig;
  }

  interfaces(): Iterable<OspfInterface> {
    return this.ifaces.values();
  }

  anyNeighborExchanging(): boolean {
    for (const i of this.ifaces.values()) {
      for (const n of i.neighbors.values()) if (n.state === NeighborState.Exchange || n.state === NeighborState.Loading) return true;
    }
    return false;
  }

  nextCryptoSequence(): number {
    return this.deps.sequence.next();
  }

  /** The last cryptographic sequence number sent. */
  get cryptoSequence(): number {
    return this.deps.sequence.current;
  }

  interfaceStateChanged(iface: OspfInterface, from: IfState, to: IfState, event: string): void {
    this.log.info(`${iface.name}: ${IF_STATE_NAMES[from]} -> ${IF_STATE_NAMES[to]} (${event})`);
    this.topologyChanged();
  }

  neighborStateChanged(n: Neighbor, from: NeighborState, to: NeighborState, event: string): void {
    const line = `neighbour ${n.name}: ${NEIGHBOR_STATE_NAMES[from]} -> ${NEIGHBOR_STATE_NAMES[to]} (${event})`;
    if (to === NeighborState.Full || from === NeighborState.Full || to === NeighborState.Down) this.log.info(line);
    else this.log.debug(line);
    if (from === NeighborState.Full || to === NeighborState.Full) {
      this.stats.adjacencyChanges++;
      this.topologyChanged();
    }
  }

  // ---- FloodingHooks ----

  installed(entry: DbEntry, _previous: DbEntry | undefined, changed: boolean): void {
    this.maxAged.delete(entry.key);
    if (changed) {
      const h = entry.lsa.header;
      this.throttle.request(`${LSA_TYPE_NAMES[h.type] ?? `type-${h.type}`} ${formatId(h.id)} adv ${formatId(h.advertisingRouter)}${h.age >= MAX_AGE ? ' flushed' : ''}`);
    }
  }

  selfOriginatedReceived(entry: DbEntry): void {
    this.originator.selfOriginatedReceived(entry);
  }

  isOwnAddress(address: number): boolean {
    for (const i of this.ifaces.values()) if (i.state !== IfState.Down && i.address === address) return true;
    return false;
  }

  // ---- life cycle ----

  start(routerId: string): void {
    if (this.started) return;
    this.started = true;
    this._routerId = ipToU32(routerId);
    if (Number.isNaN(this._routerId) || this._routerId === 0) throw new ProtocolError(ERROR_CAN_NOT_COMPLETE, `router id ${routerId} is not usable`);
    this.agingTimer = this.clock.setTimeout(() => this.agingTick(), 1000);
    this.unsubscribe = this.deps.routes.onBestRouteChange(() => this.redistributionChanged());
    this.redistributionChanged();
    this.topologyChanged();
  }

  /**
   * A planned stop: our LSAs are flushed and every neighbour hears a Hello without itself (so
   * it drops the adjacency now, not after RouterDeadInterval); then the sockets close.
   */
  async stop(flushWaitMs = 100): Promise<void> {
    if (this.stopped) return;
    this.originator.flushAll();
    for (const i of this.ifaces.values()) i.sayGoodbye();
    await new Promise((r) => setTimeout(r, flushWaitMs));
    this.stopped = true;
    this.unsubscribe?.();
    for (const t of [this.agingTimer, this.topologyTimer, this.redistributionTimer, ...this.retryTimers.values()]) t?.cancel();
    this.throttle.stop();
    this.originator.dispose();
    for (const i of this.ifaces.values()) i.down('stop');
    this.deps.sequence.close();
  }

  get routerIdText(): string {
    return u32ToIp(this._routerId);
  }

  /**
   * A new router id: OSPF knows a router by it, so our LSAs are flushed, every adjacency ends,
   * the database is emptied and everything starts again under the new id.
   */
  async changeRouterId(routerId: string): Promise<void> {
    const id = ipToU32(routerId);
    if (Number.isNaN(id) || id === 0) throw new ProtocolError(ERROR_CAN_NOT_COMPLETE, `router id ${routerId} is not usable`);
    this.log.warn(`router id changes from ${this.routerIdText} to ${routerId}: every adjacency starts again`);
    this.originator.flushAll();
    for (const i of this.ifaces.values()) i.sayGoodbye();
    await Promise.all([...this.ifaces.keys()].map((index) => this.serialize(index, () => {
      const i = this.ifaces.get(index);
      if (i && i.state !== IfState.Down) i.down('router id changed');
    })));
    this.lsdb.clear();
    this.maxAged.clear();
    this.originator.reset();
    this._routerId = id;
    for (const index of this.ifaces.keys()) this.restartInterface(index);
    await this.settle();
    this.topologyChanged();
    this.redistributionChanged();
  }

  setGlobalConfig(g: GlobalConfigValue): void {
    const areaChanged = g.areaId !== this.globalConfig.areaId;
    this.globalConfig = g;
    this.throttle.configure(this.throttleTimes());
    if (areaChanged) {
      this.log.warn(`area changed to ${g.areaId}: restarting every interface`);
      for (const i of this.ifaces.values()) this.restartInterface(i.index);
    }
    this.redistributionChanged();
  }

  private throttleTimes() {
    return { delayMs: this.globalConfig.spfDelayMs, holdMs: this.globalConfig.spfHoldMs, maxHoldMs: this.globalConfig.spfMaxHoldMs };
  }

  // ---- interfaces ----

  addInterface(info: InterfaceInfo, config: InterfaceConfigValue): void {
    if (this.ifaces.has(info.index)) throw new ProtocolError(ERROR_CAN_NOT_COMPLETE, `interface ${info.index} exists`);
    this.ifaces.set(info.index, new OspfInterface(this, info, config, this.deps.transport));
  }

  private iface(index: number): OspfInterface {
    const i = this.ifaces.get(index);
    if (!i) throw new ProtocolError(ERROR_CAN_NOT_COMPLETE, `OSPF does not know interface ${index}`);
    return i;
  }

  /** Interface changes run one after another per interface (opening a socket is async). */
  private serialize(index: number, fn: () => Promise<void> | void): Promise<void> {
    const p = (this.ifaceChains.get(index) ?? Promise.resolve()).then(fn);
    this.ifaceChains.set(index, p.catch(() => undefined));
    return p;
  }

  /** InterfaceStatus: operational and bound → up on the first address; otherwise down. */
  setInterfaceState(index: number, s: InterfaceState): Promise<void> {
    const i = this.iface(index);
    const numbered = s.addresses.filter((a): a is { address: string; prefixLength: number } => a.prefixLength !== null && a.prefixLength > 0);
    const binding: InterfaceBinding | undefined = s.operational && numbered.length
      ? { address: numbered[0]!.address, prefixLength: numbered[0]!.prefixLength, remoteAddress: s.remoteAddress, mtu: s.mtu, secondary: numbered.slice(1) }
      : undefined;
    if (s.operational && !numbered.length) this.log.warn(`${i.name}: operational but unnumbered; OSPF needs an address on the interface (unnumbered links are not supported)`);
    const signature = binding ? JSON.stringify(binding) : 'down';
    return this.serialize(index, async () => {
      if (this.stopped || this.ifaces.get(index) !== i) return;
      const prev = this.ifaceState.get(index);
      if (prev?.signature === signature) return;
      this.ifaceState.set(index, { signature, binding });
      if (i.state !== IfState.Down) i.down();
      if (binding && !(await i.up(binding))) this.retryUp(index, signature);
    });
  }

  /**
   * The socket did not open (e.g. RRAS reported the address before the system has it): try
   * again every few seconds while RRAS still wants the interface up with that binding.
   */
  private retryUp(index: number, signature: string): void {
    const t = this.clock.setTimeout(() => {
      this.retryTimers.delete(index);
      void this.serialize(index, async () => {
        const st = this.ifaceState.get(index);
        const i = this.ifaces.get(index);
        if (this.stopped || !i || !st?.binding || st.signature !== signature || i.state !== IfState.Down) return;
        if (!(await i.up(st.binding))) this.retryUp(index, signature);
      });
    }, UP_RETRY_MS);
    this.retryTimers.get(index)?.cancel();
    this.retryTimers.set(index, t);
  }

  private restartInterface(index: number): void {
    const i = this.ifaces.get(index);
    const st = this.ifaceState.get(index);
    if (!i || !st?.binding) return;
    const binding = st.binding;
    void this.serialize(index, async () => {
      if (this.stopped) return;
      if (i.state !== IfState.Down) i.down('reconfigured');
      if (!(await i.up(binding))) this.retryUp(index, st.signature);
    });
  }

  setInterfaceConfig(index: number, config: InterfaceConfigValue): void {
    const i = this.iface(index);
    const old = i.config;
    // These change what the interface is (its type, the Hello it sends or accepts, its
    // election): it starts again; the others apply at once.
    const restart = old.networkType !== config.networkType || old.passive !== config.passive || old.priority !== config.priority ||
      old.helloIntervalS !== config.helloIntervalS || old.deadIntervalS !== config.deadIntervalS || old.mtu !== config.mtu;
    i.reconfigure(config);
    if (restart) this.restartInterface(index);
    this.topologyChanged();
  }

  async deleteInterface(index: number): Promise<void> {
    const i = this.ifaces.get(index);
    if (!i) return;
    await this.serialize(index, () => {
      if (i.state !== IfState.Down) i.down('deleted');
    });
    this.ifaces.delete(index);
    this.ifaceState.delete(index);
    this.ifaceChains.delete(index);
    this.topologyChanged();
  }

  /** Waits for interface changes in flight. */
  async settle(): Promise<void> {
    await Promise.all([...this.ifaceChains.values()]);
  }

  // ---- what we originate ----

  /** Interface, neighbour or DR changes: new router- and network-LSAs, in one go per turn. */
  private topologyChanged(): void {
    if (this.stopped || !this.started || this.topologyTimer) return;
    this.topologyTimer = this.clock.setTimeout(() => {
      this.topologyTimer = undefined;
      if (!this.stopped) this.originator.refreshTopology();
    }, 0);
  }

  private hasFullWithDr(i: OspfInterface): boolean {
    if (i.state === IfState.DR) return i.neighborsAtLeast(NeighborState.Full).length > 0;
    for (const n of i.neighbors.values()) if (n.address === i.designatedRouter && n.state === NeighborState.Full) return true;
    return false;
  }

  /** RFC 2328 12.4.1. */
  private buildRouterLsa(): LsaBody {
    const links: RouterLink[] = [];
    const stub = (address: number, prefixLength: number, metric: number) =>
      links.push({ type: LinkType.Stub, id: (address & maskOf(prefixLength)) >>> 0, data: maskOf(prefixLength), metric });
    for (const i of this.ifaces.values()) {
      if (i.state === IfState.Down) continue;
      const cost = i.config.cost;
      if (i.networkType === 'pointToPoint') {
        for (const n of i.neighborsAtLeast(NeighborState.Full)) links.push({ type: LinkType.PointToPoint, id: n.routerId, data: i.address, metric: cost });
        // 12.4.1.1: the subnet as a stub (option 2), or the peer's address when there is none.
        if (i.prefixLength < 32) stub(i.address, i.prefixLength, cost);
        else if (i.remoteAddress) stub(i.remoteAddress, 32, cost);
        else stub(i.address, 32, 0);
      } else if (i.state === IfState.Waiting || i.config.passive || !this.hasFullWithDr(i)) {
        stub(i.address, i.prefixLength, cost);
      } else {
        links.push({ type: LinkType.Transit, id: i.designatedRouter, data: i.address, metric: cost });
      }
      for (const s of i.secondary) stub(s.address, s.prefixLength, cost);
    }
    return { kind: 'router', flags: this.originator.originatesExternals ? ROUTER_E : 0, links };
  }

  /** RFC 2328 12.4.2: on each broadcast network where we are DR with a full adjacency. */
  private buildNetworkLsas(): Wanted[] {
    const out: Wanted[] = [];
    for (const i of this.ifaces.values()) {
      if (i.state !== IfState.DR || i.config.passive || i.networkType !== 'broadcast') continue;
      const full = i.neighborsAtLeast(NeighborState.Full);
      if (!full.length) continue;
      out.push({ type: LsaType.Network, id: i.address, body: { kind: 'network', mask: i.mask, routers: [this._routerId, ...full.map((n) => n.routerId)] } });
    }
    return out;
  }

  // ---- redistribution (AS-external-LSAs) ----

  private redistributionChanged(): void {
    if (this.stopped || !this.started || this.redistributionTimer) return;
    this.redistributionTimer = this.clock.setTimeout(() => {
      this.redistributionTimer = undefined;
      if (!this.stopped) this.redistribute();
    }, 0);
  }

  /** The best RTM routes of the protocols listed in `redistribute`, as externals. */
  redistributionCandidates(best: BestRouteChange[] = this.deps.routes.bestRoutes()): ExternalRoute[] {
    const g = this.globalConfig;
    const out: ExternalRoute[] = [];
    for (const b of best) {
      if (b.withdrawn || b.owner === 0 || b.owner === this.deps.protocolId) continue;
      const rule = g.redistribute.find((r) => r.protocolId === b.owner) ?? g.redistribute.find((r) => r.protocolId === REDISTRIBUTE_ANY);
      if (!rule || !filterAllows(g.redistributeFilter, b.destination, b.prefixLength)) continue;
      const prefix = ipToU32(b.destination);
      if (Number.isNaN(prefix)) continue;
      out.push({
        prefix, prefixLength: b.prefixLength, type2: rule.metricType === 'type2',
        metric: rule.metric || Math.max(1, Math.min(0xfffffe, b.metric)), tag: rule.tag, forwardingAddress: 0,
      });
    }
    return out;
  }

  private redistribute(): void {
    const before = this.originator.originatesExternals;
    const routes = this.redistributionCandidates();
    this.stats.redistributed = routes.length;
    this.originator.setExternals(routes);
    if (before !== this.originator.originatesExternals) this.topologyChanged(); // the E bit
  }

  // ---- aging (RFC 2328 14) ----

  private agingTick(): void {
    if (this.stopped) return;
    this.agingTimer = this.clock.setTimeout(() => this.agingTick(), 1000);
    const exchanging = this.anyNeighborExchanging();
    for (const e of [...this.lsdb.all()]) {
      if (this.lsdb.ageOf(e) < MAX_AGE) continue;
      if (!this.maxAged.has(e.key)) {
        this.maxAged.add(e.key);
        // It aged out here: flood the MaxAge instance so everyone removes it.
        if (e.lsa.header.age < MAX_AGE) {
          this.flooding.floodOut(e, undefined);
          this.throttle.request(`${LSA_TYPE_NAMES[e.lsa.header.type]} ${formatId(e.lsa.header.id)} reached MaxAge`);
        }
      }
      if (!exchanging && !this.flooding.onRetransmitList(e.key)) {
        this.lsdb.remove(e.key);
        this.maxAged.delete(e.key);
        this.stats.maxAgeRemovals++;
      }
    }
    this.originator.tick();
  }

  // ---- SPF and RTM ----

  private runSpf(reasons: string[]): void {
    if (this.stopped) return;
    const hr = this.deps.hrtime ?? (() => performance.now());
    const t0 = hr();
    const lsas = [...this.lsdb.all()].map((e) => ({ header: this.lsdb.header(e), body: e.lsa.body, raw: e.lsa.raw }));
    const result = computeSpf(this._routerId, lsas);
    const specs = this.routeSpecs(result);
    const run: SpfRun = { run: ++this.runs, at: this.clock.now(), durationMs: hr() - t0, reasons: reasons.slice(0, 8), routes: result.routes.length, added: 0, deleted: 0 };
    this.spf = result;
    this.stats.spfRuns++;
    this.stats.spfCoalesced = this.throttle.coalesced;
    this.spfHistory.push(run);
    if (this.spfHistory.length > SPF_HISTORY) this.spfHistory.shift();
    this.log.debug(`SPF run ${run.run}: ${result.routes.length} routes, ${result.vertices} vertices, ${run.durationMs.toFixed(1)} ms (${reasons.slice(0, 3).join('; ')}${reasons.length > 3 ? '; ...' : ''})`);
    void this.rtm.apply(specs).then((r) => {
      run.added = r.added;
      run.deleted = r.deleted;
    });
  }

  /** The interface an SPF next hop leaves through. */
  private interfaceFor(via: number, nextHop: number): OspfInterface | undefined {
    for (const i of this.ifaces.values()) if (i.state !== IfState.Down && via !== 0 && i.address === via) return i;
    for (const i of this.ifaces.values()) if (i.state !== IfState.Down && nextHop !== 0 && sameSubnet(nextHop, i.address, i.prefixLength)) return i;
    for (const i of this.ifaces.values()) if (i.state !== IfState.Down && i.networkType === 'pointToPoint' && i.remoteAddress === nextHop) return i;
    return undefined;
  }

  /** SPF routes as RTM routes: one per next hop; connected networks are RRAS's own. */
  routeSpecs(result: SpfResult): RouteSpec[] {
    const out: RouteSpec[] = [];
    const pref = this.globalConfig.preference;
    for (const r of result.routes) {
      if (r.direct) continue;
      for (const h of r.nextHops) {
        const i = this.interfaceFor(h.via, h.address);
        if (!i) {
          this.log.debug(`route ${formatId(r.prefix)}/${r.prefixLength}: next hop ${formatId(h.address)} via ${formatId(h.via)} is on no OSPF interface`);
          continue;
        }
        const spec: RouteSpec = {
          destination: u32ToIp(r.prefix), prefixLength: r.prefixLength, nextHop: u32ToIp(h.address), interfaceIndex: i.index,
          metric: rtmMetric(r),
        };
        if (pref) spec.preference = pref;
        out.push(spec);
      }
    }
    return out;
  }

  // ---- views ----

  interfaceList(): OspfInterface[] {
    return [...this.ifaces.values()].sort((a, b) => a.index - b.index);
  }

  neighborList(): Neighbor[] {
    return this.interfaceList().flatMap((i) => [...i.neighbors.values()].sort((a, b) => a.routerId - b.routerId));
  }

  /** The routes of the last SPF run, with whether RTM holds them. */
  routeList(): (SpfRoute & { inRtm: boolean })[] {
    if (!this.spf) return [];
    const installed = new Set(this.rtm.installedRoutes().map((r) => `${r.destination}/${r.prefixLength}`));
    return this.spf.routes.map((r) => ({ ...r, inRtm: installed.has(`${u32ToIp(r.prefix)}/${r.prefixLength}`) }));
  }
}

/** The RTM metric of an OSPF route: its cost; a type-2 external's is its external metric. */
export function rtmMetric(r: SpfRoute): number {
  return r.pathType === 'external2' ? r.type2Cost! : r.cost;
}
