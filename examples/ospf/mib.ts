// The OSPF MIB: MibGet / MibGetFirst / MibGetNext over eight tables, each record a fixed C
// struct declared with the public config schema (a C or PowerShell client reads the layout
// the README documents). Input: OSPFTS_MIB_INPUT (shorter input is zero-extended). Records
// are ordered by their key; MibGetNext past the last one answers ERROR_NO_MORE_ITEMS.
// `ospfMibView` tells tools (rras-bridge mock) how to walk and print them.
import {
  ERROR_INVALID_PARAMETER, ProtocolError, answerMibQuery, enumOf, ipv4, struct, u32,
  type MibEntry, type MibRequest, type MibRow, type MibTableView, type MibView, type StructValue,
} from '../../lib/index.js';
import { ipToU32 } from '../rip/ip.js';
import { DROP_REASONS } from './context.js';
import type { OspfRouter } from './engine.js';
import { IF_STATE_NAMES, IfState } from './interface.js';
import { LSA_TYPE_NAMES, MAX_AGE } from './constants.js';
import { formatId } from './lsa.js';
import { NEIGHBOR_STATE_NAMES } from './neighbor.js';
import { rtmMetric } from './engine.js';

export const MIB_GLOBAL = 1;
export const MIB_INTERFACE = 2;
export const MIB_NEIGHBOR = 3;
export const MIB_LSDB_SUMMARY = 4;
export const MIB_LSDB = 5;
export const MIB_ROUTE = 6;
export const MIB_SPF_RUN = 7;
export const MIB_DROP = 8;

export const MibInput = struct('OSPFTS_MIB_INPUT', {
  tableId: u32(),
  /** Tables 2, 3, 8. */
  interfaceIndex: u32(),
  /** Table 3: the neighbour's router id. */
  routerId: ipv4(),
  /** Tables 4, 5. */
  lsaType: u32(),
  /** Table 5; table 6: the destination. */
  linkStateId: ipv4(),
  /** Table 5. */
  advertisingRouter: ipv4(),
  /** Table 6. */
  prefixLength: u32({ max: 32 }),
  /** Table 7: the run number; table 8: the reason. */
  index: u32(),
});

const NONE = 0xffffffff;
const clampU32 = (n: number) => Math.max(0, Math.min(NONE, Math.round(n)));

export const MibGlobal = struct('OSPFTS_MIB_GLOBAL', {
  tableId: u32(),
  routerId: ipv4(),
  areaId: ipv4(),
  /** bit 0: AS boundary router (originates externals). */
  flags: u32(),
  interfaces: u32(),
  neighbors: u32(),
  adjacencies: u32(),
  lsas: u32(),
  externalsOriginated: u32(),
  spfRuns: u32(),
  /** Milliseconds since the last SPF run (0xFFFFFFFF none), and how long it took (microseconds). */
  lastSpfAgoMs: u32(),
  lastSpfUs: u32(),
  /** SPF requests folded into a run already scheduled (throttling). */
  spfCoalesced: u32(),
  spfHoldMs: u32(),
  lsasOriginated: u32(),
  lsasRefreshed: u32(),
  lsasFlushed: u32(),
  lsasReceived: u32(),
  newerReceived: u32(),
  duplicatesReceived: u32(),
  olderReceived: u32(),
  minLsArrivalDrops: u32(),
  maxAgeRemovals: u32(),
  badPackets: u32(),
  authFailures: u32(),
  adjacencyChanges: u32(),
  routes: u32(),
  routesInRtm: u32(),
  rtmAdded: u32(),
  rtmDeleted: u32(),
  rtmErrors: u32(),
  /** The last RFC 2328 D.3 cryptographic sequence number sent. */
  cryptoSequence: u32(),
});

