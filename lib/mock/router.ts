// MockRouter: plays RRAS's IP router manager against a protocol library, the way RRAS does:
// loads the library by path, calls RegisterProtocol, StartProtocol with a notification event
// and SUPPORT_FUNCTIONS, adds interfaces (disabled) then enables and binds them, calls
// DoUpdateRoutes and the MIB, waits on the event (off the JS thread) and drains
// GetEventMessage until ERROR_NO_MORE_ITEMS, stops and waits for ROUTER_STOPPED.
//
// Entry points are called on the libuv thread pool (koffi .async), as RRAS calls them on its
// own pool threads. The SUPPORT_FUNCTIONS are native (the mock RTM's), so the library's own
// threads never wait on this JS thread.
//
// Isolation: each router loads its own copy of the library and of the mock RTM from its work
// folder, configured by a file beside the copy (workdir.ts), so routers never share native
// state, whether they run in one process, in worker threads or in parallel processes.
// Lifetime: nothing a router holds keeps the process alive once the caller stops awaiting it
// (the event is watched unref'd); close() (or `await using`) stops every protocol and removes
// the work folder; a router left open is made safe and cleaned up at exit.
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import koffi, { type KoffiFunction, type LibraryHandle } from '../koffi.js';
import { missingBinariesHint, paths } from '../paths.js';
import {
  ERROR_INSUFFICIENT_BUFFER, ERROR_NOT_SUPPORTED, ERROR_NO_MORE_ITEMS, ERROR_PROTOCOL_STOP_PENDING, NO_ERROR, PERMANENT, RF_ADD_ALL_INTERFACES,
  RF_DEMAND_UPDATE_ROUTES, RF_MULTICAST, RF_POWER, RF_ROUTING, RF_ROUTINGV6, RIS_INTERFACE_ADDRESS_CHANGE, RIS_INTERFACE_DISABLED,
  RIS_INTERFACE_ENABLED, RIS_INTERFACE_MEDIA_ABSENT, RIS_INTERFACE_MEDIA_PRESENT, ROUTER_STOPPED, UPDATE_COMPLETE,
  eventName, protocolIdText,
} from '../constants.js';
import { encodeBinding, encodeIpv6Binding, type BindingInput, type Ipv6BindingInput } from '../config/binding.js';
import * as ffi from './ffi.js';
import { createNotificationEvent, type NotificationEvent } from './event.js';
import { removeRegistryConfig, routerRegistryParent, writeRegistryConfig, type RegistryParent } from './config-win32.js';
import { MockRtm } from './rtm.js';
import { MockSupport, SUPPORT_SLOTS } from './support.js';
import { RoutingCallError } from './errors.js';
import { ENTRY_POINTS, REGISTER_PROTOCOL, namedArgs } from './names.js';
import { WorkFolder, removeLeftoversAfterExit } from './workdir.js';
import * as versions from './versions.js';
import { capabilitiesOf, isProtocol } from '../api/defineProtocol.js';

export { RoutingCallError, codeOf } from './errors.js';

/** Per-protocol settings of the library's configuration (config.h's fields). */
export interface ProtocolSettings {
  protocolId: number;
  /** The protocol module (its default export is defineProtocol's result). */
  module: string;
  name?: string;
  nodePath?: string;
  /** Node options for the host, before the host entry (e.g. ['--import', 'tsx']). */
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
  /** The newest wire version the library offers its host; default (0): its own. */
  wireVersion?: number;
}

/** How MockRouter runs a protocol's host for a developer (not part of the library's configuration). */
export interface HostDebugOptions {
  /**
   * The host under Node's inspector: true for 127.0.0.1:9229, a port, or "host:port" (port 0:
   * any free one; the library's log names the URL); `break: true` stops at the host's first
   * line until a debugger attaches (--inspect-brk). While the debugger holds the host's JS
   * thread, the watchdog spares it; the deadlines that wait for the host (start, calls, stop)
   * become INSPECT_DEADLINE_MS unless set.
   */
  inspect?: boolean | number | string | { address?: number | string; break?: boolean };
  /**
   * Reload the host when the module or a file it imports changes: the change is checked in a
   * separate node first (an error keeps the running host and is logged), then the planned
   * restart replaces the host, keeping the routes.
   */
  watch?: boolean;
}

/** How long a call waits for a host under a debugger (it may sit at a breakpoint). */
export const INSPECT_DEADLINE_MS = 10 * 60 * 1000;

