// One OSPF interface: the interface state machine of RFC 2328 9.3 (Down, Waiting,
// Point-to-point, DROther, Backup, DR), Hellos (9.5, 10.5), the DR/BDR election (9.4), the
// checks every received packet goes through (8.2, D.5) with a counter and a log line per
// drop, and sending: authentication, destinations (8.1), packing LSAs into Link State
// Updates and acknowledgements into Link State Acks no larger than the MTU.
import type { Logger } from '../../lib/index.js';
import type { TimerHandle } from '../distance-vector/timers.js';
import type { InterfaceConfigValue } from './config.js';
import { deadIntervalOf } from './config.js';
import {
  ALL_D_ROUTERS, ALL_SPF_ROUTERS, IP_HEADER_SIZE, LSA_HEADER_SIZE, OPTION_E, PACKET_NAMES, PacketType,
} from './constants.js';
import { DROP_REASONS, type DropReason, type RouterContext } from './context.js';
import type { DbEntry } from './lsdb.js';
import { formatId, lsaKey, type Lsa, type LsaHeader } from './lsa.js';
import { Neighbor, NeighborState } from './neighbor.js';
import {
  decodePacket, encodePacket, packetOverhead, PacketError, verifyAuth, type AuthPolicy, type AuthSigner,
  type HelloBody, type PacketBody,
} from './packet.js';
import type { Endpoint, Transport } from './transport.js';
import { ipToU32, maskOf, sameSubnet, u32ToIp } from '../rip/ip.js';

export enum IfState {
  Down = 0,
  Loopback = 1,
  Waiting = 2,
  PointToPoint = 3,
  DROther = 4,
  Backup = 5,
  DR = 6,
}

export const IF_STATE_NAMES = ['Down', 'Loopback', 'Waiting', 'Point-to-point', 'DROther', 'Backup', 'DR'] as const;

export type NetworkType = 'broadcast' | 'pointToPoint';

export interface InterfaceBinding {
  address: string;
  prefixLength: number;
  /** The peer of a point-to-point link, when RRAS knows it. */
  remoteAddress: string | null;
  /** From the binding; 0 = unknown. */
  mtu: number;
  /** The other addresses of the interface (advertised as stub networks). */
  secondary: { address: string; prefixLength: number }[];
}

export interface PacketCounters {
  hello: number;
  dbd: number;
  lsr: number;
  lsu: number;
  lsack: number;
}

export interface InterfaceStats {
  sent: PacketCounters;
  received: PacketCounters;
  sendErrors: number;
  lsasSent: number;
  lsasReceived: number;
  stateChanges: number;
  drops: Record<DropReason, number>;
}

const zeroCounters = (): PacketCounters => ({ hello: 0, dbd: 0, lsr: 0, lsu: 0, lsack: 0 });
const COUNTER_OF: Record<number, keyof PacketCounters> = {
  [PacketType.Hello]: 'hello', [PacketType.DatabaseDescription]: 'dbd', [PacketType.LinkStateRequest]: 'lsr',
  [PacketType.LinkStateUpdate]: 'lsu', [PacketType.LinkStateAck]: 'lsack',
};

export interface InterfaceInfo {
  index: number;
  name: string;
  /** RRAS's type: demand-dial interfaces are point-to-point links brought up and down by RRAS. */
  demandDial: boolean;
}

/** Log lines about dropped packets: at most this many per reason and minute, then a count. */
const DROP_LOG_BURST = 5;

export class OspfInterface {
  state = IfState.Down;
  /** DR and BDR as interface addresses (0 = none), our view from the election. */
  designatedRouter = 0;
  backupDesignatedRouter = 0;
  readonly neighbors = new Map<string, Neighbor>();
  readonly stats: InterfaceStats;
  address = 0;
  prefixLength = 0;
  remoteAddress = 0;
  secondary: { address: number; prefixLength: number }[] = [];
  private bindingMtu = 0;
  private endpoint: Endpoint | undefined;
  private joinedAllDRouters = false;
  private helloTimer: TimerHandle | undefined;
  private waitTimer: TimerHandle | undefined;
  private ackTimer: TimerHandle | undefined;
  private floodTimer: TimerHandle | undefined;
  private readonly delayedAcks = new Map<string, LsaHeader>();
  private readonly floodQueue = new Map<string, DbEntry>();
  private neighborChangePending = false;
  private readonly dropLog = new Map<DropReason, { windowStart: number; count: number }>();
  /** Bumped on every up/down: an endpoint opened for an older generation is closed at once. */
  private generation = 0;