export const MibInterface = struct('OSPFTS_MIB_INTERFACE', {
  tableId: u32(),
  interfaceIndex: u32(),
  address: ipv4(),
  prefixLength: u32(),
  networkType: enumOf(u32(), { broadcast: 1, pointToPoint: 2 }),
  state: enumOf(u32(), { down: 0, loopback: 1, waiting: 2, pointToPoint: 3, drOther: 4, backup: 5, dr: 6 }),
  /** bit 0 passive, bit 1 demand-dial, bit 2 joined AllDRouters. */
  flags: u32(),
  cost: u32(),
  priority: u32(),
  designatedRouter: ipv4(),
  designatedRouterId: ipv4(),
  backupDesignatedRouter: ipv4(),
  backupDesignatedRouterId: ipv4(),
  helloIntervalS: u32(),
  deadIntervalS: u32(),
  retransmitIntervalS: u32(),
  mtu: u32(),
  auth: enumOf(u32(), { none: 0, simple: 1, md5: 2 }),
  neighbors: u32(),
  adjacencies: u32(),
  helloSent: u32(),
  helloReceived: u32(),
  dbdSent: u32(),
  dbdReceived: u32(),
  lsrSent: u32(),
  lsrReceived: u32(),
  lsuSent: u32(),
  lsuReceived: u32(),
  lsackSent: u32(),
  lsackReceived: u32(),
  lsasSent: u32(),
  lsasReceived: u32(),
  sendErrors: u32(),
  /** Packets dropped (table 8 has them by reason), and of those for authentication. */
  drops: u32(),
  authFailures: u32(),
  stateChanges: u32(),
});

export const MibNeighbor = struct('OSPFTS_MIB_NEIGHBOR', {
  tableId: u32(),
  interfaceIndex: u32(),
  routerId: ipv4(),
  address: ipv4(),
  state: enumOf(u32(), { down: 0, attempt: 1, init: 2, twoWay: 3, exStart: 4, exchange: 5, loading: 6, full: 7 }),
  priority: u32(),
  /** DR and BDR as its Hellos declare them. */
  designatedRouter: ipv4(),
  backupDesignatedRouter: ipv4(),
  options: u32(),
  /** Milliseconds until the inactivity (dead) timer fires. */
  deadInMs: u32(),
  /** Milliseconds in Full (0 when not Full). */
  fullForMs: u32(),
  stateChanges: u32(),
  retransmitList: u32(),
  requestList: u32(),
  summaryList: u32(),
  retransmissions: u32(),
  exchangeRestarts: u32(),
  mtuMismatches: u32(),
  /** Last cryptographic sequence number accepted from it (0xFFFFFFFF none). */
  cryptoSequence: u32(),
  /** bit 0: we are master of the database exchange. */
  flags: u32(),
});

export const MibLsdbSummary = struct('OSPFTS_MIB_LSDB_SUMMARY', {
  tableId: u32(),
  lsaType: u32(),
  count: u32(),
  /** Sum of their checksums, modulo 2^32 (as ospfAreaLsaCksumSum, per type). */
  checksumSum: u32(),
  maxAged: u32(),
  selfOriginated: u32(),
});

export const MibLsa = struct('OSPFTS_MIB_LSA', {
  tableId: u32(),
  lsaType: u32(),
  linkStateId: ipv4(),
  advertisingRouter: ipv4(),
  sequence: u32(),
  ageS: u32(),
  checksum: u32(),
  length: u32(),
  options: u32(),
});

export const MibRoute = struct('OSPFTS_MIB_ROUTE', {
  tableId: u32(),
  destination: ipv4(),
  prefixLength: u32(),
  pathType: enumOf(u32(), { intra: 1, external1: 2, external2: 3, inter: 4 }),
  cost: u32(),
  /** A type-2 external's metric (0 otherwise). */
  type2Cost: u32(),
  /** The RTM metric used. */
  metric: u32(),
  tag: u32(),
  advertisingRouter: ipv4(),
  nextHops: u32(),
  /** The first next hop and its interface (0.0.0.0 for a connected network). */
  nextHop: ipv4(),
  interfaceIndex: u32(),
  /** bit 0 in RTM, bit 1 a connected network of ours (left to RRAS). */
  flags: u32(),
});

export const MibSpfRun = struct('OSPFTS_MIB_SPF_RUN', {
  tableId: u32(),
  run: u32(),
  agoMs: u32(),
  durationUs: u32(),
  routes: u32(),
  added: u32(),
  deleted: u32(),
  /** Changes that led to the run (requests folded into it). */
  reasons: u32(),
});

export const MibDrop = struct('OSPFTS_MIB_DROP', {
  tableId: u32(),
  interfaceIndex: u32(),
  reason: enumOf(u32(), Object.fromEntries(DROP_REASONS.map((r, i) => [r, i + 1])) as Record<(typeof DROP_REASONS)[number], number>),
  count: u32(),
});