export interface MockRouterOptions {
  /** The protocol library; default: this package's build. The router loads a private copy. */
  library?: string;
  /** Where the configuration and the library's log go; default: a new temp folder, removed at close. */
  workDir?: string;
  /** What GetRouterId answers (network-order IPv4 as a u32); default 10.0.0.1. */
  routerId?: number;
  /**
   * RF_* flags the router manager offers at RegisterProtocol; default: all it knows. For a
   * protocol on the IPv6 router manager, RF_ROUTING here is offered as RF_ROUTINGV6.
   */
  offeredFunctionality?: number;
  /** The RTMv2 the library loads; default: a private copy of this package's mock RTM. */
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

/** A trace value: numbers and text as they are, buffers as `<N bytes>`, structures as `<struct>`. */
export type TraceValue = string | number | boolean | null;

export type TraceEntry =
  /** An entry point (or RegisterProtocol) with its arguments named as in routprot.h. */
  | { kind: 'call'; protocolId: number; name: string; args: Record<string, TraceValue>; code: number; ms: number }
  | { kind: 'event'; protocolId: number; event: RoutingEvent }
  /** A SUPPORT_FUNCTIONS call the library made. */
  | { kind: 'support'; protocolId: number; name: string; args: Record<string, TraceValue>; result: number };

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

/** A SUPPORT_FUNCTIONS call, with its arguments named as in routprot.h. */
export interface SupportCallRecord {
  name: string;
  args: Record<string, TraceValue>;
  result: number;
}

export interface StartOptions {
  globalInfo?: Buffer | null;
  structureVersion?: number;
  structureSize?: number;
  structureCount?: number;
  /** false passes SupportFunctions = NULL. */
  supportFunctions?: boolean;
}

const u32 = (n = 0) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0);
  return b;
};

// Routers not closed yet, for the exit hook.
const open = new Set<MockRouter>();
let exitHooked = false;

function hookExit(): void {
  if (exitHooked) return;
  exitHooked = true;
  process.on('exit', () => {
    for (const router of open) router.abandon();
    removeLeftoversAfterExit();
  });
}

export class MockRouter extends EventEmitter {
  /** The router's private copy of the protocol library (what RegisterProtocol is called in). */
  readonly library: string;
  readonly workDir: string;
  /** The configuration the copy reads (POSIX: the protocols; Windows: its registry key). */
  readonly configFile: string;
  readonly logFile: string;
  readonly routerId: number;
  readonly protocolPriority: Readonly<Record<number, number>>;
  readonly routerVersion: versions.RouterVersion;
  /** POSIX: where the protocol library's admin endpoint listens (options.adminDirectory). */
  readonly adminDirectory: string;
  /** The RTM the protocols' routes go to (this router's own, unless rtmLibrary was given). */
  readonly rtm: MockRtm;
  private readonly offered: number;
  private readonly unloadLibrary: boolean;
  /** The library, loaded once; unless unloadLibrary, where each RegisterProtocol loads it. */
  private readonly lib: LibraryHandle | undefined;
  private readonly support: MockSupport;
  private readonly work: WorkFolder;
  private readonly settings = new Map<number, ProtocolSettings>();
  private readonly protocols = new Map<number, RoutingProtocol>();
  private readonly slots = new Map<number, number>();
  private readonly registry: { parent: RegistryParent; keys: string[] } | undefined;
  private closing: Promise<void> | undefined;
  private keptLog: string | undefined;

