// MockRouter: plays RRAS's IP router manager against a protocol library, the way RRAS does:
// loads the library by path, calls RegisterProtocol, StartProtocol with a notification event
// and SUPPORT_FUNCTIONS, adds interfaces (disabled) then enables and binds them, calls
// DoUpdateRoutes and the MIB, waits on the event (off the JS thread) and drains
// GetEventMessage until ERROR_NO_MORE_ITEMS, stops and waits for ROUTER_STOPPED.
//
// Entry points are called on the libuv thread pool (koffi .async), as RRAS calls them on its
// own pool threads, so the JS thread stays free for SUPPORT_FUNCTIONS callbacks.
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import koffi, { type KoffiFunction, type LibraryHandle, type TypeObject } from './koffi.js';
import { paths } from '../paths.js';
import {
  ERROR_NO_MORE_ITEMS, ERROR_PROTOCOL_STOP_PENDING, NO_ERROR, PERMANENT, RF_ADD_ALL_INTERFACES, RF_DEMAND_UPDATE_ROUTES,
  RF_MULTICAST, RF_POWER, RF_ROUTING, RF_ROUTINGV6, RIS_INTERFACE_ADDRESS_CHANGE, RIS_INTERFACE_DISABLED, RIS_INTERFACE_ENABLED,
  RIS_INTERFACE_MEDIA_ABSENT, RIS_INTERFACE_MEDIA_PRESENT, ROUTER_STOPPED, UPDATE_COMPLETE,
  ERROR_NOT_SUPPORTED, eventName, errorName,
} from '../constants.js';
import { encodeBinding, encodeIpv6Binding, type BindingInput, type Ipv6BindingInput } from '../config/binding.js';
import { formatIPv6 } from '../config/ipv6.js';
import * as ffi from './ffi.js';
import { createNotificationEvent, type NotificationEvent } from './event.js';
import { removeRegistryConfig, writeRegistryConfig } from './config-win32.js';
import { MockRtm } from './rtm.js';
import * as versions from './versions.js';
import { capabilitiesOf, isProtocol } from '../api/defineProtocol.js';

/** Per-protocol settings of the library's configuration (RRAS_BRIDGE_CONFIG on POSIX). */
export interface ProtocolSettings {
  protocolId: number;
  /** The protocol module (its default export is defineProtocol's result). */
  module: string;
  name?: string;
  nodePath?: string;
  nodeArgs?: string[];
  hostEntry?: string;
  /** Where the library logs for this protocol; default: the router's logFile. */
  logFile?: string;
  rtmLibrary?: string;
  supportedFunctionality?: number;
  startTimeoutMs?: number;
  callTimeoutMs?: number;
  stopTimeoutMs?: number;
  updateTimeoutMs?: number;
  heartbeatMs?: number;
  heartbeatMisses?: number;
  restartLimit?: number;
  restartWindowMs?: number;
  backoffInitialMs?: number;
  backoffMaxMs?: number;
  staleTimeoutMs?: number;
  maxFrameBytes?: number;
  routePreference?: number;
  validateRoutes?: number;
  clientCalls?: number;
  queueHighWaterBytes?: number;
  /**
   * 1: the protocol runs on the IPv6 router manager (RTM AF_INET6, IPV6_ADAPTER_BINDING_INFO,
   * RF_ROUTINGV6 offered); default: what the module declares (defineProtocol addressFamily).
   */
  ipv6?: number;
  /** 0 error, 1 warn, 2 info (default), 3 debug: also a line per routine call. */
  logLevel?: number;
  /** Records in the always-on trace ring (default 4096; 0: tracing only while followed). */
  traceRingRecords?: number;
  /**
   * POSIX: the directory of the library's admin endpoint (`rras-bridge status` and friends);
   * default the router's adminDirectory.
   */
  adminDirectory?: string;
}