type MibInputValue = StructValue<typeof MibInput.fields>;

const IF_STATES = ['down', 'loopback', 'waiting', 'pointToPoint', 'drOther', 'backup', 'dr'] as const;
const NBR_STATES = ['down', 'attempt', 'init', 'twoWay', 'exStart', 'exchange', 'loading', 'full'] as const;

function rows(r: OspfRouter, table: number, now: number): MibEntry[] {
  switch (table) {
    case MIB_GLOBAL: {
      const f = r.flooding.stats;
      const o = r.originator.stats;
      const last = r.spfHistory[r.spfHistory.length - 1];
      const ifs = r.interfaceList();
      const drops = ifs.reduce((n, i) => n + Object.values(i.stats.drops).reduce((a, b) => a + b, 0), 0);
      const auth = ifs.reduce((n, i) => n + i.stats.drops.authKey + i.stats.drops.authType + i.stats.drops.authSequence, 0);
      const neighbors = r.neighborList();
      return [{
        key: [],
        encode: () => MibGlobal.encode({
          tableId: MIB_GLOBAL, routerId: formatId(r.routerId), areaId: formatId(r.areaId), flags: r.originator.originatesExternals ? 1 : 0,
          interfaces: ifs.length, neighbors: neighbors.length, adjacencies: neighbors.filter((n) => n.state === 7).length,
          lsas: r.lsdb.size, externalsOriginated: r.stats.redistributed, spfRuns: r.stats.spfRuns,
          lastSpfAgoMs: last ? clampU32(now - last.at) : NONE, lastSpfUs: last ? clampU32(last.durationMs * 1000) : 0,
          spfCoalesced: clampU32(r.throttle.coalesced), spfHoldMs: clampU32(r.throttle.currentHoldMs),
          lsasOriginated: o.originated, lsasRefreshed: o.refreshed, lsasFlushed: o.flushed, lsasReceived: clampU32(f.lsasReceived),
          newerReceived: clampU32(f.newerReceived), duplicatesReceived: clampU32(f.duplicatesReceived), olderReceived: clampU32(f.olderReceived),
          minLsArrivalDrops: clampU32(f.minLsArrivalDrops), maxAgeRemovals: r.stats.maxAgeRemovals, badPackets: clampU32(drops),
          authFailures: clampU32(auth), adjacencyChanges: r.stats.adjacencyChanges, routes: r.spf?.routes.length ?? 0,
          routesInRtm: r.rtm.stats.installed, rtmAdded: clampU32(r.rtm.stats.added), rtmDeleted: clampU32(r.rtm.stats.deleted),
          rtmErrors: clampU32(r.rtm.stats.errors), cryptoSequence: r.cryptoSequence >>> 0,
        }),
      }];
    }
    case MIB_INTERFACE:
      return r.interfaceList().map((i) => ({
        key: [i.index],
        encode: () => MibInterface.encode({
          tableId: MIB_INTERFACE, interfaceIndex: i.index, address: formatId(i.address), prefixLength: i.prefixLength,
          networkType: i.networkType, state: IF_STATES[i.state]!,
          flags: (i.config.passive ? 1 : 0) | (i.info.demandDial ? 2 : 0) | (i.state === IfState.DR || i.state === IfState.Backup ? 4 : 0),
          cost: i.config.cost, priority: i.config.priority,
          designatedRouter: formatId(i.designatedRouter), designatedRouterId: formatId(i.routerIdAt(i.designatedRouter)),
          backupDesignatedRouter: formatId(i.backupDesignatedRouter), backupDesignatedRouterId: formatId(i.routerIdAt(i.backupDesignatedRouter)),
          helloIntervalS: i.config.helloIntervalS, deadIntervalS: i.deadIntervalS, retransmitIntervalS: i.config.retransmitIntervalS,
          mtu: i.mtu, auth: i.config.auth, neighbors: i.neighbors.size, adjacencies: i.neighborsAtLeast(7).length,
          helloSent: i.stats.sent.hello, helloReceived: i.stats.received.hello, dbdSent: i.stats.sent.dbd, dbdReceived: i.stats.received.dbd,
          lsrSent: i.stats.sent.lsr, lsrReceived: i.stats.received.lsr, lsuSent: i.stats.sent.lsu, lsuReceived: i.stats.received.lsu,
          lsackSent: i.stats.sent.lsack, lsackReceived: i.stats.received.lsack, lsasSent: clampU32(i.stats.lsasSent),
          lsasReceived: clampU32(i.stats.lsasReceived), sendErrors: i.stats.sendErrors,
          drops: clampU32(Object.values(i.stats.drops).reduce((a, b) => a + b, 0)),
          authFailures: i.stats.drops.authKey + i.stats.drops.authType + i.stats.drops.authSequence, stateChanges: i.stats.stateChanges,
        }),
      }));
    case MIB_NEIGHBOR:
      return r.neighborList().map((n) => ({
        key: [n.iface.index, n.routerId >>> 0],
        encode: () => MibNeighbor.encode({
          tableId: MIB_NEIGHBOR, interfaceIndex: n.iface.index, routerId: formatId(n.routerId), address: formatId(n.address),
          state: NBR_STATES[n.state]!, priority: n.priority, designatedRouter: formatId(n.designatedRouter),
          backupDesignatedRouter: formatId(n.backupDesignatedRouter), options: n.options, deadInMs: clampU32(n.deadInMs()),
          fullForMs: n.fullSince === null ? 0 : clampU32(now - n.fullSince), stateChanges: n.stats.stateChanges,
          retransmitList: n.retransmitList.size, requestList: n.requestList.size, summaryList: n.summaryList.length,
          retransmissions: clampU32(n.stats.retransmissions), exchangeRestarts: n.stats.exchangeRestarts, mtuMismatches: n.stats.mtuMismatches,
          cryptoSequence: n.cryptoSequence < 0 ? NONE : n.cryptoSequence >>> 0, flags: n.weAreMaster ? 1 : 0,
        }),
      }));
    case MIB_LSDB_SUMMARY:
      return r.lsdb.summary().map((s) => ({
        key: [s.type],
        encode: () => MibLsdbSummary.encode({ tableId: MIB_LSDB_SUMMARY, lsaType: s.type, count: s.count, checksumSum: s.checksumSum, maxAged: s.maxAged, selfOriginated: s.selfOriginated }),
      }));
    case MIB_LSDB:
      return [...r.lsdb.all()].map((e) => {
        const h = r.lsdb.header(e);
        return {
          key: [h.type, h.id >>> 0, h.advertisingRouter >>> 0],
          // The fixed record, then the LSA itself (its current age in its header).
          encode: () => Buffer.concat([MibLsa.encode({
            tableId: MIB_LSDB, lsaType: h.type, linkStateId: formatId(h.id), advertisingRouter: formatId(h.advertisingRouter),
            sequence: h.sequence >>> 0, ageS: h.age, checksum: h.checksum, length: h.length, options: h.options,
          }), r.lsdb.bytes(e)]),
        };
      });
    case MIB_ROUTE:
      return r.routeList().map((x) => {
        const h = x.nextHops[0];
        const spec = r.routeSpecs({ root: r.routerId, routes: [x], routers: [], vertices: 0 })[0];
        return {
          key: [x.prefix >>> 0, x.prefixLength],
          encode: () => MibRoute.encode({
            tableId: MIB_ROUTE, destination: formatId(x.prefix), prefixLength: x.prefixLength,
            pathType: x.pathType, cost: clampU32(x.cost), type2Cost: x.type2Cost ?? 0, metric: clampU32(rtmMetric(x)), tag: (x.tag ?? 0) >>> 0,
            advertisingRouter: formatId(x.advertisingRouter), nextHops: x.nextHops.length, nextHop: formatId(h?.address ?? 0),
            interfaceIndex: spec?.interfaceIndex ?? 0, flags: (x.inRtm ? 1 : 0) | (x.direct ? 2 : 0),
          }),
        };
      });
    case MIB_SPF_RUN:
      return r.spfHistory.map((s) => ({
        key: [s.run],
        encode: () => MibSpfRun.encode({
          tableId: MIB_SPF_RUN, run: s.run, agoMs: clampU32(now - s.at), durationUs: clampU32(s.durationMs * 1000), routes: s.routes,
          added: s.added, deleted: s.deleted, reasons: s.reasons.length,
        }),
      }));
    case MIB_DROP:
      return r.interfaceList().flatMap((i) => DROP_REASONS.map((reason, k) => ({ reason, k, count: i.stats.drops[reason] }))
        .filter((d) => d.count > 0)
        .map((d) => ({
          key: [i.index, d.k + 1],
          encode: () => MibDrop.encode({ tableId: MIB_DROP, interfaceIndex: i.index, reason: d.reason, count: clampU32(d.count) }),
        })));
    default:
      throw new ProtocolError(ERROR_INVALID_PARAMETER, `unknown MIB table ${table} (1 global, 2 interfaces, 3 neighbours, 4 LSDB summary, 5 LSDB, 6 routes, 7 SPF runs, 8 drops)`);
  }
}

