// One neighbour of an interface: the neighbour state machine of RFC 2328 10.3 (Down ... Full),
// the Database Description exchange with master/slave negotiation, duplicate detection and
// the MTU check (10.6, 10.8), and the link-state request, retransmission and summary lists
// (10.9). Flooding itself (what is on the retransmission list and why) is flooding.ts's.
import { DD_I, DD_M, DD_MS, LSA_HEADER_SIZE, LsaType, MAX_AGE, PacketType } from './constants.js';
import type { RouterContext } from './context.js';
import type { OspfInterface } from './interface.js';
import type { DbEntry } from './lsdb.js';
import { compareInstances, formatId, lsaKey, type LsaHeader } from './lsa.js';
import type { DbdBody, LsRequest } from './packet.js';
import type { TimerHandle } from '../distance-vector/timers.js';

export enum NeighborState {
  Down = 0,
  Attempt = 1,
  Init = 2,
  TwoWay = 3,
  ExStart = 4,
  Exchange = 5,
  Loading = 6,
  Full = 7,
}

export const NEIGHBOR_STATE_NAMES = ['Down', 'Attempt', 'Init', '2-Way', 'ExStart', 'Exchange', 'Loading', 'Full'] as const;

export interface NeighborStats {
  stateChanges: number;
  /** Times the adjacency fell back to ExStart (SeqNumberMismatch, BadLSReq). */
  exchangeRestarts: number;
  retransmissions: number;
  lsasReceived: number;
  mtuMismatches: number;
}

interface Retransmit {
  entry: DbEntry;
  sentAt: number;
}

const KNOWN_LSA_TYPES = new Set<number>([LsaType.Router, LsaType.Network, LsaType.SummaryNetwork, LsaType.SummaryAsbr, LsaType.AsExternal]);

export class Neighbor {
  state = NeighborState.Down;
  priority = 0;
  options = 0;
  /** DR and BDR as the neighbour's last Hello declared them (interface addresses). */
  designatedRouter = 0;
  backupDesignatedRouter = 0;
  /** Last RFC 2328 D.3 cryptographic sequence number accepted from it (-1: none yet). */
  cryptoSequence = -1;
  lastHelloAt = -Infinity;
  /** Clock time it entered its current state, and when it last became Full. */
  stateSince: number;
  fullSince: number | null = null;
  weAreMaster = false;
  ddSequence = 0;
  readonly summaryList: DbEntry[] = [];
  readonly requestList = new Map<string, LsaHeader>();
  readonly retransmitList = new Map<string, Retransmit>();
  readonly stats: NeighborStats = { stateChanges: 0, exchangeRestarts: 0, retransmissions: 0, lsasReceived: 0, mtuMismatches: 0 };
  private lastReceivedDbd: { flags: number; options: number; sequence: number } | undefined;
  private lastSentDbd: DbdBody | undefined;
  /** The master has seen our last DBD (the one with M clear). */
  private sentAll = false;
  private inactivity: TimerHandle | undefined;
  private dbdRetransmit: TimerHandle | undefined;
  private lsrRetransmit: TimerHandle | undefined;
  private lsuRetransmit: TimerHandle | undefined;
  private releaseLastDbd: TimerHandle | undefined;
  /** The requests in the LSR in flight (answered when none of them is on the request list). */
  private outstanding = new Set<string>();

  constructor(private readonly ctx: RouterContext, readonly iface: OspfInterface, public routerId: number, public address: number) {
    this.stateSince = ctx.clock.now();
  }

  get name(): string {
    return `${formatId(this.routerId)} (${formatId(this.address)}) on ${this.iface.name}`;
  }

  /** Whether it lists itself as DR / BDR. */
  get declaresDr(): boolean {
    return this.designatedRouter >>> 0 === this.address >>> 0;
  }
  get declaresBdr(): boolean {
    return this.backupDesignatedRouter >>> 0 === this.address >>> 0;
  }

