// The wire between the protocol library and the host, for TypeScript: GENERATED from the
// catalogue in native/common/schema.h (as the addon exports it) by scripts/wire-types.ts.
// Do not edit: change schema.h, rebuild, and run `npm run wire:types`; a test checks that
// this file is current. A field added by a later wire version is optional (`?`): a peer of
// an earlier version does not send it.

/** The newest wire version this package speaks. */
export const WIRE_VERSION = 3;
/** The oldest wire version it still speaks. */
export const WIRE_MIN_VERSION = 1;
/** The oldest wire version with the admin endpoint's messages. */
export const WIRE_ADMIN_MIN_VERSION = 3;
/** The hello's magic ("RRBG"). */
export const WIRE_MAGIC = 0x47425252;
/** A frame's header: u32 length (of what follows it), u16 type, u16 flags, u32 id. */
export const WIRE_HEADER_BYTES = 12;
/** The flags bit of a reply. */
export const WIRE_FLAG_REPLY = 1;

/** The values of an enum object. */
type ValueOf<T> = T[keyof T];
/** A request or reply without fields. */
export type NoFields = Record<string, never>;

/** Values of support.fn. */
export const SupportFunction = {
  GetRouterId: 1,
  DemandDialRequest: 2,
  SetInterfaceReceiveType: 3,
  HasMulticastBoundary: 4,
  MIBEntryCreate: 5,
  MIBEntryDelete: 6,
  MIBEntrySet: 7,
  MIBEntryGet: 8,
  MIBEntryGetFirst: 9,
  MIBEntryGetNext: 10,
} as const;
export type SupportFunction = ValueOf<typeof SupportFunction>;

/** Values of routes.ops[].op, routes6.ops[].op. */
export const RouteOperation = { Add: 1, Delete: 2 } as const;
export type RouteOperation = ValueOf<typeof RouteOperation>;

/** Bits of routes.ops[].flags, routes6.ops[].flags. */
export const RouteFlag = { HasPreference: 1 } as const;
export type RouteFlag = ValueOf<typeof RouteFlag>;

/** Values of mib.op. */
export const MibOperation = {
  Create: 1,
  Delete: 2,
  Get: 3,
  Set: 4,
  GetFirst: 5,
  GetNext: 6,
  SetTrapInfo: 7,
  GetTrapInfo: 8,
} as const;
export type MibOperation = ValueOf<typeof MibOperation>;

/** Values of power.op. */
export const PowerOperation = { Query: 1, Set: 2 } as const;
export type PowerOperation = ValueOf<typeof PowerOperation>;

/** Values of client.op. */
export const ClientOperation = { Connect: 1, Disconnect: 2 } as const;
export type ClientOperation = ValueOf<typeof ClientOperation>;

/** Values of saveConfig.scope. */
export const ConfigScope = { Global: 1, Interface: 2 } as const;
export type ConfigScope = ValueOf<typeof ConfigScope>;

/** Values of start.addressFamily, routeChanges6.changes[].family, routes6.ops[].family. */
export const AddressFamily = { Ipv4: 2, Ipv6: 23 } as const;
export type AddressFamily = ValueOf<typeof AddressFamily>;

/** Values of log.level. */
export const LogLevel = { Error: 0, Warn: 1, Info: 2, Debug: 3 } as const;
export type LogLevel = ValueOf<typeof LogLevel>;

/** Values of stop.reason. */
export const StopReason = { StopProtocol: 0 } as const;
export type StopReason = ValueOf<typeof StopReason>;

/** Values of interfaceStatus.statusType. */
export const InterfaceStatusType = {
  RIS_INTERFACE_ADDRESS_CHANGE: 0,
  RIS_INTERFACE_ENABLED: 1,
  RIS_INTERFACE_DISABLED: 2,
  RIS_INTERFACE_MEDIA_PRESENT: 3,
  RIS_INTERFACE_MEDIA_ABSENT: 4,
} as const;
export type InterfaceStatusType = ValueOf<typeof InterfaceStatusType>;

