// The RIPng speaker (RFC 2080): one UDP endpoint per running interface, input processing
// (§2.4), output with split horizon / poisoned reverse and next-hop RTEs (§2.1.1, §2.5),
// regular and triggered updates, RFC 2091 on demand interfaces and the autostatic update
// behind DoUpdateRoutes, redistribution of RTM's IPv6 best routes, statistics and neighbours.
//
// What it shares with RIPv2 lives in ../distance-vector (table, timers, RTM sync, RFC 2091
// sender and update, redistribution); what differs is here: IPv6 addresses, link-local
// sources and next hops, RTEs sized to the link MTU, no authentication (RFC 2080 §2.2 leaves
// it to IPsec). It depends only on interfaces (Clock, Transport, Routes, Logger), so unit
// tests run it on a fake clock and an in-memory network.
//
// Its main records (BIRD's proto/rip/rip.c introduces its own the same way):
//   NgInterface    one per interface RRAS added: its configuration and binding state (link-
//                  local source, MTU), its one UDP endpoint (RIPng speaks from the link-local
//                  address, so an interface is one circuit), the RFC 2091 sender on a demand
//                  interface, statistics, the connected prefixes it announces, and the
//                  autostatic update of a DoUpdateRoutes in progress on it (update).
//   RipngNeighbor  one per interface and link-local source heard: when last heard, counts,
//                  and the last RFC 2091 Update Response (a duplicate is applied once).
// Routes are the shared table's (../distance-vector/table.ts), with the timers and RTM sync
// RIPv2 uses.
import { ProtocolError } from '../../lib/api/errors.js';
import type { Routes, RouteSpec } from '../../lib/api/routes.js';
import type { Logger } from '../../lib/api/types.js';
import { canonicalIPv6, formatIPv6, parseIPv6 } from '../../lib/config/ipv6.js';
import { ERROR_CAN_NOT_COMPLETE } from '../../lib/constants.js';
import type { AutostaticUpdate } from '../distance-vector/autostatic.js';
import { DemandSender, type DemandPacket } from '../distance-vector/demand.js';
import { DistanceVectorSpeaker, type InterfaceInfo, type SpeakerStats, type UpdateMode } from '../distance-vector/speaker.js';
import { prefixKey, type OutgoingEntry } from '../distance-vector/table.js';
import type { Clock } from '../distance-vector/timers.js';
import type { GlobalConfigValue, InterfaceConfigValue } from './config.js';
import {
  Command, RIPNG_GROUP, RIPNG_INFINITY, UNSPECIFIED, chunkEntries, commandName, encodePacket, isLinkLocal, isLinkLocalText,
  isWholeTableRequest, rtesPerPacket, tryDecodePacket, validateRte, wholeTableRequest, type CommandCode, type OutgoingPacket,
  type RipngPacket,
} from './packet.js';
import { withoutZone, type Endpoint, type Peer, type Transport } from './transport.js';

export const DEFAULT_MTU = 1500;

export type RipngStats = SpeakerStats;

export interface RipngInterfaceStats {
  packetsSent: number;
  sendErrors: number;
  packetsReceived: number;
  badPackets: number;
  badRoutes: number;
  requestsSent: number;
  responsesSent: number;
  responsesReceived: number;
  triggeredUpdatesSent: number;
  updateRequestsSent: number;
  updateAcksSent: number;
  updateAcksReceived: number;
}

export interface RipngNeighbor {
  interfaceIndex: number;
  /** Its link-local address (or a configured peer's), without the zone. */
  address: string;
  lastSeen: number;
  packets: number;
  badPackets: number;
  badRoutes: number;
  /** Last RFC 2091 Update Response seen: sequence, flush flag and size (duplicates are applied once). */
  lastUpdate: string;
}

export interface EngineDeps {
  clock: Clock;
  transport: Transport;
  routes: Routes<'ipv6'>;
  log: Logger;
  protocolId: number;
}

export type { InterfaceInfo };

export interface InterfaceState {
  operational: boolean;
  addresses: readonly { address: string; prefixLength: number }[];
  /** The binding's MTU (0: unknown). */
  mtu: number;
}