  /** Milliseconds until the inactivity timer fires. */
  deadInMs(): number {
    return Math.max(0, this.lastHelloAt + this.iface.deadIntervalS * 1000 - this.ctx.clock.now());
  }

  // ---- state machine (RFC 2328 10.3) ----

  private setState(to: NeighborState, event: string): void {
    const from = this.state;
    if (from === to) return;
    this.state = to;
    this.stateSince = this.ctx.clock.now();
    this.stats.stateChanges++;
    if (to === NeighborState.Full) this.fullSince = this.stateSince;
    this.ctx.neighborStateChanged(this, from, to, event);
    this.iface.neighborStateChanged(this, from, to);
  }

  helloReceived(): void {
    this.lastHelloAt = this.ctx.clock.now();
    this.inactivity?.cancel();
    this.inactivity = this.ctx.clock.setTimeout(() => this.kill('InactivityTimer'), this.iface.deadIntervalS * 1000);
    if (this.state < NeighborState.Init) this.setState(NeighborState.Init, 'HelloReceived');
  }

  twoWayReceived(): void {
    if (this.state !== NeighborState.Init) return;
    if (this.iface.adjacencyWanted(this)) this.startExchange('2-WayReceived');
    else this.setState(NeighborState.TwoWay, '2-WayReceived');
  }

  oneWayReceived(): void {
    if (this.state < NeighborState.TwoWay) return;
    this.clearLists();
    this.setState(NeighborState.Init, '1-WayReceived');
  }

  /** AdjOK?: the DR or BDR changed; form or tear down the adjacency. */
  adjOk(): void {
    const wanted = this.iface.adjacencyWanted(this);
    if (this.state === NeighborState.TwoWay && wanted) this.startExchange('AdjOK?');
    else if (this.state >= NeighborState.ExStart && !wanted) {
      this.clearLists();
      this.setState(NeighborState.TwoWay, 'AdjOK?');
    }
  }

  /** KillNbr, LLDown, InactivityTimer. */
  kill(event: string): void {
    this.inactivity?.cancel();
    this.inactivity = undefined;
    this.clearLists();
    this.cryptoSequence = -1;
    this.setState(NeighborState.Down, event);
  }

  /** SeqNumberMismatch, BadLSReq: back to ExStart (10.3). */
  restartExchange(event: 'SeqNumberMismatch' | 'BadLSReq', why: string): void {
    if (this.state < NeighborState.Exchange) return;
    this.ctx.log.warn(`neighbour ${this.name}: ${event} (${why}); restarting the database exchange`);
    this.stats.exchangeRestarts++;
    this.startExchange(event);
  }

  private startExchange(event: string): void {
    this.clearLists();
    // 10.8: a new DD sequence number (unique on each start), then an empty DBD with I, M, MS.
    this.ddSequence = this.ddSequence ? (this.ddSequence + 1) >>> 0 : Math.floor(this.ctx.clock.random() * 0x7fffffff) + 1;
    this.weAreMaster = true;
    this.sentAll = false;
    this.setState(NeighborState.ExStart, event);
    this.sendDbd({ type: PacketType.DatabaseDescription, mtu: this.iface.mtu, options: this.ctx.options, flags: DD_I | DD_M | DD_MS, sequence: this.ddSequence, headers: [] });
  }

  private negotiationDone(): void {
    // 10.3: the summary list is the whole database, but MaxAge LSAs go on the retransmission list.
    for (const e of this.ctx.lsdb.all()) {
      if (e.lsa.header.type === LsaType.AsExternal && !this.iface.externalCapable) continue;
      if (this.ctx.lsdb.ageOf(e) >= MAX_AGE) this.retransmitList.set(e.key, { entry: e, sentAt: -Infinity });
      else this.summaryList.push(e);
    }
    if (this.retransmitList.size) this.scheduleLsuRetransmit();
    this.setState(NeighborState.Exchange, 'NegotiationDone');
  }

