// The RIP speaker: interfaces and their sockets, input processing (RFC 2453 §3.9), output
// (regular, triggered, answers to requests), RFC 2082 authentication, RFC 2091 on demand
// interfaces, statistics and the neighbour table. The table, timers, redistribution and the
// autostatic update are the distance-vector speaker's (../distance-vector/speaker.ts).
//
// It depends only on interfaces (Clock, Transport, Routes, Logger, SequenceStore), so unit
// tests run it on a fake clock and an in-memory network; index.ts wires it to rras-bridge.
//
// Its main records (BIRD's proto/rip/rip.c introduces its own the same way):
//   RipInterface  one per interface RRAS added: its configuration, whether it is operational
//                 and its bound addresses, its statistics, the connected prefixes it announces,
//                 and the autostatic update of a DoUpdateRoutes in progress on it (collector,
//                 ../distance-vector/autostatic.ts).
//   Circuit       one per bound address of a running interface: the UDP endpoint opened for it
//                 (reopened when what it was opened for changes: address, port, destination,
//                 demand mode) and its RFC 2091 sender of Update Responses (demand.ts there).
//   Neighbor      one per interface and source address heard: RIP version, when last heard,
//                 packet and error counts, the last RFC 2082 sequence number accepted and the
//                 last RFC 2091 Update Response (a duplicate is acknowledged, not applied twice).
// Routes are the shared table's (../distance-vector/table.ts): at most one learned and one
// local route per prefix, each learned one with its timeout and garbage-collection timers;
// RtmSync keeps RTM in step with the learned ones.
import { ProtocolError } from '../../lib/api/errors.js';
import type { Routes, RouteSpec } from '../../lib/api/routes.js';
import type { InterfaceType, Logger } from '../../lib/api/types.js';
import { ERROR_CAN_NOT_COMPLETE } from '../../lib/constants.js';
import type { GlobalConfigValue, InterfaceConfigValue } from './config.js';
import type { AutostaticUpdate } from '../distance-vector/autostatic.js';
import { DemandSender, type DemandPacket } from '../distance-vector/demand.js';
import { DistanceVectorSpeaker, type InterfaceInfo, type SpeakerStats, type UpdateMode } from '../distance-vector/speaker.js';
import { filterAllows } from './filter.js';
import { IPV4_TABLE, classfulPrefixLength, ipToU32, isAcceptableDestination, maskOf, networkOf, prefixKey, sameSubnet, u32ToIp } from './ip.js';
import {
  Command, RIP_GROUP, RIP_INFINITY, commandName, encodePacket, entriesPerPacket, isWholeTableRequest, tryDecodePacket,
  validateEntry, verifyAuth, wholeTableRequest, type AuthPolicy, type AuthSpec, type OutgoingEntry, type OutgoingPacket,
  type RipPacket, type RouteEntry, type AuthKind, type CommandCode,
} from './packet.js';
import type { SequenceStore } from './state.js';
import type { Clock } from '../distance-vector/timers.js';
import type { Endpoint, Peer, Transport } from './transport.js';

export interface GlobalStats extends SpeakerStats {
  authFailures: number;
}

export interface InterfaceStats {
  packetsSent: number;
  sendErrors: number;
  packetsReceived: number;
  badPackets: number;
  badRoutes: number;
  authFailures: number;
  requestsSent: number;
  requestsReceived: number;
  responsesSent: number;
  responsesReceived: number;
  triggeredUpdatesSent: number;
  updateRequestsSent: number;
  updateResponsesSent: number;
  updateAcksSent: number;
  updateAcksReceived: number;
  retransmissions: number;
}

export interface Neighbor {
  interfaceIndex: number;
  address: string;
  version: number;
  /** Clock time last heard. */
  lastSeen: number;
  packets: number;
  badPackets: number;
  badRoutes: number;
  /** Last accepted RFC 2082 sequence number (0 = none). */
  authSequence: number;
  /** Last RFC 2091 Update Response sequence number, or -1. */
  updateSequence: number;
  /** Sequence, flush flag and length of the last Update Response (duplicate detection). */
  lastUpdate: string;
}

export interface EngineDeps {
  clock: Clock;
  transport: Transport;
  routes: Routes;
  log: Logger;
  sequence: SequenceStore;
  protocolId: number;
}

export type { InterfaceInfo };