  constructor(options: MockRouterOptions = {}) {
    super();
    const source = path.resolve(options.library ?? paths.protocolLibrary);
    if (!fs.existsSync(source)) {
      throw new Error(`MockRouter: protocol library not found at ${source} (${missingBinariesHint()})`);
    }
    const rtmSource = path.resolve(options.rtmLibrary ?? paths.mockRtm);
    if (!fs.existsSync(paths.mockRtm)) throw new Error(`MockRouter: mock RTM library not found at ${paths.mockRtm} (${missingBinariesHint()})`);
    if (!fs.existsSync(rtmSource)) throw new Error(`MockRouter: RTM library not found at ${rtmSource}`);
    this.work = WorkFolder.create(options.workDir);
    this.workDir = this.work.dir;
    this.library = this.work.copy(source);
    // The support functions live in the mock RTM library; a given rtmLibrary is used as it is.
    const mockRtm = this.work.copy(paths.mockRtm);
    this.configFile = this.work.besideConfig;
    this.adminDirectory = options.adminDirectory ?? (process.env.RRAS_BRIDGE_RUN_DIR || path.join(this.workDir, 'run'));
    this.logFile = path.join(this.workDir, 'protocol.log');
    this.routerId = options.routerId ?? 0x0100000a;
    this.protocolPriority = Object.freeze({ ...options.protocolPriority });
    this.routerVersion = options.routerVersion ?? versions.MS_ROUTER_VERSION_MPR50;

    if (!versions.isRouterVersion(this.routerVersion)) {
      throw new Error(`MockRouter: routerVersion must be 0x500 or 0x600, not 0x${Number(this.routerVersion).toString(16)}`);
    }
    this.offered = options.offeredFunctionality ?? (RF_ROUTING | RF_DEMAND_UPDATE_ROUTES | RF_ADD_ALL_INTERFACES | RF_MULTICAST | RF_POWER);
    this.support = new MockSupport(mockRtm);
    this.support.setRouterId(this.routerId);
    for (const [pid, preference] of Object.entries(this.protocolPriority)) this.support.setPriority(Number(pid), preference);
    this.rtm = new MockRtm(options.rtmLibrary ? rtmSource : mockRtm);
    this.unloadLibrary = options.unloadLibrary ?? false;
    this.lib = this.unloadLibrary ? undefined : koffi.load(this.library);
    // The protocol library keeps itself loaded while a protocol has threads, and the mock
    // RTM while its dispatcher runs, so either may be unloaded whenever koffi likes: close()
    // unloads the protocol library, the finalizers of a router never closed unload both.
    if (process.platform === 'win32') {
      const parent = routerRegistryParent();
      this.registry = { parent, keys: [] };
      // RRAS's own key (RRAS_BRIDGE_MOCK_REGISTRY=rras) is the DLL's default: nothing to name.
      if (!parent.text.startsWith('HKLM\\')) fs.writeFileSync(this.configFile, JSON.stringify({ registryKey: parent.text }, null, 2));
    }
    open.add(this);
    hookExit();
  }

  /** Writes the library configuration and calls RegisterProtocol, as RRAS does at load. */
  register(settings: ProtocolSettings & HostDebugOptions, options: { autoDrain?: boolean } = {}): RoutingProtocol {
    this.assertOpen('register');
    const { inspect, watch, ...configured } = settings;
    checkSettings(configured);
    const full: ProtocolSettings = {
      name: `protocol-${settings.protocolId}`,
      ...declared(settings.module),
      nodePath: process.execPath,
      rtmLibrary: this.rtm.library,
      // The copy has no package around it: the host entry is named.
      hostEntry: paths.host,
      ...(process.platform === 'win32' ? {} : { adminDirectory: this.adminDirectory }),
      ...debugSettings(inspect),
      ...configured,
      module: path.resolve(settings.module),
    };
    const nodeArgs = [...debugNodeArgs(inspect, watch), ...(configured.nodeArgs ?? [])];
    if (nodeArgs.length) full.nodeArgs = nodeArgs;
    // One name per protocol in a router: it names the registry key and tags the log.
    const taken = [...this.settings.values()].some((s) => s.protocolId !== settings.protocolId && s.name === full.name);
    if (taken && settings.name === undefined) full.name = `${full.name}-${settings.protocolId}`;
    this.settings.set(settings.protocolId, full);
    return this.callRegister(settings.protocolId, options.autoDrain ?? true);
  }

  /** The configuration written for a protocol id (undefined when not registered here). */
  settingsOf(protocolId: number): Readonly<ProtocolSettings> | undefined {
    return this.settings.get(protocolId);
  }

  /** RegisterProtocol for an id this router did not configure (RRAS asking about a stranger). */
  registerUnconfigured(protocolId: number): number {
    this.assertOpen('registerUnconfigured');
    return this.callRegister(protocolId, true).registerCode;
  }