  private exchangeDone(): void {
    this.dbdRetransmit?.cancel();
    this.dbdRetransmit = undefined;
    if (this.requestList.size === 0) this.setState(NeighborState.Full, 'ExchangeDone');
    else {
      this.setState(NeighborState.Loading, 'ExchangeDone');
      if (this.outstanding.size === 0) this.sendRequests(); // unless some are in flight already
    }
    if (!this.weAreMaster) {
      // 10.8: the slave keeps its last DBD for RouterDeadInterval to answer a retransmission.
      this.releaseLastDbd?.cancel();
      this.releaseLastDbd = this.ctx.clock.setTimeout(() => (this.lastSentDbd = undefined), this.iface.deadIntervalS * 1000);
    } else {
      this.lastSentDbd = undefined;
    }
  }

  private clearLists(): void {
    for (const t of [this.dbdRetransmit, this.lsrRetransmit, this.lsuRetransmit, this.releaseLastDbd]) t?.cancel();
    this.dbdRetransmit = this.lsrRetransmit = this.lsuRetransmit = this.releaseLastDbd = undefined;
    this.summaryList.length = 0;
    this.requestList.clear();
    this.retransmitList.clear();
    this.outstanding.clear();
    this.lastReceivedDbd = undefined;
    this.lastSentDbd = undefined;
    this.fullSince = null;
  }

  /** Stops its timers for good (the interface or the router is going away). */
  dispose(): void {
    this.inactivity?.cancel();
    this.clearLists();
  }

  // ---- Database Description (10.6, 10.8) ----

  receiveDbd(dbd: DbdBody): void {
    const mtu = this.iface.mtu;
    if (dbd.mtu > mtu && !this.iface.config.mtuIgnore) {
      this.stats.mtuMismatches++;
      this.iface.drop('mtu', this.address, `Database Description from ${this.name} with MTU ${dbd.mtu}, ours is ${mtu}`);
      return;
    }
    if (this.state === NeighborState.Init) this.twoWayReceived();
    switch (this.state) {
      case NeighborState.Down:
      case NeighborState.Attempt:
      case NeighborState.Init:
      case NeighborState.TwoWay:
        return; // not (yet) forming an adjacency with it
      case NeighborState.ExStart:
        return this.negotiate(dbd);
      case NeighborState.Exchange:
        return this.exchange(dbd);
      default:
        // Loading or Full: only a retransmission of the master's last DBD is expected.
        if (this.isDuplicate(dbd)) {
          if (!this.weAreMaster && this.lastSentDbd) this.sendDbd(this.lastSentDbd);
          return;
        }
        this.restartExchange('SeqNumberMismatch', `unexpected Database Description in state ${NEIGHBOR_STATE_NAMES[this.state]}`);
    }
  }

  private isDuplicate(d: DbdBody): boolean {
    const l = this.lastReceivedDbd;
    return !!l && l.flags === d.flags && l.options === d.options && l.sequence === d.sequence;
  }

  private remember(d: DbdBody): void {
    this.lastReceivedDbd = { flags: d.flags, options: d.options, sequence: d.sequence };
  }

  private negotiate(d: DbdBody): void {
    const me = this.ctx.routerId >>> 0;
    const initial = (d.flags & (DD_I | DD_M | DD_MS)) === (DD_I | DD_M | DD_MS);
    if (initial && d.headers.length === 0 && this.routerId >>> 0 > me) {
      // It is the master: adopt its sequence number and answer as the slave.
      this.weAreMaster = false;
      this.ddSequence = d.sequence;
      this.options = d.options;
      this.remember(d);
      this.dbdRetransmit?.cancel();
      this.dbdRetransmit = undefined;
      this.negotiationDone();
      this.slaveRespond(d);
      return;
    }
    if ((d.flags & (DD_I | DD_MS)) === 0 && d.sequence === this.ddSequence && this.routerId >>> 0 < me) {
      // Its answer to our initial DBD: we are the master, and this packet already counts.
      this.weAreMaster = true;
      this.options = d.options;
      this.remember(d);
      this.negotiationDone();
      this.acceptAsMaster(d);
    }
    // Otherwise ignore it: the negotiation goes on with our retransmitted initial DBD.
  }