function keyOf(table: number, q: MibInputValue): number[] {
  switch (table) {
    case MIB_INTERFACE: return [q.interfaceIndex];
    case MIB_NEIGHBOR: return [q.interfaceIndex, ipToU32(q.routerId)];
    case MIB_LSDB_SUMMARY: return [q.lsaType];
    case MIB_LSDB: return [q.lsaType, ipToU32(q.linkStateId), ipToU32(q.advertisingRouter)];
    case MIB_ROUTE: return [ipToU32(q.linkStateId), q.prefixLength];
    case MIB_SPF_RUN: return [q.index];
    case MIB_DROP: return [q.interfaceIndex, q.index];
    default: return [];
  }
}

/** Answers a MIB call from the router's state. */
export function answerMib(r: OspfRouter, req: MibRequest, now: number): Buffer {
  return answerMibQuery(req, {
    name: 'OSPF',
    input: MibInput,
    table: (q) => ({ id: q.tableId, entries: rows(r, q.tableId, now), key: keyOf(q.tableId, q), single: q.tableId === MIB_GLOBAL }),
  });
}

/** The input of MibGetNext after a record (its key), for tools walking a table. */
export function nextInput(record: Buffer): Buffer | null {
  const table = record.readUInt32LE(0);
  const d = decodeMibRecord(record);
  switch (d.table) {
    case 'global': return null;
    case 'interface': return MibInput.encode({ tableId: table, interfaceIndex: d.interfaceIndex });
    case 'neighbor': return MibInput.encode({ tableId: table, interfaceIndex: d.interfaceIndex, routerId: d.routerId });
    case 'lsdbSummary': return MibInput.encode({ tableId: table, lsaType: d.lsaType });
    case 'lsa': return MibInput.encode({ tableId: table, lsaType: d.lsaType, linkStateId: d.linkStateId, advertisingRouter: d.advertisingRouter });
    case 'route': return MibInput.encode({ tableId: table, linkStateId: d.destination, prefixLength: d.prefixLength });
    case 'spfRun': return MibInput.encode({ tableId: table, index: d.run });
    case 'drop': return MibInput.encode({ tableId: table, interfaceIndex: d.interfaceIndex, index: DROP_REASONS.indexOf(d.reason) + 1 });
  }
}