const zeroStats = (): RipngInterfaceStats => ({
  packetsSent: 0, sendErrors: 0, packetsReceived: 0, badPackets: 0, badRoutes: 0, requestsSent: 0, responsesSent: 0,
  responsesReceived: 0, triggeredUpdatesSent: 0, updateRequestsSent: 0, updateAcksSent: 0, updateAcksReceived: 0,
});

/** The network prefix of address/len as canonical text. */
function networkOf(address: string, prefixLength: number): string {
  const b = parseIPv6(address)!;
  for (let bit = prefixLength; bit < 128; bit++) b[bit >> 3]! &= ~(0x80 >> (bit & 7));
  return formatIPv6(b);
}

/** Numeric order of two IPv6 addresses (the table's order). */
export const compareIPv6 = (a: string, b: string) => Buffer.compare(parseIPv6(a)!, parseIPv6(b)!);

class NgInterface {
  config: InterfaceConfigValue;
  state: InterfaceState = { operational: false, addresses: [], mtu: 0 };
  endpoint: Endpoint | undefined;
  /** What the endpoint was opened for; a change reopens it. */
  openedFor = '';
  demand: DemandSender | undefined;
  readonly stats = zeroStats();
  readonly connected = new Set<string>();
  update: AutostaticUpdate<RouteSpec[]> | undefined;
  /** Endpoint changes of this interface run one after another. */
  chain: Promise<void> = Promise.resolve();

  constructor(readonly info: InterfaceInfo, config: InterfaceConfigValue) {
    this.config = config;
  }

  get index(): number {
    return this.info.index;
  }

  /** The link-local address RIPng sends from: the binding's first fe80::/10 address. */
  get linkLocal(): string | undefined {
    return this.state.addresses.map((a) => a.address).find((a) => isLinkLocalText(a));
  }

  /**
   * The address RIPng sends from: the link-local one; or, on a peersOnly interface without one,
   * its first address (its unicast peers accept it as a configured peer, e.g. ::1 in the demo).
   */
  get source(): string | undefined {
    return this.linkLocal ?? (this.config.destination === 'peersOnly' ? this.state.addresses[0]?.address : undefined);
  }

  get sends(): boolean {
    return this.config.mode === 'both' || this.config.mode === 'send';
  }

  get receives(): boolean {
    return this.config.mode === 'both' || this.config.mode === 'receive';
  }

  get mtu(): number {
    return this.config.mtu || this.state.mtu || DEFAULT_MTU;
  }

  /** The port neighbours listen on and send from. */
  get peerPort(): number {
    return this.config.peerPort || this.config.port;
  }

  isPeer(address: string): boolean {
    const a = canonicalIPv6(address);
    return this.config.peers.some((p) => canonicalIPv6(p) === a);
  }
}

export class RipngEngine extends DistanceVectorSpeaker<NgInterface, GlobalConfigValue, InterfaceConfigValue> {
  readonly stats: RipngStats = {
    periodicUpdates: 0, triggeredUpdates: 0, responsesReceived: 0, requestsReceived: 0, badPackets: 0, badRoutes: 0,
    routeChanges: 0, queriesAnswered: 0, demandUpdatesOk: 0, demandUpdatesFailed: 0,
  };
  private readonly neighbors = new Map<string, RipngNeighbor>();

  constructor(private readonly deps: EngineDeps, global: GlobalConfigValue) {
    super(deps, global, { compare: compareIPv6, unspecified: UNSPECIFIED }, () => ({
      redistribute: this.global.redistribute,
      metric: this.global.redistributeMetric,
      allow: (d, l) => !isLinkLocalText(d) || l < 10, // never a link-local prefix
    }), 'RIPng');
  }

  async stop(): Promise<void> {
    this.stopTimers();
    await Promise.all([...this.ifaces.values()].map(async (i) => {
      i.update?.fail('the protocol is stopping');
      await this.closeEndpoint(i);
    }));
    this.table.dispose();
  }

  // ---- configuration and interface state ----

  protected newInterface(info: InterfaceInfo, config: InterfaceConfigValue): NgInterface {
    return new NgInterface(info, config);
  }

