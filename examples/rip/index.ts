// RIP version 2 for RRAS, written with rras-bridge: the protocol module the host loads.
// The logic lives in engine.ts (no RRAS types there); this file adapts the handlers:
// configuration blocks in, interface state in, learned routes out to ctx.routes, the
// autostatic update (DoUpdateRoutes) and the MIB.
import { defineProtocol } from '../../lib/api/defineProtocol.js';
import { ProtocolError } from '../../lib/api/errors.js';
import type { Logger } from '../../lib/api/types.js';
import { ERROR_CAN_NOT_COMPLETE, ERROR_INVALID_PARAMETER } from '../../lib/constants.js';
import { hostInfo } from '../../lib/host/info.js';
import {
  GlobalConfig, InterfaceConfig, PROTOCOL_ID_RIP, globalProblems, interfaceProblems, stateDirectoryOf,
} from './config.js';
import { RipEngine } from './engine.js';
import { answerMib } from './mib.js';
import { PersistentSequence } from './state.js';
import { systemClock } from '../distance-vector/timers.js';
import { UdpTransport } from './transport.js';

export { GlobalConfig, InterfaceConfig, PROTOCOL_ID_RIP } from './config.js';

let engine: RipEngine | undefined;

function running(): RipEngine {
  if (!engine) throw new ProtocolError(ERROR_CAN_NOT_COMPLETE, 'RIP is not started');
  return engine;
}

const LEVELS = ['error', 'warn', 'info', 'debug'] as const;

/** ctx.log filtered by the configured logging level (read at each call: it can change). */
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
  protocolId: hostInfo()?.protocolId ?? PROTOCOL_ID_RIP,
  name: 'rip',
  globalConfig: GlobalConfig,
  interfaceConfig: InterfaceConfig,

  // After a host restart the previous routes stay in RTM, stale, until RIP has heard its
  // neighbours again (its Requests at interface start, then a round of regular updates).
  gracefulRestart: 'manual',

  start(ctx) {
    const g = ctx.globalConfig;
    refuse('RIP global config', globalProblems(g));
    const log = leveled(ctx.log, () => engine?.globalConfig.loggingLevel ?? g.loggingLevel);
    const sequence = new PersistentSequence(stateDirectoryOf(g), `rip-${ctx.protocolId.toString(16)}`);
    engine = new RipEngine({ clock: systemClock, transport: new UdpTransport(), routes: ctx.routes, log, sequence, protocolId: ctx.protocolId }, g);
    engine.start();
    if (ctx.restarted) {
      const wait = Math.max(2_000, Math.min(g.updateIntervalMs, 30_000));
      const t = setTimeout(() => {
        ctx.routes.synced().then(() => log.info('graceful restart: routes relearned, stale ones swept'), (err) => log.warn(`synced failed: ${err}`));
      }, wait);
      ctx.signal.addEventListener('abort', () => clearTimeout(t));
    }
    log.info(`RIPv2 started (updates every ${g.updateIntervalMs} ms ±${g.jitterPercent}%, timeout ${g.routeTimeoutMs} ms, ` +
      `garbage ${g.garbageMs} ms, auth sequence file ${sequence.file}, logging ${LEVELS[g.loggingLevel]})`);
  },

  async stop() {
    const e = engine;
    engine = undefined;
    await e?.stop();
  },

  async addInterface(_ctx, iface) {
    refuse(`RIP config of interface ${iface.index}`, interfaceProblems(iface.config));
    await running().addInterface({ index: iface.index, name: iface.name, type: iface.type }, iface.config);
  },

  async deleteInterface(_ctx, iface) {
    await engine?.deleteInterface(iface.index);
  },

  async interfaceStatus(_ctx, iface) {
    await running().setInterfaceState(iface.index, { operational: iface.operational, addresses: iface.binding?.addresses ?? [] });
  },

  setGlobalConfig(_ctx, config) {
    refuse('RIP global config', globalProblems(config));
    running().setGlobalConfig(config);
  },

  async setInterfaceConfig(_ctx, iface, config) {
    refuse(`RIP config of interface ${iface.index}`, interfaceProblems(config));
    await running().setInterfaceConfig(iface.index, config);
  },

  async updateRoutes(_ctx, iface) {
    await running().updateRoutes(iface.index);
  },

  mib(_ctx, req) {
    return answerMib(running(), req, systemClock.now());
  },
});
