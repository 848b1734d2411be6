// __NAME__: a routing protocol for Windows RRAS, written with rras-bridge.
//
// As generated, it learns each interface's routes from the interface's configuration when the
// router manager asks for an autostatic update (DoUpdateRoutes), puts them into RTM, and
// answers MIB queries with the number of routes it holds. Replace the handlers with your
// protocol; the types say what each one receives.
import {
  defineProtocol, ProtocolError, PROTOCOL_ID, PROTO_TYPE_UCAST, ERROR_CAN_NOT_COMPLETE,
  struct, u8, u32, ipv4, list,
} from 'rras-bridge';

/** Your vendor id (14 bits) and protocol number; 0x2B1D is rras-bridge's examples' vendor id. */
export const PROTOCOL_ID___CONST__ = __PROTOCOL_ID__;

export const GlobalConfig = struct('__CONST___GLOBAL_CONFIG', {
  loggingLevel: u32({ default: 2, max: 3 }),
});

const Route = struct('__CONST___ROUTE', {
  destination: ipv4(),
  prefixLength: u8({ max: 32 }),
  nextHop: ipv4(),
  metric: u32({ default: 1, min: 1, max: 15 }),
});

export const InterfaceConfig = struct('__CONST___INTERFACE_CONFIG', {
  routes: list(Route, 16),
});

export default defineProtocol({
  protocolId: PROTOCOL_ID___CONST__,
  name: '__NAME__',
  globalConfig: GlobalConfig,
  interfaceConfig: InterfaceConfig,

  start(ctx) {
    ctx.log.info('%s started, logging level %d', ctx.name, ctx.globalConfig.loggingLevel);
  },

  async updateRoutes(ctx, iface) {
    if (!iface.operational) throw new ProtocolError(ERROR_CAN_NOT_COMPLETE, `interface ${iface.index} is not up`);
    const results = await ctx.routes.replace(iface.index, iface.config.routes.map((r) => ({ ...r, interfaceIndex: iface.index })));
    const refused = results.filter((r) => r.error);
    if (refused.length) throw new ProtocolError(ERROR_CAN_NOT_COMPLETE, `${refused.length} routes refused: ${refused[0]!.error}`);
  },

  async deleteInterface(ctx, iface) {
    await ctx.routes.replace(iface.index, []);
  },

  mib(ctx) {
    const out = Buffer.alloc(4);
    out.writeUInt32LE(ctx.routes.list().length);
    return out;
  },
});