export interface MockRouterOptions {
  /** The protocol library; default: this package's build. */
  library?: string;
  /** Where the configuration and the library's log go; default: a new temp directory. */
  workDir?: string;
  /** What GetRouterId answers (network-order IPv4 as a u32); default 10.0.0.1. */
  routerId?: number;
  /**
   * RF_* flags the router manager offers at RegisterProtocol; default: all it knows. For a
   * protocol on the IPv6 router manager, RF_ROUTING here is offered as RF_ROUTINGV6.
   */
  offeredFunctionality?: number;
  /** The RTMv2 the library loads; default: this package's mock RTM. */
  rtmLibrary?: string;
  /**
   * Route preference by protocol id, as the router manager's IP_PROT_PRIORITY_INFO policy:
   * ValidateRoute writes it into the route (RTM_PREF_INFO.Preference) for listed protocols.
   */
  protocolPriority?: Record<number, number>;
  /**
   * MS_ROUTER_VERSION the router manager offers: dwVersion at RegisterProtocol, and the
   * version and size of SUPPORT_FUNCTIONS at StartProtocol. 0x500 (MPR50, default) or 0x600
   * (the SDK's MPR60: 264-byte routing characteristics, SUPPORT_FUNCTIONS_60).
   */
  routerVersion?: versions.RouterVersion;
  /**
   * Unload the library as a router manager may: every RegisterProtocol loads it anew
   * (LoadLibrary / dlopen), and it is unloaded (FreeLibrary / dlclose) right after
   * GetEventMessage has returned ROUTER_STOPPED, or right after RegisterProtocol failed, with
   * nothing in between. That protocol's entry points are gone then: register again to load
   * the library again. Default: the library stays loaded for the life of the process.
   */
  unloadLibrary?: boolean;
  /**
   * POSIX: where the library opens its admin endpoint (`rras-bridge status --run-dir DIR`);
   * default RRAS_BRIDGE_RUN_DIR, else `run` in the work directory, so that tests leave the
   * system's run directory alone (`rras-bridge mock` passes the one `status` looks in by
   * default). Windows: the endpoint is the pipe \\.\pipe\rras-bridge-admin-<pid> whatever this says.
   */
  adminDirectory?: string;
}

export type TraceEntry =
  | { kind: 'call'; protocolId: number; name: string; args: unknown[]; code: number; ms: number }
  | { kind: 'event'; protocolId: number; event: RoutingEvent }
  | { kind: 'support'; protocolId: number; name: string; args: unknown[]; result: number };

export interface RoutingEvent {
  event: number;
  name: string;
  /** SAVE_INTERFACE_CONFIG_INFO and UPDATE_COMPLETE */
  interfaceIndex?: number;
  /** UPDATE_COMPLETE */
  updateType?: number;
  updateStatus?: number;
  /** The raw 12-byte MESSAGE. */
  message: Buffer;
}

export interface InterfaceSpec {
  index: number;
  name?: string;
  type?: number;
  mediaType?: number;
  accessType?: number;
  connectionType?: number;
  info?: Buffer | null;
  structureVersion?: number;
  structureSize?: number;
  structureCount?: number;
}

export interface InfoResult {
  code: number;
  bufferSize: number;
  structureVersion: number;
  structureSize: number;
  structureCount: number;
  data: Buffer;
}

let libraries = new Map<string, LibraryHandle>();

const u32 = (n = 0) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0);
  return b;
};

export class MockRouter extends EventEmitter {
  readonly library: string;
  readonly workDir: string;
  readonly configFile: string;
  readonly logFile: string;
  readonly routerId: number;
  readonly protocolPriority: Record<number, number>;
  readonly routerVersion: versions.RouterVersion;
  /** POSIX: where the protocol library's admin endpoint listens (options.adminDirectory). */
  readonly adminDirectory: string;
  /** The RTM the protocols' routes go to (shared by every MockRouter in this process). */
  readonly rtm: MockRtm;
  private readonly offered: number;
  private readonly unloadLibrary: boolean;
  private readonly lib: LibraryHandle | undefined;  // shared, unless unloadLibrary
  private readonly settings = new Map<number, ProtocolSettings>();
  private readonly protocols = new Map<number, RoutingProtocol>();
  private readonly registryKeys: string[] = [];