interface Circuit {
  address: string;
  prefixLength: number;
  /** What the socket was opened for; a config change that alters it reopens the socket. */
  signature: string;
  endpoint: Endpoint;
  demand: DemandSender;
}

const zeroInterfaceStats = (): InterfaceStats => ({
  packetsSent: 0, sendErrors: 0, packetsReceived: 0, badPackets: 0, badRoutes: 0, authFailures: 0, requestsSent: 0,
  requestsReceived: 0, responsesSent: 0, responsesReceived: 0, triggeredUpdatesSent: 0, updateRequestsSent: 0,
  updateResponsesSent: 0, updateAcksSent: 0, updateAcksReceived: 0, retransmissions: 0,
});

class RipInterface {
  operational = false;
  addresses: { address: string; prefixLength: number }[] = [];
  readonly circuits = new Map<string, Circuit>();
  readonly stats = zeroInterfaceStats();
  readonly connected = new Set<string>();
  collector: AutostaticUpdate<RouteSpec[]> | undefined;
  /** Socket changes of this interface run one after another. */
  chain: Promise<void> = Promise.resolve();

  constructor(readonly info: InterfaceInfo, public config: InterfaceConfigValue) {}

  get index(): number {
    return this.info.index;
  }

  onLink(address: string): boolean {
    const a = ipToU32(address);
    return this.addresses.some((x) => sameSubnet(a, ipToU32(x.address), x.prefixLength));
  }

  get sends(): boolean {
    return this.config.mode === 'both' || this.config.mode === 'send';
  }

  get receives(): boolean {
    return this.config.mode === 'both' || this.config.mode === 'receive';
  }
}

export class RipEngine extends DistanceVectorSpeaker<RipInterface, GlobalConfigValue, InterfaceConfigValue> {
  readonly stats: GlobalStats = {
    periodicUpdates: 0, triggeredUpdates: 0, responsesReceived: 0, requestsReceived: 0, badPackets: 0, badRoutes: 0,
    authFailures: 0, routeChanges: 0, queriesAnswered: 0, demandUpdatesOk: 0, demandUpdatesFailed: 0,
  };
  private readonly neighbors = new Map<string, Neighbor>();
  /** Peers already warned about datagrams over RIP's size limit (interface|address). */
  private readonly oversizeWarned = new Set<string>();

  constructor(private readonly deps: EngineDeps, global: GlobalConfigValue) {
    super(deps, global, IPV4_TABLE, () => ({
      redistribute: this.global.redistribute,
      metric: this.global.redistributeMetric,
      allow: (d, l) => filterAllows(this.global.redistributeFilter, d, l),
    }), 'RIP');
  }

  /** The last RFC 2082 sequence number sent. */
  get authSequence(): number {
    return this.deps.sequence.current;
  }

  async stop(): Promise<void> {
    this.stopTimers();
    await Promise.all([...this.ifaces.values()].map(async (i) => {
      i.collector?.fail('the protocol is stopping');
      await this.closeCircuits(i, () => true);
    }));
    this.table.dispose();
    this.deps.sequence.close();
  }

  // ---- configuration ----

  protected newInterface(info: InterfaceInfo, config: InterfaceConfigValue): RipInterface {
    return new RipInterface(info, config);
  }

  async setInterfaceConfig(index: number, config: InterfaceConfigValue): Promise<void> {
    const i = this.iface(index);
    i.config = config;
    for (const c of i.circuits.values()) c.demand.options = { retransmitMs: config.demandRetransmitMs, retransmitLimit: config.demandRetransmitLimit };
    const allow = (d: string, l: number) => filterAllows(config.acceptFilter, d, l);
    const dropped = this.table.refilter(index, allow);
    if (dropped) this.log.info(`interface ${index}: ${dropped} learned route(s) withdrawn by the new accept filter`);
    await this.reconcile(i);
    // The announce filter or split horizon may have changed: neighbours get the new view now.
    if (i.sends && !config.demand) void this.sendUpdate(i, false);
  }

  /** InterfaceStatus: the interface's operational state and its bound addresses. */
  async setInterfaceState(index: number, state: { operational: boolean; addresses: { address: string; prefixLength: number | null }[] }): Promise<void> {
    const i = this.iface(index);
    const wasUp = i.operational;
    i.operational = state.operational;
    i.addresses = state.addresses.filter((a): a is { address: string; prefixLength: number } => a.prefixLength !== null && a.prefixLength > 0);
    if (wasUp && !state.operational) {
      const n = this.table.interfaceDown(index);
      if (n) this.log.info(`interface ${index} down: ${n} learned route(s) unreachable`);
      i.collector?.fail(`interface ${index} went down`);
    }
    await this.reconcile(i);
  }