  private callRegister(protocolId: number, autoDrain: boolean): RoutingProtocol {
    const protocols = [...this.settings.values()].map((s) => ({ logFile: this.logFile, ...s }));
    // The copy reads its configuration at RegisterProtocol: the file beside it names the
    // registry key on Windows, and holds the protocols elsewhere.
    if (this.registry) this.registry.keys.push(...writeRegistryConfig(this.library, protocols, this.registry.parent));
    else fs.writeFileSync(this.configFile, JSON.stringify({ protocols }, null, 2));
    const lib = this.lib ?? koffi.load(this.library);
    const register = lib.func(ffi.RegisterProtocolFn);
    // The IPv6 router manager offers RTM as RF_ROUTINGV6.
    const offered = this.settings.get(protocolId)?.ipv6 && (this.offered & RF_ROUTING) ? (this.offered & ~RF_ROUTING) | RF_ROUTINGV6 : this.offered;
    const characteristics = {
      routing: versions.routingCharacteristics(this.routerVersion, protocolId, offered),
      service: versions.serviceCharacteristics(this.routerVersion, protocolId),
    };
    const mark = this.logMark();
    const t0 = performance.now();
    const code = register(characteristics.routing, characteristics.service) as number;
    this.trace({ kind: 'call', protocolId, name: REGISTER_PROTOCOL.name, args: namedArgs(REGISTER_PROTOCOL, [protocolId]), code, ms: performance.now() - t0 });
    const name = this.settings.get(protocolId)?.name ?? `protocol-${protocolId}`;
    const log = this.logSince(mark, name);
    let slot = this.slots.get(protocolId);
    if (slot === undefined && code === NO_ERROR) {
      slot = this.slots.size;
      if (slot >= SUPPORT_SLOTS) throw new RangeError(`MockRouter: at most ${SUPPORT_SLOTS} protocols per router`);
      this.slots.set(protocolId, slot);
    }
    // A router manager that unloads may do so right after a failed RegisterProtocol.
    const owned = this.lib ? undefined : lib;
    if (owned && code !== NO_ERROR) unload(this, protocolId, owned);
    const p = new RoutingProtocol(this, protocolId, name, code, log, characteristics, autoDrain, slot ?? 0, code === NO_ERROR ? owned : undefined);
    if (code === NO_ERROR) this.protocols.set(protocolId, p);
    return p;
  }

  /** @internal */
  trace(entry: TraceEntry): void {
    this.emit('trace', entry);
  }

  /**
   * @internal The SUPPORT_FUNCTIONS of a protocol slot, as this router's version has them:
   * MPR50's, or SUPPORT_FUNCTIONS_60 with its three more (which the library must not call).
   */
  supportFunctions(slot: number): Buffer {
    return this.support.functions(slot, versions.supportFunctions(this.routerVersion, {}));
  }

  /** @internal Hands recorded support calls to their protocols and to 'trace' listeners. */
  drainSupport(): void {
    const { calls } = this.support.drain();
    for (const c of calls) {
      const proto = [...this.protocols.values()].find((p) => p.slot === c.slot);
      const protocolId = proto?.protocolId ?? 0;
      proto?.recordSupport({ name: c.name, args: c.args, result: c.result });
      this.trace({ kind: 'support', protocolId, name: c.name, args: c.args, result: c.result });
    }
  }

  /** The protocol library's log so far (after close: as it was at close). */
  log(): string {
    if (this.keptLog !== undefined) return this.keptLog;
    return fs.existsSync(this.logFile) ? fs.readFileSync(this.logFile, 'utf8') : '';
  }

  /** @internal Where the log ends now. */
  logMark(file = this.logFile): number {
    try {
      return fs.statSync(file).size;
    } catch {
      return 0;
    }
  }

  /** @internal The log lines written since `mark` (of protocol `name`, and the library's own). */
  logSince(mark: number, name?: string, file = this.logFile): string[] {
    let text = '';
    try {
      const fd = fs.openSync(file, 'r');
      try {
        const size = fs.fstatSync(fd).size;
        if (size <= mark) return [];
        const buf = Buffer.alloc(size - mark);
        fs.readSync(fd, buf, 0, buf.length, mark);
        text = buf.toString('utf8');
      } finally {
        fs.closeSync(fd);
      }
    } catch {
      return [];
    }
    const lines = text.split('\n').filter((l) => l.trim() !== '');
    if (!name) return lines;
    // Each entry starts "<time> <LEVEL> [who…] "; the lines after it (a stack, a code excerpt)
    // continue it. Keep this protocol's entries ([name], [name/js]) and the library's own.
    const kept: string[] = [];
    let keep = true;
    for (const line of lines) {
      const tag = /^\S+ (?:ERROR|WARN|INFO|DEBUG) \[([^\]/]*)/.exec(line);
      if (tag) keep = tag[1] === name || tag[1] === 'rras-bridge';
      if (keep) kept.push(line);
    }
    return kept;
  }

  private assertOpen(what: string): void {
    if (this.closing) throw new Error(`MockRouter.${what}: the router is closed`);
  }