  constructor(options: MockRouterOptions = {}) {
    super();
    this.library = path.resolve(options.library ?? paths.protocolLibrary);
    if (!fs.existsSync(this.library)) {
      throw new Error(`MockRouter: protocol library not found at ${this.library} (run npm install to build it)`);
    }
    this.workDir = options.workDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'rras-bridge-mock-'));
    fs.mkdirSync(this.workDir, { recursive: true });
    this.configFile = path.join(this.workDir, 'rras-bridge.json');
    this.adminDirectory = options.adminDirectory ?? (process.env.RRAS_BRIDGE_RUN_DIR || path.join(this.workDir, 'run'));
    this.logFile = path.join(this.workDir, 'protocol.log');
    this.routerId = options.routerId ?? 0x0100000a;
    this.protocolPriority = options.protocolPriority ?? {};
    this.routerVersion = options.routerVersion ?? versions.MS_ROUTER_VERSION_MPR50;

    if (!versions.isRouterVersion(this.routerVersion)) {
      throw new Error(`MockRouter: routerVersion must be 0x500 or 0x600, not 0x${Number(this.routerVersion).toString(16)}`);
    }
    const rtmLibrary = path.resolve(options.rtmLibrary ?? paths.mockRtm);
    if (!fs.existsSync(rtmLibrary)) throw new Error(`MockRouter: mock RTM library not found at ${rtmLibrary} (run npm install to build it)`);
    this.rtm = new MockRtm(rtmLibrary);
    this.offered = options.offeredFunctionality ?? (RF_ROUTING | RF_DEMAND_UPDATE_ROUTES | RF_ADD_ALL_INTERFACES | RF_MULTICAST | RF_POWER);
    this.unloadLibrary = options.unloadLibrary ?? false;
    if (!this.unloadLibrary) {
      let lib = libraries.get(this.library);
      if (!lib) {
        lib = koffi.load(this.library);
        libraries.set(this.library, lib);
      }
      this.lib = lib;
    }
  }

  /** Writes the library configuration and calls RegisterProtocol, as RRAS does at load. */
  register(settings: ProtocolSettings, options: { autoDrain?: boolean } = {}): RoutingProtocol {
    const full: ProtocolSettings = {
      name: `protocol-${settings.protocolId}`,
      ...declaredCapabilities(settings.module),
      nodePath: process.execPath,
      rtmLibrary: this.rtm.library,
      ...(process.platform === 'win32' ? {} : { adminDirectory: this.adminDirectory }),
      ...settings,
      module: path.resolve(settings.module),
    };
    this.settings.set(settings.protocolId, full);
    return this.callRegister(settings.protocolId, options.autoDrain ?? true);
  }

  /** The configuration written for a protocol id (undefined when not registered here). */
  settingsOf(protocolId: number): Readonly<ProtocolSettings> | undefined {
    return this.settings.get(protocolId);
  }

  /** RegisterProtocol for an id this router did not configure (RRAS asking about a stranger). */
  registerUnconfigured(protocolId: number): number {
    return this.callRegister(protocolId, true).registerCode;
  }

  private callRegister(protocolId: number, autoDrain: boolean): RoutingProtocol {
    const protocols = [...this.settings.values()].map((s) => ({ logFile: this.logFile, ...s }));
    // The library reads its configuration at RegisterProtocol: the registry on Windows,
    // RRAS_BRIDGE_CONFIG elsewhere.
    if (process.platform === 'win32') this.registryKeys.push(...writeRegistryConfig(this.library, protocols));
    else fs.writeFileSync(this.configFile, JSON.stringify({ protocols }, null, 2));
    process.env.RRAS_BRIDGE_CONFIG = this.configFile;
    const settings = { protocolId };
    const lib = this.lib ?? koffi.load(this.library);
    const register = lib.func(ffi.RegisterProtocolFn);
    // The IPv6 router manager offers RTM as RF_ROUTINGV6.
    const offered = this.settings.get(protocolId)?.ipv6 && (this.offered & RF_ROUTING) ? (this.offered & ~RF_ROUTING) | RF_ROUTINGV6 : this.offered;
    const characteristics = {
      routing: versions.routingCharacteristics(this.routerVersion, settings.protocolId, offered),
      service: versions.serviceCharacteristics(this.routerVersion, settings.protocolId),
    };
    const t0 = performance.now();
    const code = register(characteristics.routing, characteristics.service) as number;
    this.trace({ kind: 'call', protocolId: settings.protocolId, name: 'RegisterProtocol', args: [settings.protocolId], code, ms: performance.now() - t0 });
    const owned = this.lib ? undefined : lib;
    if (owned && code !== NO_ERROR) unload(this, settings.protocolId, owned);
    const p = new RoutingProtocol(this, settings.protocolId, code, characteristics, autoDrain, code === NO_ERROR ? owned : undefined);
    if (code === NO_ERROR) this.protocols.set(settings.protocolId, p);
    return p;
  }

  /** @internal */
  trace(entry: TraceEntry): void {
    this.emit('trace', entry);
  }

  /** The protocol library's log so far. */
  log(): string {
    return fs.existsSync(this.logFile) ? fs.readFileSync(this.logFile, 'utf8') : '';
  }

  /** Stops every running protocol and releases events and callbacks. */
  async close(): Promise<void> {
    await Promise.all([...this.protocols.values()].map((p) => p.dispose()));
    this.protocols.clear();
    if (process.platform === 'win32') removeRegistryConfig(this.registryKeys.splice(0));
  }
}