  async deleteInterface(index: number): Promise<void> {
    const i = this.ifaces.get(index);
    if (!i) return;
    i.operational = false;
    i.collector?.fail(`interface ${index} was deleted`);
    await this.reconcile(i);
    for (const r of this.table.learnedVia(index)) r.demand = false; // autostatic routes go with the interface
    this.table.interfaceDown(index);
    for (const k of [...this.neighbors.keys()]) if (k.startsWith(`${index}|`)) this.neighbors.delete(k);
    this.ifaces.delete(index);
  }

  // ---- sockets ----

  private signature(i: RipInterface, a: { address: string; prefixLength: number }): string {
    const c = i.config;
    return `${a.address}/${a.prefixLength}|${c.port}|${c.destination}|${c.demand}`;
  }

  /** Opens and closes sockets so that each bound address of a running interface has one. */
  private reconcile(i: RipInterface): Promise<void> {
    const run = async () => {
      if (this.stopped) return;
      const wanted = new Map<string, { address: string; prefixLength: number }>();
      if (i.operational && i.config.mode !== 'silent' && this.ifaces.get(i.index) === i) {
        for (const a of i.addresses) wanted.set(this.signature(i, a), a);
      }
      await this.closeCircuits(i, (c) => !wanted.has(c.signature));
      const opened: Circuit[] = [];
      for (const [sig, a] of wanted) {
        if ([...i.circuits.values()].some((c) => c.signature === sig)) continue;
        try {
          opened.push(await this.openCircuit(i, a, sig));
        } catch (err) {
          this.log.error(`interface ${i.index}: cannot open UDP ${a.address}:${i.config.port}: ${(err as Error).message}`);
        }
      }
      this.syncConnected(i);
      for (const c of opened) {
        this.log.info(`interface ${i.index} (${i.info.name}): RIP on ${c.address}/${c.prefixLength} port ${i.config.port}` +
          `${i.config.destination === 'multicast' ? ` group ${RIP_GROUP}` : ''}${i.config.peers.length ? ` peers ${i.config.peers.join(',')}` : ''}` +
          `${i.config.demand ? ' (RFC 2091 demand)' : ''}`);
        // RFC 2453 §3.9.1: a router coming up asks its neighbours for their whole tables.
        if (i.receives && !i.config.demand) void this.sendRequest(i, c);
      }
      // And tells them what it has at once instead of at the next regular update.
      if (opened.length && i.sends && !i.config.demand) void this.sendUpdate(i, false);
    };
    const p = i.chain.then(run);
    i.chain = p.catch(() => undefined);
    return p;
  }

  private async openCircuit(i: RipInterface, a: { address: string; prefixLength: number }, signature: string): Promise<Circuit> {
    const endpoint = await this.deps.transport.open({
      interfaceIndex: i.index,
      address: a.address,
      prefixLength: a.prefixLength,
      port: i.config.port,
      multicast: i.config.destination === 'multicast',
      onMessage: (data, from) => this.receive(i, circuit, data, from),
      onError: (err) => this.log.warn(`interface ${i.index} socket ${a.address}: ${err.message}`),
    });
    const circuit: Circuit = {
      address: a.address,
      prefixLength: a.prefixLength,
      signature,
      endpoint,
      demand: new DemandSender(
        this.clock,
        { retransmitMs: i.config.demandRetransmitMs, retransmitLimit: i.config.demandRetransmitLimit },
        (p) => void this.sendDemandPacket(i, circuit, p),
        (p) => this.log.warn(`interface ${i.index}: no Update Acknowledge from ${p.to.address} after ${i.config.demandRetransmitLimit} retransmissions; update dropped`),
      ),
    };
    i.circuits.set(signature, circuit);
    return circuit;
  }

  private async closeCircuits(i: RipInterface, which: (c: Circuit) => boolean): Promise<void> {
    for (const [sig, c] of [...i.circuits]) {
      if (!which(c)) continue;
      i.circuits.delete(sig);
      i.stats.retransmissions += c.demand.retransmissions;
      c.demand.stop();
      await c.endpoint.close().catch(() => undefined);
      this.log.info(`interface ${i.index}: RIP off on ${c.address}`);
    }
  }