  /**
   * Stops every running protocol (StopProtocol, then ROUTER_STOPPED), removes the router's
   * registry keys and work folder. Idempotent; `await using router = new MockRouter()` calls it.
   */
  close(): Promise<void> {
    this.closing ??= (async () => {
      const protocols = [...this.protocols.values()];
      try {
        await Promise.all(protocols.map((p) => p.dispose()));
        this.drainSupport();
        // Unloaded as a router manager may, once every ROUTER_STOPPED has been read and no call
        // is running in it (the library joins its threads before ROUTER_STOPPED, and keeps
        // itself loaded while a protocol has threads): the memory goes, and on Windows the file.
        await Promise.all(protocols.map((p) => p.settled()));
        for (const p of protocols) p.release();
        this.lib?.unload();
      } finally {
        this.protocols.clear();
        this.keptLog = this.log();
        this.cleanUp();
        open.delete(this);
      }
    })();
    return this.closing;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /**
   * @internal At exit with the router still open: no JS can wait any more. The library's
   * threads run until the process ends (it keeps itself loaded; its hosts die with it); what
   * the router wrote is removed.
   */
  abandon(): void {
    this.cleanUp();
  }

  private cleanUp(): void {
    if (this.registry) {
      try {
        removeRegistryConfig(this.registry.keys.splice(0), this.registry.parent);
      } catch { /* best effort: swept with the process's key */ }
    }
    this.work.remove();
  }
}

export class RoutingProtocol {
  readonly events: RoutingEvent[] = [];
  readonly version: number;
  readonly supportedFunctionality: number;
  readonly serviceFunctionality: number;
  /** Entry points the library filled in (non-NULL). */
  readonly entryPoints: ReadonlySet<ffi.EntryPointName>;
  private readonly supportRecord: SupportCallRecord[] = [];
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
  private unwatch: (() => void) | undefined;
  private running = false;
  private readonly waiters = new Set<() => void>();
  private unloaded = false;
  private released = false;
  private inFlight = 0;
  private readonly idleWaiters: (() => void)[] = [];