/** Values of addInterface.interfaceType. */
export const InterfaceType = {
  PERMANENT: 0,
  DEMAND_DIAL: 1,
  LOCAL_WORKSTATION_DIAL: 2,
  REMOTE_WORKSTATION_DIAL: 3,
} as const;
export type InterfaceType = ValueOf<typeof InterfaceType>;

export interface HelloRequest {
  magic: number;
  minVersion: number;
  maxVersion: number;
  token: Buffer;
  pid: number;
}

export interface HelloReply {
  version: number;
  protocolId: number;
  name: string;
  generation: number;
  heartbeatMs: number;
}

export interface StartRequest {
  restart: number;
  info: Buffer;
  structureVersion: number;
  structureSize: number;
  structureCount: number;
  addressFamily: AddressFamily;
  /** Since wire version 2. */
  library?: string;
}

export interface StopRequest {
  reason: StopReason;
}

export interface AddInterfaceRequest {
  interfaceIndex: number;
  name: string;
  interfaceType: InterfaceType;
  mediaType: number;
  accessType: number;
  connectionType: number;
  info: Buffer;
  structureVersion: number;
  structureSize: number;
  structureCount: number;
}

export interface DeleteInterfaceRequest {
  interfaceIndex: number;
}

export interface InterfaceStatusRequest {
  interfaceIndex: number;
  active: number;
  statusType: InterfaceStatusType;
  binding: Buffer;
}

export interface SetGlobalInfoRequest {
  info: Buffer;
  structureVersion: number;
  structureSize: number;
  structureCount: number;
}

export interface SetInterfaceInfoRequest {
  interfaceIndex: number;
  info: Buffer;
  structureVersion: number;
  structureSize: number;
  structureCount: number;
}

export interface UpdateRoutesRequest {
  interfaceIndex: number;
}

export interface MibRequest {
  op: MibOperation;
  input: Buffer;
  outputSize: number;
}

export interface MibReply {
  output: Buffer;
}

export interface PowerRequest {
  op: PowerOperation;
  powerType: number;
}

export interface ClientRequest {
  op: ClientOperation;
  interfaceIndex: number;
  address: Buffer;
}

export interface HeartbeatRequest {
  seq: number;
}

export interface HeartbeatReply {
  seq: number;
  /** Since wire version 2. */
  rssBytes?: bigint;
}

export interface RouteChangesRequest {
  /** Packed records: see RouteChangesChangesLayout. */
  changes: Uint32Array;
}

export interface LogRequest {
  level: LogLevel;
  text: string;
}

export interface RoutesRequest {
  ops: RoutesOpsItem[];
}

export interface RoutesReply {
  /** Packed records: see RoutesReplyResultsLayout. */
  results: Uint32Array;
}

export interface SaveConfigRequest {
  scope: ConfigScope;
  interfaceIndex: number;
  info: Buffer;
  structureVersion: number;
  structureSize: number;
  structureCount: number;
}

export interface SupportRequest {
  fn: SupportFunction;
  args: SupportArgsItem[];
  input: Buffer;
  outputSize: number;
}

export interface SupportReply {
  result: number;
  output: Buffer;
}

export interface RestartRequest {
  reason: string;
}

export interface RouteChanges6Request {
  /** Packed records: see RouteChanges6ChangesLayout. */
  changes: Uint32Array;
}

export interface Routes6Request {
  ops: Routes6OpsItem[];
}

export interface Routes6Reply {
  /** Packed records: see Routes6ReplyResultsLayout. */
  results: Uint32Array;
}

export interface AdminHelloRequest {
  magic: number;
  minVersion: number;
  maxVersion: number;
  client: string;
}

export interface AdminHelloReply {
  version: number;
  pid: number;
  library: string;
  protocols: string;
}

export interface AdminStatusRequest {
  protocol: string;
}

export interface AdminStatusReply {
  status: string;
}

export interface AdminTraceRequest {
  protocol: string;
  follow: number;
  backlog: number;
}

export interface AdminTraceRecordsRequest {
  records: string;
  lost: number;
}