  private exchange(d: DbdBody): void {
    if (this.isDuplicate(d)) {
      if (!this.weAreMaster && this.lastSentDbd) this.sendDbd(this.lastSentDbd);
      return;
    }
    const itIsMaster = (d.flags & DD_MS) !== 0;
    if (itIsMaster === this.weAreMaster) return this.restartExchange('SeqNumberMismatch', 'master/slave bit inconsistent');
    if (d.flags & DD_I) return this.restartExchange('SeqNumberMismatch', 'I bit set during the exchange');
    if (this.lastReceivedDbd && d.options !== this.lastReceivedDbd.options) return this.restartExchange('SeqNumberMismatch', 'options changed during the exchange');
    if (this.weAreMaster) {
      if (d.sequence !== this.ddSequence) return this.restartExchange('SeqNumberMismatch', `DD sequence ${d.sequence}, expected ${this.ddSequence}`);
      this.remember(d);
      this.acceptAsMaster(d);
    } else {
      if (d.sequence !== ((this.ddSequence + 1) >>> 0)) return this.restartExchange('SeqNumberMismatch', `DD sequence ${d.sequence}, expected ${(this.ddSequence + 1) >>> 0}`);
      this.remember(d);
      this.slaveRespond(d);
    }
  }

  /** Notes what the neighbour has that we lack; false (after SeqNumberMismatch) on an unknown LSA type. */
  private learnHeaders(d: DbdBody): boolean {
    for (const h of d.headers) {
      if (!KNOWN_LSA_TYPES.has(h.type)) {
        this.restartExchange('SeqNumberMismatch', `Database Description lists an LSA of unknown type ${h.type}`);
        return false;
      }
      if (h.type === LsaType.AsExternal && !this.iface.externalCapable) {
        this.restartExchange('SeqNumberMismatch', 'AS-external-LSA listed in a stub area');
        return false;
      }
      const key = lsaKey(h);
      const have = this.ctx.lsdb.get(key);
      if (!have || compareInstances(h, this.ctx.lsdb.header(have)) > 0) this.requestList.set(key, h);
    }
    if (this.requestList.size && this.outstanding.size === 0) this.sendRequests();
    return true;
  }

  private acceptAsMaster(d: DbdBody): void {
    this.dbdRetransmit?.cancel();
    this.dbdRetransmit = undefined;
    if (!this.learnHeaders(d)) return;
    this.ddSequence = (this.ddSequence + 1) >>> 0;
    if (this.sentAll && (d.flags & DD_M) === 0) return this.exchangeDone();
    this.sendNextDbd(true);
  }

  private slaveRespond(d: DbdBody): void {
    if (!this.learnHeaders(d)) return;
    this.ddSequence = d.sequence;
    this.sendNextDbd(false);
    if ((d.flags & DD_M) === 0 && this.sentAll) this.exchangeDone();
  }

  /** The next DBD of the exchange with as many headers as the interface's MTU allows. */
  private sendNextDbd(master: boolean): void {
    const room = Math.max(1, Math.floor((this.iface.maxPayload() - 8) / LSA_HEADER_SIZE));
    const headers: LsaHeader[] = [];
    while (headers.length < room && this.summaryList.length) {
      const e = this.summaryList.shift()!;
      const current = this.ctx.lsdb.get(e.key);
      if (current) headers.push(this.ctx.lsdb.header(current)); // the instance there now
    }
    const more = this.summaryList.length > 0;
    this.sentAll = !more;
    this.sendDbd({
      type: PacketType.DatabaseDescription, mtu: this.iface.mtu, options: this.ctx.options,
      flags: (more ? DD_M : 0) | (master ? DD_MS : 0), sequence: this.ddSequence, headers,
    });
  }

