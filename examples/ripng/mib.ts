// The RIPng MIB: MibGet with a RIPNGTS_MIB_INPUT {u32 tableId} answers one whole table as
// UTF-8 JSON (1 global counters, 2 interfaces, 3 neighbours, 4 routes), for tools and the
// demo; a short output buffer gets ERROR_INSUFFICIENT_BUFFER with the size from the library.
// Unlike the RIPv2 example's fixed records, the shape is the JSON the README shows.
import { ProtocolError } from '../../lib/api/errors.js';
import type { MibRequest } from '../../lib/api/types.js';
import { struct, u32 } from '../../lib/config/schema.js';
import { ERROR_INVALID_PARAMETER, ERROR_NOT_SUPPORTED } from '../../lib/constants.js';
import type { RipngEngine } from './engine.js';

export const MIB_GLOBAL = 1;
export const MIB_INTERFACE = 2;
export const MIB_NEIGHBOR = 3;
export const MIB_ROUTE = 4;

export const MibInput = struct('RIPNGTS_MIB_INPUT', { tableId: u32({ min: 1, max: 4 }) });

export function mibTable(engine: RipngEngine, tableId: number, now: number): unknown {
  switch (tableId) {
    case MIB_GLOBAL:
      return { ...engine.stats, learnedRoutes: engine.table.learnedRoutes().filter((r) => r.garbageAt === null).length, rtm: engine.rtm.stats };
    case MIB_INTERFACE:
      return engine.interfaceList();
    case MIB_NEIGHBOR:
      return engine.neighborList().map((n) => ({ ...n, lastHeardMs: Math.round(now - n.lastSeen) }));
    default:
      return engine.routeList().map((r) => ({
        destination: r.destination, prefixLength: r.prefixLength, source: r.source, metric: r.metric, tag: r.tag, nextHop: r.nextHop,
        interfaceIndex: r.interfaceIndex, neighbor: r.neighbor, demand: r.demand, inRtm: r.inRtm,
        timerMs: r.garbageAt !== null ? Math.round(r.garbageAt - now) : r.expiresAt !== null ? Math.round(r.expiresAt - now) : null,
      }));
  }
}

export function answerMib(engine: RipngEngine, req: MibRequest, now: number): Buffer {
  if (req.op !== 'get') throw new ProtocolError(ERROR_NOT_SUPPORTED, `the RIPng MIB answers MibGet only, not ${req.op}`);
  if (req.input.length < 4) throw new ProtocolError(ERROR_INVALID_PARAMETER, 'RIPNGTS_MIB_INPUT is 4 bytes: the table id');
  const { tableId } = MibInput.decode(req.input.subarray(0, 4));
  return Buffer.from(JSON.stringify(mibTable(engine, tableId, now)));
}