export class RoutingProtocol {
  readonly events: RoutingEvent[] = [];
  readonly version: number;
  readonly supportedFunctionality: number;
  readonly serviceFunctionality: number;
  /** Entry points the library filled in (non-NULL). */
  readonly entryPoints: ReadonlySet<ffi.EntryPointName>;
  readonly supportCalls: { name: string; args: unknown[] }[] = [];
  /**
   * After RegisterProtocol, the router manager's buffers as the library left them: the routing
   * characteristics (264 bytes whatever the version: past the offered struct, a pattern) and
   * the service characteristics (versions.ts).
   */
  readonly routingCharacteristics: Buffer;
  readonly serviceCharacteristics: Buffer;
  /** SUPPORT_FUNCTIONS of the last StartProtocol: the bytes passed, and the live table (kept for the protocol's life). */
  supportFunctionsSent: Buffer | undefined;
  supportFunctionsTable: Buffer | undefined;
  private readonly fns = new Map<ffi.EntryPointName, KoffiFunction>();
  private event: NotificationEvent | undefined;
  private pump: Promise<void> | undefined;
  private pumping = false;
  private running = false;
  private callbacks: bigint[] = [];
  private readonly waiters = new Set<() => void>();
  private unloaded = false;

  constructor(
    readonly router: MockRouter,
    readonly protocolId: number,
    readonly registerCode: number,
    characteristics: { routing: Buffer; service: Buffer },
    private readonly autoDrain: boolean,
    /** The library load this protocol owns (MockRouterOptions.unloadLibrary). */
    private library?: LibraryHandle,
  ) {
    this.routingCharacteristics = characteristics.routing;
    this.serviceCharacteristics = characteristics.service;
    const rc = koffi.decode(characteristics.routing, ffi.MPR_ROUTING_CHARACTERISTICS) as Record<string, unknown>;
    const sc = koffi.decode(characteristics.service, ffi.MPR_SERVICE_CHARACTERISTICS) as Record<string, unknown>;
    this.version = rc.dwVersion as number;
    this.supportedFunctionality = rc.fSupportedFunctionality as number;
    this.serviceFunctionality = sc.fSupportedFunctionality as number;
    const present = new Set<ffi.EntryPointName>();
    for (const n of ffi.PFN_NAMES) {
      const ptr = rc[n];
      if (ptr === null || ptr === undefined || ptr === 0n || ptr === 0) continue;
      present.add(n);
      this.fns.set(n, koffi.decode(ptr, ffi.protos[n]) as KoffiFunction);
    }
    this.entryPoints = present;
  }

  /** Calls an entry point on the thread pool; resolves with its DWORD result. */
  call(name: ffi.EntryPointName, ...args: unknown[]): Promise<number> {
    const fn = this.fns.get(name);
    if (!fn) {
      const why = this.registerCode !== NO_ERROR ? `RegisterProtocol returned ${errorName(this.registerCode)} (${this.registerCode})`
        : this.unloaded ? 'the library was unloaded after ROUTER_STOPPED (register again to load it)'
          : `${name} is NULL in the routing characteristics`;
      return Promise.reject(new Error(`protocol ${this.protocolId}: ${why}`));
    }
    const t0 = performance.now();
    return new Promise((resolve, reject) => {
      fn.async(...args, (err: unknown, code: number) => {
        if (err) return reject(err);
        this.router.trace({ kind: 'call', protocolId: this.protocolId, name: name.slice(3), args: args.map(traceArg), code, ms: performance.now() - t0 });
        resolve(code);
      });
    });
  }