  constructor(private readonly ctx: RouterContext, readonly info: InterfaceInfo, public config: InterfaceConfigValue, private readonly transport: Transport) {
    const drops = Object.fromEntries(DROP_REASONS.map((r) => [r, 0])) as Record<DropReason, number>;
    this.stats = { sent: zeroCounters(), received: zeroCounters(), sendErrors: 0, lsasSent: 0, lsasReceived: 0, stateChanges: 0, drops };
  }

  get index(): number {
    return this.info.index;
  }
  get name(): string {
    return `interface ${this.info.index} (${this.info.name})`;
  }
  private get log(): Logger {
    return this.ctx.log;
  }

  get networkType(): NetworkType {
    if (this.config.networkType === 'broadcast') return 'broadcast';
    if (this.config.networkType === 'pointToPoint') return 'pointToPoint';
    return this.info.demandDial || this.prefixLength >= 31 || this.remoteAddress !== 0 ? 'pointToPoint' : 'broadcast';
  }

  get deadIntervalS(): number {
    return deadIntervalOf(this.config);
  }

  get mask(): number {
    return maskOf(this.prefixLength);
  }

  /** The MTU sent in DBDs and used to size packets: configured, bound, the system's, 1500. */
  get mtu(): number {
    return this.config.mtu || this.bindingMtu || this.endpoint?.mtu || 1500;
  }

  /** Bytes of OSPF body one packet may carry here. */
  maxPayload(): number {
    return this.mtu - IP_HEADER_SIZE - packetOverhead(this.config.auth === 'md5' ? 'md5' : 'none');
  }

  /** AS-external-LSAs are flooded here (always: a single area that is not a stub). */
  get externalCapable(): boolean {
    return true;
  }

  get isDr(): boolean {
    return this.state === IfState.DR;
  }
  get isBackup(): boolean {
    return this.state === IfState.Backup;
  }

  /** Router id of the DR / BDR (from the neighbour with that address, or ourselves). */
  routerIdAt(address: number): number {
    if (address === 0) return 0;
    if (address === this.address) return this.ctx.routerId;
    for (const n of this.neighbors.values()) if (n.address === address) return n.routerId;
    return 0;
  }

  private setState(to: IfState, event: string): void {
    const from = this.state;
    if (from === to) return;
    this.state = to;
    this.stats.stateChanges++;
    this.updateAllDRouters();
    this.ctx.interfaceStateChanged(this, from, to, event);
  }

  // ---- up and down (InterfaceUp, InterfaceDown) ----

  /** InterfaceUp: RRAS has the interface operational with this binding; false if the socket could not open. */
  async up(b: InterfaceBinding): Promise<boolean> {
    const generation = ++this.generation;
    this.address = ipToU32(b.address);
    this.prefixLength = b.prefixLength;
    this.remoteAddress = b.remoteAddress ? ipToU32(b.remoteAddress) : 0;
    this.bindingMtu = b.mtu;
    this.secondary = b.secondary.map((s) => ({ address: ipToU32(s.address), prefixLength: s.prefixLength }));
    if (!this.config.passive) {
      let endpoint: Endpoint;
      try {
        endpoint = await this.transport.open({
          interfaceIndex: this.index,
          address: b.address,
          onPacket: (data, from, to) => this.receive(data, from, to),
          onError: (err) => this.log.error(`${this.name}: socket failed: ${err.message}`),
        });
      } catch (err) {
        this.log.error(`${this.name}: cannot open the OSPF socket on ${b.address}: ${(err as Error).message}`);
        return false;
      }
      if (generation !== this.generation) {
        endpoint.close();
        return true;
      }
      this.endpoint = endpoint;
      try {
        endpoint.join(ALL_SPF_ROUTERS);
      } catch (err) {
        this.log.error(`${this.name}: cannot join ${ALL_SPF_ROUTERS}: ${(err as Error).message}`);
      }
    }
    this.log.info(`${this.name}: OSPF up on ${b.address}/${b.prefixLength} (${this.networkType === 'broadcast' ? 'broadcast' : 'point-to-point'}` +
      `${this.config.passive ? ', passive' : ''}, cost ${this.config.cost}, priority ${this.config.priority}, hello ${this.config.helloIntervalS}s, dead ${this.deadIntervalS}s, MTU ${this.mtu})`);
    if (this.networkType === 'pointToPoint') this.setState(IfState.PointToPoint, 'InterfaceUp');
    else if (this.config.passive) {
      // Nobody to elect with: the subnet is a stub network of ours.
      this.designatedRouter = this.address;
      this.setState(IfState.DR, 'InterfaceUp');
    } else if (this.config.priority === 0) this.setState(IfState.DROther, 'InterfaceUp');
    else {
      this.setState(IfState.Waiting, 'InterfaceUp');
      this.waitTimer = this.ctx.clock.setTimeout(() => {
        this.waitTimer = undefined;
        if (this.state === IfState.Waiting) this.electDr('WaitTimer');
      }, this.deadIntervalS * 1000);
    }
    if (this.endpoint) this.startHellos();
    return true;
  }

