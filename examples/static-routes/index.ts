// static-routes: a small protocol that learns each interface's routes from its interface
// configuration when the router manager asks for an autostatic update (DoUpdateRoutes).
// A route is accepted only when its next hop lies in a subnet bound to that interface, so
// the update fails (UPDATE_COMPLETE with ERROR_CAN_NOT_COMPLETE) on an unbound interface.
import {
  defineProtocol, ProtocolError, PROTOCOL_ID, PROTO_TYPE_UCAST, ERROR_CAN_NOT_COMPLETE, ERROR_NO_MORE_ITEMS,
  ERROR_INVALID_PARAMETER, struct, u8, u32, ipv4, list, type StructValue,
} from '../../lib/index.js';

export const PROTOCOL_ID_STATIC_ROUTES = PROTOCOL_ID(PROTO_TYPE_UCAST, 0x2b1d, 1);

export const GlobalConfig = struct('STATIC_ROUTES_GLOBAL_CONFIG', {
  loggingLevel: u32({ default: 2, min: 0, max: 3 }),
});

const Route = struct('STATIC_ROUTES_ROUTE', {
  destination: ipv4(),
  prefixLength: u8({ max: 32 }),
  nextHop: ipv4(),
  metric: u32({ default: 1, min: 1, max: 15 }),
});

export const InterfaceConfig = struct('STATIC_ROUTES_IF_CONFIG', {
  routes: list(Route, 16),
});

export interface LearnedRoute {
  interfaceIndex: number;
  destination: string;
  prefixLength: number;
  nextHop: string;
  metric: number;
}

const toU32 = (a: string) => a.split('.').reduce((n, o) => (n << 8) | Number(o), 0) >>> 0;
const maskOf = (len: number) => (len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0);

function learn(index: number, routes: StructValue<typeof InterfaceConfig.fields>['routes'], bound: { address: string; prefixLength: number | null }[]): LearnedRoute[] {
  return routes.map((r) => {
    const onLink = bound.some((b) => b.prefixLength !== null &&
      ((toU32(b.address) ^ toU32(r.nextHop)) & maskOf(b.prefixLength)) === 0);
    if (!onLink) {
      throw new ProtocolError(ERROR_CAN_NOT_COMPLETE,
        `next hop ${r.nextHop} of ${r.destination}/${r.prefixLength} is not on interface ${index}`);
    }
    return { interfaceIndex: index, destination: r.destination, prefixLength: r.prefixLength, nextHop: r.nextHop, metric: r.metric };
  });
}

/** Learned routes by interface: what an autostatic update would hand to RTM. */
export const learned = new Map<number, LearnedRoute[]>();

// MIB: input = u32 interface index (getFirst ignores it); output = the learned routes of the
// first interface at or after it, as 16-byte records {dest, prefixLength, nextHop, metric}.
function mibTable(fromIndex: number, strictlyAfter: boolean): Buffer {
  const indexes = [...learned.keys()].sort((a, b) => a - b).filter((i) => (strictlyAfter ? i > fromIndex : i >= fromIndex));
  const index = indexes[0];
  if (index === undefined) throw new ProtocolError(ERROR_NO_MORE_ITEMS, 'end of the route table');
  const routes = learned.get(index)!;
  const out = Buffer.alloc(8 + 16 * routes.length);
  out.writeUInt32LE(index, 0);
  out.writeUInt32LE(routes.length, 4);
  routes.forEach((r, i) => {
    out.writeUInt32BE(toU32(r.destination), 8 + 16 * i);
    out.writeUInt32LE(r.prefixLength, 12 + 16 * i);
    out.writeUInt32BE(toU32(r.nextHop), 16 + 16 * i);
    out.writeUInt32LE(r.metric, 20 + 16 * i);
  });
  return out;
}

export default defineProtocol({
  protocolId: PROTOCOL_ID_STATIC_ROUTES,
  name: 'static-routes',
  globalConfig: GlobalConfig,
  interfaceConfig: InterfaceConfig,

  start(ctx) {
    ctx.log.info(`static-routes starting, logging level ${ctx.globalConfig.loggingLevel}`);
  },

  deleteInterface(_ctx, iface) {
    learned.delete(iface.index);
  },

  async updateRoutes(ctx, iface) {
    if (!iface.operational) {
      throw new ProtocolError(ERROR_CAN_NOT_COMPLETE, `interface ${iface.index} is not operational (enabled, bound, media present)`);
    }
    const routes = learn(iface.index, iface.config.routes, iface.binding?.addresses ?? []);
    learned.set(iface.index, routes);
    ctx.log.info(`learned ${routes.length} route(s) on interface ${iface.index}: ` +
      routes.map((r) => `${r.destination}/${r.prefixLength} via ${r.nextHop}`).join(', '));
  },

  mib(_ctx, req) {
    const index = req.input.length >= 4 ? req.input.readUInt32LE(0) : 0;
    switch (req.op) {
      case 'getFirst': return mibTable(0, false);
      case 'get': {
        if (!learned.has(index)) throw new ProtocolError(ERROR_INVALID_PARAMETER, `no routes learned on interface ${index}`);
        return mibTable(index, false);
      }
      case 'getNext': return mibTable(index, true);
      default: throw new ProtocolError(ERROR_INVALID_PARAMETER, `MIB ${req.op} is not supported by static-routes`);
    }
  },
});