export interface AdminRestartRequest {
  protocol: string;
  reason: string;
}

export interface AdminRestartReply {
  generation: number;
}

export interface AdminLogRequest {
  protocol: string;
  follow: number;
  backlog: number;
}

export interface AdminLogLinesRequest {
  lines: string;
  lost: number;
}

export interface RoutesOpsItem {
  op: RouteOperation;
  destination: number;
  prefixLength: number;
  nextHop: number;
  interfaceIndex: number;
  metric: number;
  preference: number;
  flags: number;
  ttlMs: number;
}

export interface SupportArgsItem {
  value: number;
}

export interface Routes6OpsItem {
  op: RouteOperation;
  family: AddressFamily;
  destination: Buffer;
  prefixLength: number;
  nextHop: Buffer;
  interfaceIndex: number;
  metric: number;
  preference: number;
  flags: number;
  ttlMs: number;
}

/** Slots of a packed record (PackedRecords); stride: slots per record. */
export const RouteChangesChangesLayout = {
  destination: 0,
  prefixLength: 1,
  owner: 2,
  nextHop: 3,
  interfaceIndex: 4,
  metric: 5,
  preference: 6,
  stride: 7,
} as const;

/** Slots of a packed record (PackedRecords); stride: slots per record. */
export const RoutesOpsLayout = {
  op: 0,
  destination: 1,
  prefixLength: 2,
  nextHop: 3,
  interfaceIndex: 4,
  metric: 5,
  preference: 6,
  flags: 7,
  ttlMs: 8,
  stride: 9,
} as const;

/** Slots of a packed record (PackedRecords); stride: slots per record. */
export const RoutesReplyResultsLayout = {
  status: 0,
  stride: 1,
} as const;

/** Slots of a packed record (PackedRecords); stride: slots per record. */
export const SupportArgsLayout = {
  value: 0,
  stride: 1,
} as const;

/** Slots of a packed record (PackedRecords); stride: slots per record. */
export const RouteChanges6ChangesLayout = {
  family: 0,
  destination: 1,
  prefixLength: 5,
  owner: 6,
  nextHop: 7,
  interfaceIndex: 11,
  metric: 12,
  preference: 13,
  stride: 14,
} as const;

/** Slots of a packed record (PackedRecords); stride: slots per record. */
export const Routes6OpsLayout = {
  op: 0,
  family: 1,
  destination: 2,
  prefixLength: 6,
  nextHop: 7,
  interfaceIndex: 11,
  metric: 12,
  preference: 13,
  flags: 14,
  ttlMs: 15,
  stride: 16,
} as const;

/** Slots of a packed record (PackedRecords); stride: slots per record. */
export const Routes6ReplyResultsLayout = {
  status: 0,
  stride: 1,
} as const;