  /** InterfaceDown: RRAS took it down (disabled, media absent, unbound, a demand-dial link hung up). */
  down(event = 'InterfaceDown'): void {
    this.generation++;
    for (const t of [this.helloTimer, this.waitTimer, this.ackTimer, this.floodTimer]) t?.cancel();
    this.helloTimer = this.waitTimer = this.ackTimer = this.floodTimer = undefined;
    this.delayedAcks.clear();
    this.floodQueue.clear();
    for (const n of this.neighbors.values()) {
      n.kill('KillNbr');
      n.dispose();
    }
    this.neighbors.clear();
    this.designatedRouter = this.backupDesignatedRouter = 0;
    const e = this.endpoint;
    this.endpoint = undefined;
    this.joinedAllDRouters = false;
    e?.close();
    this.setState(IfState.Down, event);
  }

  private startHellos(): void {
    this.sendHello();
    const every = this.config.helloIntervalS * 1000;
    const tick = () => {
      this.helloTimer = this.ctx.clock.setTimeout(tick, every);
      this.sendHello();
    };
    this.helloTimer = this.ctx.clock.setTimeout(tick, every);
  }

  /** A changed config: timers, cost and authentication apply now; the network type at the next up. */
  reconfigure(config: InterfaceConfigValue): void {
    const helloChanged = config.helloIntervalS !== this.config.helloIntervalS;
    this.config = config;
    if (helloChanged && this.helloTimer) {
      this.helloTimer.cancel();
      this.startHellos();
    }
  }

  private updateAllDRouters(): void {
    const want = !!this.endpoint && (this.state === IfState.DR || this.state === IfState.Backup) && this.networkType === 'broadcast';
    if (want === this.joinedAllDRouters || !this.endpoint) return;
    try {
      if (want) this.endpoint.join(ALL_D_ROUTERS);
      else this.endpoint.leave(ALL_D_ROUTERS);
      this.joinedAllDRouters = want;
    } catch (err) {
      this.log.warn(`${this.name}: ${want ? 'join' : 'leave'} ${ALL_D_ROUTERS}: ${(err as Error).message}`);
    }
  }

  // ---- the DR election (9.4) ----

  adjacencyWanted(n: Neighbor): boolean {
    if (this.networkType === 'pointToPoint') return true;
    return this.state === IfState.DR || this.state === IfState.Backup ||
      n.address === this.designatedRouter || n.address === this.backupDesignatedRouter;
  }

  private electionRound(dr: number, bdr: number): { dr: number; bdr: number } {
    interface Candidate { routerId: number; address: number; priority: number; declaresDr: boolean; declaresBdr: boolean }
    const list: Candidate[] = [];
    if (this.config.priority > 0) {
      list.push({ routerId: this.ctx.routerId >>> 0, address: this.address, priority: this.config.priority, declaresDr: dr === this.address, declaresBdr: bdr === this.address });
    }
    for (const n of this.neighbors.values()) {
      if (n.state < NeighborState.TwoWay || n.priority === 0) continue;
      list.push({ routerId: n.routerId >>> 0, address: n.address, priority: n.priority, declaresDr: n.declaresDr, declaresBdr: n.declaresBdr });
    }
    const best = (cs: Candidate[]) => cs.reduce<Candidate | undefined>((a, c) => (!a || c.priority > a.priority || (c.priority === a.priority && c.routerId > a.routerId) ? c : a), undefined);
    const notDr = list.filter((c) => !c.declaresDr);
    const declaredBdr = notDr.filter((c) => c.declaresBdr);
    const newBdr = best(declaredBdr.length ? declaredBdr : notDr);
    const declaredDr = list.filter((c) => c.declaresDr);
    const newDr = declaredDr.length ? best(declaredDr) : newBdr;
    return { dr: newDr?.address ?? 0, bdr: newBdr?.address ?? 0 };
  }