export type MibRecord =
  | ({ table: 'global' } & StructValue<typeof MibGlobal.fields>)
  | ({ table: 'interface' } & StructValue<typeof MibInterface.fields>)
  | ({ table: 'neighbor' } & StructValue<typeof MibNeighbor.fields>)
  | ({ table: 'lsdbSummary' } & StructValue<typeof MibLsdbSummary.fields>)
  | ({ table: 'lsa'; raw: Buffer } & StructValue<typeof MibLsa.fields>)
  | ({ table: 'route' } & StructValue<typeof MibRoute.fields>)
  | ({ table: 'spfRun' } & StructValue<typeof MibSpfRun.fields>)
  | ({ table: 'drop' } & StructValue<typeof MibDrop.fields>);

/** Decodes a MIB output record (by its tableId), for tools and tests. */
export function decodeMibRecord(out: Buffer): MibRecord {
  const id = out.readUInt32LE(0);
  switch (id) {
    case MIB_GLOBAL: return { table: 'global', ...MibGlobal.decode(out) };
    case MIB_INTERFACE: return { table: 'interface', ...MibInterface.decode(out) };
    case MIB_NEIGHBOR: return { table: 'neighbor', ...MibNeighbor.decode(out) };
    case MIB_LSDB_SUMMARY: return { table: 'lsdbSummary', ...MibLsdbSummary.decode(out) };
    case MIB_LSDB: return { table: 'lsa', ...MibLsa.decode(out, { allowTrailing: true }), raw: Buffer.from(out.subarray(MibLsa.size)) };
    case MIB_ROUTE: return { table: 'route', ...MibRoute.decode(out) };
    case MIB_SPF_RUN: return { table: 'spfRun', ...MibSpfRun.decode(out) };
    case MIB_DROP: return { table: 'drop', ...MibDrop.decode(out) };
    default: throw new RangeError(`unknown OSPF MIB record table ${id}`);
  }
}

