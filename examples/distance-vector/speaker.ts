// The part of a RIP-family speaker that RIPv2 and RIPng share: the table and its RTM sync,
// the regular update timer with jitter and the triggered-update hold-down (RFC 2453 §3.8,
// §3.10.1; RFC 2080 §2.5), redistribution, the interface registry, RFC 2091 flush sessions
// and the autostatic update behind DoUpdateRoutes. A protocol extends it with its packets,
// sockets and input rules (examples/rip/engine.ts, examples/ripng/engine.ts).
import { ProtocolError } from '../../lib/api/errors.js';
import type { Routes, RouteSpec } from '../../lib/api/routes.js';
import type { InterfaceType, Logger } from '../../lib/api/types.js';
import { ERROR_CAN_NOT_COMPLETE } from '../../lib/constants.js';
import { AutostaticUpdate } from './autostatic.js';
import type { Peer } from './peer.js';
import { Redistributor, type RedistributionPolicy } from './redistribute.js';
import { RtmSync } from './rtm.js';
import { RipTable, type RipRoute, type TableOptions } from './table.js';
import { PeriodicTimer, TriggeredUpdateLimiter, type Clock, type TimerHandle } from './timers.js';

export interface SpeakerDeps {
  clock: Clock;
  routes: Routes<any>;
  log: Logger;
  protocolId: number;
}

/** The global settings the shared machinery runs on (both protocols' global blocks have them). */
export interface SpeakerTimers {
  updateIntervalMs: number;
  jitterPercent: number;
  routeTimeoutMs: number;
  garbageMs: number;
  triggeredMinMs: number;
  triggeredMaxMs: number;
  /** RTM preference of learned routes; 0 = the library's default. */
  preference: number;
}

export interface SpeakerStats {
  periodicUpdates: number;
  triggeredUpdates: number;
  responsesReceived: number;
  requestsReceived: number;
  badPackets: number;
  badRoutes: number;
  routeChanges: number;
  queriesAnswered: number;
  demandUpdatesOk: number;
  demandUpdatesFailed: number;
}

/** How an interface takes part in updates: regular ones, RFC 2091 triggered ones only, or none. */
export type UpdateMode = 'periodic' | 'demand' | 'none';

export interface AutostaticRequest {
  retransmitMs: number;
  timeoutMs: number;
  quietMs: number;
  sendRequests(): void;
  /** The update in progress on the interface (one at a time), kept by the protocol. */
  current(): AutostaticUpdate<RouteSpec[]> | undefined;
  setCurrent(u: AutostaticUpdate<RouteSpec[]> | undefined): void;
}

export interface InterfaceInfo {
  index: number;
  name: string;
  type: InterfaceType;
}

/** I: the protocol's interface record; G: its global config; C: its interface config. */
export abstract class DistanceVectorSpeaker<I extends { readonly index: number }, G extends SpeakerTimers, C> {
  readonly table: RipTable;
  readonly rtm: RtmSync;
  protected readonly ifaces = new Map<number, I>();
  protected stopped = false;
  protected readonly clock: Clock;
  protected readonly log: Logger;
  protected abstract readonly stats: SpeakerStats;
  /** RFC 2091 sessions of flushing neighbours, by interface|neighbour. */
  private readonly sessions = new Map<string, TimerHandle>();
  private readonly periodic: PeriodicTimer;
  private readonly limiter: TriggeredUpdateLimiter;
  private readonly redistributor: Redistributor;

  constructor(
    deps: SpeakerDeps,
    protected global: G,
    addresses: Pick<TableOptions, 'compare' | 'unspecified'>,
    policy: () => RedistributionPolicy,
    /** "RIP", "RIPng": for messages. */
    private readonly protocolName: string,
  ) {
    this.clock = deps.clock;
    this.log = deps.log;
    this.rtm = new RtmSync(deps.routes, deps.log, global.preference);
    this.table = new RipTable({
      ...addresses,
      clock: deps.clock,
      timeoutMs: global.routeTimeoutMs,
      garbageMs: global.garbageMs,
      onLearnedChange: (r) => {
        this.stats.routeChanges++;
        this.rtm.learnedChanged(r);
      },
      onTriggered: () => this.limiter.request(),
    });
    this.redistributor = new Redistributor(this.table, deps.routes, deps.protocolId, policy, deps.log);
    this.periodic = new PeriodicTimer(deps.clock, global.updateIntervalMs, global.jitterPercent / 100, () => this.regularUpdate());
    this.limiter = new TriggeredUpdateLimiter(deps.clock, global.triggeredMinMs, global.triggeredMaxMs, () => this.triggeredUpdate());
  }

  start(): void {
    this.periodic.start();
    this.redistributor.start();
  }

  /** Stops the timers and redistribution; the protocol then closes its sockets and calls disposeTable. */
  protected stopTimers(): void {
    this.stopped = true;
    this.periodic.stop();
    this.limiter.stop();
    this.redistributor.stop();
    for (const t of this.sessions.values()) t.cancel();
    this.sessions.clear();
  }

  get globalConfig(): G {
    return this.global;
  }

  /** New global settings: timers, route lifetimes, preference, connected and redistributed routes. */
  setGlobalConfig(g: G): void {
    this.global = g;
    this.table.timeoutMs = g.routeTimeoutMs;
    this.table.garbageMs = g.garbageMs;
    this.periodic.configure(g.updateIntervalMs, g.jitterPercent / 100);
    this.limiter.configure(g.triggeredMinMs, g.triggeredMaxMs);
    this.rtm.setPreference(g.preference);
    for (const i of this.ifaces.values()) this.syncConnected(i);
    this.redistributor.recompute();
  }

