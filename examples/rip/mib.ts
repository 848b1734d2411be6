// The RIP MIB: MibGet / MibGetFirst / MibGetNext over four tables, each record a fixed C struct
// declared with the config schema (so a C or PowerShell client reads the same layout the README
// documents). Input: RIPTS_MIB_INPUT (shorter input is zero-extended). Entries are ordered by
// their key; MibGetNext past the last entry of a table answers ERROR_NO_MORE_ITEMS.
import { ProtocolError } from '../../lib/api/errors.js';
import type { MibRequest } from '../../lib/api/types.js';
import { answerMibQuery, type MibEntry } from '../../lib/api/mibQuery.js';
import { ERROR_INVALID_PARAMETER } from '../../lib/constants.js';
import { struct, u32, ipv4, enumOf, type StructValue } from '../../lib/config/schema.js';
import type { RipEngine } from './engine.js';
import { ipToU32 } from './ip.js';

export const MIB_GLOBAL = 1;
export const MIB_INTERFACE = 2;
export const MIB_NEIGHBOR = 3;
export const MIB_ROUTE = 4;

export const MibInput = struct('RIPTS_MIB_INPUT', {
  tableId: u32(),
  interfaceIndex: u32(),
  /** Neighbour address (table 3) or destination (table 4). */
  address: ipv4(),
  prefixLength: u32({ max: 32 }),
  /** Table 4: 1 connected, 2 redistributed, 3 learned. */
  source: u32(),
});

/** A u32 of the MIB that has no value (no timer running, nothing heard, no sequence). */
export const MIB_NONE = 0xffffffff;
const NONE = MIB_NONE;

/** RIPTS_MIB_INTERFACE.state bits. */
export const IF_STATE_OPERATIONAL = 1;
export const IF_STATE_DEMAND = 2;
export const IF_STATE_SOCKET = 4;
/** RIPTS_MIB_ROUTE.flags bits. */
export const ROUTE_FLAG_IN_RTM = 1;
export const ROUTE_FLAG_GARBAGE = 2;
export const ROUTE_FLAG_DEMAND = 4;

export const MibGlobal = struct('RIPTS_MIB_GLOBAL', {
  tableId: u32(),
  periodicUpdates: u32(),
  triggeredUpdates: u32(),
  responsesReceived: u32(),
  requestsReceived: u32(),
  badPackets: u32(),
  badRoutes: u32(),
  authFailures: u32(),
  routeChanges: u32(),
  queriesAnswered: u32(),
  demandUpdatesOk: u32(),
  demandUpdatesFailed: u32(),
  learnedRoutes: u32(),
  announcedRoutes: u32(),
  rtmAdds: u32(),
  rtmDeletes: u32(),
  rtmReplaces: u32(),
  rtmErrors: u32(),
  /** The last RFC 2082 sequence number sent. */
  authSequence: u32(),
});

export const MibInterface = struct('RIPTS_MIB_INTERFACE', {
  tableId: u32(),
  interfaceIndex: u32(),
  /** bit 0 operational, bit 1 demand (RFC 2091), bit 2 socket(s) open. */
  state: u32(),
  mode: enumOf(u32(), { both: 0, send: 1, receive: 2, silent: 3 }),
  /** First bound address RIP runs on, and its prefix length (0.0.0.0 when none). */
  address: ipv4(),
  prefixLength: u32(),
  packetsSent: u32(),
  sendErrors: u32(),
  packetsReceived: u32(),
  badPackets: u32(),
  badRoutes: u32(),
  authFailures: u32(),
  requestsSent: u32(),
  requestsReceived: u32(),
  responsesSent: u32(),
  responsesReceived: u32(),
  triggeredUpdatesSent: u32(),
  updateRequestsSent: u32(),
  updateResponsesSent: u32(),
  updateAcksSent: u32(),
  updateAcksReceived: u32(),
  retransmissions: u32(),
});

export const MibNeighbor = struct('RIPTS_MIB_NEIGHBOR', {
  tableId: u32(),
  interfaceIndex: u32(),
  address: ipv4(),
  version: u32(),
  /** Milliseconds since the neighbour was last heard. */
  lastHeardMs: u32(),
  packets: u32(),
  badPackets: u32(),
  badRoutes: u32(),
  /** Reachable routes learned from it. */
  routes: u32(),
  authSequence: u32(),
  /** Last RFC 2091 sequence number, 0xFFFFFFFF when none. */
  updateSequence: u32(),
});

export const MibRoute = struct('RIPTS_MIB_ROUTE', {
  tableId: u32(),
  interfaceIndex: u32(),
  destination: ipv4(),
  prefixLength: u32(),
  nextHop: ipv4(),
  metric: u32(),
  tag: u32(),
  source: enumOf(u32(), { connected: 1, redistributed: 2, learned: 3 }),
  /** bit 0 in RTM, bit 1 unreachable (garbage collection), bit 2 learned by RFC 2091 (no timeout). */
  flags: u32(),
  /** Who it was learned from (0.0.0.0 for local routes). */
  neighbor: ipv4(),
  /** Milliseconds until it times out or is removed; 0xFFFFFFFF = no timer. */
  timerMs: u32(),
});

