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
import type { LogLevel, Logger, MibOperation, Protocol, ProtocolContext, StatusChange } from '../api/types.js';
import type { WireMessage } from '../addon/index.js';
import { InterfaceRecord, interfaceType } from './interfaces.js';
import { Requester } from './requests.js';
import { HostRoutes, WIRE_AF_INET6 } from './routes.js';
import { makeEvents, makeSupport } from './services.js';

/** What the runtime needs of the channel (the addon's Channel, or a test double). */
export interface Transport {
  send(type: string, id: number, fields: Record<string, unknown>): void;
  reply(type: string, id: number, status: number, error: string, fields?: Record<string, unknown>): void;
}

const LEVELS: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 };
const MIB_OPS: MibOperation[] = ['create', 'delete', 'get', 'set', 'getFirst', 'getNext', 'setTrapInfo', 'getTrapInfo'];

type Outcome = Record<string, unknown> | void;

export class HostRuntime {
  private readonly interfaces = new Map<number, InterfaceRecord<any>>();
  private globalConfig: any = Buffer.alloc(0);
  private chain: Promise<void> = Promise.resolve();
  private readonly abort = new AbortController();
  private restarted = false;
  stopped = false;
  readonly requester: Requester;
  readonly routes: HostRoutes;
  private loaded: Protocol | undefined;
  readonly log: Logger;
  readonly ctx: ProtocolContext<any, any, any>;

