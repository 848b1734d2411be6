// What the RIPv2 and RIPng protocol modules (their index.ts) share: one engine per host,
// the handlers that only forward to it after checking the configuration, the log filtered by
// the configured level, and the graceful-restart sync (after a host restart the previous
// routes stay in RTM, stale, until the neighbours have been heard again).
import { ProtocolError } from '../../lib/api/errors.js';
import type { AddressFamily, Logger, ProtocolContext, ProtocolHandlers } from '../../lib/api/types.js';
import { ERROR_CAN_NOT_COMPLETE, ERROR_INVALID_PARAMETER } from '../../lib/constants.js';
import type { InterfaceInfo } from './speaker.js';

/** The engine calls the shared handlers forward. */
export interface HostedEngine<G, C> {
  readonly globalConfig: G;
  stop(): Promise<void>;
  addInterface(info: InterfaceInfo, config: C): Promise<void>;
  deleteInterface(index: number): Promise<void>;
  setGlobalConfig(g: G): void;
  setInterfaceConfig(index: number, config: C): Promise<void>;
  updateRoutes(index: number): Promise<unknown>;
}

export const LOG_LEVELS = ['error', 'warn', 'info', 'debug'] as const;

/** ctx.log filtered by the configured logging level (read at each call: it can change). */
export function leveled(log: Logger, level: () => number): Logger {
  const at = (n: number, fn: (m: string, ...a: unknown[]) => void) => (m: string, ...a: unknown[]) => {
    if (n <= level()) fn(m, ...a);
  };
  return { error: at(0, log.error), warn: at(1, log.warn), info: at(2, log.info), debug: at(3, log.debug) };
}

/** Refuses a configuration block with ERROR_INVALID_PARAMETER naming each problem. */
export function refuse(what: string, problems: string[]): void {
  if (problems.length) throw new ProtocolError(ERROR_INVALID_PARAMETER, `${what}: ${problems.join('; ')}`);
}

/** After a restarted host's start: declares the routes synced once a round of updates could come in. */
export function syncAfterRestart(ctx: ProtocolContext<any, any, any>, updateIntervalMs: number, log: Logger): void {
  if (!ctx.restarted) return;
  const t = setTimeout(() => {
    ctx.routes.synced().then(() => log.info('graceful restart: routes relearned, stale ones swept'), (err) => log.warn(`synced failed: ${err}`));
  }, Math.max(2_000, Math.min(updateIntervalMs, 30_000)));
  ctx.signal.addEventListener('abort', () => clearTimeout(t));
}

/** The host's one engine, and the handlers that forward to it. */
export class EngineSlot<G extends { loggingLevel: number }, C, E extends HostedEngine<G, C>> {
  private engine: E | undefined;

  constructor(
    /** "RIP", "RIPng". */
    private readonly name: string,
    private readonly globalProblems: (g: G) => string[],
    private readonly interfaceProblems: (c: C) => string[],
  ) {}

  running(): E {
    if (!this.engine) throw new ProtocolError(ERROR_CAN_NOT_COMPLETE, `${this.name} is not started`);
    return this.engine;
  }

  /** Checks the global block, then makes the engine (with ctx.log filtered by its level). */
  start(ctx: ProtocolContext<G, C, any>, make: (log: Logger) => E): { engine: E; log: Logger } {
    const g = ctx.globalConfig;
    refuse(`${this.name} global config`, this.globalProblems(g));
    const log = leveled(ctx.log, () => this.engine?.globalConfig.loggingLevel ?? g.loggingLevel);
    this.engine = make(log);
    return { engine: this.engine, log };
  }

  /** stop, add/delete interface, the two config setters and DoUpdateRoutes. */
  handlers<AF extends AddressFamily = 'ipv4'>(): Pick<ProtocolHandlers<G, C, AF>, 'stop' | 'addInterface' | 'deleteInterface' | 'setGlobalConfig' | 'setInterfaceConfig' | 'updateRoutes'> {
    const ifConfig = (index: number) => `${this.name} config of interface ${index}`;
    return {
      stop: async () => {
        const e = this.engine;
        this.engine = undefined;
        await e?.stop();
      },
      addInterface: async (_ctx, iface) => {
        refuse(ifConfig(iface.index), this.interfaceProblems(iface.config));
        await this.running().addInterface({ index: iface.index, name: iface.name, type: iface.type }, iface.config);
      },
      deleteInterface: async (_ctx, iface) => {
        await this.engine?.deleteInterface(iface.index);
      },
      setGlobalConfig: (_ctx, config) => {
        refuse(`${this.name} global config`, this.globalProblems(config));
        this.running().setGlobalConfig(config);
      },
      setInterfaceConfig: async (_ctx, iface, config) => {
        refuse(ifConfig(iface.index), this.interfaceProblems(config));
        await this.running().setInterfaceConfig(iface.index, config);
      },
      updateRoutes: async (_ctx, iface) => {
        await this.running().updateRoutes(iface.index);
      },
    };
  }
}