  /** @internal */
  constructor(
    readonly router: MockRouter,
    readonly protocolId: number,
    /** The protocol's configured name (its tag in the library's log). */
    readonly name: string,
    readonly registerCode: number,
    /** The library's log lines about RegisterProtocol (why it refused, when it did). */
    readonly registerLog: readonly string[],
    characteristics: { routing: Buffer; service: Buffer },
    private readonly autoDrain: boolean,
    /** @internal The support-function slot. */
    readonly slot: number,
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

  /** Where the library logs for this protocol (its logFile setting, or the router's). */
  private get logFile(): string {
    return this.router.settingsOf(this.protocolId)?.logFile ?? this.router.logFile;
  }

  /** The SUPPORT_FUNCTIONS calls the library made for this protocol, oldest first. */
  get supportCalls(): readonly SupportCallRecord[] {
    this.router.drainSupport();
    return this.supportRecord;
  }

  /** @internal */
  recordSupport(c: SupportCallRecord): void {
    this.supportRecord.push(c);
  }

  /**
   * Calls an entry point on the thread pool, as RRAS does, and resolves with the DWORD it
   * returned, whatever it is (the raw call: the named methods reject on a refusal instead).
   */
  call(name: ffi.EntryPointName, ...args: unknown[]): Promise<number> {
    const fn = this.fns.get(name);
    if (!fn) return Promise.reject(this.missing(name));
    const t0 = performance.now();
    this.inFlight++;
    return new Promise((resolve, reject) => {
      fn.async(...args, (err: unknown, code: number) => {
        if (--this.inFlight === 0) for (const w of this.idleWaiters.splice(0)) w();
        if (err) return reject(err);
        const sig = ENTRY_POINTS[name];
        this.router.drainSupport(); // what the library did during the call comes first
        this.router.trace({ kind: 'call', protocolId: this.protocolId, name: sig.name, args: namedArgs(sig, args), code, ms: performance.now() - t0 });
        resolve(code);
      });
    });
  }

  /** @internal Resolves once no entry-point call of this protocol is running. */
  settled(): Promise<void> {
    return this.inFlight === 0 ? Promise.resolve() : new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** @internal The router closed: its library is about to be unloaded, the entry points go. */
  release(): void {
    this.released = true;
    this.fns.clear();
  }

  private missing(name: ffi.EntryPointName): Error {
    const entry = ENTRY_POINTS[name].name;
    if (this.released) return new Error(`protocol ${protocolIdText(this.protocolId)}: ${entry}: the router is closed (its library was unloaded)`);
    if (this.unloaded) return new Error(`protocol ${protocolIdText(this.protocolId)}: ${entry}: the library was unloaded after ROUTER_STOPPED (register again to load it)`);
    if (this.registerCode !== NO_ERROR) {
      const why = this.registerCode === ERROR_NOT_SUPPORTED && this.registerLog.length === 0
        ? ': the library does not serve this protocol id, or could not read its configuration (what it said went to stderr)' : '';
      return new RoutingCallError(REGISTER_PROTOCOL.name, this.registerCode, this.protocolId, this.registerLog, `so ${entry} cannot be called${why}`);
    }
    return new Error(`protocol ${protocolIdText(this.protocolId)}: ${entry} is NULL in the routing characteristics (pfn${name.slice(3)})`);
  }

  /** An entry point that must answer one of `accepted`; anything else rejects with RoutingCallError. */
  private async expect(name: ffi.EntryPointName, args: unknown[], accepted: readonly number[] = [NO_ERROR], detail?: string): Promise<number> {
    const mark = this.router.logMark(this.logFile);
    const code = await this.call(name, ...args);
    if (!accepted.includes(code)) throw this.refused(ENTRY_POINTS[name].name, code, mark, detail);
    return code;
  }

  private refused(entryPoint: string, code: number, mark: number, detail?: string): RoutingCallError {
    return new RoutingCallError(entryPoint, code, this.protocolId, this.router.logSince(mark, this.name, this.logFile), detail);
  }

  /**
   * StartProtocol with a new notification event and this router's SUPPORT_FUNCTIONS; the event
   * is watched first. Resolves NO_ERROR; rejects with RoutingCallError (code, reason) otherwise.
   */
  async start(opts: StartOptions = {}): Promise<number> {
    this.event ??= createNotificationEvent();
    if (this.autoDrain && !this.unwatch) this.startPump();
    const info = opts.globalInfo ?? null;
    const support = opts.supportFunctions === false ? null : this.router.supportFunctions(this.slot);
    this.supportFunctionsSent = support ? Buffer.from(support) : undefined;
    this.supportFunctionsTable = support ?? undefined; // the live table, referenced while the protocol runs
    const code = await this.expect('pfnStartProtocol', [this.event.handle, support, info,
      opts.structureVersion ?? 1, opts.structureSize ?? info?.length ?? 0, opts.structureCount ?? (info && info.length ? 1 : 0)]);
    this.running = true;
    return code;
  }

  /** Started and not yet stopped (ROUTER_STOPPED not drained). */
  get isRunning(): boolean {
    return this.running;
  }

  startComplete(): Promise<number> {
    return this.expect('pfnStartComplete', []);
  }

  /**
   * StopProtocol; when it answers ERROR_PROTOCOL_STOP_PENDING, waits for ROUTER_STOPPED.
   * Rejects with RoutingCallError when the library refuses the stop.
   */
  async stop(timeoutMs = 15000): Promise<{ code: number; stopped?: RoutingEvent }> {
    const code = await this.expect('pfnStopProtocol', [], [ERROR_PROTOCOL_STOP_PENDING, NO_ERROR]);
    const stopped = await this.waitForEvent((e) => e.event === ROUTER_STOPPED, timeoutMs);
    return { code, stopped };
  }

  addInterface(spec: InterfaceSpec): Promise<number> {
    const info = spec.info ?? null;
    return this.expect('pfnAddInterface', [spec.name ?? `{if-${spec.index}}`, spec.index, spec.type ?? PERMANENT, spec.mediaType ?? 0,
      spec.accessType ?? 0, spec.connectionType ?? 0, info, spec.structureVersion ?? 1, spec.structureSize ?? info?.length ?? 0,
      spec.structureCount ?? (info && info.length ? 1 : 0)], [NO_ERROR], `interface ${spec.index}`);
  }

  deleteInterface(index: number): Promise<number> {
    return this.expect('pfnDeleteInterface', [index], [NO_ERROR], `interface ${index}`);
  }

  interfaceStatus(index: number, active: boolean, statusType: number, statusInfo: Buffer | null = null): Promise<number> {
    const status = ['RIS_INTERFACE_ADDRESS_CHANGE', 'RIS_INTERFACE_ENABLED', 'RIS_INTERFACE_DISABLED', 'RIS_INTERFACE_MEDIA_PRESENT',
      'RIS_INTERFACE_MEDIA_ABSENT'][statusType] ?? `status type ${statusType}`;
    return this.expect('pfnInterfaceStatus', [index, active ? 1 : 0, statusType, statusInfo], [NO_ERROR], `interface ${index}, ${status}`);
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

  /**
   * Adds, binds and enables an interface, in RRAS's order. Resolves NO_ERROR; the first step
   * refused rejects with its RoutingCallError.
   */
  async addEnabledInterface(spec: InterfaceSpec, binding: BindingInput | Ipv6BindingInput): Promise<number> {
    await this.addInterface(spec);
    await this.bindInterface(spec.index, binding);
    return this.enableInterface(spec.index);
  }

  /** DoUpdateRoutes: NO_ERROR when the update started (else RoutingCallError). */
  doUpdateRoutes(index: number): Promise<number> {
    return this.expect('pfnUpdateRoutes', [index], [NO_ERROR], `interface ${index}`);
  }

  /**
   * DoUpdateRoutes, then its UPDATE_COMPLETE. `complete.updateStatus` is the update's outcome;
   * when it is not NO_ERROR, `log` holds what the library logged about it (the handler's error).
   * A DoUpdateRoutes the library refuses rejects with RoutingCallError.
   */
  async updateRoutes(index: number, timeoutMs = 15000): Promise<{ code: number; complete: RoutingEvent; log: string[] }> {
    const seen = this.events.length;
    const mark = this.router.logMark(this.logFile);
    const code = await this.doUpdateRoutes(index);
    const complete = await this.waitForEvent((e) => e.event === UPDATE_COMPLETE && e.interfaceIndex === index, timeoutMs, seen);
    return { code, complete, log: complete.updateStatus === NO_ERROR ? [] : this.router.logSince(mark, this.name, this.logFile) };
  }

  /** One GetEventMessage call, as RRAS makes it; nullResult passes Result = NULL. */
  getEventMessage(opts: { nullResult?: boolean } = {}): { code: number; event?: RoutingEvent } {
    const fn = this.fns.get('pfnGetEventMessage');
    if (!fn) throw this.missing('pfnGetEventMessage');
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
    this.unwatch?.(); // its event is no longer drained
    this.unwatch = undefined;
  }

  /** Waits until the notification event is signalled (for tests that drain by hand). */
  async waitForSignal(timeoutMs = 10000): Promise<boolean> {
    this.event ??= createNotificationEvent();
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) if (await this.event.wait(Math.min(100, until - Date.now()))) return true;
    return false;
  }

  /**
   * The first drained event (from index `from`) that matches, waiting up to timeoutMs. While
   * it waits, the process stays alive (its timer is the only thing that holds it).
   */
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
        reject(new Error(`protocol ${protocolIdText(this.protocolId)}: no matching event within ${timeoutMs} ms; drained so far: ` +
          `${this.events.map((e) => e.name).join(', ') || 'none'}${this.autoDrain || this.unwatch ? '' : ' (autoDrain is off: drain with getEventMessage)'}`));
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
    const event = this.event!;
    // RRAS drains until ERROR_NO_MORE_ITEMS after each signal (or until it unloaded the library).
    this.unwatch = event.watch(() => {
      this.router.drainSupport(); // the support calls made before the events were queued
      while (!this.unloaded && this.getEventMessage().code !== ERROR_NO_MORE_ITEMS) { /* drained into this.events */ }
    });
  }

  async getGlobalInfo(bufferSize?: number): Promise<InfoResult> {
    return this.getInfo('pfnGetGlobalInfo', [], bufferSize);
  }
  async getInterfaceInfo(index: number, bufferSize?: number): Promise<InfoResult> {
    return this.getInfo('pfnGetInterfaceInfo', [index], bufferSize);
  }
  /**
   * Get*Info as RRAS does it: ask for the size, then fetch; a failure rejects with
   * RoutingCallError. With bufferSize, one call whose code (ERROR_INSUFFICIENT_BUFFER
   * included) is in the result: the sizing is what such a caller tests.
   */
  private async getInfo(name: 'pfnGetGlobalInfo' | 'pfnGetInterfaceInfo', pre: unknown[], bufferSize?: number): Promise<InfoResult> {
    const mark = this.router.logMark(this.logFile);
    const size = u32(bufferSize ?? 0);
    const [v, s, c] = [u32(), u32(), u32()];
    let buf = bufferSize ? Buffer.alloc(bufferSize) : null;
    let code = await this.call(name, ...pre, buf, size, v, s, c);
    if (bufferSize === undefined) {
      if (code === ERROR_INSUFFICIENT_BUFFER) {
        buf = Buffer.alloc(size.readUInt32LE(0));
        code = await this.call(name, ...pre, buf, size, v, s, c);
      }
      if (code !== NO_ERROR) throw this.refused(ENTRY_POINTS[name].name, code, mark, pre.length ? `interface ${pre[0]}` : undefined);
    }
    const n = size.readUInt32LE(0);
    return { code, bufferSize: n, structureVersion: v.readUInt32LE(0), structureSize: s.readUInt32LE(0), structureCount: c.readUInt32LE(0), data: code === NO_ERROR && buf ? buf.subarray(0, n) : Buffer.alloc(0) };
  }
  setGlobalInfo(info: Buffer | null, version = 1, size = info?.length ?? 0, count = info && info.length ? 1 : 0): Promise<number> {
    return this.expect('pfnSetGlobalInfo', [info, version, size, count]);
  }
  setInterfaceInfo(index: number, info: Buffer | null, version = 1, size = info?.length ?? 0, count = info && info.length ? 1 : 0): Promise<number> {
    return this.expect('pfnSetInterfaceInfo', [index, info, version, size, count], [NO_ERROR], `interface ${index}`);
  }

  /**
   * A MIB call with an output buffer of outputSize bytes; resolves with the code, size and
   * data whatever the code is (the protocol's MIB answers with codes: ERROR_NO_MORE_ITEMS ends
   * a table).
   */
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

  /** @internal Stops the protocol if it runs (draining until ROUTER_STOPPED), then releases the event. */
  async dispose(): Promise<void> {
    try {
      if (this.running && this.fns.has('pfnStopProtocol')) {
        const code = await this.call('pfnStopProtocol');
        if (code === ERROR_PROTOCOL_STOP_PENDING || code === NO_ERROR) {
          // The event must stay valid until ROUTER_STOPPED is read: drain it even when the
          // test drained by hand.
          if (!this.unwatch && this.event) this.startPump();
          await this.waitForEvent((e) => e.event === ROUTER_STOPPED, 15000, this.events.length).catch(() => undefined);
        }
      }
    } finally {
      this.unwatch?.();
      this.unwatch = undefined;
      if (!this.running) this.unloadLibrary(); // a router manager unloads what it stopped
      this.event?.close();
      this.event = undefined;
    }
  }
}

const STRING_SETTINGS = ['module', 'name', 'nodePath', 'hostEntry', 'logFile', 'rtmLibrary', 'adminDirectory'] as const;

/**
 * The settings' types and ranges, as the library checks them (config.h): a mistake here is a
 * TypeError naming the field, not a RegisterProtocol refusal whose reason only stderr shows.
 */
function checkSettings(s: ProtocolSettings): void {
  for (const [key, value] of Object.entries(s)) {
    if (value === undefined) continue;
    const what = `MockRouter.register: ${key}`;
    if ((STRING_SETTINGS as readonly string[]).includes(key)) {
      // rtmLibrary '' means none (no routes); the others name something.
      if (typeof value !== 'string' || (value === '' && key !== 'rtmLibrary')) throw new TypeError(`${what} must be a non-empty string, got ${JSON.stringify(value)}`);
    } else if (key === 'nodeArgs') {
      if (!Array.isArray(value) || value.some((a) => typeof a !== 'string')) throw new TypeError(`${what} must be an array of strings`);
    } else if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 0xffffffff) {
      throw new TypeError(`${what} must be an integer from 0 to 4294967295, got ${JSON.stringify(value)}`);
    }
  }
}

/** The node options of HostDebugOptions. */
function debugNodeArgs(inspect: HostDebugOptions['inspect'], watch: boolean | undefined): string[] {
  const args: string[] = [];
  if (inspect !== undefined && inspect !== false) {
    const o = typeof inspect === 'object' ? inspect : { address: inspect === true ? undefined : inspect };
    args.push(`--inspect${o.break ? '-brk' : ''}${o.address !== undefined ? `=${o.address}` : ''}`);
  }
  if (watch) args.push('--require', path.join(path.dirname(paths.host), 'watch.js'));
  return args;
}

/** Deadlines for a host a developer may hold at a breakpoint. */
function debugSettings(inspect: HostDebugOptions['inspect']): Partial<ProtocolSettings> {
  if (inspect === undefined || inspect === false) return {};
  return { startTimeoutMs: INSPECT_DEADLINE_MS, callTimeoutMs: INSPECT_DEADLINE_MS, stopTimeoutMs: INSPECT_DEADLINE_MS };
}

/**
 * What the module declares that the configuration records: its name, RF_* flags and client
 * calls (as the installer would record them); nothing when the module cannot be loaded here
 * (the host reports that at start).
 */
function declared(module: string): Partial<ProtocolSettings> {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(path.resolve(module));
    const p = isProtocol(mod?.default) ? mod.default : isProtocol(mod) ? mod : undefined;
    return p ? { name: p.name, ...capabilitiesOf(p) } : {};
  } catch {
    return {};
  }
}

function unload(router: MockRouter, protocolId: number, lib: LibraryHandle): void {
  const t0 = performance.now();
  lib.unload();
  router.trace({ kind: 'call', protocolId, name: 'FreeLibrary', args: { lpLibFileName: router.library }, code: NO_ERROR, ms: performance.now() - t0 });
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