  private electDr(event: string): void {
    const oldDr = this.designatedRouter;
    const oldBdr = this.backupDesignatedRouter;
    const me = this.address;
    let { dr, bdr } = this.electionRound(oldDr, oldBdr);
    // Step 4: when we become or stop being DR or BDR, decide again with our new declaration.
    if ((dr === me) !== (oldDr === me) || (bdr === me) !== (oldBdr === me)) ({ dr, bdr } = this.electionRound(dr, bdr));
    this.designatedRouter = dr;
    this.backupDesignatedRouter = bdr;
    const to = dr === me ? IfState.DR : bdr === me ? IfState.Backup : IfState.DROther;
    if (dr !== oldDr || bdr !== oldBdr) {
      this.log.info(`${this.name}: DR ${dr ? formatId(this.routerIdAt(dr)) : 'none'} (${u32ToIp(dr)}), BDR ${bdr ? formatId(this.routerIdAt(bdr)) : 'none'} (${u32ToIp(bdr)}) after ${event}`);
    }
    this.setState(to, event);
    if (dr !== oldDr || bdr !== oldBdr) {
      for (const n of this.neighbors.values()) if (n.state >= NeighborState.TwoWay) n.adjOk();
      // A new DR or BDR should hear from us now rather than at the next Hello.
      if (this.endpoint) this.sendHello();
    }
  }

  /** NeighborChange, run once after the packet or timer that caused it. */
  private scheduleNeighborChange(): void {
    if (this.neighborChangePending) return;
    this.neighborChangePending = true;
    this.ctx.clock.setTimeout(() => this.runNeighborChange(), 0);
  }

  private runNeighborChange(): void {
    if (!this.neighborChangePending) return;
    this.neighborChangePending = false;
    if (this.state === IfState.DR || this.state === IfState.Backup || this.state === IfState.DROther) {
      if (this.networkType === 'broadcast' && !this.config.passive) this.electDr('NeighborChange');
    }
  }

  /** Called by a neighbour after each of its state changes. */
  neighborStateChanged(n: Neighbor, from: NeighborState, to: NeighborState): void {
    const wasTwoWay = from >= NeighborState.TwoWay;
    const isTwoWay = to >= NeighborState.TwoWay;
    if (wasTwoWay !== isTwoWay && this.networkType === 'broadcast') this.scheduleNeighborChange();
    // A neighbour that went Down is forgotten (only NBMA networks keep configured neighbours).
    if (to === NeighborState.Down) {
      for (const [k, v] of this.neighbors) if (v === n) this.neighbors.delete(k);
      n.dispose();
    }
  }

  // ---- receiving (8.2) ----

  /** Counts and logs a dropped packet (rate-limited per reason). */
  drop(reason: DropReason, from: number, why: string): void {
    this.stats.drops[reason]++;
    const now = this.ctx.clock.now();
    let w = this.dropLog.get(reason);
    if (!w || now - w.windowStart >= 60_000) {
      if (w && w.count > DROP_LOG_BURST) this.log.info(`${this.name}: ${w.count - DROP_LOG_BURST} more packets dropped for ${reason} in the last minute`);
      w = { windowStart: now, count: 0 };
      this.dropLog.set(reason, w);
    }
    if (++w.count <= DROP_LOG_BURST) this.log.info(`${this.name}: dropped a packet from ${u32ToIp(from)} (${reason}): ${why}`);
  }

  private authPolicy(): AuthPolicy {
    const c = this.config;
    if (c.auth === 'none') return { type: 'none' };
    if (c.auth === 'simple') return { type: 'simple', password: c.keys[0]?.key.subarray(0, 8) ?? Buffer.alloc(8) };
    return { type: 'md5', keys: c.keys.map((k) => ({ keyId: k.keyId, key: k.key })) };
  }