  protected syncConnected(i: RipInterface): void {
    const want = new Map<string, { address: string; prefixLength: number }>();
    // A silent (passive) interface sends nothing, but its subnet is still announced elsewhere.
    if (this.global.announceConnected && i.operational && this.ifaces.get(i.index) === i) {
      for (const a of i.addresses) {
        const n = networkOf(ipToU32(a.address), a.prefixLength);
        if (!isAcceptableDestination(n, a.prefixLength)) continue; // e.g. a loopback link: never announced
        const net = u32ToIp(n);
        want.set(prefixKey(net, a.prefixLength), { address: net, prefixLength: a.prefixLength });
      }
    }
    for (const k of [...i.connected]) {
      if (want.has(k)) continue;
      const [d, l] = k.split('/');
      this.table.removeLocal(d!, Number(l), 'connected');
      i.connected.delete(k);
    }
    for (const [k, n] of want) {
      this.table.setLocal({ destination: n.address, prefixLength: n.prefixLength, source: 'connected', metric: i.config.metric, nextHop: '0.0.0.0', interfaceIndex: i.index });
      i.connected.add(k);
    }
  }

  private isOwnAddress(address: string): boolean {
    for (const i of this.ifaces.values()) for (const c of i.circuits.values()) if (c.address === address) return true;
    return false;
  }

  private isConnectedPrefix(key: string): boolean {
    for (const i of this.ifaces.values()) if (i.connected.has(key)) return true;
    return false;
  }

  // ---- output ----

  private authSpec(c: InterfaceConfigValue): AuthSpec {
    const k = c.keys[0];
    if (c.auth === 'none' || !k) return { type: 'none' };
    if (c.auth === 'simple') return { type: 'simple', password: k.key };
    return { type: 'md5', keyId: k.keyId, key: k.key, sequence: this.deps.sequence.next(), authDataLength: c.md5AuthDataLength === 'rfc16' ? 16 : 20 };
  }

  private authPolicy(c: InterfaceConfigValue): AuthPolicy {
    if (c.auth === 'none') return { type: 'none' };
    if (c.auth === 'simple') return { type: 'simple', passwords: c.keys.map((k) => k.key) };
    return { type: 'md5', keys: c.keys.map((k) => ({ keyId: k.keyId, key: k.key })) };
  }

  private async send(i: RipInterface, c: Circuit, p: OutgoingPacket, to: Peer): Promise<boolean> {
    let data: Buffer;
    try {
      data = encodePacket(p, this.authSpec(i.config));
    } catch (err) {
      this.log.error(`interface ${i.index}: cannot encode ${commandName(p.command)}: ${(err as Error).message}`);
      return false;
    }
    try {
      await c.endpoint.send(data, to);
      i.stats.packetsSent++;
      return true;
    } catch (err) {
      i.stats.sendErrors++;
      this.log.debug(`interface ${i.index}: send to ${to.address}:${to.port} failed: ${(err as Error).message}`);
      return false;
    }
  }

  /** Where regular updates from a circuit go: the group and/or the peers on its subnet. */
  private targets(i: RipInterface, c: Circuit): Peer[] {
    const port = i.config.port;
    const out: Peer[] = i.config.destination === 'multicast' ? [{ address: RIP_GROUP, port }] : [];
    const circuits = [...i.circuits.values()];
    for (const peer of i.config.peers) {
      const home = circuits.find((x) => sameSubnet(ipToU32(peer), ipToU32(x.address), x.prefixLength)) ?? circuits[0];
      if (home === c) out.push({ address: peer, port });
    }
    return out;
  }

  private entriesFor(i: RipInterface, changedOnly: boolean): OutgoingEntry[] {
    return this.table.output({
      interfaceIndex: i.index,
      splitHorizon: i.config.splitHorizon,
      changedOnly,
      allow: (d, l) => filterAllows(i.config.announceFilter, d, l),
      onLink: (a) => i.onLink(a),
      localTag: i.config.tag,
    });
  }

  /** Splits entries into datagrams of `command` as full as the interface's authentication allows. */
  private chunks(i: RipInterface, entries: OutgoingEntry[], command: CommandCode = Command.Response): OutgoingEntry[][] {
    const n = entriesPerPacket(this.authKind(i.config), command);
    const out: OutgoingEntry[][] = [];
    for (let k = 0; k < entries.length; k += n) out.push(entries.slice(k, k + n));
    return out;
  }