  private supportFunctions(): Buffer {
    const record = (name: string, result: number) => (...args: unknown[]) => {
      try {
        this.supportCalls.push({ name, args });
        this.router.trace({ kind: 'support', protocolId: this.protocolId, name, args, result });
      } catch { /* never throw into native code */ }
      return result;
    };
    const reg = (fn: (...a: any[]) => number, proto: TypeObject) => {
      const cb = koffi.register(fn, koffi.pointer(proto));
      this.callbacks.push(cb);
      return cb;
    };
    const mpr60: Record<string, bigint> = this.router.routerVersion === versions.MS_ROUTER_VERSION_MPR60 ? {
      ValidateRouteEx: reg(record('ValidateRouteEx', ERROR_NOT_SUPPORTED), ffi.ValidateRouteEx),
      GetRoutingDomainInfo: reg(record('GetRoutingDomainInfo', ERROR_NOT_SUPPORTED), ffi.GetRoutingDomainInfo),
      GetInterfaceInformation: reg(record('GetInterfaceInformation', ERROR_NOT_SUPPORTED), ffi.GetInterfaceInformation),
    } : {};
    const table = versions.supportFunctions(this.router.routerVersion, {
      DemandDialRequest: reg(record('DemandDialRequest', NO_ERROR), ffi.DemandDialRequest),
      SetInterfaceReceiveType: reg(record('SetInterfaceReceiveType', NO_ERROR), ffi.SetInterfaceReceiveType),
      ValidateRoute: reg((pid: number, routeInfo: unknown, dest: unknown) => {
        // Decode the destination for the trace, and apply the priority policy like RRAS.
        let shown = '?';
        try {
          const bytes = koffi.decode(dest, 'uint8_t', 20) as number[];
          const len = bytes[2]! | (bytes[3]! << 8);
          shown = bytes[0] === 23 ? `${formatIPv6(Uint8Array.from(bytes.slice(4)))}/${len}` : `${bytes.slice(4, 8).join('.')}/${len}`;
          const preference = this.router.protocolPriority[pid];
          if (preference !== undefined) koffi.encode(routeInfo, 32, 'uint32_t', preference); // PrefInfo.Preference
        } catch { /* never throw into native code */ }
        return record('ValidateRoute', NO_ERROR)(pid, shown);
      }, ffi.ValidateRoute),
      MIBEntryCreate: reg(record('MIBEntryCreate', ERROR_NOT_SUPPORTED), ffi.MIBEntryIn),
      MIBEntryDelete: reg(record('MIBEntryDelete', ERROR_NOT_SUPPORTED), ffi.MIBEntryIn),
      MIBEntrySet: reg(record('MIBEntrySet', ERROR_NOT_SUPPORTED), ffi.MIBEntryIn),
      MIBEntryGet: reg(record('MIBEntryGet', ERROR_NOT_SUPPORTED), ffi.MIBEntryInOut),
      MIBEntryGetFirst: reg(record('MIBEntryGetFirst', ERROR_NOT_SUPPORTED), ffi.MIBEntryInOut),
      MIBEntryGetNext: reg(record('MIBEntryGetNext', ERROR_NOT_SUPPORTED), ffi.MIBEntryInOut),
      GetRouterId: reg(record('GetRouterId', this.router.routerId), ffi.GetRouterId),
      HasMulticastBoundary: reg(record('HasMulticastBoundary', 0), ffi.HasMulticastBoundary),
      ...mpr60,
    });
    this.supportFunctionsSent = Buffer.from(table);
    this.supportFunctionsTable = table;
    return table;
  }

  /** StartProtocol with a new notification event; the event pump starts first. */
  async start(opts: { globalInfo?: Buffer | null; structureVersion?: number; structureSize?: number; structureCount?: number; supportFunctions?: boolean } = {}): Promise<number> {
    this.event ??= createNotificationEvent();
    if (this.autoDrain && !this.pump) this.startPump();
    const info = opts.globalInfo ?? null;
    const code = await this.call('pfnStartProtocol', this.event.handle, opts.supportFunctions === false ? null : this.supportFunctions(), info,
      opts.structureVersion ?? 1, opts.structureSize ?? info?.length ?? 0, opts.structureCount ?? (info && info.length ? 1 : 0));
    if (code === NO_ERROR) this.running = true;
    return code;
  }

  /** Started and not yet stopped (ROUTER_STOPPED not drained). */
  get isRunning(): boolean {
    return this.running;
  }