/** Every message type: its number, who sends the request, and its fields. */
export interface WireMessages {
  hello: { type: 1; direction: 'hostToDll'; request: HelloRequest; reply: HelloReply };
  start: { type: 10; direction: 'dllToHost'; request: StartRequest; reply: NoFields };
  startComplete: { type: 11; direction: 'dllToHost'; request: NoFields; reply: NoFields };
  stop: { type: 12; direction: 'dllToHost'; request: StopRequest; reply: NoFields };
  addInterface: { type: 13; direction: 'dllToHost'; request: AddInterfaceRequest; reply: NoFields };
  deleteInterface: { type: 14; direction: 'dllToHost'; request: DeleteInterfaceRequest; reply: NoFields };
  interfaceStatus: { type: 15; direction: 'dllToHost'; request: InterfaceStatusRequest; reply: NoFields };
  setGlobalInfo: { type: 16; direction: 'dllToHost'; request: SetGlobalInfoRequest; reply: NoFields };
  setInterfaceInfo: { type: 17; direction: 'dllToHost'; request: SetInterfaceInfoRequest; reply: NoFields };
  updateRoutes: { type: 18; direction: 'dllToHost'; request: UpdateRoutesRequest; reply: NoFields };
  mib: { type: 19; direction: 'dllToHost'; request: MibRequest; reply: MibReply };
  power: { type: 20; direction: 'dllToHost'; request: PowerRequest; reply: NoFields };
  client: { type: 21; direction: 'dllToHost'; request: ClientRequest; reply: NoFields };
  heartbeat: { type: 22; direction: 'dllToHost'; request: HeartbeatRequest; reply: HeartbeatReply };
  routeChanges: { type: 23; direction: 'dllToHost'; request: RouteChangesRequest; reply: NoFields };
  log: { type: 40; direction: 'hostToDll'; request: LogRequest; reply: NoFields };
  routes: { type: 41; direction: 'hostToDll'; request: RoutesRequest; reply: RoutesReply };
  saveConfig: { type: 42; direction: 'hostToDll'; request: SaveConfigRequest; reply: NoFields };
  support: { type: 43; direction: 'hostToDll'; request: SupportRequest; reply: SupportReply };
  synced: { type: 44; direction: 'hostToDll'; request: NoFields; reply: NoFields };
  restart: { type: 45; direction: 'hostToDll'; request: RestartRequest; reply: NoFields };
  routeChanges6: { type: 24; direction: 'dllToHost'; request: RouteChanges6Request; reply: NoFields };
  routes6: { type: 46; direction: 'hostToDll'; request: Routes6Request; reply: Routes6Reply };
  adminHello: { type: 60; direction: 'adminToDll'; since: 3; request: AdminHelloRequest; reply: AdminHelloReply };
  adminStatus: { type: 61; direction: 'adminToDll'; since: 3; request: AdminStatusRequest; reply: AdminStatusReply };
  adminTrace: { type: 62; direction: 'adminToDll'; since: 3; request: AdminTraceRequest; reply: NoFields };
  adminTraceRecords: { type: 63; direction: 'dllToAdmin'; since: 3; request: AdminTraceRecordsRequest; reply: NoFields };
  adminRestart: { type: 64; direction: 'adminToDll'; since: 3; request: AdminRestartRequest; reply: AdminRestartReply };
  adminLog: { type: 65; direction: 'adminToDll'; since: 3; request: AdminLogRequest; reply: NoFields };
  adminLogLines: { type: 66; direction: 'dllToAdmin'; since: 3; request: AdminLogLinesRequest; reply: NoFields };
}

/** The number of each message type on the wire. */
export const MessageType = {
  hello: 1,
  start: 10,
  startComplete: 11,
  stop: 12,
  addInterface: 13,
  deleteInterface: 14,
  interfaceStatus: 15,
  setGlobalInfo: 16,
  setInterfaceInfo: 17,
  updateRoutes: 18,
  mib: 19,
  power: 20,
  client: 21,
  heartbeat: 22,
  routeChanges: 23,
  log: 40,
  routes: 41,
  saveConfig: 42,
  support: 43,
  synced: 44,
  restart: 45,
  routeChanges6: 24,
  routes6: 46,
  adminHello: 60,
  adminStatus: 61,
  adminTrace: 62,
  adminTraceRecords: 63,
  adminRestart: 64,
  adminLog: 65,
  adminLogLines: 66,
} as const;
export type MessageType = keyof WireMessages;
/** Requests the library sends (the host answers them). */
export type DllToHost = 'start' | 'startComplete' | 'stop' | 'addInterface' | 'deleteInterface' | 'interfaceStatus' | 'setGlobalInfo' | 'setInterfaceInfo' | 'updateRoutes' | 'mib' | 'power' | 'client' | 'heartbeat' | 'routeChanges' | 'routeChanges6';
/** Requests the host sends (the library answers them). */
export type HostToDll = 'hello' | 'log' | 'routes' | 'saveConfig' | 'support' | 'synced' | 'restart' | 'routes6';
/** Requests an operator's tool sends to the library's admin endpoint. */
export type AdminToDll = 'adminHello' | 'adminStatus' | 'adminTrace' | 'adminRestart' | 'adminLog';
/** What the admin endpoint streams to an operator's tool (notifications). */
export type DllToAdmin = 'adminTraceRecords' | 'adminLogLines';
