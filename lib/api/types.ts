// The TypeScript face of a routing protocol: what a protocol module declares, and the context
// its handlers get. Handlers may be sync or async; a thrown error (or rejection) becomes the
// routprot.h error code RRAS sees (ProtocolError chooses it; ConfigError means
// ERROR_INVALID_PARAMETER; anything else ERROR_CAN_NOT_COMPLETE).
import type { AdapterBinding, Ipv6AdapterBinding } from '../config/binding.js';
import type { Shape, Struct, StructValue } from '../config/schema.js';
import type { AddressFamily, Routes } from './routes.js';
import type { MibView } from './mibView.js';
export type * from './routes.js';
export type * from './mibView.js';

/** A config schema, or none (the raw bytes are passed through). */
export type ConfigSchema = Struct<Shape> | undefined;
export type ConfigOf<S> = S extends Struct<infer Sh> ? StructValue<Sh> : Buffer;

/** The binding an interface of a protocol of this family gets from its router manager. */
export type BindingOf<AF extends AddressFamily> = AF extends 'ipv6' ? Ipv6AdapterBinding : AdapterBinding;

export type InterfaceType = 'permanent' | 'demandDial' | 'localWorkstationDial' | 'remoteWorkstationDial';

export interface Interface<IC = Buffer, AF extends AddressFamily = 'ipv4'> {
  readonly index: number;
  /** Unique name RRAS gives (usually a GUID string), decoded from UTF-16. */
  readonly name: string;
  readonly type: InterfaceType;
  readonly mediaType: number;
  readonly accessType: number;
  readonly connectionType: number;
  /** The protocol's interface config (typed when the protocol declares a schema). */
  readonly config: IC;
  /** Administratively enabled (RIS_INTERFACE_ENABLED / DISABLED). Interfaces start disabled. */
  readonly enabled: boolean;
  /** RRAS's InterfaceActive of the last status call (an adapter is bound). */
  readonly active: boolean;
  readonly mediaPresent: boolean;
  /** The last binding (RIS_INTERFACE_ADDRESS_CHANGE); null before one; no addresses = unnumbered. */
  readonly binding: BindingOf<AF> | null;
  /** enabled, bound and media present: the protocol should run on it. */
  readonly operational: boolean;
}

export type StatusChange<AF extends AddressFamily = 'ipv4'> =
  | { type: 'addressChange'; binding: BindingOf<AF> }
  | { type: 'enabled' }
  | { type: 'disabled' }
  | { type: 'mediaPresent' }
  | { type: 'mediaAbsent' };

export type LogLevel = 'error' | 'warn' | 'info' | 'debug';
/**
 * ctx.log: lines in the protocol library's log (RRAS tracing on Windows), formatted like
 * console.log: `%s %d %i %f %j %o %O` in the first argument, other arguments appended
 * (objects inspected, errors with their stack).
 */
export interface Logger {
  error(message?: unknown, ...args: unknown[]): void;
  warn(message?: unknown, ...args: unknown[]): void;
  info(message?: unknown, ...args: unknown[]): void;
  debug(message?: unknown, ...args: unknown[]): void;
}

export interface ProtocolContext<GC = Buffer, IC = Buffer, AF extends AddressFamily = 'ipv4'> {
  readonly protocolId: number;
  /** The router manager the protocol runs on: 'ipv4' (RouterManagers\\Ip) or 'ipv6' (Ipv6). */
  readonly addressFamily: AF;
  readonly name: string;
  /** Host generation: 1 for the first start, higher after a restart by the supervisor. */
  readonly generation: number;
  /** True when this start replays state to a host restarted after a crash or hang. */
  readonly restarted: boolean;
  readonly globalConfig: GC;
  readonly interfaces: ReadonlyMap<number, Interface<IC, AF>>;
  /** Writes to the protocol library's log (RRAS tracing on Windows). */
  readonly log: Logger;
  /** Aborted when the protocol stops: pass it to timers and sockets. */
  readonly signal: AbortSignal;
  /** The protocol's routes in RTM (of its family), and other protocols' best routes. */
  readonly routes: Routes<AF>;
  /** Events the protocol raises to the router manager. */
  readonly events: ProtocolEvents<GC, IC>;
  /** The router manager's SUPPORT_FUNCTIONS, executed by the library. */
  readonly support: SupportFunctions;
  /**
   * A planned restart of this host, e.g. to load new code: the library starts a new host,
   * replays RRAS's state to it and keeps the routes (stale until re-announced), without
   * counting it as a crash. On POSIX, SIGHUP to the host process does the same.
   */
  requestRestart(reason: string): Promise<void>;
}