  /** The authentication authSpec will sign with (none when no key is configured). */
  private authKind(c: InterfaceConfigValue): AuthKind {
    return c.keys.length === 0 ? 'none' : c.auth;
  }

  protected async sendUpdate(i: RipInterface, changedOnly: boolean): Promise<void> {
    if (!i.sends || i.config.demand) return;
    const chunks = this.chunks(i, this.entriesFor(i, changedOnly));
    if (chunks.length === 0) return;
    for (const c of i.circuits.values()) {
      for (const to of this.targets(i, c)) {
        for (const entries of chunks) {
          if (await this.send(i, c, { command: Command.Response, entries }, to)) i.stats.responsesSent++;
        }
      }
    }
    if (changedOnly) i.stats.triggeredUpdatesSent++;
  }

  private async sendRequest(i: RipInterface, c: Circuit): Promise<void> {
    for (const to of this.targets(i, c)) if (await this.send(i, c, wholeTableRequest(), to)) i.stats.requestsSent++;
  }

  protected updateMode(i: RipInterface): UpdateMode {
    if (!i.operational || !i.sends) return 'none';
    return i.config.demand ? 'demand' : 'periodic';
  }

  protected demandChanges(i: RipInterface): void {
    const chunks = this.chunks(i, this.entriesFor(i, true), Command.UpdateResponse);
    if (!chunks.length) return;
    for (const c of i.circuits.values()) for (const to of this.targets(i, c)) c.demand.sendChanges(chunks, to);
  }

  private async sendDemandPacket(i: RipInterface, c: Circuit, p: DemandPacket): Promise<void> {
    const ok = await this.send(i, c, { command: Command.UpdateResponse, update: { flush: p.flush, sequence: p.sequence }, entries: p.entries }, p.to);
    if (ok) i.stats.updateResponsesSent++;
  }

  // ---- input ----

  private neighbor(i: RipInterface, address: string, version: number): Neighbor {
    const key = `${i.index}|${address}`;
    let n = this.neighbors.get(key);
    const now = this.clock.now();
    if (n && now - n.lastSeen > this.global.routeTimeoutMs) {
      // Not heard for a route timeout: it may have restarted; its sequence numbers start over.
      n.authSequence = 0;
      n.updateSequence = -1;
      n.lastUpdate = '';
    }
    if (!n) {
      n = { interfaceIndex: i.index, address, version, lastSeen: now, packets: 0, badPackets: 0, badRoutes: 0, authSequence: 0, updateSequence: -1, lastUpdate: '' };
      this.neighbors.set(key, n);
    }
    return n;
  }