  async addInterface(info: InterfaceInfo, config: C): Promise<void> {
    if (this.ifaces.has(info.index)) throw new ProtocolError(ERROR_CAN_NOT_COMPLETE, `interface ${info.index} exists`);
    this.ifaces.set(info.index, this.newInterface(info, config));
  }

  protected abstract newInterface(info: InterfaceInfo, config: C): I;
  /** Announces the interface's own prefixes (as connected routes) while it runs. */
  protected abstract syncConnected(i: I): void;

  protected iface(index: number): I {
    const i = this.ifaces.get(index);
    if (!i) throw new ProtocolError(ERROR_CAN_NOT_COMPLETE, `${this.protocolName} does not know interface ${index}`);
    return i;
  }

  // ---- updates ----

  protected abstract updateMode(i: I): UpdateMode;
  /** A regular (changedOnly false) or triggered update on a periodic interface. */
  protected abstract sendUpdate(i: I, changedOnly: boolean): Promise<void>;
  /** The changed routes, as RFC 2091 Update Responses, on a demand interface. */
  protected abstract demandChanges(i: I): void;

  private regularUpdate(): void {
    if (this.stopped) return;
    this.stats.periodicUpdates++;
    const changes = this.table.hasChanges;
    for (const i of this.ifaces.values()) {
      const mode = this.updateMode(i);
      if (mode === 'periodic') void this.sendUpdate(i, false);
      else if (mode === 'demand' && changes) this.demandChanges(i); // RFC 2091: nothing periodic there
    }
    this.table.clearChanges();
    this.limiter.cancelPending();
  }

  private triggeredUpdate(): void {
    if (this.stopped || !this.table.hasChanges) return;
    this.stats.triggeredUpdates++;
    for (const i of this.ifaces.values()) {
      const mode = this.updateMode(i);
      if (mode === 'periodic') void this.sendUpdate(i, true);
      else if (mode === 'demand') this.demandChanges(i);
    }
    this.table.clearChanges();
  }

  // ---- RFC 2091 ----

  /**
   * An Update Response was applied. RFC 2091 §4: a flushed table replaces the neighbour's
   * routes, so once its session has been quiet for quietMs, what it did not repeat is swept.
   */
  protected updateSession(index: number, neighbor: string, flush: boolean, quietMs: number): void {
    const key = `${index}|${neighbor}`;
    if (!flush && !this.sessions.has(key)) return;
    this.sessions.get(key)?.cancel();
    this.sessions.set(key, this.clock.setTimeout(() => {
      this.sessions.delete(key);
      this.table.sweepStale(index, neighbor);
    }, quietMs));
  }

  /** DoUpdateRoutes: asks the interface's neighbours for their tables and puts them into RTM. */
  protected autostatic(index: number, o: AutostaticRequest): Promise<RouteSpec[]> {
    const running = o.current();
    if (running) return running.promise; // one at a time; a second caller shares it
    const update: AutostaticUpdate<RouteSpec[]> = new AutostaticUpdate<RouteSpec[]>({
      clock: this.clock,
      retransmitMs: o.retransmitMs,
      timeoutMs: o.timeoutMs,
      quietMs: o.quietMs,
      what: `interface ${index}`,
      sendRequests: o.sendRequests,
      finish: async (answered) => {
        for (const nb of answered) this.table.sweepStale(index, nb);
        const routes = this.table.learnedVia(index);
        await this.rtm.replace(index, routes);
        this.log.info(`interface ${index}: autostatic update from ${[...answered].join(', ')}: ${routes.length} route(s) in RTM`);
        return routes.map((r) => this.rtm.spec(r));
      },
      done: () => {
        if (o.current() === update) o.setCurrent(undefined);
      },
    });
    o.setCurrent(update);
    update.promise.then(() => this.stats.demandUpdatesOk++, () => this.stats.demandUpdatesFailed++);
    return update.promise;
  }

  // ---- input ----

  /** A datagram refused: counted on the interface, globally and on the neighbour, and why logged. */
  protected dropped(i: { index: number; stats: { badPackets: number } }, from: Peer, why: string, n?: { badPackets: number }): void {
    i.stats.badPackets++;
    this.stats.badPackets++;
    if (n) n.badPackets++;
    this.log.debug(`interface ${i.index}: dropped a datagram from ${from.address} port ${from.port}: ${why}`);
  }

  // ---- views ----

  /** Reachable routes a neighbour gave us through an interface. */
  protected routesFrom(interfaceIndex: number, neighbor: string): number {
    return this.table.learnedRoutes().filter((r) => r.neighbor === neighbor && r.interfaceIndex === interfaceIndex && r.garbageAt === null).length;
  }

  /** Learned and local routes, in address order, with whether RTM holds the learned ones. */
  routeList(): (RipRoute & { inRtm: boolean })[] {
    return [...this.table.learnedRoutes(), ...this.table.localRoutes()]
      .map((r) => ({ ...r, inRtm: r.source === 'learned' && this.rtm.isInstalled(r.key) }))
      .sort((a, b) => this.table.compareAddresses(a.destination, b.destination) || a.prefixLength - b.prefixLength || a.source.localeCompare(b.source));
  }
}
