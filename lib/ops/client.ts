// One connection to a protocol library's admin endpoint, through the addon's channel (the
// same frames and codec as the host's channel): the hello, requests with their replies, and
// the records and log lines the library streams.
import { adminChannel, type AdminChannel, type AdminChannelEvent, type AdminMessage, type AdminToDll, type Input, type ReplyFields, type RequestFields } from '../addon/index.js';
import { errorName } from '../constants.js';
import type { Endpoint } from './endpoints.js';

export interface ProtocolSummary {
  protocolId: number;
  name: string;
  state: string;
}

/** A request the library answered with an error status. */
export class AdminRequestError extends Error {
  constructor(readonly code: number, message: string) {
    super(message);
  }
}

type Pending = { resolve: (m: AdminMessage) => void; reject: (e: Error) => void };

export class AdminClient {
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private closed = false;
  private closeReason = '';
  private streamed: ((type: string, text: string, lost: number) => void) | undefined;
  private closedListeners: ((reason: string) => void)[] = [];

  private constructor(
    private readonly channel: AdminChannel,
    readonly endpoint: Endpoint,
    readonly pid: number,
    readonly library: string,
    readonly protocols: ProtocolSummary[],
  ) {}

  static async connect(endpoint: Endpoint, options: { timeoutMs?: number; client?: string } = {}): Promise<AdminClient> {
    let client: AdminClient | undefined;
    const early: AdminChannelEvent[] = [];
    const channel = adminChannel((e) => (client ? client.onEvent(e) : early.push(e)));
    let hello;
    try {
      hello = await channel.connectAdmin({
        address: endpoint.address,
        client: options.client ?? 'rras-bridge',
        timeoutMs: options.timeoutMs ?? 5000,
        ...(process.platform === 'win32' ? { serverPid: endpoint.pid } : {}),
      });
    } catch (err) {
      channel.close();  // an open channel keeps the process alive
      throw err;
    }
    client = new AdminClient(channel, endpoint, hello.pid, hello.library, JSON.parse(hello.protocols) as ProtocolSummary[]);
    for (const e of early) client.onEvent(e);
    return client;
  }

  /** Sends a request; resolves with the reply's fields, rejects with AdminRequestError. */
  request<T extends AdminToDll>(type: T, fields: Input<RequestFields<T>>): Promise<ReplyFields<T>> {
    if (this.closed) return Promise.reject(new Error(`the connection to pid ${this.pid} is closed: ${this.closeReason}`));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, {
        resolve: (m) => {
          if (!m.reply) return;
          if (m.status) reject(new AdminRequestError(m.status, `${m.error} (${errorName(m.status)})`));
          else resolve(m.fields as ReplyFields<T>);
        },
        reject,
      });
      try {
        this.channel.send(type, id, fields);
      } catch (err) {
        this.pending.delete(id);
        reject(err as Error);
      }
    });
  }

  /** Streamed adminTraceRecords / adminLogLines: their JSON lines as one text. */
  onStream(listener: (type: string, text: string, lost: number) => void): void {
    this.streamed = listener;
  }

  onClose(listener: (reason: string) => void): void {
    if (this.closed) listener(this.closeReason);
    else this.closedListeners.push(listener);
  }

  close(): void {
    this.channel.close();
    this.finish('closed by the client');
  }

  private onEvent(e: AdminChannelEvent): void {
    if (e.event === 'close') return this.finish(e.reason);
    const m = e.message;
    if (m.reply) {
      const p = this.pending.get(m.id);
      this.pending.delete(m.id);
      p?.resolve(m);
      return;
    }
    if (m.type === 'adminTraceRecords') this.streamed?.(m.type, m.fields.records, m.fields.lost);
    else if (m.type === 'adminLogLines') this.streamed?.(m.type, m.fields.lines, m.fields.lost);
  }

  private finish(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.closeReason = reason;
    for (const p of this.pending.values()) p.reject(new Error(`the library closed the connection: ${reason}`));
    this.pending.clear();
    for (const l of this.closedListeners) l(reason);
    this.closedListeners = [];
  }
}