  /** Entry point of every datagram received on a circuit. */
  private receive(i: RipInterface, c: Circuit, data: Buffer, from: Peer): void {
    if (this.stopped) return;
    i.stats.packetsReceived++;
    if (this.isOwnAddress(from.address)) return; // our own multicast, looped back
    const decoded = tryDecodePacket(data);
    const onLink = i.onLink(from.address);
    if (!decoded.ok) {
      // An oversized datagram is a peer configured beyond RFC 2453 (e.g. BIRD's "tx length"):
      // every route in it is lost, so say so where an operator looks, once per peer.
      if (decoded.error.code === 'TOO_LONG' && !this.oversizeWarned.has(`${i.index}|${from.address}`)) {
        this.oversizeWarned.add(`${i.index}|${from.address}`);
        this.log.warn(`interface ${i.index}: dropping datagrams from ${from.address}:${from.port}: ${decoded.error.message}`);
      }
      return this.dropped(i, from, decoded.error.message, onLink ? this.neighbor(i, from.address, 0) : undefined);
    }
    const p = decoded.packet;
    const isQuery = p.command === Command.Request && from.port !== i.config.port;
    // RFC 2453 §3.9.2: routing information only from directly connected neighbours, from the RIP port.
    if (!onLink && !isQuery) return this.dropped(i, from, 'not from a directly connected neighbour');
    if (p.version === 1 && i.config.acceptVersions !== 'v1v2') return this.dropped(i, from, 'RIPv1 is not accepted on this interface');
    const isUpdate = p.command === Command.UpdateRequest || p.command === Command.UpdateResponse || p.command === Command.UpdateAck;
    if (isUpdate !== i.config.demand) {
      return this.dropped(i, from, isUpdate ? `${commandName(p.command)} on an interface without RFC 2091 demand mode` : `${commandName(p.command)} on an RFC 2091 demand interface`);
    }
    const n = onLink ? this.neighbor(i, from.address, p.version) : undefined;
    // Authentication (RFC 2082); RIPv1 has no room for it, so a keyed interface refuses v1.
    const policy = this.authPolicy(i.config);
    const check = p.version === 1 ? (policy.type === 'none' ? { ok: true as const } : { ok: false as const, reason: 'RIPv1 cannot be authenticated' }) : verifyAuth(data, p, policy);
    if (!check.ok || (n && check.sequence !== undefined && check.sequence < n.authSequence)) {
      i.stats.authFailures++;
      this.stats.authFailures++;
      const reason = check.ok ? `sequence number ${check.sequence} lower than ${n!.authSequence}` : check.reason;
      return this.dropped(i, from, `authentication failed: ${reason}`, n);
    }
    if (n) {
      if (check.sequence !== undefined) n.authSequence = check.sequence;
      n.lastSeen = this.clock.now();
      n.version = p.version;
      n.packets++;
    }
    switch (p.command) {
      case Command.Request:
        return this.onRequest(i, c, p, from, isQuery);
      case Command.Response:
        if (from.port !== i.config.port) return this.dropped(i, from, `Response from port ${from.port}, not ${i.config.port}`, n);
        if (!i.receives) return;
        i.stats.responsesReceived++;
        this.stats.responsesReceived++;
        this.processEntries(i, c, p, from, n!, false);
        return;
      case Command.UpdateRequest:
        i.stats.requestsReceived++;
        this.stats.requestsReceived++;
        if (!isWholeTableRequest(p)) return this.dropped(i, from, 'Update Request that is not a whole-table request', n);
        if (!i.sends) return;
        c.demand.sendTable(this.chunks(i, this.entriesFor(i, false), Command.UpdateResponse), from);
        return;
      case Command.UpdateResponse:
        return this.onUpdateResponse(i, c, p, data, from, n!);
      case Command.UpdateAck:
        if (c.demand.ack(p.update!.sequence)) i.stats.updateAcksReceived++;
        else this.log.debug(`interface ${i.index}: Update Acknowledge ${p.update!.sequence} from ${from.address} matches nothing in flight`);
        return;
    }
  }

  private onRequest(i: RipInterface, c: Circuit, p: RipPacket, from: Peer, isQuery: boolean): void {
    i.stats.requestsReceived++;
    this.stats.requestsReceived++;
    if (!i.sends && !isQuery) return;
    let entries: OutgoingEntry[];
    if (isWholeTableRequest(p)) {
      entries = this.entriesFor(i, false);
    } else {
      // Specific entries (diagnostic queries): our metric for each, no split horizon.
      entries = p.entries.filter((e) => e.afi === 2 && e.prefixLength !== null).map((e) => ({
        destination: e.destination, prefixLength: e.prefixLength!, tag: e.tag, metric: this.table.lookup(e.destination, e.prefixLength!),
      }));
    }
    this.stats.queriesAnswered++;
    void (async () => {
      for (const chunk of this.chunks(i, entries)) if (await this.send(i, c, { command: Command.Response, entries: chunk }, from)) i.stats.responsesSent++;
    })();
  }

  private onUpdateResponse(i: RipInterface, c: Circuit, p: RipPacket, data: Buffer, from: Peer, n: Neighbor): void {
    const u = p.update!;
    // Acknowledge every copy, duplicates included: the sender retransmits until it hears one.
    void this.send(i, c, { command: Command.UpdateAck, update: { flush: u.flush, sequence: u.sequence }, entries: [] }, from).then((ok) => ok && i.stats.updateAcksSent++);
    i.stats.responsesReceived++;
    this.stats.responsesReceived++;
    if (!i.receives) return;
    // A retransmission repeats sequence number, flush flag and entries: apply it once.
    const signature = `${u.sequence}|${u.flush}|${data.length}`;
    const duplicate = n.lastUpdate === signature;
    n.updateSequence = u.sequence;
    n.lastUpdate = signature;
    if (duplicate) return;
    if (u.flush) this.table.markStale(i.index, from.address);
    this.processEntries(i, c, p, from, n, true);
    this.updateSession(i.index, from.address, u.flush, i.config.demandQuietMs);
    i.collector?.responded(from.address, u.flush);
  }

