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

export interface Channel {
  connect(options: { address: string; token: Buffer; pid: number; timeoutMs?: number }): Promise<HelloReply>;
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
  /** While true, the channels' I/O threads answer heartbeats themselves (a debugger holds JS). */
  setDebuggerPaused(paused: boolean): void;
}

let cached: Addon | undefined;

export function loadAddon(): Addon {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  cached ??= require(paths.addon) as Addon;
  return cached;
}
