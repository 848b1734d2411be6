// Runs one protocol module inside the host: turns the library's forwarded calls into handler
// calls with decoded arguments, and handler outcomes into replies.
//
// Ordering: calls that change state (start, interfaces, config, stop) run one after another
// in arrival order. DoUpdateRoutes and MIB calls run as they arrive, concurrently, and the
// heartbeat is answered at once: it proves the event loop is alive, not that handlers are idle.
import { formatWithOptions } from 'node:util';
import { decodeBinding, decodeIpv6Binding } from '../config/binding.js';
import { decodeConfigItem } from '../config/schema.js';
import {
  ERROR_INVALID_PARAMETER,
  ERROR_NO_MORE_ITEMS,
  ERROR_NOT_SUPPORTED,
  NO_ERROR,
  RIS_INTERFACE_ADDRESS_CHANGE,
  RIS_INTERFACE_DISABLED,
  RIS_INTERFACE_ENABLED,
  RIS_INTERFACE_MEDIA_ABSENT,
  RIS_INTERFACE_MEDIA_PRESENT,
} from '../constants.js';
import { ProtocolError, describe, statusOf } from '../api/errors.js';
import type { ConfigOf, ConfigSchema, LogLevel, Logger, MibOperation, Protocol, ProtocolContext, StatusChange } from '../api/types.js';
import {
  AddressFamily as WireFamily, ClientOperation, LogLevel as WireLogLevel, MibOperation as WireMibOperation, PowerOperation,
  type DllToHost, type Input, type ReplyFields, type RequestFields, type Transport, type WireMessage, type WireRequest,
} from '../addon/index.js';
import { InterfaceRecord, interfaceType } from './interfaces.js';
import { Requester } from './requests.js';
import { HostRoutes } from './routes.js';
import { makeEvents, makeSupport } from './services.js';

const LEVELS: Record<LogLevel, WireLogLevel> = {
  error: WireLogLevel.Error, warn: WireLogLevel.Warn, info: WireLogLevel.Info, debug: WireLogLevel.Debug,
};

/** The API's name of a MIB operation: the wire's, with a lower-case first letter. */
function mibOperation(op: number): MibOperation | undefined {
  const name = (Object.keys(WireMibOperation) as (keyof typeof WireMibOperation)[]).find((k) => WireMibOperation[k] === op);
  return name && ((name[0]!.toLowerCase() + name.slice(1)) as MibOperation);
}

/** ConnectClient's address: IPv4 is assumed [U]; anything else reaches the handler as null. */
const IPV4_ADDRESS_BYTES = 4;

/** What a handler gives back for message T's reply (nothing when it has no fields). */
type Outcome<T extends DllToHost> = Input<ReplyFields<T>> | void;
const isPromiseLike = (v: unknown): v is PromiseLike<unknown> => typeof (v as PromiseLike<unknown> | null)?.then === 'function';
/** The calls that change state, run in order on the chain. */
type Ordered = 'start' | 'startComplete' | 'stop' | 'addInterface' | 'deleteInterface' | 'interfaceStatus' | 'setGlobalInfo' | 'setInterfaceInfo';
/** A decoded configuration: the schema's value, or the raw bytes of a protocol without one. */
type Config = ConfigOf<ConfigSchema>;
/** A configuration block as the library forwards it. */
type Block = Pick<RequestFields<'setGlobalInfo'>, 'info' | 'structureSize' | 'structureCount'>;

/** The protocol module the host runs: loading, then loaded or failed. One state, two views. */
class ProtocolModule {
  /** Settles once the module has loaded (or failed to). */
  readonly ready: Promise<Protocol>;
  private loaded: Protocol | undefined;

  constructor(loading: Promise<Protocol>) {
    this.ready = loading.then((p) => (this.loaded = p));
    this.ready.catch(() => undefined); // the failure is each caller's to report
  }

  /** The module, once loaded; undefined before and after a failed load. */
  get current(): Protocol | undefined {
    return this.loaded;
  }
}