  async setInterfaceConfig(index: number, config: InterfaceConfigValue): Promise<void> {
    const i = this.iface(index);
    i.config = config;
    if (i.demand) i.demand.options = { retransmitMs: config.demandRetransmitMs, retransmitLimit: config.demandRetransmitLimit };
    this.syncConnected(i);
    await this.reconcile(i);
    if (i.endpoint && i.sends && !config.demand) void this.sendUpdate(i, false); // the new view, now
  }

  async setInterfaceState(index: number, state: InterfaceState): Promise<void> {
    const i = this.iface(index);
    const wasUp = i.state.operational;
    i.state = { operational: state.operational, addresses: state.addresses.map((a) => ({ ...a })), mtu: state.mtu };
    if (wasUp && !state.operational) {
      const n = this.table.interfaceDown(index);
      if (n) this.log.info(`interface ${index} down: ${n} learned route(s) unreachable`);
      i.update?.fail(`interface ${index} went down`);
    }
    this.syncConnected(i);
    await this.reconcile(i);
  }

  async deleteInterface(index: number): Promise<void> {
    const i = this.ifaces.get(index);
    if (!i) return;
    i.state = { ...i.state, operational: false };
    i.update?.fail(`interface ${index} was deleted`);
    this.ifaces.delete(index);
    this.syncConnected(i);
    await this.reconcile(i);
    for (const r of this.table.learnedVia(index)) r.demand = false; // autostatic routes go with the interface
    this.table.interfaceDown(index);
    for (const k of [...this.neighbors.keys()]) if (k.startsWith(`${index}|`)) this.neighbors.delete(k);
  }

  /** The interface's global prefixes, announced as connected routes (never link-locals). */
  protected syncConnected(i: NgInterface): void {
    const want = new Map<string, { destination: string; prefixLength: number }>();
    if (this.global.announceConnected && i.state.operational && this.ifaces.get(i.index) === i) {
      for (const a of i.state.addresses) {
        const b = parseIPv6(a.address);
        if (!b || isLinkLocal(b) || b[0] === 0xff || a.prefixLength <= 0 || a.prefixLength > 128) continue;
        if (b.every((x, k) => x === (k === 15 ? 1 : 0))) continue; // ::1: the loopback is never announced
        const destination = networkOf(a.address, a.prefixLength);
        want.set(prefixKey(destination, a.prefixLength), { destination, prefixLength: a.prefixLength });
      }
    }
    for (const key of [...i.connected]) {
      if (want.has(key)) continue;
      const slash = key.lastIndexOf('/');
      this.table.removeLocal(key.slice(0, slash), Number(key.slice(slash + 1)), 'connected');
      i.connected.delete(key);
    }
    for (const [key, p] of want) {
      this.table.setLocal({ ...p, source: 'connected', metric: i.config.metric, nextHop: UNSPECIFIED, interfaceIndex: i.index });
      i.connected.add(key);
    }
  }

  private isConnectedPrefix(key: string): boolean {
    for (const i of this.ifaces.values()) if (i.connected.has(key)) return true;
    return false;
  }

  // ---- the endpoint of an interface ----

  /** Opens or closes the interface's endpoint to match its state and configuration. */
  private reconcile(i: NgInterface): Promise<void> {
    const run = async () => {
      if (this.stopped) return;
      const ll = i.source;
      const live = this.ifaces.get(i.index) === i && i.state.operational && i.config.mode !== 'silent';
      if (live && !ll) this.log.warn(`interface ${i.index} (${i.info.name}): no link-local address in its binding; RIPng needs one to send from (RFC 2080 §2.5)`);
      const want = live && ll ? `${ll}|${i.config.port}|${i.config.destination}|${i.config.demand}` : '';
      if (want === i.openedFor) return;
      await this.closeEndpoint(i);
      if (!want) return;
      try {
        i.endpoint = await this.deps.transport.open({
          interfaceIndex: i.index,
          linkLocal: ll!,
          port: i.config.port,
          multicast: i.config.destination === 'multicast',
          onMessage: (data, from) => this.receive(i, data, from),
          onError: (err) => this.log.warn(`interface ${i.index}: ${err.message}`),
        });
      } catch (err) {
        this.log.error(`interface ${i.index}: cannot open RIPng on ${ll} port ${i.config.port}: ${(err as Error).message}`);
        return;
      }
      i.openedFor = want;
      i.demand = new DemandSender(
        this.clock,
        { retransmitMs: i.config.demandRetransmitMs, retransmitLimit: i.config.demandRetransmitLimit },
        (p) => void this.sendDemandPacket(i, p),
        (p) => this.log.warn(`interface ${i.index}: no Update Acknowledge from ${p.to.address} after ${i.config.demandRetransmitLimit} retransmissions; update dropped`),
      );
      this.log.info(`interface ${i.index} (${i.info.name}): RIPng on ${ll}%${i.endpoint.zone} port ${i.config.port}, MTU ${i.mtu} ` +
        `(${rtesPerPacket(i.mtu)} RTEs a datagram)${i.config.destination === 'multicast' ? ` group ${RIPNG_GROUP}` : ''}` +
        `${i.config.peers.length ? ` peers ${i.config.peers.join(',')}` : ''}${i.config.demand ? ' (RFC 2091 demand)' : ''}`);
      // RFC 2080 §2.4.1: ask the neighbours for their tables; and tell them ours at once.
      if (i.config.demand) return;
      if (i.receives) for (const to of this.targets(i)) if (await this.send(i, wholeTableRequest(), to)) i.stats.requestsSent++;
      if (i.sends) void this.sendUpdate(i, false);
    };
    const p = i.chain.then(run);
    i.chain = p.catch(() => undefined);
    return p;
  }

