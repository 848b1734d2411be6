// The native surface the host uses, described in one place (node-usb keeps its bindings the
// same way): the addon (native/addon: the channel to the protocol library and the wire
// catalogue), the messages it carries, typed from the catalogue (./wire.ts, generated from
// native/common/schema.h), and the Transport the host runtime needs of a channel.
import { paths } from '../paths.js';
import type { AdminHelloReply, AdminToDll, DllToAdmin, DllToHost, HelloReply, HostToDll, MessageType, WireMessages } from './wire.js';

export * from './wire.js';

/** The fields of message T's request or reply, as they arrive (decoded). */
export type RequestFields<T extends MessageType> = WireMessages[T]['request'];
export type ReplyFields<T extends MessageType> = WireMessages[T]['reply'];

/**
 * Packed records: a list as one Uint32Array, each record its fields in catalogue order, a u32
 * field one slot and a blob field four (its 16 bytes: an IPv6 address), at the offsets of the
 * list's generated layout (RoutesOpsLayout, ...). Every list the library sends arrives so, and
 * a list sent may be given so: no JS object per record (native/addon/convert.cc). The layout is
 * this build's whole record: a field the agreed wire version lacks is zero when it arrives and
 * left out when sent.
 */
export type PackedRecords = Uint32Array;

/**
 * What the addon accepts for fields of a decoded type D: any Uint8Array for a Buffer, a number
 * for a bigint, packed records for a list.
 */
export type Input<D> = D extends Buffer
  ? Uint8Array
  : D extends bigint
    ? bigint | number
    : D extends readonly (infer R)[]
      ? Input<R>[] | PackedRecords
      : D extends object
        ? { [K in keyof D]: Input<D[K]> }
        : D;

/** A request (id > 0) or notification (id 0) from the library. */
export type WireRequest<T extends MessageType = MessageType> = {
  [K in T]: { type: K; id: number; reply: false; fields: RequestFields<K>; unknownBytes?: number };
}[T];
/** A reply from the library; a failed one (status not NO_ERROR) carries no fields. */
export type WireReply<T extends MessageType = MessageType> = {
  [K in T]: {
    type: K;
    id: number;
    reply: true;
    status: number;
    error: string;
    fields: ReplyFields<K> | Record<string, never>;
    unknownBytes?: number;
  };
}[T];
/**
 * A message as the addon delivers it. unknownBytes: bytes of fields the agreed wire version
 * does not have, skipped (a peer that sent more than it agreed to).
 */
export type WireMessage = WireRequest<DllToHost> | WireReply<HostToDll>;

export type ChannelEvent =
  | { event: 'message'; message: WireMessage }
  | { event: 'close'; reason: string };

/** A message from a library's admin endpoint: a streamed notification, or a reply. */
export type AdminMessage = WireRequest<DllToAdmin> | WireReply<AdminToDll>;
export type AdminChannelEvent =
  | { event: 'message'; message: AdminMessage }
  | { event: 'close'; reason: string };

/**
 * The addon's Channel used by an operator's tool towards a library's admin endpoint
 * (native/protocol/admin_endpoint.h) instead of as a host: the same frames and codec.
 */
export interface AdminChannel {
  /**
   * Checks who serves the endpoint (POSIX: root or this user; Windows: serverPid, when given),
   * then adminHello. A refusal rejects with the error's `code` (e.g. ERROR_ACCESS_DENIED).
   */
  connectAdmin(options: { address: string; client?: string; serverPid?: number; timeoutMs?: number }): Promise<AdminHelloReply>;
  send<T extends AdminToDll>(type: T, id: number, fields: Input<RequestFields<T>>): void;
  close(): void;
}

/** What the host runtime needs of the channel (the addon's Channel, or a test double). */
export interface Transport {
  /** A request (id > 0, answered by a reply) or a notification (id 0). */
  send<T extends HostToDll>(type: T, id: number, fields: Input<RequestFields<T>>): void;
  reply<T extends DllToHost>(type: T, id: number, status: number, error: string, fields?: Input<ReplyFields<T>>): void;
}