export class HostRuntime {
  private readonly interfaces = new Map<number, InterfaceRecord<Config>>();
  private globalConfig: Config = Buffer.alloc(0);
  private chain: Promise<void> = Promise.resolve();
  /** ctx.signal's, made when the protocol first asks (AbortController's load costs a host start about 0.3 ms). */
  private stopController: AbortController | undefined;
  private stopReason: Error | undefined;
  private readonly module: ProtocolModule;
  private restarted = false;
  private warnedUnknown = false;
  stopped = false;
  /** RRAS_BRIDGE_DEBUG: every message traced to stderr (read once: process.env takes a lock per read). */
  private readonly debug = Boolean(process.env.RRAS_BRIDGE_DEBUG);
  readonly requester: Requester;
  readonly routes: HostRoutes;
  readonly log: Logger;
  readonly ctx: ProtocolContext<Config, Config, 'ipv4' | 'ipv6'>;

  constructor(
    protocol: Promise<Protocol>,
    private readonly transport: Transport,
    /** logLevel: the library's (0 error … 3 debug); lines above it are not sent. Default: all. */
    readonly info: { protocolId: number; name: string; generation: number; logLevel?: number },
  ) {
    this.module = new ProtocolModule(protocol);
    const write = (level: LogLevel) => (msg: unknown, ...args: unknown[]) => this.writeLog(level, msg, args);
    this.log = { error: write('error'), warn: write('warn'), info: write('info'), debug: write('debug') };
    const self = this;
    this.requester = new Requester(transport);
    this.routes = new HostRoutes(this.requester, (err) => this.writeLog('error', 'a best-route listener threw:', [err]), info.protocolId,
      () => this.addressFamily);
    const schemaOf = (which: 'globalConfig' | 'interfaceConfig'): ConfigSchema => this.module.current?.[which];
    // A protocol without a schema saves raw bytes (services.ts checks them).
    const validated = (which: 'globalConfig' | 'interfaceConfig', config: unknown): Config =>
      schemaOf(which)?.validate(config) ?? (config as Buffer);
    const events = makeEvents(this.requester, () => schemaOf('globalConfig'), () => schemaOf('interfaceConfig'), {
      global: (config) => (this.globalConfig = validated('globalConfig', config)),
      iface: (index, config) => {
        const r = this.interfaces.get(index);
        if (r) r.config = validated('interfaceConfig', config);
      },
    });
    this.ctx = {
      protocolId: info.protocolId,
      get addressFamily() { return self.addressFamily; },
      name: info.name,
      generation: info.generation,
      get restarted() { return self.restarted; },
      get globalConfig() { return self.globalConfig; },
      interfaces: this.interfaces,
      log: this.log,
      get signal() { return self.stopSignal; },
      routes: this.routes,
      events,
      support: makeSupport(this.requester),
      requestRestart: (reason: string) => this.requestRestart(reason),
    };
  }

  /** Aborted once the protocol has stopped (already, when first asked after the stop). */
  private get stopSignal(): AbortSignal {
    if (!this.stopController) {
      this.stopController = new AbortController();
      if (this.stopReason) this.stopController.abort(this.stopReason);
    }
    return this.stopController.signal;
  }

  /** The module's family ('ipv4' until it has loaded: only routeChanges may come before). */
  get addressFamily(): 'ipv4' | 'ipv6' {
    return this.module.current?.addressFamily ?? 'ipv4';
  }

  async requestRestart(reason: string): Promise<void> {
    const r = await this.requester.request('restart', { reason: String(reason) });
    if (r.status !== NO_ERROR) throw new ProtocolError(r.status, `restart refused: ${r.error}`);
  }

  /** ctx.log: formats like console.log (%s, %d, %i, %f, %j, %o, %O, %c; objects inspected; errors with their stack), on one line where it can. */
  writeLog(level: LogLevel, msg: unknown, args: unknown[] = []): void {
    if (LEVELS[level] > (this.info.logLevel ?? LEVELS.debug)) return;
    const text = formatWithOptions({ breakLength: Infinity, depth: 4 }, msg, ...args.map((a) => (a instanceof Error ? describe(a) : a)));
    try {
      this.transport.send('log', 0, { level: LEVELS[level], text });
    } catch {
      process.stderr.write(`[${level}] ${text}\n`);
    }
  }

