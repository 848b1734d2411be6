// The host's native addon: the channel to the protocol library (native/addon).
import { paths } from '../paths.js';

export interface WireMessage {
  type: string;
  id: number;
  reply: boolean;
  status?: number;
  error?: string;
  fields: Record<string, any>;
}

export type ChannelEvent =
  | { event: 'message'; message: WireMessage }
  | { event: 'close'; reason: string };

export interface HelloReply {
  version: number;
  protocolId: number;
  name: string;
  generation: number;
  heartbeatMs: number;
}

/** The admin endpoint's answer to adminHello (native/protocol/admin_endpoint.h). */
export interface AdminHelloReply {
  version: number;
  pid: number;
  library: string;
  /** JSON: [{protocolId, name, state}] */
  protocols: string;
}

export interface Channel {
  connect(options: { address: string; token: Buffer; pid: number; timeoutMs?: number }): Promise<HelloReply>;
  /**
   * To a library's admin endpoint instead of as its host: checks who serves it (POSIX: root or
   * this user; Windows: serverPid, when given), then adminHello. A refusal rejects with the
   * error's `code` (e.g. ERROR_ACCESS_DENIED).
   */
  connectAdmin(options: { address: string; client?: string; serverPid?: number; timeoutMs?: number }): Promise<AdminHelloReply>;
  /** A request (id > 0, answered by a reply) or a notification (id 0). */
  send(type: string, id: number, fields: Record<string, unknown>): void;
  reply(type: string, id: number, status: number, error: string, fields?: Record<string, unknown>): void;
  close(): void;
  stats(): { framesIn: number; framesOut: number; bytesIn: number; bytesOut: number; queuedBytes: number };
}

interface Addon {
  Channel: new (options: { onEvent: (e: ChannelEvent) => void; maxFrame?: number }) => Channel;
  wireVersion: number;
  messageTypes: string[];
}

let cached: Addon | undefined;

export function loadAddon(): Addon {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  cached ??= require(paths.addon) as Addon;
  return cached;
}