export interface ConnectOptions {
  address: string;
  token: Buffer;
  pid: number;
  timeoutMs?: number;
  /** The newest wire version offered (default: this build's newest). */
  maxVersion?: number;
}

export interface Channel extends Transport {
  /** Connects and shakes hands; the reply says which wire version was agreed. */
  connect(options: ConnectOptions): Promise<HelloReply>;
  /** Closes the channel; a connect in progress ends at once (its promise rejects). */
  close(): void;
  /**
   * Writes what send() and reply() hold: they encode at once (a bad message throws) and
   * write together once the JS thread has handled what arrived so far.
   */
  flush(): void;
  stats(): { framesIn: number; framesOut: number; bytesIn: number; bytesOut: number; queuedBytes: number };
}

/** One field of the catalogue (native/common/schema.h). */
export interface WireFieldSchema {
  name: string;
  kind: 'u32' | 'u64' | 'blob' | 'text' | 'utf16' | 'list';
  /** The wire version that added it. */
  since: number;
  /** The enum its number means (u32). */
  enum?: string;
  /** The items' fields (list). */
  record?: WireFieldSchema[];
}

/** The wire catalogue as the addon exports it (the source of ./wire.ts). */
export interface WireSchema {
  version: number;
  minVersion: number;
  /** The oldest version with the admin endpoint's messages. */
  adminMinVersion: number;
  magic: number;
  /** A frame's header: u32 length, u16 type, u16 flags, u32 id. */
  headerBytes: number;
  /** The flags bit of a reply. */
  replyFlag: number;
  messages: {
    name: MessageType;
    type: number;
    direction: 'dllToHost' | 'hostToDll' | 'adminToDll' | 'dllToAdmin';
    since: number;
    request: WireFieldSchema[];
    reply: WireFieldSchema[];
  }[];
  enums: { name: string; bits: boolean; values: { name: string; value: number }[] }[];
}

/**
 * The host's mirror of an IPv4 protocol's own routes (native/addon/route_mirror.cc): routes
 * keyed by destination, prefix length, interface and next hop (wire u32 addresses).
 */
export interface RouteMirror {
  /**
   * Applies records [0, count) of `ops` (packed routes records, RoutesOpsLayout) that RTM
   * accepted, in order: record k is accepted when `statuses` is absent or statuses[k] is
   * NO_ERROR or absent. True when an accepted add has a lifetime (ttlMs).
   */
  accept(ops: PackedRecords, count: number, statuses?: PackedRecords): boolean;
  delete(destination: number, prefixLength: number, interfaceIndex: number, nextHop: number): void;
  has(destination: number, prefixLength: number, interfaceIndex: number, nextHop: number): boolean;
  /**
   * Every route, 8 u32 each: destination, prefixLength, interfaceIndex, nextHop, metric,
   * preference, flags (RouteFlag), ttlMs.
   */
  records(): Uint32Array;
  readonly size: number;
}

/** The addon (native/addon/channel.cc, route_mirror.cc). */
export interface Addon {
  Channel: new (options: { onEvent: (e: ChannelEvent) => void; maxFrame?: number }) => Channel;
  RouteMirror: new () => RouteMirror;
  wireVersion: number;
  schema: WireSchema;
  /** While true, the channels' I/O threads read the channels and answer heartbeats themselves (a debugger holds JS; what else they read is delivered after it). */
  setDebuggerPaused(paused: boolean): void;
}

let cached: Addon | undefined;

export function loadAddon(): Addon {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  cached ??= require(paths.addon) as Addon;
  return cached;
}

/** A channel to a library's admin endpoint (one native class serves both ends: see AdminChannel). */
export function adminChannel(onEvent: (e: AdminChannelEvent) => void): AdminChannel {
  const { Channel } = loadAddon();
  return new Channel({ onEvent: onEvent as (e: ChannelEvent) => void }) as unknown as AdminChannel;
}