  /** Entry for every message from the library. */
  handle(m: WireMessage): void {
    if (this.debug) process.stderr.write(`host got ${JSON.stringify(m)}\n`);
    if (m.unknownBytes && !this.warnedUnknown) {
      this.warnedUnknown = true;
      this.writeLog('warn', `the library sent ${m.unknownBytes} byte(s) of fields this host's wire version does not have in '${m.type}' ` +
        '(they are skipped; said once): it speaks a later version than it agreed to');
    }
    if (m.reply) {
      if (!this.requester.settle(m)) this.writeLog('warn', `unexpected ${m.type} reply ${m.id}`);
      return;
    }
    switch (m.type) {
      case 'routeChanges':
      case 'routeChanges6':
        this.routes.changed(m.type, m.fields.changes);
        return;
      case 'heartbeat': {
        const seq = m.fields.seq;
        // The host's resident memory goes with the answer (wire version 2; left out for 1).
        this.answer(m, async () => ({ seq, rssBytes: BigInt(process.memoryUsage.rss()) }));
        return;
      }
      case 'updateRoutes': {
        const index = m.fields.interfaceIndex;
        this.answer(m, () => this.updateRoutes(index));
        return;
      }
      case 'mib': {
        const f = m.fields;
        this.answer(m, () => this.mib(f));
        return;
      }
      case 'power': {
        const f = m.fields;
        this.answer(m, async () => {
          const p = await this.module.ready;
          const query = f.op === PowerOperation.Query;
          const handler = query ? p.queryPower : p.setPower;
          if (!handler) throw new ProtocolError(ERROR_NOT_SUPPORTED, `${p.name} does not handle ${query ? 'QueryPower' : 'SetPower'}`);
          await handler.call(p, this.ctx, f.powerType);
        });
        return;
      }
      case 'client': {
        const f = m.fields;
        this.answer(m, async () => {
          const p = await this.module.ready;
          const handler = f.op === ClientOperation.Connect ? p.connectClient : p.disconnectClient;
          if (!handler) throw new ProtocolError(ERROR_NOT_SUPPORTED, `${p.name} does not handle client calls`);
          const a = f.address;
          await handler.call(p, this.ctx, this.iface(f.interfaceIndex), a.length === IPV4_ADDRESS_BYTES ? [...a].join('.') : null);
        });
        return;
      }
      case 'start':
      case 'startComplete':
      case 'stop':
      case 'addInterface':
      case 'deleteInterface':
      case 'interfaceStatus':
      case 'setGlobalInfo':
      case 'setInterfaceInfo': {
        const run = this.prepare(m);
        this.chain = this.chain.then(() => this.answer(m, run));
        return;
      }
      default: {
        // A type this host does not know (a newer library's), or one it never expects.
        const other = m as WireRequest;
        this.transport.reply(other.type as DllToHost, other.id, ERROR_NOT_SUPPORTED, `the host does not handle '${other.type}'`);
      }
    }
  }

  /**
   * Runs fn and replies with its outcome; failures are logged with their stack. A handler that
   * answers synchronously is replied to at once, without the microtask turns of an await (the
   * bench's pipelined DoUpdateRoutes: one per update); a promise, once it settles.
   */
  private answer<T extends DllToHost>(m: WireRequest<T>, fn: () => Promise<Outcome<T>> | Outcome<T>): Promise<void> | undefined {
    let out: Promise<Outcome<T>> | Outcome<T>;
    try {
      out = fn();
    } catch (err) {
      this.answerFailure(m, err);
      return undefined;
    }
    if (isPromiseLike(out)) return Promise.resolve(out).then((fields) => this.answerWith(m, NO_ERROR, '', fields), (err: unknown) => this.answerFailure(m, err));
    this.answerWith(m, NO_ERROR, '', out);
    return undefined;
  }

  private answerFailure<T extends DllToHost>(m: WireRequest<T>, err: unknown): void {
    const status = statusOf(err);
    const error = err instanceof Error ? err.message : String(err);
    if (status === ERROR_NO_MORE_ITEMS) {
      // the end of a MIB table: an answer, not a failure
    } else if (err instanceof ProtocolError) {
      this.writeLog('warn', `${m.type}: ${error}`); // a code the protocol chose: no stack
    } else {
      this.writeLog(status === ERROR_INVALID_PARAMETER ? 'warn' : 'error', `${m.type} failed:`, [describe(err)]);
    }
    this.answerWith(m, status, error, undefined);
  }