export interface ProtocolEvents<GC, IC> {
  /**
   * The protocol changed its own global configuration (e.g. through a MIB set): the library's
   * copy is updated first, then SAVE_GLOBAL_CONFIG_INFO is queued so RRAS persists it.
   */
  saveGlobalConfig(config: GC): Promise<void>;
  /** Likewise for an interface: SAVE_INTERFACE_CONFIG_INFO {InterfaceIndex}. */
  saveInterfaceConfig(interfaceIndex: number, config: IC): Promise<void>;
}

export interface SupportFunctions {
  /** GetRouterId, as a dotted quad. */
  getRouterId(): Promise<string>;
  /** DemandDialRequest: ask the router manager to dial a demand-dial interface. */
  demandDialRequest(interfaceIndex: number): Promise<number>;
  /** SetInterfaceReceiveType (IR_PROMISCUOUS / IR_PROMISCUOUS_MULTICAST). */
  setInterfaceReceiveType(interfaceIndex: number, receiveType: number, activate: boolean): Promise<number>;
  /** HasMulticastBoundary(interface, group). */
  hasMulticastBoundary(interfaceIndex: number, group: string): Promise<boolean>;
  /** MIBEntryGet/GetFirst/GetNext into another protocol or the router manager (pid 10000). */
  mibEntryGet(op: 'get' | 'getFirst' | 'getNext', routingPid: number, input: Buffer, outputSize: number): Promise<{ status: number; output: Buffer }>;
  /** MIBEntryCreate/Delete/Set. */
  mibEntrySet(op: 'create' | 'delete' | 'set', routingPid: number, input: Buffer): Promise<number>;
}

export type MibOperation = 'create' | 'delete' | 'get' | 'set' | 'getFirst' | 'getNext' | 'setTrapInfo' | 'getTrapInfo';

export interface MibRequest {
  readonly op: MibOperation;
  readonly input: Buffer;
  /** Size of the router manager's output buffer (0 when it only asks for the size). */
  readonly outputSize: number;
}

/** A handler's result: the value, or a promise of it. */
export type Awaitable<T> = T | Promise<T>;