  startComplete(): Promise<number> {
    return this.call('pfnStartComplete');
  }

  /**
   * StopProtocol; when it answers ERROR_PROTOCOL_STOP_PENDING, waits for ROUTER_STOPPED.
   */
  async stop(timeoutMs = 15000): Promise<{ code: number; stopped?: RoutingEvent }> {
    const code = await this.call('pfnStopProtocol');
    if (code !== ERROR_PROTOCOL_STOP_PENDING && code !== NO_ERROR) return { code };
    const stopped = await this.waitForEvent((e) => e.event === ROUTER_STOPPED, timeoutMs);
    return { code, stopped };
  }

  addInterface(spec: InterfaceSpec): Promise<number> {
    const info = spec.info ?? null;
    return this.call('pfnAddInterface', spec.name ?? `{if-${spec.index}}`, spec.index, spec.type ?? PERMANENT, spec.mediaType ?? 0,
      spec.accessType ?? 0, spec.connectionType ?? 0, info, spec.structureVersion ?? 1, spec.structureSize ?? info?.length ?? 0,
      spec.structureCount ?? (info && info.length ? 1 : 0));
  }

  deleteInterface(index: number): Promise<number> {
    return this.call('pfnDeleteInterface', index);
  }

  interfaceStatus(index: number, active: boolean, statusType: number, statusInfo: Buffer | null = null): Promise<number> {
    return this.call('pfnInterfaceStatus', index, active ? 1 : 0, statusType, statusInfo);
  }

  enableInterface(index: number): Promise<number> {
    return this.interfaceStatus(index, true, RIS_INTERFACE_ENABLED);
  }
  disableInterface(index: number): Promise<number> {
    return this.interfaceStatus(index, true, RIS_INTERFACE_DISABLED);
  }
  /** Which router manager this protocol is registered with (its settings' ipv6). */
  get addressFamily(): 'ipv4' | 'ipv6' {
    return this.router.settingsOf(this.protocolId)?.ipv6 ? 'ipv6' : 'ipv4';
  }

  /** RIS_INTERFACE_ADDRESS_CHANGE with IP_ADAPTER_BINDING_INFO, or IPV6_ADAPTER_BINDING_INFO on the IPv6 router manager. */
  bindInterface(index: number, binding: BindingInput | Ipv6BindingInput): Promise<number> {
    const info = this.addressFamily === 'ipv6' ? encodeIpv6Binding(binding as Ipv6BindingInput) : encodeBinding(binding as BindingInput);
    return this.interfaceStatus(index, true, RIS_INTERFACE_ADDRESS_CHANGE, info);
  }
  setMedia(index: number, present: boolean): Promise<number> {
    return this.interfaceStatus(index, true, present ? RIS_INTERFACE_MEDIA_PRESENT : RIS_INTERFACE_MEDIA_ABSENT);
  }

  /** Adds, enables and binds an interface, in RRAS's order. */
  async addEnabledInterface(spec: InterfaceSpec, binding: BindingInput | Ipv6BindingInput): Promise<void> {
    const steps: [string, () => Promise<number>][] = [
      ['AddInterface', () => this.addInterface(spec)],
      ['InterfaceStatus(ADDRESS_CHANGE)', () => this.bindInterface(spec.index, binding)],
      ['InterfaceStatus(ENABLED)', () => this.enableInterface(spec.index)],
    ];
    for (const [name, step] of steps) {
      const code = await step();
      if (code !== NO_ERROR) throw new Error(`${name} for interface ${spec.index} returned ${code} (${errorName(code)})`);
    }
  }

  doUpdateRoutes(index: number): Promise<number> {
    return this.call('pfnUpdateRoutes', index);
  }

  /** DoUpdateRoutes, then the UPDATE_COMPLETE for that interface (when the call started one). */
  async updateRoutes(index: number, timeoutMs = 15000): Promise<{ code: number; complete?: RoutingEvent }> {
    const seen = this.events.length;
    const code = await this.doUpdateRoutes(index);
    if (code !== NO_ERROR) return { code };
    const complete = await this.waitForEvent((e) => e.event === UPDATE_COMPLETE && e.interfaceIndex === index, timeoutMs, seen);
    return { code, complete };
  }

