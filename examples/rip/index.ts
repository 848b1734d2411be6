// RIP version 2 for RRAS, written with rras-bridge: the protocol module the host loads.
// The logic lives in engine.ts (no RRAS types there); this file adapts the handlers:
// configuration blocks in, interface state in, learned routes out to ctx.routes, the
// autostatic update (DoUpdateRoutes) and the MIB.
import { defineProtocol } from '../../lib/api/defineProtocol.js';
import { hostInfo } from '../../lib/host/info.js';
import { EngineSlot, LOG_LEVELS, syncAfterRestart } from '../distance-vector/module.js';
import {
  GlobalConfig, InterfaceConfig, PROTOCOL_ID_RIP, globalProblems, interfaceProblems, stateDirectoryOf,
  type GlobalConfigValue, type InterfaceConfigValue,
} from './config.js';
import { RipEngine } from './engine.js';
import { answerMib } from './mib.js';
import { PersistentSequence } from './state.js';
import { systemClock } from '../distance-vector/timers.js';
import { UdpTransport } from './transport.js';

export { GlobalConfig, InterfaceConfig, PROTOCOL_ID_RIP } from './config.js';

const slot = new EngineSlot<GlobalConfigValue, InterfaceConfigValue, RipEngine>('RIP', globalProblems, interfaceProblems);

export default defineProtocol({
  protocolId: hostInfo()?.protocolId ?? PROTOCOL_ID_RIP,
  name: 'rip',
  globalConfig: GlobalConfig,
  interfaceConfig: InterfaceConfig,

  // After a host restart the previous routes stay in RTM, stale, until RIP has heard its
  // neighbours again (its Requests at interface start, then a round of regular updates).
  gracefulRestart: 'manual',

  start(ctx) {
    const g = ctx.globalConfig;
    const sequence = new PersistentSequence(stateDirectoryOf(g), `rip-${ctx.protocolId.toString(16)}`);
    const { engine, log } = slot.start(ctx, (log) =>
      new RipEngine({ clock: systemClock, transport: new UdpTransport(), routes: ctx.routes, log, sequence, protocolId: ctx.protocolId }, g));
    engine.start();
    syncAfterRestart(ctx, g.updateIntervalMs, log);
    log.info(`RIPv2 started (updates every ${g.updateIntervalMs} ms ±${g.jitterPercent}%, timeout ${g.routeTimeoutMs} ms, ` +
      `garbage ${g.garbageMs} ms, auth sequence file ${sequence.file}, logging ${LOG_LEVELS[g.loggingLevel]})`);
  },

  ...slot.handlers(),

  async interfaceStatus(_ctx, iface) {
    await slot.running().setInterfaceState(iface.index, { operational: iface.operational, addresses: iface.binding?.addresses ?? [] });
  },

  mib(_ctx, req) {
    return answerMib(slot.running(), req, systemClock.now());
  },
});
