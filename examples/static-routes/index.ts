// static-routes: a small protocol that learns each interface's routes from its interface
// configuration when the router manager asks for an autostatic update (DoUpdateRoutes), and
// puts them into RTM (ctx.routes.replace). A route is accepted only when its next hop lies in
// a subnet bound to that interface, so the update fails (UPDATE_COMPLETE with
// ERROR_CAN_NOT_COMPLETE) on an unbound interface. Its MIB lists the routes it holds.
import {
  defineProtocol, ProtocolError, PROTOCOL_ID, PROTO_TYPE_UCAST, ERROR_CAN_NOT_COMPLETE, ERROR_NO_MORE_ITEMS,
  ERROR_INVALID_PARAMETER, NO_ERROR, struct, u8, u32, ipv4, list, type StructValue, type RouteSpec, type ProtocolContext,
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

type LearnedRoute = RouteSpec;

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

// MIB: input = u32 interface index (getFirst ignores it); output = the protocol's routes in
// RTM through the first interface at or after it: u32 index, u32 count, then 16-byte records
// {dest (network order), prefixLength, nextHop (network order), metric}.
function mibTable(ctx: ProtocolContext<any, any>, fromIndex: number, strictlyAfter: boolean): Buffer {
  const byInterface = new Map<number, LearnedRoute[]>();
  for (const r of ctx.routes.list()) byInterface.set(r.interfaceIndex, [...(byInterface.get(r.interfaceIndex) ?? []), r]);
  const indexes = [...byInterface.keys()].sort((a, b) => a - b).filter((i) => (strictlyAfter ? i > fromIndex : i >= fromIndex));
  const index = indexes[0];
  if (index === undefined) throw new ProtocolError(ERROR_NO_MORE_ITEMS, 'end of the route table');
  const routes = byInterface.get(index)!.sort((a, b) => toU32(a.destination) - toU32(b.destination));
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

  async deleteInterface(ctx, iface) {
    await ctx.routes.replace(iface.index, []); // its routes go with it
  },

  async updateRoutes(ctx, iface) {
    if (!iface.operational) {
      throw new ProtocolError(ERROR_CAN_NOT_COMPLETE, `interface ${iface.index} is not operational (enabled, bound, media present)`);
    }
    const routes = learn(iface.index, iface.config.routes, iface.binding?.addresses ?? []);
    const results = await ctx.routes.replace(iface.index, routes);
    const failed = results.filter((r) => r.status !== NO_ERROR);
    if (failed.length) {
      throw new ProtocolError(ERROR_CAN_NOT_COMPLETE, `RTM refused ${failed.length} route(s): ${failed.map((f) => f.error).join('; ')}`);
    }
    ctx.log.info(`learned ${routes.length} route(s) on interface ${iface.index}: ` +
      routes.map((r) => `${r.destination}/${r.prefixLength} via ${r.nextHop}`).join(', '));
  },

  mib(ctx, req) {
    const index = req.input.length >= 4 ? req.input.readUInt32LE(0) : 0;
    switch (req.op) {
      case 'getFirst': return mibTable(ctx, 0, false);
      case 'get': {
        if (!ctx.routes.list().some((r) => r.interfaceIndex === index)) {
          throw new ProtocolError(ERROR_INVALID_PARAMETER, `no routes learned on interface ${index}`);
        }
        return mibTable(ctx, index, false);
      }
      case 'getNext': return mibTable(ctx, index, true);
      default: throw new ProtocolError(ERROR_INVALID_PARAMETER, `MIB ${req.op} is not supported by static-routes`);
    }
  },
});