const hex = (n: number, w: number) => `0x${(n >>> 0).toString(16).padStart(w, '0')}`;
const ms = (n: number) => (n === NONE ? '-' : n >= 10_000 ? `${Math.round(n / 1000)}s` : `${(n / 1000).toFixed(1)}s`);

/** How an operator sees the tables (rras-bridge mock prints them). */
function view<T extends MibRecord['table']>(title: string, tableId: number, table: T, columns: (d: Extract<MibRecord, { table: T }>) => MibRow): MibTableView {
  const decode = (rec: Buffer): MibRow => {
    const d = decodeMibRecord(rec);
    if (d.table !== table) throw new RangeError(`MIB table ${tableId} answered a ${d.table} record`);
    return columns(d as Extract<MibRecord, { table: T }>);
  };
  return { title, first: MibInput.encode({ tableId }), next: nextInput, decode };
}

export const ospfMibView: MibView = {
  tables: [
    view('OSPF', MIB_GLOBAL, 'global', (d) => ({
      router: d.routerId, area: d.areaId, asbr: (d.flags & 1) !== 0, neighbours: d.neighbors, full: d.adjacencies, lsas: d.lsas,
      'spf runs': d.spfRuns, 'last spf': ms(d.lastSpfAgoMs), 'spf us': d.lastSpfUs, routes: d.routes, 'in rtm': d.routesInRtm,
      'bad pkts': d.badPackets, 'auth fail': d.authFailures,
    })),
    view('OSPF interfaces', MIB_INTERFACE, 'interface', (d) => ({
      if: d.interfaceIndex, address: `${d.address}/${d.prefixLength}`, type: d.networkType === 'broadcast' ? 'bcast' : 'p2p',
      state: IF_STATE_NAMES[IF_STATES.indexOf(d.state)] ?? d.state, cost: d.cost, pri: d.priority, dr: d.designatedRouterId,
      bdr: d.backupDesignatedRouterId, nbrs: d.neighbors, full: d.adjacencies, 'hello/dead': `${d.helloIntervalS}/${d.deadIntervalS}`,
      mtu: d.mtu, auth: d.auth, drops: d.drops,
    })),
    view('OSPF neighbours', MIB_NEIGHBOR, 'neighbor', (d) => ({
      if: d.interfaceIndex, 'router id': d.routerId, address: d.address, state: NEIGHBOR_STATE_NAMES[NBR_STATES.indexOf(d.state)] ?? d.state,
      pri: d.priority, dr: d.designatedRouter, bdr: d.backupDesignatedRouter, dead: ms(d.deadInMs), up: d.fullForMs ? ms(d.fullForMs) : '-',
      rxmt: d.retransmitList, req: d.requestList,
    })),
    view('OSPF database summary', MIB_LSDB_SUMMARY, 'lsdbSummary', (d) => ({
      type: `${d.lsaType} ${LSA_TYPE_NAMES[d.lsaType] ?? ''}`.trim(), count: d.count, 'checksum sum': hex(d.checksumSum, 8),
      maxage: d.maxAged, self: d.selfOriginated,
    })),
    view('OSPF SPF runs', MIB_SPF_RUN, 'spfRun', (d) => ({
      run: d.run, ago: ms(d.agoMs), us: d.durationUs, routes: d.routes, added: d.added, deleted: d.deleted, changes: d.reasons,
    })),
    view('OSPF dropped packets', MIB_DROP, 'drop', (d) => ({ if: d.interfaceIndex, reason: d.reason, count: d.count })),
  ],
};

/** For the LSDB table: age at MaxAge marks a flushed LSA. */
export const isFlushed = (d: { ageS: number }) => d.ageS >= MAX_AGE;