  constructor(
    private readonly protocol: Promise<Protocol>,
    private readonly transport: Transport,
    /** logLevel: the library's (0 error … 3 debug); lines above it are not sent. Default: all. */
    readonly info: { protocolId: number; name: string; generation: number; logLevel?: number },
  ) {
    const write = (level: LogLevel) => (msg: unknown, ...args: unknown[]) => this.writeLog(level, msg, args);
    this.log = { error: write('error'), warn: write('warn'), info: write('info'), debug: write('debug') };
    const self = this;
    this.requester = new Requester(transport);
    this.routes = new HostRoutes(this.requester, (err) => this.writeLog('error', 'a best-route listener threw:', [err]), info.protocolId,
      () => this.addressFamily);
    protocol.then((p) => (this.loaded = p), () => undefined);
    const events = makeEvents(this.requester, () => this.loaded?.globalConfig, () => this.loaded?.interfaceConfig, {
      global: (config) => (this.globalConfig = this.loaded?.globalConfig ? this.loaded.globalConfig.validate(config) : config),
      iface: (index, config) => {
        const r = this.interfaces.get(index);
        if (r) r.config = this.loaded?.interfaceConfig ? this.loaded.interfaceConfig.validate(config) : config;
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
      signal: this.abort.signal,
      routes: this.routes,
      events,
      support: makeSupport(this.requester),
      requestRestart: (reason: string) => this.requestRestart(reason),
    };
  }

  /** The module's family ('ipv4' until it has loaded: only routeChanges may come before). */
  get addressFamily(): 'ipv4' | 'ipv6' {
    return this.loaded?.addressFamily ?? 'ipv4';
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
    if (process.env.RRAS_BRIDGE_DEBUG) process.stderr.write(`host got ${JSON.stringify(m)}\n`);
    if (m.reply) {
      if (!this.requester.settle(m)) this.writeLog('warn', `unexpected ${m.type} reply ${m.id}`);
      return;
    }
    switch (m.type) {
      case 'routeChanges':
      case 'routeChanges6':
        this.routes.changed(m.fields.changes);
        return;
      case 'heartbeat':
        this.answer(m, async () => ({ seq: m.fields.seq }));
        return;
      case 'updateRoutes':
        this.answer(m, () => this.updateRoutes(m.fields.interfaceIndex));
        return;
      case 'mib':
        this.answer(m, () => this.mib(m.fields));
        return;
      case 'power':
        this.answer(m, async () => {
          const p = await this.protocol;
          const handler = m.fields.op === 1 ? p.queryPower : p.setPower;
          if (!handler) throw new ProtocolError(ERROR_NOT_SUPPORTED, `${p.name} does not handle ${m.fields.op === 1 ? 'QueryPower' : 'SetPower'}`);
          await handler.call(p, this.ctx, m.fields.powerType);
        });
        return;
      case 'client':
        this.answer(m, async () => {
          const p = await this.protocol;
          const handler = m.fields.op === 1 ? p.connectClient : p.disconnectClient;
          if (!handler) throw new ProtocolError(ERROR_NOT_SUPPORTED, `${p.name} does not handle client calls`);
          const a: Buffer = m.fields.address;
          await handler.call(p, this.ctx, this.iface(m.fields.interfaceIndex), a.length === 4 ? [...a].join('.') : null);
        });
        return;
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
      default:
        this.transport.reply(m.type, m.id, ERROR_NOT_SUPPORTED, `the host does not handle '${m.type}'`);
    }
  }

  /** Runs fn and replies with its outcome; failures are logged with their stack. */
  private async answer(m: WireMessage, fn: () => Promise<Outcome> | Outcome): Promise<void> {
    let status = NO_ERROR;
    let error = '';
    let fields: Outcome = undefined;
    try {
      fields = await fn();
    } catch (err) {
      status = statusOf(err);
      error = err instanceof Error ? err.message : String(err);
      if (status === ERROR_NO_MORE_ITEMS) {
        // the end of a MIB table: an answer, not a failure
      } else if (err instanceof ProtocolError) {
        this.writeLog('warn', `${m.type}: ${error}`); // a code the protocol chose: no stack
      } else {
        this.writeLog(status === ERROR_INVALID_PARAMETER ? 'warn' : 'error', `${m.type} failed:`, [describe(err)]);
      }
    }
    if (m.id === 0) return;
    try {
      this.transport.reply(m.type, m.id, status, error, status === NO_ERROR ? fields ?? {} : undefined);
    } catch (err) {
      // e.g. a handler returned a value of the wrong type, or the channel closed
      this.writeLog('error', `cannot answer ${m.type}:`, [describe(err)]);
      try {
        this.transport.reply(m.type, m.id, statusOf(null), `invalid reply from the protocol: ${(err as Error).message}`);
      } catch { /* channel gone */ }
    }
  }

  private decodeConfig(schema: any, f: Record<string, any>, what: string): any {
    const data: Buffer = f.info;
    if (!schema) return data;
    if (data.length === 0) return schema.defaults(); // no block: the declared defaults
    try {
      return decodeConfigItem(schema, data, f.structureSize, f.structureCount);
    } catch (err) {
      (err as Error).message = `${what}: ${(err as Error).message}`;
      throw err;
    }
  }

  private iface(index: number): InterfaceRecord<any> {
    const r = this.interfaces.get(index);
    if (!r) throw new ProtocolError(ERROR_INVALID_PARAMETER, `unknown interface index ${index}`);
    return r;
  }

  /**
   * Applies what must be visible at once (interface state) when the message arrives, and
   * returns the handler part that runs in order on the chain.
   */
  private prepare(m: WireMessage): () => Promise<Outcome> {
    const f = m.fields;
    switch (m.type) {
      case 'interfaceStatus': {
        const r = this.interfaces.get(f.interfaceIndex);
        if (!r) return async () => { throw new ProtocolError(ERROR_INVALID_PARAMETER, `unknown interface index ${f.interfaceIndex}`); };
        r.active = f.active !== 0;
        let change: StatusChange<any>;
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
        return async () => { await (await this.protocol).interfaceStatus?.(this.ctx, r, change); };
      }
      case 'deleteInterface': {
        const r = this.interfaces.get(f.interfaceIndex);
        this.interfaces.delete(f.interfaceIndex);
        return async () => {
          if (r) await (await this.protocol).deleteInterface?.(this.ctx, r);
        };
      }
      default:
        return () => this.lifecycle(m);
    }
  }

  private async lifecycle(m: WireMessage): Promise<Outcome> {
    const p = await this.protocol;
    const f = m.fields;
    switch (m.type) {
      case 'start': {
        // The library's configuration picks the router manager; the module must be written for it.
        const served = f.addressFamily === WIRE_AF_INET6 ? 'ipv6' : 'ipv4';
        if (served !== (p.addressFamily ?? 'ipv4')) {
          throw new ProtocolError(ERROR_INVALID_PARAMETER, `${p.name} is an ${p.addressFamily ?? 'ipv4'} protocol, but the library serves it on the ` +
            `${served === 'ipv6' ? 'IPv6' : 'IPv4'} router manager (set ipv6: ${served === 'ipv6' ? 0 : 1} in its configuration, or addressFamily: '${served}' in defineProtocol)`);
        }
        this.restarted = f.restart !== 0;
        this.globalConfig = this.decodeConfig(p.globalConfig, f, 'global config');
        await p.start?.(this.ctx);
        this.log.info(`${p.name} started${this.restarted ? ' (restarted host, state replayed)' : ''}`);
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
          this.abort.abort(new Error('protocol stopped'));
        }
        return;
      case 'addInterface': {
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
        const config = this.decodeConfig(p.globalConfig, f, 'global config');
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

  private async updateRoutes(index: number): Promise<Outcome> {
    const p = await this.protocol;
    const r = this.iface(index);
    if (!p.updateRoutes) throw new ProtocolError(ERROR_NOT_SUPPORTED, `${p.name} does not implement updateRoutes`);
    await p.updateRoutes(this.ctx, r);
    this.log.debug(`updateRoutes(${index}) done`); // routine: only at logLevel 3
  }

  private async mib(f: Record<string, any>): Promise<Outcome> {
    const p = await this.protocol;
    const op = MIB_OPS[f.op - 1];
    if (!op) throw new ProtocolError(ERROR_INVALID_PARAMETER, `unknown MIB operation ${f.op}`);
    if (!p.mib) throw new ProtocolError(ERROR_NOT_SUPPORTED, `${p.name} has no MIB`);
    const out = await p.mib(this.ctx, { op, input: f.input, outputSize: f.outputSize });
    if (out !== undefined && !(out instanceof Uint8Array)) {
      throw new TypeError(`mib(${op}) must return a Buffer, Uint8Array or nothing, got ${typeof out}`);
    }
    return { output: out ?? Buffer.alloc(0) };
  }
}