export interface ProtocolHandlers<GC, IC, AF extends AddressFamily = 'ipv4'> {
  /** StartProtocol: the global config is decoded and validated before this runs. */
  start?(ctx: ProtocolContext<GC, IC, AF>): Awaitable<void>;
  /** StartComplete: all interfaces were added; protocol activity may begin. */
  startComplete?(ctx: ProtocolContext<GC, IC, AF>): Awaitable<void>;
  /** StopProtocol: release resources; the library removes the protocol's routes after this. */
  stop?(ctx: ProtocolContext<GC, IC, AF>): Awaitable<void>;
  addInterface?(ctx: ProtocolContext<GC, IC, AF>, iface: Interface<IC, AF>): Awaitable<void>;
  deleteInterface?(ctx: ProtocolContext<GC, IC, AF>, iface: Interface<IC, AF>): Awaitable<void>;
  /** InterfaceStatus: iface already carries the new state. */
  interfaceStatus?(ctx: ProtocolContext<GC, IC, AF>, iface: Interface<IC, AF>, change: StatusChange<AF>): Awaitable<void>;
  /** SetGlobalInfo with a valid block: ctx.globalConfig is the new one. Throw to refuse it. */
  setGlobalConfig?(ctx: ProtocolContext<GC, IC, AF>, config: GC, previous: GC): Awaitable<void>;
  setInterfaceConfig?(ctx: ProtocolContext<GC, IC, AF>, iface: Interface<IC, AF>, config: IC, previous: IC): Awaitable<void>;
  /**
   * DoUpdateRoutes (autostatic update): learn the interface's routes. Resolving queues
   * UPDATE_COMPLETE with NO_ERROR; throwing or rejecting, with ERROR_CAN_NOT_COMPLETE.
   */
  updateRoutes?(ctx: ProtocolContext<GC, IC, AF>, iface: Interface<IC, AF>): Awaitable<void>;
  /**
   * QueryPower / SetPower (PowerType is reserved by Microsoft). Declaring them sets RF_POWER;
   * without them the entry points stay NULL.
   */
  queryPower?(ctx: ProtocolContext<GC, IC, AF>, powerType: number): Awaitable<void>;
  setPower?(ctx: ProtocolContext<GC, IC, AF>, powerType: number): Awaitable<void>;
  /** ConnectClient / DisconnectClient; without them the entry points stay NULL. */
  connectClient?(ctx: ProtocolContext<GC, IC, AF>, iface: Interface<IC, AF>, clientAddress: string | null): Awaitable<void>;
  disconnectClient?(ctx: ProtocolContext<GC, IC, AF>, iface: Interface<IC, AF>, clientAddress: string | null): Awaitable<void>;
  /** The Mib* entry points; return the output bytes (empty for create/delete/set). */
  mib?(ctx: ProtocolContext<GC, IC, AF>, request: MibRequest): Awaitable<Buffer | Uint8Array | void>;
}

export interface ProtocolDefinition<GS extends ConfigSchema = undefined, IS extends ConfigSchema = undefined, AF extends AddressFamily = 'ipv4'>
  extends ProtocolHandlers<ConfigOf<GS>, ConfigOf<IS>, AF> {
  /** The routprot.h protocol id (PROTOCOL_ID(type, vendor, id)); below 0xFFFF0000. */
  protocolId: number;
  /**
   * The router manager the protocol serves: 'ipv4' (default; RouterManagers\\Ip, RTM AF_INET,
   * IP_ADAPTER_BINDING_INFO) or 'ipv6' (RouterManagers\\Ipv6, RTM AF_INET6,
   * IPV6_ADAPTER_BINDING_INFO). The library's configuration must say the same (ipv6: 1).
   */
  addressFamily?: AF;
  /** A short name for logs. */
  name?: string;
  /** Schema of the global config block; without one any block (or none) is accepted. */
  globalConfig?: GS;
  /** Schema of the per-interface config block. */
  interfaceConfig?: IS;
  /**
   * After the host is restarted (crash, hang), the previous host's routes stay in RTM, stale.
   * 'auto': they count as re-announced once the replayed startComplete handler finished (the
   * rest is deleted then); 'manual': the protocol calls ctx.routes.synced() when it has
   * relearned its routes (e.g. after a round of updates); in both cases the library's stale
   * timer deletes what is left when it expires.
   */
  gracefulRestart?: 'auto' | 'manual';
  /**
   * The MIB tables `mib` answers and how to walk and read them, for tools that show them to
   * people (`rras-bridge mock` prints them); the host never uses it.
   */
  mibView?: MibView;
}

/** What defineProtocol returns, and what a protocol module exports as its default. */
export interface Protocol<GS extends ConfigSchema = ConfigSchema, IS extends ConfigSchema = ConfigSchema, AF extends AddressFamily = AddressFamily>
  extends ProtocolDefinition<GS, IS, AF> {
  readonly kind: 'rras-bridge.protocol';
  readonly name: string;
  readonly addressFamily: AF;
}