  private answerWith<T extends DllToHost>(m: WireRequest<T>, status: number, error: string, fields: Outcome<T>): void {
    if (m.id === 0) return;
    try {
      this.transport.reply(m.type, m.id, status, error, status === NO_ERROR ? fields ?? ({} as Input<ReplyFields<T>>) : undefined);
    } catch (err) {
      // e.g. a handler returned a value of the wrong type, or the channel closed
      this.writeLog('error', `cannot answer ${m.type}:`, [describe(err)]);
      try {
        this.transport.reply(m.type, m.id, statusOf(null), `invalid reply from the protocol: ${(err as Error).message}`);
      } catch { /* channel gone */ }
    }
  }

  private decodeConfig(schema: ConfigSchema, f: Block, what: string): Config {
    const data = f.info;
    if (!schema) return data;
    if (data.length === 0) return schema.defaults(); // no block: the declared defaults
    try {
      return decodeConfigItem(schema, data, f.structureSize, f.structureCount);
    } catch (err) {
      (err as Error).message = `${what}: ${(err as Error).message}`;
      throw err;
    }
  }

  private iface(index: number): InterfaceRecord<Config> {
    const r = this.interfaces.get(index);
    if (!r) throw new ProtocolError(ERROR_INVALID_PARAMETER, `unknown interface index ${index}`);
    return r;
  }

  /**
   * Applies what must be visible at once (interface state) when the message arrives, and
   * returns the handler part that runs in order on the chain.
   */
  private prepare(m: WireRequest<Ordered>): () => Promise<void> {
    switch (m.type) {
      case 'interfaceStatus': {
        const f = m.fields;
        const r = this.interfaces.get(f.interfaceIndex);
        if (!r) return async () => { throw new ProtocolError(ERROR_INVALID_PARAMETER, `unknown interface index ${f.interfaceIndex}`); };
        r.active = f.active !== 0;
        let change: StatusChange<'ipv4' | 'ipv6'>;
        switch (f.statusType) {
          case RIS_INTERFACE_ADDRESS_CHANGE: {
            let binding;
            try {
              binding = this.addressFamily === 'ipv6' ? decodeIpv6Binding(f.binding) : decodeBinding(f.binding);
            } catch (err) {
              return async () => { throw err; };
            }
            r.binding = binding;
            change = { type: 'addressChange', binding };
            break;
          }
          case RIS_INTERFACE_ENABLED: r.enabled = true; change = { type: 'enabled' }; break;
          case RIS_INTERFACE_DISABLED: r.enabled = false; change = { type: 'disabled' }; break;
          case RIS_INTERFACE_MEDIA_PRESENT: r.mediaPresent = true; change = { type: 'mediaPresent' }; break;
          case RIS_INTERFACE_MEDIA_ABSENT: r.mediaPresent = false; change = { type: 'mediaAbsent' }; break;
          default:
            return async () => { throw new ProtocolError(ERROR_INVALID_PARAMETER, `unknown status type ${f.statusType}`); };
        }
        return async () => { await (await this.module.ready).interfaceStatus?.(this.ctx, r, change); };
      }
      case 'deleteInterface': {
        const index = m.fields.interfaceIndex;
        const r = this.interfaces.get(index);
        this.interfaces.delete(index);
        return async () => {
          if (r) await (await this.module.ready).deleteInterface?.(this.ctx, r);
        };
      }
      default:
        return () => this.lifecycle(m);
    }
  }