  private async closeEndpoint(i: NgInterface): Promise<void> {
    const e = i.endpoint;
    i.endpoint = undefined;
    i.openedFor = '';
    i.demand?.stop();
    i.demand = undefined;
    if (!e) return;
    await e.close().catch(() => undefined);
    this.log.info(`interface ${i.index}: RIPng off`);
  }

  // ---- output ----

  private targets(i: NgInterface): Peer[] {
    const port = i.peerPort;
    const out: Peer[] = i.config.destination === 'multicast' ? [{ address: RIPNG_GROUP, port }] : [];
    for (const p of i.config.peers) out.push({ address: p, port });
    return out;
  }

  private async send(i: NgInterface, p: OutgoingPacket, to: Peer): Promise<boolean> {
    const e = i.endpoint;
    if (!e) return false;
    let data: Buffer;
    try {
      data = encodePacket(p);
    } catch (err) {
      this.log.error(`interface ${i.index}: cannot encode ${commandName(p.command)}: ${(err as Error).message}`);
      return false;
    }
    try {
      await e.send(data, to);
      i.stats.packetsSent++;
      return true;
    } catch (err) {
      i.stats.sendErrors++;
      this.log.debug(`interface ${i.index}: send to ${to.address} port ${to.port} failed: ${(err as Error).message}`);
      return false;
    }
  }

  /** What to announce on an interface: split horizon as configured, link-local next hops only. */
  private entriesFor(i: NgInterface, changedOnly: boolean, splitHorizon = i.config.splitHorizon): OutgoingEntry[] {
    return this.table.output({
      interfaceIndex: i.index,
      splitHorizon,
      changedOnly,
      allow: () => true,
      // A next hop on the outgoing link is announced only as a link-local address (§2.1.1).
      onLink: (a) => isLinkLocalText(a),
      localTag: i.config.tag,
    });
  }

  private chunks(i: NgInterface, entries: OutgoingEntry[], command: CommandCode): OutgoingEntry[][] {
    return chunkEntries(entries, rtesPerPacket(i.mtu, command));
  }

  protected async sendUpdate(i: NgInterface, changedOnly: boolean): Promise<void> {
    if (!i.endpoint || !i.sends || i.config.demand) return;
    const chunks = this.chunks(i, this.entriesFor(i, changedOnly), Command.Response);
    if (!chunks.length) return;
    for (const to of this.targets(i)) {
      for (const entries of chunks) if (await this.send(i, { command: Command.Response, entries }, to)) i.stats.responsesSent++;
    }
    if (changedOnly) i.stats.triggeredUpdatesSent++;
  }

  protected updateMode(i: NgInterface): UpdateMode {
    if (!i.endpoint || !i.sends) return 'none';
    return i.config.demand ? 'demand' : 'periodic';
  }

  protected demandChanges(i: NgInterface): void {
    const chunks = this.chunks(i, this.entriesFor(i, true), Command.UpdateResponse);
    if (chunks.length) for (const to of this.targets(i)) i.demand?.sendChanges(chunks, to);
  }