  private signer(): AuthSigner {
    const c = this.config;
    const key = c.keys[0];
    if (c.auth === 'simple') return { type: 'simple', password: key?.key.subarray(0, 8) ?? Buffer.alloc(8) };
    if (c.auth === 'md5' && key) return { type: 'md5', keyId: key.keyId, key: key.key, sequence: this.ctx.nextCryptoSequence() };
    return { type: 'none' };
  }

  private neighborKey(routerId: number, address: number): string {
    return this.networkType === 'pointToPoint' ? `r${routerId >>> 0}` : `a${address >>> 0}`;
  }

  /** Entry point of every datagram received on this interface. Never throws. */
  receive(data: Buffer, source: string, destination: string): void {
    const from = ipToU32(source);
    try {
      this.process(data, from, ipToU32(destination));
    } catch (err) {
      this.drop('internal', from, `${(err as Error).stack ?? String(err)}`);
    }
    if (this.neighborChangePending) this.runNeighborChange();
  }

  private process(data: Buffer, from: number, to: number): void {
    if (this.state === IfState.Down || !this.endpoint) return;
    if (from === this.address) return; // our own multicast
    if (to !== ipToU32(ALL_SPF_ROUTERS) && to !== this.address) {
      if (to !== ipToU32(ALL_D_ROUTERS)) return this.drop('destination', from, `sent to ${u32ToIp(to)}`);
      if (this.state !== IfState.DR && this.state !== IfState.Backup) return this.drop('destination', from, `sent to ${ALL_D_ROUTERS} and we are neither DR nor BDR`);
    }
    let packet;
    try {
      packet = decodePacket(data);
    } catch (err) {
      if (err instanceof PacketError) return this.drop(err.reason, from, err.message);
      throw err;
    }
    const { header, body } = packet;
    if (header.areaId >>> 0 !== this.ctx.areaId >>> 0) return this.drop('area', from, `area ${formatId(header.areaId)}, ours is ${formatId(this.ctx.areaId)}`);
    if (header.routerId >>> 0 === this.ctx.routerId >>> 0) return this.drop('ownRouterId', from, `it carries our router id ${formatId(this.ctx.routerId)}: a duplicate router id?`);
    if (this.networkType === 'broadcast' && !sameSubnet(from, this.address, this.prefixLength)) {
      return this.drop('source', from, `source not on ${u32ToIp(this.address & this.mask)}/${this.prefixLength}`);
    }
    const auth = verifyAuth(data, header, this.authPolicy());
    if (!auth.ok) return this.drop(auth.kind === 'type' ? 'authType' : 'authKey', from, `authentication failed: ${auth.reason}`);
    this.stats.received[COUNTER_OF[header.type]!]++;
    let n = this.neighbors.get(this.neighborKey(header.routerId, from));
    if (auth.sequence !== undefined && n && n.cryptoSequence >= 0 && auth.sequence < n.cryptoSequence) {
      // D.3: non-decreasing; equal numbers are fine (BIRD repeats one in several packets).
      return this.drop('authSequence', from, `cryptographic sequence ${auth.sequence} below ${n.cryptoSequence} from ${formatId(header.routerId)}`);
    }
    if (body.type === PacketType.Hello) {
      n = this.receiveHello(body, header.routerId, from);
      if (n && auth.sequence !== undefined) n.cryptoSequence = auth.sequence;
      return;
    }
    if (!n) return this.drop('noNeighbor', from, `${PACKET_NAMES[body.type]} from ${formatId(header.routerId)}, which is not a neighbour`);
    if (auth.sequence !== undefined) n.cryptoSequence = auth.sequence;
    switch (body.type) {
      case PacketType.DatabaseDescription:
        if (n.state < NeighborState.Init) return this.drop('neighborState', from, `Database Description from ${n.name} in state Down`);
        return n.receiveDbd(body);
      case PacketType.LinkStateRequest:
        if (n.state < NeighborState.Exchange) return this.drop('neighborState', from, `Link State Request from ${n.name} before the exchange`);
        return this.ctx.flooding.receiveRequest(n, body.requests);
      case PacketType.LinkStateUpdate:
        if (n.state < NeighborState.Exchange) return this.drop('neighborState', from, `Link State Update from ${n.name} before the exchange`);
        for (const bad of body.rejected) this.drop('badLsa', from, bad.message);
        this.stats.lsasReceived += body.lsas.length;
        n.stats.lsasReceived += body.lsas.length;
        return this.ctx.flooding.receiveUpdate(n, body.lsas);
      case PacketType.LinkStateAck:
        if (n.state < NeighborState.Exchange) return this.drop('neighborState', from, `Link State Acknowledgment from ${n.name} before the exchange`);
        return this.ctx.flooding.receiveAck(n, body.headers);
    }
  }

