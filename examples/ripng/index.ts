// RIPng (RFC 2080) for RRAS's IPv6 router manager, written with rras-bridge: the protocol
// module the host loads. The logic lives in engine.ts; this file adapts the handlers:
// configuration blocks in, IPv6 interface bindings in, learned routes out to ctx.routes
// (IPv6 prefixes, link-local next hops), the autostatic update (DoUpdateRoutes) and the MIB.
import { defineProtocol } from '../../lib/api/defineProtocol.js';
import { hostInfo } from '../../lib/host/info.js';
import { EngineSlot, LOG_LEVELS, syncAfterRestart } from '../distance-vector/module.js';
import { systemClock } from '../distance-vector/timers.js';
import {
  GlobalConfig, InterfaceConfig, PROTOCOL_ID_RIPNG, globalProblems, interfaceProblems, type GlobalConfigValue, type InterfaceConfigValue,
} from './config.js';
import { RipngEngine } from './engine.js';
import { answerMib } from './mib.js';
import { Udp6Transport } from './transport.js';

export { GlobalConfig, InterfaceConfig, PROTOCOL_ID_RIPNG } from './config.js';

const slot = new EngineSlot<GlobalConfigValue, InterfaceConfigValue, RipngEngine>('RIPng', globalProblems, interfaceProblems);

export default defineProtocol({
  protocolId: hostInfo()?.protocolId ?? PROTOCOL_ID_RIPNG,
  name: 'ripng',
  addressFamily: 'ipv6',
  globalConfig: GlobalConfig,
  interfaceConfig: InterfaceConfig,
  // After a host restart the previous routes stay in RTM, stale, until RIPng has heard its
  // neighbours again (its Requests at interface start, then a round of regular updates).
  gracefulRestart: 'manual',

  start(ctx) {
    const g = ctx.globalConfig;
    const { engine, log } = slot.start(ctx, (log) =>
      new RipngEngine({ clock: systemClock, transport: new Udp6Transport(), routes: ctx.routes, log, protocolId: ctx.protocolId }, g));
    engine.start();
    syncAfterRestart(ctx, g.updateIntervalMs, log);
    log.info(`RIPng started (updates every ${g.updateIntervalMs} ms ±${g.jitterPercent}%, timeout ${g.routeTimeoutMs} ms, ` +
      `garbage ${g.garbageMs} ms, logging ${LOG_LEVELS[g.loggingLevel]})`);
  },

  ...slot.handlers<'ipv6'>(),

  async interfaceStatus(_ctx, iface) {
    await slot.running().setInterfaceState(iface.index, {
      operational: iface.operational, addresses: iface.binding?.addresses ?? [], mtu: iface.binding?.mtu ?? 0,
    });
  },

  mib(_ctx, req) {
    return answerMib(slot.running(), req, systemClock.now());
  },
});