  private async sendDemandPacket(i: NgInterface, p: DemandPacket): Promise<void> {
    await this.send(i, { command: Command.UpdateResponse, update: { flush: p.flush, sequence: p.sequence }, entries: p.entries }, p.to);
  }

  // ---- input (RFC 2080 §2.4) ----

  private neighbor(i: NgInterface, address: string): RipngNeighbor {
    const key = `${i.index}|${address}`;
    let n = this.neighbors.get(key);
    if (!n) {
      n = { interfaceIndex: i.index, address, lastSeen: this.clock.now(), packets: 0, badPackets: 0, badRoutes: 0, lastUpdate: '' };
      this.neighbors.set(key, n);
    }
    return n;
  }

  private receive(i: NgInterface, data: Buffer, from: Peer): void {
    if (this.stopped || !i.endpoint) return;
    const source = canonicalIPv6(withoutZone(from.address)) ?? withoutZone(from.address);
    if (source === canonicalIPv6(i.source ?? '') && from.port === i.config.port) return; // our own, looped back
    i.stats.packetsReceived++;
    const linkLocal = isLinkLocalText(source);
    const known = linkLocal || i.isPeer(source);
    const decoded = tryDecodePacket(data);
    if (!decoded.ok) return this.dropped(i, from, decoded.error.message, known ? this.neighbor(i, source) : undefined);
    const p = decoded.packet;
    const isQuery = p.command === Command.Request && from.port !== i.peerPort;
    if (!isQuery && !known) return this.dropped(i, from, 'not from a link-local address (RFC 2080 §2.4.2) nor a configured peer');
    if (p.command !== Command.Request && from.port !== i.peerPort) {
      return this.dropped(i, from, `${commandName(p.command)} from port ${from.port}, not ${i.peerPort}`);
    }
    const isUpdate = p.command === Command.UpdateRequest || p.command === Command.UpdateResponse || p.command === Command.UpdateAck;
    if (isUpdate !== i.config.demand) {
      return this.dropped(i, from, isUpdate ? `${commandName(p.command)} on an interface without RFC 2091 demand mode` : `${commandName(p.command)} on an RFC 2091 demand interface`);
    }
    const n = known ? this.neighbor(i, source) : undefined;
    if (n) {
      n.lastSeen = this.clock.now();
      n.packets++;
    }
    if (p.ignoredNextHops.length) this.log.debug(`interface ${i.index}: next hop(s) ${p.ignoredNextHops.join(', ')} from ${source} are not link-local: the sender is used (RFC 2080 §2.1.1)`);
    switch (p.command) {
      case Command.Request:
        return this.onRequest(i, p, from, isQuery);
      case Command.Response:
        if (!i.receives) return;
        i.stats.responsesReceived++;
        this.stats.responsesReceived++;
        return this.learn(i, p, source, n!, false);
      case Command.UpdateRequest:
        this.stats.requestsReceived++;
        if (!isWholeTableRequest(p)) return this.dropped(i, from, 'Update Request that is not a whole-table request', n);
        if (i.sends) i.demand?.sendTable(this.chunks(i, this.entriesFor(i, false), Command.UpdateResponse), from);
        return;
      case Command.UpdateResponse:
        return this.onUpdateResponse(i, p, data.length, from, source, n!);
      case Command.UpdateAck:
        if (i.demand?.ack(p.update!.sequence)) i.stats.updateAcksReceived++;
        return;
    }
  }

  private onRequest(i: NgInterface, p: RipngPacket, from: Peer, isQuery: boolean): void {
    this.stats.requestsReceived++;
    if (!i.sends && !isQuery) return;
    // A neighbour's whole-table request gets split horizon; a query (another port) the plain table.
    const entries = isWholeTableRequest(p)
      ? this.entriesFor(i, false, isQuery ? 'none' : i.config.splitHorizon).map((e) => (isQuery ? { ...e, nextHop: UNSPECIFIED } : e))
      : p.routes.map((r) => ({ destination: r.prefix, prefixLength: r.prefixLength, tag: r.tag, metric: this.table.lookup(r.prefix, r.prefixLength) }));
    this.stats.queriesAnswered++;
    void (async () => {
      for (const chunk of this.chunks(i, entries, Command.Response)) if (await this.send(i, { command: Command.Response, entries: chunk }, from)) i.stats.responsesSent++;
    })();
  }