  private sendDbd(d: DbdBody): void {
    this.lastSentDbd = d;
    this.iface.sendToNeighbor(this, d);
    // The master (and anyone in ExStart) retransmits until answered; the slave only answers.
    if (this.weAreMaster || this.state === NeighborState.ExStart) {
      this.dbdRetransmit?.cancel();
      this.dbdRetransmit = this.ctx.clock.setTimeout(() => {
        this.dbdRetransmit = undefined;
        if (this.lastSentDbd && (this.state === NeighborState.ExStart || (this.state === NeighborState.Exchange && this.weAreMaster))) {
          this.stats.retransmissions++;
          this.sendDbd(this.lastSentDbd);
        }
      }, this.iface.config.retransmitIntervalS * 1000);
    }
  }

  // ---- Link State Requests (10.9) ----

  /** Sends the next requests from the request list, unless some are in flight. */
  sendRequests(): void {
    this.lsrRetransmit?.cancel();
    this.lsrRetransmit = undefined;
    this.outstanding = new Set([...this.outstanding].filter((k) => this.requestList.has(k)));
    if (this.outstanding.size === 0) {
      const room = Math.max(1, Math.floor(this.iface.maxPayload() / 12));
      for (const k of this.requestList.keys()) {
        if (this.outstanding.size >= room) break;
        this.outstanding.add(k);
      }
    }
    if (this.outstanding.size === 0) return;
    const requests: LsRequest[] = [...this.outstanding].map((k) => {
      const h = this.requestList.get(k)!;
      return { type: h.type, id: h.id, advertisingRouter: h.advertisingRouter };
    });
    this.iface.sendToNeighbor(this, { type: PacketType.LinkStateRequest, requests });
    this.lsrRetransmit = this.ctx.clock.setTimeout(() => {
      this.lsrRetransmit = undefined;
      if (this.state !== NeighborState.Exchange && this.state !== NeighborState.Loading) return;
      this.stats.retransmissions++;
      this.sendRequests();
    }, this.iface.config.retransmitIntervalS * 1000);
  }

  /** An LSA as recent as the one requested arrived: drop the request; Loading may be done. */
  requestSatisfied(key: string): void {
    if (!this.requestList.delete(key)) return;
    if (this.outstanding.delete(key) && this.outstanding.size === 0) this.sendRequests();
    if (this.requestList.size === 0 && this.state === NeighborState.Loading) {
      this.lsrRetransmit?.cancel();
      this.lsrRetransmit = undefined;
      this.setState(NeighborState.Full, 'LoadingDone');
    }
  }

  // ---- retransmission list (13.3, 13.6) ----

  addToRetransmit(entry: DbEntry): void {
    this.retransmitList.set(entry.key, { entry, sentAt: this.ctx.clock.now() });
    this.scheduleLsuRetransmit();
  }

  /** An acknowledgement or an implied one: true when that instance was on the list. */
  acknowledge(h: LsaHeader): boolean {
    const key = lsaKey(h);
    const r = this.retransmitList.get(key);
    if (!r) return false;
    if (compareInstances(h, this.ctx.lsdb.header(r.entry)) !== 0) return false;
    this.retransmitList.delete(key);
    return true;
  }

  private scheduleLsuRetransmit(): void {
    if (this.lsuRetransmit || this.retransmitList.size === 0) return;
    const rxmt = this.iface.config.retransmitIntervalS * 1000;
    // When the oldest entry is due (not a whole interval after the last run).
    let oldest = Infinity;
    for (const r of this.retransmitList.values()) oldest = Math.min(oldest, r.sentAt);
    const wait = Math.max(0, Math.min(rxmt, oldest + rxmt - this.ctx.clock.now()));
    this.lsuRetransmit = this.ctx.clock.setTimeout(() => {
      this.lsuRetransmit = undefined;
      if (this.state < NeighborState.Exchange) return;
      const now = this.ctx.clock.now();
      const due: DbEntry[] = [];
      for (const r of this.retransmitList.values()) {
        if (now - r.sentAt < rxmt) continue;
        due.push(r.entry);
        r.sentAt = now;
      }
      if (due.length) {
        this.stats.retransmissions += due.length;
        this.iface.sendLsasToNeighbor(this, due);
      }
      this.scheduleLsuRetransmit();
    }, wait);
  }
}
