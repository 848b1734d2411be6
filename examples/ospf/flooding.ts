// The flooding procedure of RFC 2328 13: what a router does with each LSA of a received Link
// State Update (13 steps 1-8, installing per 13.2, self-originated ones handed to the
// originator per 13.4), flooding out of its interfaces (13.3), acknowledgements delayed or
// direct (13.5), received acknowledgements (13.7) and link-state requests (10.7).
import { LsaType, MAX_AGE, MAX_SEQUENCE_NUMBER } from './constants.js';
import type { RouterContext } from './context.js';
import { IfState } from './interface.js';
import type { DbEntry } from './lsdb.js';
import { compareInstances, formatId, lsaKey, sameContents, type Lsa, type LsaHeader } from './lsa.js';
import { NeighborState, type Neighbor } from './neighbor.js';
import type { LsRequest } from './packet.js';

export interface FloodingHooks {
  /** A new instance was installed (13.2); `changed`: its contents differ, routes may too. */
  installed(entry: DbEntry, previous: DbEntry | undefined, changed: boolean): void;
  /** A neighbour sent an LSA that we originated, or that claims to be ours (13.4). */
  selfOriginatedReceived(entry: DbEntry): void;
  /** Our own address is the Link State ID of a network-LSA (13.4's second case). */
  isOwnAddress(address: number): boolean;
}

export interface FloodingStats {
  lsasReceived: number;
  newerReceived: number;
  duplicatesReceived: number;
  olderReceived: number;
  minLsArrivalDrops: number;
  maxAgeAcknowledged: number;
  badLsRequests: number;
  directAcks: number;
  delayedAcks: number;
  sentBackNewer: number;
}

const KNOWN = new Set<number>([LsaType.Router, LsaType.Network, LsaType.SummaryNetwork, LsaType.SummaryAsbr, LsaType.AsExternal]);

export class Flooding {
  readonly stats: FloodingStats = {
    lsasReceived: 0, newerReceived: 0, duplicatesReceived: 0, olderReceived: 0, minLsArrivalDrops: 0, maxAgeAcknowledged: 0,
    badLsRequests: 0, directAcks: 0, delayedAcks: 0, sentBackNewer: 0,
  };

  constructor(private readonly ctx: RouterContext, private readonly hooks: FloodingHooks) {}

  private isSelf(h: LsaHeader): boolean {
    return h.advertisingRouter >>> 0 === this.ctx.routerId >>> 0 || (h.type === LsaType.Network && this.hooks.isOwnAddress(h.id >>> 0));
  }

  /** Removes every instance with this key from the neighbours' retransmission lists (13 step 5c). */
  private forget(key: string): void {
    for (const i of this.ctx.interfaces()) for (const n of i.neighbors.values()) n.retransmitList.delete(key);
  }

  /** True when some neighbour still has to acknowledge this LSA. */
  onRetransmitList(key: string): boolean {
    for (const i of this.ctx.interfaces()) for (const n of i.neighbors.values()) if (n.retransmitList.has(key)) return true;
    return false;
  }

  /** Installs an LSA this router originated (or flushed) and floods it everywhere. */
  originate(lsa: Lsa): DbEntry {
    const previous = this.ctx.lsdb.get(lsaKey(lsa.header));
    this.forget(lsaKey(lsa.header));
    const entry = this.ctx.lsdb.install(lsa, false);
    this.hooks.installed(entry, previous, !previous || !sameContents(previous.lsa, lsa));
    this.floodOut(entry, undefined);
    return entry;
  }

  /** 13.3: floods out of every eligible interface; true if it went back out the receiving one. */
  floodOut(entry: DbEntry, from: Neighbor | undefined): boolean {
    const h = this.ctx.lsdb.header(entry);
    let floodedBack = false;
    for (const iface of this.ctx.interfaces()) {
      if (iface.state === IfState.Down || iface.config.passive) continue;
      if (h.type === LsaType.AsExternal && !iface.externalCapable) continue;
      let added = false;
      for (const n of iface.neighbors.values()) {
        if (n.state < NeighborState.Exchange) continue;
        if (n.state === NeighborState.Exchange || n.state === NeighborState.Loading) {
          const req = n.requestList.get(entry.key);
          if (req) {
            const cmp = compareInstances(h, req);
            if (cmp < 0) continue; // it asked for a newer one than this
            n.requestSatisfied(entry.key);
            if (cmp === 0) continue;
          }
        }
        if (n === from) continue;
        n.addToRetransmit(entry);
        added = true;
      }
      if (!added) continue;
      if (from && iface === from.iface) {
        // The DR (or BDR) sent it: everyone on the network has it already; the BDR waits for the DR.
        if (from.address === iface.designatedRouter || from.address === iface.backupDesignatedRouter) continue;
        if (iface.state === IfState.Backup) continue;
        floodedBack = true;
      }
      iface.flood(entry);
    }
    return floodedBack;
  }