export type MibInputValue = StructValue<typeof MibInput.fields>;
const SOURCE_ORDER = { connected: 1, redistributed: 2, learned: 3 } as const;

function rows(engine: RipEngine, table: number, now: number): MibEntry[] {
  switch (table) {
    case MIB_GLOBAL: {
      const s = engine.stats;
      const r = engine.rtm.stats;
      return [{
        key: [],
        encode: () => MibGlobal.encode({
          tableId: MIB_GLOBAL, ...s,
          learnedRoutes: engine.table.learnedRoutes().filter((x) => x.garbageAt === null).length,
          announcedRoutes: engine.table.announcedRoutes().filter((x) => x.metric < 16).length,
          rtmAdds: r.adds, rtmDeletes: r.deletes, rtmReplaces: r.replaces, rtmErrors: r.errors,
          authSequence: engine.authSequence,
        }),
      }];
    }
    case MIB_INTERFACE:
      return engine.interfaceList().map((i) => {
        const [addr, len] = (i.addresses[0] ?? '0.0.0.0/0').split('/');
        return {
          key: [i.index],
          encode: () => MibInterface.encode({
            tableId: MIB_INTERFACE, interfaceIndex: i.index,
            state: (i.operational ? IF_STATE_OPERATIONAL : 0) | (i.config.demand ? IF_STATE_DEMAND : 0) |
              (i.addresses.length ? IF_STATE_SOCKET : 0),
            mode: i.config.mode, address: addr!, prefixLength: Number(len), ...i.stats,
          }),
        };
      });
    case MIB_NEIGHBOR:
      return engine.neighborList().map((n) => ({
        key: [n.interfaceIndex, ipToU32(n.address)],
        encode: () => MibNeighbor.encode({
          tableId: MIB_NEIGHBOR, interfaceIndex: n.interfaceIndex, address: n.address, version: n.version,
          lastHeardMs: Math.min(NONE, Math.max(0, Math.round(now - n.lastSeen))), packets: n.packets, badPackets: n.badPackets,
          badRoutes: n.badRoutes, routes: n.routes, authSequence: n.authSequence >>> 0,
          updateSequence: n.updateSequence < 0 ? NONE : n.updateSequence,
        }),
      }));
    case MIB_ROUTE:
      return engine.routeList().map((r) => {
        const due = r.garbageAt ?? r.expiresAt;
        return {
          key: [ipToU32(r.destination), r.prefixLength, SOURCE_ORDER[r.source]],
          encode: () => MibRoute.encode({
            tableId: MIB_ROUTE, interfaceIndex: r.interfaceIndex, destination: r.destination, prefixLength: r.prefixLength,
            nextHop: r.nextHop, metric: r.metric, tag: r.tag, source: r.source,
            flags: (r.inRtm ? ROUTE_FLAG_IN_RTM : 0) | (r.garbageAt !== null ? ROUTE_FLAG_GARBAGE : 0) |
              (r.demand ? ROUTE_FLAG_DEMAND : 0),
            neighbor: r.neighbor ?? '0.0.0.0', timerMs: due === null ? NONE : Math.max(0, Math.round(due - now)),
          }),
        };
      });
    default:
      throw new ProtocolError(ERROR_INVALID_PARAMETER, `unknown MIB table ${table} (1 global, 2 interfaces, 3 neighbours, 4 routes)`);
  }
}

function keyOf(table: number, q: MibInputValue): number[] {
  switch (table) {
    case MIB_INTERFACE: return [q.interfaceIndex];
    case MIB_NEIGHBOR: return [q.interfaceIndex, ipToU32(q.address)];
    case MIB_ROUTE: return [ipToU32(q.address), q.prefixLength, q.source];
    default: return [];
  }
}

/** Answers a MIB call from the engine's state. */
export function answerMib(engine: RipEngine, req: MibRequest, now: number): Buffer {
  return answerMibQuery(req, {
    name: 'RIP',
    input: MibInput,
    table: (q) => ({ id: q.tableId, entries: rows(engine, q.tableId, now), key: keyOf(q.tableId, q), single: q.tableId === MIB_GLOBAL }),
  });
}

/** Decodes a MIB output record (by its tableId), for tools and tests. */
export function decodeMibRecord(out: Buffer):
  | ({ table: 'global' } & StructValue<typeof MibGlobal.fields>)
  | ({ table: 'interface' } & StructValue<typeof MibInterface.fields>)
  | ({ table: 'neighbor' } & StructValue<typeof MibNeighbor.fields>)
  | ({ table: 'route' } & StructValue<typeof MibRoute.fields>) {
  const id = out.readUInt32LE(0);
  switch (id) {
    case MIB_GLOBAL: return { table: 'global', ...MibGlobal.decode(out) };
    case MIB_INTERFACE: return { table: 'interface', ...MibInterface.decode(out) };
    case MIB_NEIGHBOR: return { table: 'neighbor', ...MibNeighbor.decode(out) };
    case MIB_ROUTE: return { table: 'route', ...MibRoute.decode(out) };
    default: throw new RangeError(`unknown MIB record table ${id}`);
  }
}