  /** One GetEventMessage call, as RRAS makes it; nullResult passes Result = NULL. */
  getEventMessage(opts: { nullResult?: boolean } = {}): { code: number; event?: RoutingEvent } {
    const fn = this.fns.get('pfnGetEventMessage');
    if (!fn) throw new Error(this.unloaded ? 'GetEventMessage: the library was unloaded after ROUTER_STOPPED' : 'GetEventMessage is NULL');
    const ev = Buffer.alloc(4);
    const msg = opts.nullResult ? null : Buffer.alloc(12);
    const code = fn(ev, msg) as number;
    if (code !== NO_ERROR) return { code };
    const event = decodeEvent(ev.readUInt32LE(0), msg ?? Buffer.alloc(12));
    if (event.event === ROUTER_STOPPED) {
      this.running = false;
      // As soon as it has read ROUTER_STOPPED, a router manager may unload the library.
      this.unloadLibrary();
    }
    this.events.push(event);
    this.router.trace({ kind: 'event', protocolId: this.protocolId, event });
    for (const w of this.waiters) w();
    return { code, event };
  }

  /**
   * Unloads the library load this protocol owns (MockRouterOptions.unloadLibrary), now,
   * whatever the protocol's state: a router manager that unloads without a stop. Its entry
   * points are gone afterwards, and its event is no longer drained.
   */
  unloadLibrary(): void {
    if (!this.library) return;
    unload(this.router, this.protocolId, this.library);
    this.library = undefined;
    this.unloaded = true;
    this.fns.clear();
    this.pumping = false;
  }

  /** Waits until the notification event is signalled (for tests that drain by hand). */
  async waitForSignal(timeoutMs = 10000): Promise<boolean> {
    this.event ??= createNotificationEvent();
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) if (await this.event.wait(Math.min(100, until - Date.now()))) return true;
    return false;
  }

  /** The first drained event (from index `from`) that matches, waiting up to timeoutMs. */
  waitForEvent(match: (e: RoutingEvent) => boolean, timeoutMs = 15000, from = 0): Promise<RoutingEvent> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = this.events.slice(from).find(match);
        if (!found) return false;
        cleanup();
        resolve(found);
        return true;
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`no matching event within ${timeoutMs} ms; drained so far: ${this.events.map((e) => e.name).join(', ') || 'none'}`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.waiters.delete(waiter);
      };
      const waiter = () => void check();
      this.waiters.add(waiter);
      check();
    });
  }

  private startPump(): void {
    this.pumping = true;
    const event = this.event!;
    this.pump = (async () => {
      while (this.pumping) {
        if (!(await event.wait(100))) continue;
        // RRAS drains until ERROR_NO_MORE_ITEMS after each signal (or until it unloaded the library).
        while (!this.unloaded && this.getEventMessage().code !== ERROR_NO_MORE_ITEMS) { /* drained into this.events */ }
      }
    })();
  }

  async getGlobalInfo(bufferSize?: number): Promise<InfoResult> {
    return this.getInfo('pfnGetGlobalInfo', [], bufferSize);
  }
  async getInterfaceInfo(index: number, bufferSize?: number): Promise<InfoResult> {
    return this.getInfo('pfnGetInterfaceInfo', [index], bufferSize);
  }
  /** Get*Info as RRAS does it: ask for the size, then fetch (or one call with bufferSize). */
  private async getInfo(name: 'pfnGetGlobalInfo' | 'pfnGetInterfaceInfo', pre: unknown[], bufferSize?: number): Promise<InfoResult> {
    const size = u32(bufferSize ?? 0);
    const [v, s, c] = [u32(), u32(), u32()];
    let buf = bufferSize ? Buffer.alloc(bufferSize) : null;
    let code = await this.call(name, ...pre, buf, size, v, s, c);
    if (bufferSize === undefined && code === 122) {
      buf = Buffer.alloc(size.readUInt32LE(0));
      code = await this.call(name, ...pre, buf, size, v, s, c);
    }
    const n = size.readUInt32LE(0);
    return { code, bufferSize: n, structureVersion: v.readUInt32LE(0), structureSize: s.readUInt32LE(0), structureCount: c.readUInt32LE(0), data: code === NO_ERROR && buf ? buf.subarray(0, n) : Buffer.alloc(0) };
  }
  setGlobalInfo(info: Buffer | null, version = 1, size = info?.length ?? 0, count = info && info.length ? 1 : 0): Promise<number> {
    return this.call('pfnSetGlobalInfo', info, version, size, count);
  }
  setInterfaceInfo(index: number, info: Buffer | null, version = 1, size = info?.length ?? 0, count = info && info.length ? 1 : 0): Promise<number> {
    return this.call('pfnSetInterfaceInfo', index, info, version, size, count);
  }

  /** A MIB call with an output buffer of outputSize bytes; returns the code, size and data. */
  async mib(op: 'get' | 'getFirst' | 'getNext' | 'getTrapInfo', input: Buffer, outputSize: number): Promise<{ code: number; outputSize: number; output: Buffer }>;
  async mib(op: 'create' | 'delete' | 'set', input: Buffer): Promise<{ code: number }>;
  async mib(op: string, input: Buffer, outputSize = 0): Promise<{ code: number; outputSize?: number; output?: Buffer }> {
    const names: Record<string, ffi.EntryPointName> = {
      create: 'pfnMibCreateEntry', delete: 'pfnMibDeleteEntry', set: 'pfnMibSetEntry', get: 'pfnMibGetEntry',
      getFirst: 'pfnMibGetFirstEntry', getNext: 'pfnMibGetNextEntry', getTrapInfo: 'pfnMibGetTrapInfo',
    };
    const name = names[op];
    if (!name) throw new Error(`unknown MIB operation ${op}`);
    if (op === 'create' || op === 'delete' || op === 'set') return { code: await this.call(name, input.length, input) };
    const size = u32(outputSize);
    const out = outputSize > 0 ? Buffer.alloc(outputSize) : null;
    const code = await this.call(name, input.length, input, size, out);
    const n = size.readUInt32LE(0);
    return { code, outputSize: n, output: code === NO_ERROR && out ? out.subarray(0, n) : Buffer.alloc(0) };
  }

  /** @internal Stops the protocol if it runs, then the pump, the event and callbacks. */
  async dispose(): Promise<void> {
    try {
      if (this.running && this.fns.has('pfnStopProtocol')) {
        const code = await this.call('pfnStopProtocol');
        if (code === ERROR_PROTOCOL_STOP_PENDING && this.autoDrain) {
          await this.waitForEvent((e) => e.event === ROUTER_STOPPED, 15000).catch(() => undefined);
        }
      }
    } finally {
      this.pumping = false;
      await this.pump;
      if (!this.running) this.unloadLibrary();  // a router manager unloads what it stopped
      this.event?.close();
      for (const cb of this.callbacks) koffi.unregister(cb);
      this.callbacks = [];
    }
  }
}