  /** 13: each LSA of a Link State Update from neighbour n. */
  receiveUpdate(n: Neighbor, lsas: Lsa[]): void {
    const iface = n.iface;
    const direct: LsaHeader[] = [];
    const now = this.ctx.clock.now();
    const fromDr = n.address === iface.designatedRouter;
    for (const lsa of lsas) {
      const h = lsa.header;
      this.stats.lsasReceived++;
      if (!KNOWN.has(h.type)) {
        iface.drop('badLsa', n.address, `LSA of unknown type ${h.type} from ${n.name}`);
        continue;
      }
      const key = lsaKey(h);
      const cur = this.ctx.lsdb.get(key);
      // Step 4: a flush of something we never had.
      if (h.age >= MAX_AGE && !cur && !this.ctx.anyNeighborExchanging()) {
        this.stats.maxAgeAcknowledged++;
        direct.push(h);
        continue;
      }
      const cmp = cur ? compareInstances(h, this.ctx.lsdb.header(cur)) : 1;
      if (cmp > 0) {
        // Step 5: newer. (a) MinLSArrival, except for an instance we asked this neighbour for:
        // refusing the answer to our own request would only cost a request retransmission.
        const requested = n.requestList.get(key);
        const asked = requested !== undefined && compareInstances(h, requested) >= 0;
        if (cur && cur.flooded && now - cur.installedAt < this.ctx.global.minLsArrivalMs && !asked) {
          this.stats.minLsArrivalDrops++;
          this.ctx.log.debug(`LSA type ${h.type} ${formatId(h.id)} from ${formatId(h.advertisingRouter)} arrived sooner than MinLSArrival after the last one; ignored`);
          continue;
        }
        this.stats.newerReceived++;
        this.forget(key);
        const entry = this.ctx.lsdb.install(lsa, true);
        const floodedBack = this.floodOut(entry, n);
        this.hooks.installed(entry, cur, !cur || !sameContents(cur.lsa, lsa));
        if (!floodedBack) {
          if (iface.state !== IfState.Backup || fromDr) {
            this.stats.delayedAcks++;
            iface.delayedAck(h);
          }
        }
        if (this.isSelf(h)) this.hooks.selfOriginatedReceived(entry);
        continue;
      }
      // Step 6: it sent something we asked for that is not newer than ours.
      if (n.requestList.has(key)) {
        this.stats.badLsRequests++;
        n.restartExchange('BadLSReq', `it sent LSA type ${h.type} ${formatId(h.id)} adv ${formatId(h.advertisingRouter)}, not newer than ours, that we had requested`);
        break;
      }
      if (cmp === 0) {
        // Step 7: the same instance: an implied acknowledgement, or a retransmission to acknowledge.
        this.stats.duplicatesReceived++;
        if (n.acknowledge(h)) {
          if (iface.state === IfState.Backup && fromDr) {
            this.stats.delayedAcks++;
            iface.delayedAck(h);
          }
        } else {
          direct.push(h);
        }
        continue;
      }
      // Step 8: ours is newer: send it back (unless it is being flushed at the wrap).
      this.stats.olderReceived++;
      if (this.ctx.lsdb.ageOf(cur!) >= MAX_AGE && cur!.lsa.header.sequence === MAX_SEQUENCE_NUMBER) continue;
      if (now - cur!.lastSentNewerAt >= this.ctx.global.minLsArrivalMs) {
        cur!.lastSentNewerAt = now;
        this.stats.sentBackNewer++;
        iface.sendLsasToNeighbor(n, [cur!]);
      }
    }
    if (direct.length) {
      this.stats.directAcks += direct.length;
      iface.directAck(n, direct);
    }
  }

  /** 13.7: acknowledgements from neighbour n. */
  receiveAck(n: Neighbor, headers: LsaHeader[]): void {
    for (const h of headers) {
      if (n.acknowledge(h)) continue;
      if (n.retransmitList.has(lsaKey(h))) {
        this.ctx.log.debug(`questionable acknowledgement from ${n.name} for LSA type ${h.type} ${formatId(h.id)} seq 0x${(h.sequence >>> 0).toString(16)}`);
      }
    }
  }

  /** 10.7: a Link State Request; answered in as few updates as fit, or BadLSReq. */
  receiveRequest(n: Neighbor, requests: LsRequest[]): void {
    const found: DbEntry[] = [];
    for (const r of requests) {
      const e = this.ctx.lsdb.lookup(r.type, r.id, r.advertisingRouter);
      if (!e) {
        this.stats.badLsRequests++;
        n.restartExchange('BadLSReq', `it requested LSA type ${r.type} ${formatId(r.id)} adv ${formatId(r.advertisingRouter)}, which we do not have`);
        return;
      }
      found.push(e);
    }
    if (found.length) n.iface.sendLsasToNeighbor(n, found);
  }
}
