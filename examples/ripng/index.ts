// RIPng (RFC 2080) for RRAS's IPv6 router manager, written with rras-bridge: the protocol
// module the host loads. The logic lives in engine.ts; this file adapts the handlers:
// configuration blocks in, IPv6 interface bindings in, learned routes out to ctx.routes
// (IPv6 prefixes, link-local next hops), the autostatic update (DoUpdateRoutes) and the MIB.
import { defineProtocol } from '../../lib/api/defineProtocol.js';
import { ProtocolError } from '../../lib/api/errors.js';
import type { Logger } from '../../lib/api/types.js';
import { ERROR_CAN_NOT_COMPLETE, ERROR_INVALID_PARAMETER } from '../../lib/constants.js';
import { hostInfo } from '../../lib/host/info.js';
import { systemClock } from '../distance-vector/timers.js';
import { GlobalConfig, InterfaceConfig, PROTOCOL_ID_RIPNG, globalProblems, interfaceProblems } from './config.js';
import { RipngEngine } from './engine.js';
import { answerMib } from './mib.js';
import { Udp6Transport } from './transport.js';

export { GlobalConfig, InterfaceConfig, PROTOCOL_ID_RIPNG } from './config.js';

let engine: RipngEngine | undefined;

function running(): RipngEngine {
  if (!engine) throw new ProtocolError(ERROR_CAN_NOT_COMPLETE, 'RIPng is not started');
  return engine;
}

/** ctx.log filtered by the configured logging level (read at each call). */
function leveled(log: Logger, level: () => number): Logger {
  const at = (n: number, fn: (m: string, ...a: unknown[]) => void) => (m: string, ...a: unknown[]) => {
    if (n <= level()) fn(m, ...a);
  };
  return { error: at(0, log.error), warn: at(1, log.warn), info: at(2, log.info), debug: at(3, log.debug) };
}

function refuse(what: string, problems: string[]): void {
  if (problems.length) throw new ProtocolError(ERROR_INVALID_PARAMETER, `${what}: ${problems.join('; ')}`);
}

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
    refuse('RIPng global config', globalProblems(g));
    const log = leveled(ctx.log, () => engine?.globalConfig.loggingLevel ?? g.loggingLevel);
    engine = new RipngEngine({ clock: systemClock, transport: new Udp6Transport(), routes: ctx.routes, log, protocolId: ctx.protocolId }, g);
    engine.start();
    if (ctx.restarted) {
      const t = setTimeout(() => {
        ctx.routes.synced().then(() => log.info('graceful restart: routes relearned, stale ones swept'), (err) => log.warn(`synced failed: ${err}`));
      }, Math.max(2_000, Math.min(g.updateIntervalMs, 30_000)));
      ctx.signal.addEventListener('abort', () => clearTimeout(t));
    }
    log.info(`RIPng started (updates every ${g.updateIntervalMs} ms ±${g.jitterPercent}%, timeout ${g.routeTimeoutMs} ms, garbage ${g.garbageMs} ms)`);
  },

  async stop() {
    const e = engine;
    engine = undefined;
    await e?.stop();
  },

  async addInterface(_ctx, iface) {
    refuse(`RIPng config of interface ${iface.index}`, interfaceProblems(iface.config));
    await running().addInterface({ index: iface.index, name: iface.name, type: iface.type }, iface.config);
  },

  async deleteInterface(_ctx, iface) {
    await engine?.deleteInterface(iface.index);
  },

  async interfaceStatus(_ctx, iface) {
    await running().setInterfaceState(iface.index, {
      operational: iface.operational, addresses: iface.binding?.addresses ?? [], mtu: iface.binding?.mtu ?? 0,
    });
  },

  setGlobalConfig(_ctx, config) {
    refuse('RIPng global config', globalProblems(config));
    running().setGlobalConfig(config);
  },

  async setInterfaceConfig(_ctx, iface, config) {
    refuse(`RIPng config of interface ${iface.index}`, interfaceProblems(config));
    await running().setInterfaceConfig(iface.index, config);
  },

  async updateRoutes(_ctx, iface) {
    await running().updateRoutes(iface.index);
  },

  mib(_ctx, req) {
    return answerMib(running(), req, systemClock.now());
  },
});