/**
 * The RF_* flags and client calls the module declares, as the installer would record them;
 * nothing when the module cannot be loaded here (the host reports that at start).
 */
function declaredCapabilities(module: string): Partial<ProtocolSettings> {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(path.resolve(module));
    const p = isProtocol(mod?.default) ? mod.default : isProtocol(mod) ? mod : undefined;
    return p ? capabilitiesOf(p) : {};
  } catch {
    return {};
  }
}

function unload(router: MockRouter, protocolId: number, lib: LibraryHandle): void {
  const t0 = performance.now();
  lib.unload();
  router.trace({ kind: 'call', protocolId, name: 'FreeLibrary', args: [router.library], code: NO_ERROR, ms: performance.now() - t0 });
}

function decodeEvent(event: number, msg: Buffer): RoutingEvent {
  const e: RoutingEvent = { event, name: eventName(event), message: Buffer.from(msg) };
  if (event === UPDATE_COMPLETE) {
    e.interfaceIndex = msg.readUInt32LE(0);
    e.updateType = msg.readUInt32LE(4);
    e.updateStatus = msg.readUInt32LE(8);
  } else if (event === 2 /* SAVE_INTERFACE_CONFIG_INFO */) {
    e.interfaceIndex = msg.readUInt32LE(0);
  }
  return e;
}

function traceArg(a: unknown): unknown {
  if (Buffer.isBuffer(a)) return `<${a.length} bytes>`;
  if (a && typeof a === 'object') return '<struct>';
  return a;
}

/** For tests: forget the shared library loads (they stay loaded: MockRouterOptions.unloadLibrary unloads). */
export function _resetLibraries(): void {
  libraries = new Map();
}