  private onUpdateResponse(i: NgInterface, p: RipngPacket, size: number, from: Peer, source: string, n: RipngNeighbor): void {
    const u = p.update!;
    // Every copy is acknowledged, duplicates too: the sender retransmits until it hears one.
    void this.send(i, { command: Command.UpdateAck, update: { flush: u.flush, sequence: u.sequence }, entries: [] }, from).then((ok) => ok && i.stats.updateAcksSent++);
    i.stats.responsesReceived++;
    this.stats.responsesReceived++;
    if (!i.receives) return;
    const signature = `${u.sequence}|${u.flush}|${size}`;
    if (n.lastUpdate === signature) return; // a retransmission: applied once
    n.lastUpdate = signature;
    if (u.flush) this.table.markStale(i.index, source);
    this.learn(i, p, source, n, true);
    this.updateSession(i.index, source, u.flush, i.config.demandQuietMs);
    i.update?.responded(source, u.flush);
  }

  private learn(i: NgInterface, p: RipngPacket, source: string, n: RipngNeighbor, demand: boolean): void {
    for (const r of p.routes) {
      const why = validateRte(r);
      if (why) {
        i.stats.badRoutes++;
        this.stats.badRoutes++;
        n.badRoutes++;
        this.log.debug(`interface ${i.index}: ignored an RTE from ${source}: ${why}`);
        continue;
      }
      if (this.isConnectedPrefix(prefixKey(r.prefix, r.prefixLength))) continue; // ours, directly
      this.table.heard({
        interfaceIndex: i.index, neighbor: source, destination: r.prefix, prefixLength: r.prefixLength,
        metric: Math.min(r.metric + i.config.metric, RIPNG_INFINITY), tag: r.tag,
        nextHop: r.nextHop === UNSPECIFIED ? source : r.nextHop, demand,
      });
    }
  }

  // ---- RFC 2091 autostatic update (DoUpdateRoutes) ----

  /** Asks the demand interface's neighbours for their tables and puts them into RTM. */
  updateRoutes(index: number): Promise<RouteSpec[]> {
    const i = this.iface(index);
    const refuse = (why: string) => Promise.reject(new ProtocolError(ERROR_CAN_NOT_COMPLETE, `interface ${index} ${why}`));
    if (!i.config.demand) return refuse('is not in RFC 2091 demand mode (set demand in its RIPng config)');
    if (!i.endpoint) return refuse('is not running RIPng (enabled, bound with a link-local address, media present, not silent)');
    if (!i.receives) return refuse(`does not receive RIPng (mode ${i.config.mode})`);
    return this.autostatic(index, {
      retransmitMs: i.config.demandRetransmitMs,
      timeoutMs: i.config.demandUpdateTimeoutMs,
      quietMs: i.config.demandQuietMs,
      sendRequests: () => {
        for (const to of this.targets(i)) void this.send(i, wholeTableRequest(Command.UpdateRequest), to).then((ok) => ok && i.stats.updateRequestsSent++);
      },
      current: () => i.update,
      setCurrent: (u) => (i.update = u),
    });
  }

  // ---- views (MIB, demo, tests) ----

  interfaceList() {
    return [...this.ifaces.values()].sort((a, b) => a.index - b.index).map((i) => ({
      index: i.index, name: i.info.name, type: i.info.type, operational: i.state.operational, running: i.endpoint !== undefined,
      linkLocal: i.linkLocal ?? null, source: i.source ?? null, zone: i.endpoint?.zone ?? null, mtu: i.mtu, rtesPerDatagram: rtesPerPacket(i.mtu),
      config: i.config, stats: { ...i.stats, retransmissions: i.demand?.retransmissions ?? 0 },
    }));
  }

  neighborList(): (RipngNeighbor & { routes: number })[] {
    return [...this.neighbors.values()]
      .map((n) => ({ ...n, routes: this.routesFrom(n.interfaceIndex, n.address) }))
      .sort((a, b) => a.interfaceIndex - b.interfaceIndex || compareIPv6(a.address, b.address));
  }
}
