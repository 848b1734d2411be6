// OSPFv2 for RRAS, written with rras-bridge's public API: the protocol module the host loads.
// The logic lives in engine.ts (no RRAS types there); this file adapts the handlers:
// configuration blocks in, interface state in (demand-dial links included: RRAS bringing one
// up or down is InterfaceUp / InterfaceDown), routes out through ctx.routes, and the MIB.
// DoUpdateRoutes is not implemented and RF_DEMAND_UPDATE_ROUTES not claimed (README: why).
import {
  defineProtocol, hostInfo, ProtocolError, ERROR_CAN_NOT_COMPLETE, ERROR_INVALID_PARAMETER,
  type Interface, type Logger, type LogLevel, type ProtocolContext,
} from '../../lib/index.js';
import { PersistentSequence } from '../rip/state.js';
import { systemClock } from '../distance-vector/timers.js';
import {
  GlobalConfig, InterfaceConfig, PROTOCOL_ID_OSPF, deadIntervalOf, globalProblems, interfaceProblems, stateDirectoryOf,
  type GlobalConfigValue, type InterfaceConfigValue,
} from './config.js';
import { OspfRouter, type InterfaceState } from './engine.js';
import { answerMib, ospfMibView } from './mib.js';
import { NeighborState } from './neighbor.js';
import { RawIpTransport } from './transport.js';

export { GlobalConfig, InterfaceConfig, PROTOCOL_ID_OSPF } from './config.js';

type Ctx = ProtocolContext<GlobalConfigValue, InterfaceConfigValue>;

let router: OspfRouter | undefined;
/** RRAS says StartComplete before protocol activity may begin; interfaces wait for it. */
let activityAllowed = false;

function running(): OspfRouter {
  if (!router) throw new ProtocolError(ERROR_CAN_NOT_COMPLETE, 'OSPF is not started');
  return router;
}

const LEVELS: LogLevel[] = ['error', 'warn', 'info', 'debug'];

/** ctx.log filtered by the configured logging level (read at each call: it can change). */
function leveled(log: Logger, level: () => number): Logger {
  return Object.fromEntries(LEVELS.map((name, n) => [name, (m: string, ...a: unknown[]) => {
    if (n <= level()) log[name](m, ...a);
  }])) as unknown as Logger;
}

function refuse(what: string, problems: string[]): void {
  if (problems.length) throw new ProtocolError(ERROR_INVALID_PARAMETER, `${what}: ${problems.join('; ')}`);
}

function stateOf(iface: Interface<InterfaceConfigValue>): InterfaceState {
  const b = iface.binding;
  return { operational: iface.operational && activityAllowed, addresses: b?.addresses ?? [], remoteAddress: b?.remoteAddress ?? null, mtu: b?.mtu ?? 0 };
}

async function routerIdOf(ctx: Ctx, g: GlobalConfigValue): Promise<string> {
  const id = g.routerId !== '0.0.0.0' ? g.routerId : await ctx.support.getRouterId();
  if (id === '0.0.0.0') throw new ProtocolError(ERROR_INVALID_PARAMETER, 'no router id: the router manager has none; set routerId in the global config');
  return id;
}

/**
 * After a host restart the previous routes stay in RTM, stale, until OSPF has its adjacencies
 * again and an SPF run put its routes in: then the rest is swept.
 */
function syncWhenConverged(ctx: Ctx, r: OspfRouter, log: Logger): void {
  const longestDead = () => Math.max(10, ...r.interfaceList().map((i) => deadIntervalOf(i.config))) * 1000;
  const started = Date.now();
  const check = () => {
    if (router !== r) return;
    const elapsed = Date.now() - started;
    const settling = r.neighborList().some((n) => n.state >= NeighborState.ExStart && n.state < NeighborState.Full);
    const lastRun = r.spfHistory[r.spfHistory.length - 1];
    const converged = elapsed >= longestDead() && !settling && lastRun !== undefined && !r.throttle.pending;
    if (!converged && elapsed < 2 * longestDead() + 10_000) return void (timer = setTimeout(check, 1000));
    void r.rtm.settle().then(() => ctx.routes.synced()).then(
      () => log.info(`graceful restart: routes relearned${converged ? '' : ' (not converged, deadline reached)'}, stale ones swept`),
      (err) => log.warn(`synced failed: ${err}`));
  };
  let timer = setTimeout(check, 1000);
  ctx.signal.addEventListener('abort', () => clearTimeout(timer));
}

export default defineProtocol({
  protocolId: hostInfo()?.protocolId ?? PROTOCOL_ID_OSPF,
  name: 'ospf',
  globalConfig: GlobalConfig,
  interfaceConfig: InterfaceConfig,
  gracefulRestart: 'manual',
  mibView: ospfMibView,

  async start(ctx) {
    const g = ctx.globalConfig;
    refuse('OSPF global config', globalProblems(g));
    const routerId = await routerIdOf(ctx, g);
    const log = leveled(ctx.log, () => router?.global.loggingLevel ?? g.loggingLevel);
    const sequence = new PersistentSequence(stateDirectoryOf(g), `ospf-${ctx.protocolId.toString(16)}`);
    activityAllowed = false;
    router = new OspfRouter({ clock: systemClock, transport: new RawIpTransport(), routes: ctx.routes, log, sequence, protocolId: ctx.protocolId }, g);
    router.start(routerId);
    if (ctx.restarted) syncWhenConverged(ctx, router, log);
    log.info(`OSPFv2 started: router id ${routerId}, area ${g.areaId}, SPF ${g.spfDelayMs}/${g.spfHoldMs}/${g.spfMaxHoldMs} ms, ` +
      `${g.redistribute.length} redistribution rule(s), MD5 sequence file ${sequence.file}`);
  },

  async startComplete(ctx) {
    activityAllowed = true;
    const r = running();
    await Promise.all([...ctx.interfaces.values()].map((i) => r.setInterfaceState(i.index, stateOf(i))));
  },

  async stop() {
    const r = router;
    router = undefined;
    activityAllowed = false;
    await r?.stop();
  },

  async addInterface(_ctx, iface) {
    refuse(`OSPF config of interface ${iface.index}`, interfaceProblems(iface.config));
    const r = running();
    r.addInterface({ index: iface.index, name: iface.name, demandDial: iface.type !== 'permanent' }, iface.config);
    await r.setInterfaceState(iface.index, stateOf(iface));
  },

  async deleteInterface(_ctx, iface) {
    await router?.deleteInterface(iface.index);
  },

  async interfaceStatus(_ctx, iface) {
    await running().setInterfaceState(iface.index, stateOf(iface));
  },

  async setGlobalConfig(ctx, config, previous) {
    refuse('OSPF global config', globalProblems(config));
    const r = running();
    if (config.routerId !== previous.routerId) {
      const id = await routerIdOf(ctx, config);
      if (id !== r.routerIdText) await r.changeRouterId(id);
    }
    r.setGlobalConfig(config);
  },

  setInterfaceConfig(_ctx, iface, config) {
    refuse(`OSPF config of interface ${iface.index}`, interfaceProblems(config));
    running().setInterfaceConfig(iface.index, config);
  },

  mib(_ctx, req) {
    return answerMib(running(), req, systemClock.now());
  },
});
