// The TypeScript face of a routing protocol: what a protocol module declares, and the context
// its handlers get. Handlers may be sync or async; a thrown error (or rejection) becomes the
// routprot.h error code RRAS sees (ProtocolError chooses it; ConfigError means
// ERROR_INVALID_PARAMETER; anything else ERROR_CAN_NOT_COMPLETE).
import type { AdapterBinding } from '../config/binding.js';
import type { Shape, Struct, StructValue } from '../config/schema.js';

/** A config schema, or none (the raw bytes are passed through). */
export type ConfigSchema = Struct<Shape> | undefined;
export type ConfigOf<S> = S extends Struct<infer Sh> ? StructValue<Sh> : Buffer;

export type InterfaceType = 'permanent' | 'demandDial' | 'localWorkstationDial' | 'remoteWorkstationDial';

export interface Interface<IC = Buffer> {
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
  readonly binding: AdapterBinding | null;
  /** enabled, bound and media present: the protocol should run on it. */
  readonly operational: boolean;
}

export type StatusChange =
  | { type: 'addressChange'; binding: AdapterBinding }
  | { type: 'enabled' }
  | { type: 'disabled' }
  | { type: 'mediaPresent' }
  | { type: 'mediaAbsent' };

export type LogLevel = 'error' | 'warn' | 'info' | 'debug';
export interface Logger {
  error(msg: string, ...args: unknown[]): void;
  warn(msg: string, ...args: unknown[]): void;
  info(msg: string, ...args: unknown[]): void;
  debug(msg: string, ...args: unknown[]): void;
}

export interface ProtocolContext<GC = Buffer, IC = Buffer> {
  readonly protocolId: number;
  readonly name: string;
  /** Host generation: 1 for the first start, higher after a restart by the supervisor. */
  readonly generation: number;
  /** True when this start replays state to a host restarted after a crash or hang. */
  readonly restarted: boolean;
  readonly globalConfig: GC;
  readonly interfaces: ReadonlyMap<number, Interface<IC>>;
  /** Writes to the protocol library's log (RRAS tracing on Windows). */
  readonly log: Logger;
  /** Aborted when the protocol stops: pass it to timers and sockets. */
  readonly signal: AbortSignal;
}

export type MibOperation = 'create' | 'delete' | 'get' | 'set' | 'getFirst' | 'getNext' | 'setTrapInfo' | 'getTrapInfo';

export interface MibRequest {
  readonly op: MibOperation;
  readonly input: Buffer;
  /** Size of the router manager's output buffer (0 when it only asks for the size). */
  readonly outputSize: number;
}

type Awaitable<T> = T | Promise<T>;

export interface ProtocolHandlers<GC, IC> {
  /** StartProtocol: the global config is decoded and validated before this runs. */
  start?(ctx: ProtocolContext<GC, IC>): Awaitable<void>;
  /** StartComplete: all interfaces were added; protocol activity may begin. */
  startComplete?(ctx: ProtocolContext<GC, IC>): Awaitable<void>;
  /** StopProtocol: release resources; the library removes the protocol's routes after this. */
  stop?(ctx: ProtocolContext<GC, IC>): Awaitable<void>;
  addInterface?(ctx: ProtocolContext<GC, IC>, iface: Interface<IC>): Awaitable<void>;
  deleteInterface?(ctx: ProtocolContext<GC, IC>, iface: Interface<IC>): Awaitable<void>;
  /** InterfaceStatus: iface already carries the new state. */
  interfaceStatus?(ctx: ProtocolContext<GC, IC>, iface: Interface<IC>, change: StatusChange): Awaitable<void>;
  /** SetGlobalInfo with a valid block: ctx.globalConfig is the new one. Throw to refuse it. */
  setGlobalConfig?(ctx: ProtocolContext<GC, IC>, config: GC, previous: GC): Awaitable<void>;
  setInterfaceConfig?(ctx: ProtocolContext<GC, IC>, iface: Interface<IC>, config: IC, previous: IC): Awaitable<void>;
  /**
   * DoUpdateRoutes (autostatic update): learn the interface's routes. Resolving queues
   * UPDATE_COMPLETE with NO_ERROR; throwing or rejecting, with ERROR_CAN_NOT_COMPLETE.
   */
  updateRoutes?(ctx: ProtocolContext<GC, IC>, iface: Interface<IC>): Awaitable<void>;
  /** The Mib* entry points; return the output bytes (empty for create/delete/set). */
  mib?(ctx: ProtocolContext<GC, IC>, request: MibRequest): Awaitable<Buffer | Uint8Array | void>;
}

export interface ProtocolDefinition<GS extends ConfigSchema = undefined, IS extends ConfigSchema = undefined>
  extends ProtocolHandlers<ConfigOf<GS>, ConfigOf<IS>> {
  /** The routprot.h protocol id (PROTOCOL_ID(type, vendor, id)); below 0xFFFF0000. */
  protocolId: number;
  /** A short name for logs. */
  name?: string;
  /** Schema of the global config block; without one any block (or none) is accepted. */
  globalConfig?: GS;
  /** Schema of the per-interface config block. */
  interfaceConfig?: IS;
}

/** What defineProtocol returns, and what a protocol module exports as its default. */
export interface Protocol<GS extends ConfigSchema = any, IS extends ConfigSchema = any>
  extends ProtocolDefinition<GS, IS> {
  readonly kind: 'rras-bridge.protocol';
  readonly name: string;
}