  private receiveHello(h: HelloBody, routerId: number, from: number): Neighbor | undefined {
    // 10.5: the parameters that must agree.
    if (this.networkType === 'broadcast' && h.networkMask >>> 0 !== this.mask) {
      this.drop('networkMask', from, `Hello with mask ${u32ToIp(h.networkMask)}, ours is ${u32ToIp(this.mask)}`);
      return undefined;
    }
    if (h.helloInterval !== this.config.helloIntervalS) {
      this.drop('helloInterval', from, `HelloInterval ${h.helloInterval}, ours is ${this.config.helloIntervalS}`);
      return undefined;
    }
    if (h.deadInterval !== this.deadIntervalS) {
      this.drop('deadInterval', from, `RouterDeadInterval ${h.deadInterval}, ours is ${this.deadIntervalS}`);
      return undefined;
    }
    if ((h.options & OPTION_E) !== (this.ctx.options & OPTION_E)) {
      this.drop('options', from, `E bit ${h.options & OPTION_E ? 'set' : 'clear'}: the area's external routing capability differs`);
      return undefined;
    }
    const key = this.neighborKey(routerId, from);
    let n = this.neighbors.get(key);
    if (!n) {
      n = new Neighbor(this.ctx, this, routerId, from);
      n.priority = h.priority;
      n.designatedRouter = h.designatedRouter >>> 0;
      n.backupDesignatedRouter = h.backupDesignatedRouter >>> 0;
      this.neighbors.set(key, n);
      this.log.info(`${this.name}: new neighbour ${n.name}, priority ${h.priority}`);
    }
    // On point-to-point links the neighbour is its router id; its address may change.
    n.address = from;
    n.routerId = routerId >>> 0;
    n.options = h.options;
    const wasDr = n.declaresDr;
    const wasBdr = n.declaresBdr;
    const oldPriority = n.priority;
    n.helloReceived();
    if (h.neighbors.some((r) => r >>> 0 === this.ctx.routerId >>> 0)) n.twoWayReceived();
    else {
      n.oneWayReceived();
      return n;
    }
    if (this.networkType !== 'broadcast') return n;
    n.priority = h.priority;
    n.designatedRouter = h.designatedRouter >>> 0;
    n.backupDesignatedRouter = h.backupDesignatedRouter >>> 0;
    if (oldPriority !== n.priority) this.scheduleNeighborChange();
    if (n.declaresDr && h.backupDesignatedRouter === 0 && this.state === IfState.Waiting) this.backupSeen();
    else if (wasDr !== n.declaresDr) this.scheduleNeighborChange();
    if (n.declaresBdr && this.state === IfState.Waiting) this.backupSeen();
    else if (wasBdr !== n.declaresBdr) this.scheduleNeighborChange();
    return n;
  }

  private backupSeen(): void {
    if (this.state !== IfState.Waiting) return;
    this.waitTimer?.cancel();
    this.waitTimer = undefined;
    this.electDr('BackupSeen');
  }

  // ---- sending (8.1) ----

  private transmit(body: PacketBody, destination: string): void {
    if (!this.endpoint) return;
    const data = encodePacket(this.ctx.routerId, this.ctx.areaId, body, this.signer());
    try {
      this.endpoint.send(data, destination);
      this.stats.sent[COUNTER_OF[body.type]!]++;
    } catch (err) {
      this.stats.sendErrors++;
      if (this.stats.sendErrors <= 10 || this.stats.sendErrors % 1000 === 0) {
        this.log.warn(`${this.name}: sending ${PACKET_NAMES[body.type]} to ${destination} failed (${this.stats.sendErrors} so far): ${(err as Error).message}`);
      }
    }
  }

  /** A Hello that lists no neighbour: each drops its adjacency with us at once (1-WayReceived). */
  sayGoodbye(): void {
    this.sendFloods(); // the flushed LSAs first: after the goodbye they would not be accepted
    if (this.endpoint && this.state !== IfState.Down) this.sendHello(true);
  }