  private async lifecycle(m: WireRequest<Ordered>): Promise<void> {
    const p = await this.module.ready;
    switch (m.type) {
      case 'start': {
        const f = m.fields;
        // The library's configuration picks the router manager; the module must be written for it.
        const served = f.addressFamily === WireFamily.Ipv6 ? 'ipv6' : 'ipv4';
        if (served !== (p.addressFamily ?? 'ipv4')) {
          throw new ProtocolError(ERROR_INVALID_PARAMETER, `${p.name} is an ${p.addressFamily ?? 'ipv4'} protocol, but the library serves it on the ` +
            `${served === 'ipv6' ? 'IPv6' : 'IPv4'} router manager (set ipv6: ${served === 'ipv6' ? 0 : 1} in its configuration, or addressFamily: '${served}' in defineProtocol)`);
        }
        this.restarted = f.restart !== 0;
        this.globalConfig = this.decodeConfig(p.globalConfig, f, 'global config');
        await p.start?.(this.ctx);
        // The library's path comes with wire version 2 (a library of version 1 does not say).
        const library = f.library === undefined ? 'a wire version 1 library' : `library ${f.library}`;
        this.log.info(`${p.name} started${this.restarted ? ' (restarted host, state replayed)' : ''}; ${library}`);
        return;
      }
      case 'startComplete':
        await p.startComplete?.(this.ctx);
        if (this.restarted && (p.gracefulRestart ?? 'auto') === 'auto') await this.routes.synced();
        return;
      case 'stop':
        this.stopped = true;
        try {
          await p.stop?.(this.ctx);
        } finally {
          this.stopReason = new Error('protocol stopped');
          this.stopController?.abort(this.stopReason);
        }
        return;
      case 'addInterface': {
        const f = m.fields;
        if (this.interfaces.has(f.interfaceIndex)) {
          throw new ProtocolError(ERROR_INVALID_PARAMETER, `interface ${f.interfaceIndex} already added`);
        }
        const config = this.decodeConfig(p.interfaceConfig, f, `interface ${f.interfaceIndex} config`);
        const r = new InterfaceRecord(f.interfaceIndex, f.name, interfaceType(f.interfaceType), f.mediaType,
          f.accessType, f.connectionType, config);
        await p.addInterface?.(this.ctx, r);
        this.interfaces.set(r.index, r);
        return;
      }
      case 'setGlobalInfo': {
        const config = this.decodeConfig(p.globalConfig, m.fields, 'global config');
        const previous = this.globalConfig;
        this.globalConfig = config;
        try {
          await p.setGlobalConfig?.(this.ctx, config, previous);
        } catch (err) {
          this.globalConfig = previous; // refused: the old configuration stays in force
          throw err;
        }
        return;
      }
      case 'setInterfaceInfo': {
        const f = m.fields;
        const r = this.iface(f.interfaceIndex);
        const config = this.decodeConfig(p.interfaceConfig, f, `interface ${f.interfaceIndex} config`);
        const previous = r.config;
        r.config = config;
        try {
          await p.setInterfaceConfig?.(this.ctx, r, config, previous);
        } catch (err) {
          r.config = previous;
          throw err;
        }
        return;
      }
    }
    throw new ProtocolError(ERROR_NOT_SUPPORTED, `unexpected ${m.type}`);
  }

  /** The protocol's updateRoutes; synchronous (no await) while the module is loaded and the handler is. */
  private updateRoutes(index: number): Promise<void> | undefined {
    const p = this.module.current;
    if (!p) return this.module.ready.then(() => this.updateRoutes(index));
    const r = this.iface(index);
    if (!p.updateRoutes) throw new ProtocolError(ERROR_NOT_SUPPORTED, `${p.name} does not implement updateRoutes`);
    const done = p.updateRoutes(this.ctx, r);
    const routine = () => this.log.debug(`updateRoutes(${index}) done`); // routine: only at logLevel 3
    if (isPromiseLike(done)) return Promise.resolve(done).then(routine);
    routine();
    return undefined;
  }

  private async mib(f: RequestFields<'mib'>): Promise<Outcome<'mib'>> {
    const p = await this.module.ready;
    const op = mibOperation(f.op);
    if (!op) throw new ProtocolError(ERROR_INVALID_PARAMETER, `unknown MIB operation ${f.op}`);
    if (!p.mib) throw new ProtocolError(ERROR_NOT_SUPPORTED, `${p.name} has no MIB`);
    const out = await p.mib(this.ctx, { op, input: f.input, outputSize: f.outputSize });
    if (out !== undefined && !(out instanceof Uint8Array)) {
      throw new TypeError(`mib(${op}) must return a Buffer, Uint8Array or nothing, got ${typeof out}`);
    }
    return { output: out ?? Buffer.alloc(0) };
  }
}