  private processEntries(i: RipInterface, c: Circuit, p: RipPacket, from: Peer, n: Neighbor, demand: boolean): void {
    for (const raw of p.entries) {
      if (raw.afi !== 2) continue; // RFC 2453 §3.9.2: other families are not for us
      const e = p.version === 1 ? this.v1Entry(raw, c) : raw;
      const why = validateEntry(e, p.version === 1 ? 2 : p.version) ?? (p.version === 1 ? validateEntry(raw, 1) : null);
      if (why) {
        i.stats.badRoutes++;
        this.stats.badRoutes++;
        n.badRoutes++;
        this.log.debug(`interface ${i.index}: ignored an entry from ${from.address}: ${why}`);
        continue;
      }
      const prefixLength = e.prefixLength!;
      if (!filterAllows(i.config.acceptFilter, e.destination, prefixLength)) continue;
      if (this.isConnectedPrefix(prefixKey(e.destination, prefixLength))) continue; // ours, directly
      const nh = e.nextHop !== '0.0.0.0' && i.onLink(e.nextHop) && !this.isOwnAddress(e.nextHop) ? e.nextHop : from.address;
      this.table.heard({
        interfaceIndex: i.index, neighbor: from.address, destination: e.destination, prefixLength,
        metric: Math.min(e.metric + i.config.metric, RIP_INFINITY), tag: e.tag, nextHop: nh, demand,
      });
    }
  }

  /** RFC 1058 §3.2: a RIPv1 entry's length is the subnet's on our network, else classful, or a host. */
  private v1Entry(e: RouteEntry, c: Circuit): RouteEntry {
    const dest = ipToU32(e.destination);
    const classful = classfulPrefixLength(dest);
    let len = networkOf(dest, classful) === networkOf(ipToU32(c.address), classful) ? c.prefixLength : classful;
    if (dest === 0) len = 0;
    else if ((dest & ~maskOf(len)) >>> 0 !== 0) len = 32;
    return { ...e, prefixLength: len };
  }

  // ---- redistribution ----

  // ---- RFC 2091 autostatic update (DoUpdateRoutes) ----

  /** Asks the demand interface's neighbours for their tables and installs them in RTM. */
  updateRoutes(index: number): Promise<RouteSpec[]> {
    const i = this.iface(index);
    if (!i.config.demand) {
      return Promise.reject(new ProtocolError(ERROR_CAN_NOT_COMPLETE, `interface ${index} is not in RFC 2091 demand mode (set demand in its RIP config)`));
    }
    if (!i.operational || i.circuits.size === 0) {
      return Promise.reject(new ProtocolError(ERROR_CAN_NOT_COMPLETE, `interface ${index} is not operational (enabled, bound and with media), no RIP socket`));
    }
    if (!i.receives) return Promise.reject(new ProtocolError(ERROR_CAN_NOT_COMPLETE, `interface ${index} does not receive RIP (mode ${i.config.mode})`));
    return this.autostatic(index, {
      retransmitMs: i.config.demandRetransmitMs,
      timeoutMs: i.config.demandUpdateTimeoutMs,
      quietMs: i.config.demandQuietMs,
      sendRequests: () => {
        for (const c of i.circuits.values()) {
          for (const to of this.targets(i, c)) {
            void this.send(i, c, wholeTableRequest(Command.UpdateRequest), to).then((ok) => ok && i.stats.updateRequestsSent++);
          }
        }
      },
      current: () => i.collector,
      setCurrent: (u) => (i.collector = u),
    });
  }

  // ---- views (MIB, demo) ----

  interfaceList(): { index: number; name: string; type: InterfaceType; operational: boolean; config: InterfaceConfigValue; addresses: string[]; stats: InterfaceStats }[] {
    return [...this.ifaces.values()].sort((a, b) => a.index - b.index).map((i) => ({
      index: i.index, name: i.info.name, type: i.info.type, operational: i.operational, config: i.config,
      addresses: [...i.circuits.values()].map((c) => `${c.address}/${c.prefixLength}`),
      stats: { ...i.stats, retransmissions: i.stats.retransmissions + [...i.circuits.values()].reduce((s, c) => s + c.demand.retransmissions, 0) },
    }));
  }

  neighborList(): (Neighbor & { routes: number })[] {
    return [...this.neighbors.values()]
      .map((n) => ({ ...n, routes: this.routesFrom(n.interfaceIndex, n.address) }))
      .sort((a, b) => a.interfaceIndex - b.interfaceIndex || ipToU32(a.address) - ipToU32(b.address));
  }
}