  private sendHello(goodbye = false): void {
    const neighbors = goodbye ? [] : [...this.neighbors.values()].filter((n) => n.state >= NeighborState.Init).map((n) => n.routerId);
    this.transmit({
      type: PacketType.Hello, networkMask: this.mask, helloInterval: this.config.helloIntervalS, options: this.ctx.options,
      priority: this.config.priority, deadInterval: this.deadIntervalS,
      designatedRouter: this.networkType === 'broadcast' ? this.designatedRouter : 0,
      backupDesignatedRouter: this.networkType === 'broadcast' ? this.backupDesignatedRouter : 0,
      neighbors,
    }, ALL_SPF_ROUTERS);
  }

  /** Where packets to one neighbour go: its address, or AllSPFRouters on point-to-point links. */
  private unicast(n: Neighbor): string {
    return this.networkType === 'pointToPoint' ? ALL_SPF_ROUTERS : u32ToIp(n.address);
  }

  /** Where flooded updates and delayed acks go (13.3 step 5, 13.5). */
  private floodDestination(): string {
    if (this.networkType === 'pointToPoint' || this.state === IfState.DR || this.state === IfState.Backup) return ALL_SPF_ROUTERS;
    return ALL_D_ROUTERS;
  }

  sendToNeighbor(n: Neighbor, body: PacketBody): void {
    this.transmit(body, this.unicast(n));
  }

  /** LSAs in as few Link State Updates as fit, each LSA aged by InfTransDelay. */
  private sendLsas(entries: Iterable<DbEntry>, destination: string): void {
    const room = this.maxPayload() - 4;
    let batch: Lsa[] = [];
    let size = 0;
    const flush = () => {
      if (!batch.length) return;
      this.stats.lsasSent += batch.length;
      this.transmit({ type: PacketType.LinkStateUpdate, lsas: batch, rejected: [] }, destination);
      batch = [];
      size = 0;
    };
    for (const e of entries) {
      const lsa = this.ctx.lsdb.current(e, this.config.transmitDelayS);
      if (size + lsa.raw.length > room) flush();
      batch.push(lsa);
      size += lsa.raw.length;
    }
    flush();
  }

  sendLsasToNeighbor(n: Neighbor, entries: Iterable<DbEntry>): void {
    this.sendLsas(entries, this.unicast(n));
  }

  /** Floods an LSA out of this interface; LSAs queued in the same turn share packets. */
  flood(entry: DbEntry): void {
    this.floodQueue.set(entry.key, entry);
    this.floodTimer ??= this.ctx.clock.setTimeout(() => this.sendFloods(), 0);
  }

  /** Sends what flood() queued, now. */
  sendFloods(): void {
    this.floodTimer?.cancel();
    this.floodTimer = undefined;
    const entries = [...this.floodQueue.values()];
    this.floodQueue.clear();
    if (entries.length) this.sendLsas(entries, this.floodDestination());
  }

  /** A direct acknowledgement, at once, to the neighbour (13.5). */
  directAck(n: Neighbor, headers: LsaHeader[]): void {
    const room = Math.max(1, Math.floor(this.maxPayload() / LSA_HEADER_SIZE));
    for (let i = 0; i < headers.length; i += room) {
      this.transmit({ type: PacketType.LinkStateAck, headers: headers.slice(i, i + room) }, this.unicast(n));
    }
  }

  /** A delayed acknowledgement: queued, sent with the others within ackDelayMs. */
  delayedAck(h: LsaHeader): void {
    this.delayedAcks.set(lsaKey(h), h);
    this.ackTimer ??= this.ctx.clock.setTimeout(() => {
      this.ackTimer = undefined;
      const headers = [...this.delayedAcks.values()];
      this.delayedAcks.clear();
      const room = Math.max(1, Math.floor(this.maxPayload() / LSA_HEADER_SIZE));
      for (let i = 0; i < headers.length; i += room) {
        this.transmit({ type: PacketType.LinkStateAck, headers: headers.slice(i, i + room) }, this.floodDestination());
      }
    }, this.config.ackDelayMs);
  }

  /** Neighbours in this state or above. */
  neighborsAtLeast(state: NeighborState): Neighbor[] {
    return [...this.neighbors.values()].filter((n) => n.state >= state);
  }
}
