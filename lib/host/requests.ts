// Requests the host makes of the protocol library (routes, events, support functions), with
// replies matched by id. A request still open when the channel closes fails.
import { ERROR_CAN_NOT_COMPLETE } from '../constants.js';
import { ProtocolError } from '../api/errors.js';
import type { WireMessage } from '../addon/index.js';
import type { Transport } from './runtime.js';

export interface Reply {
  status: number;
  error: string;
  fields: Record<string, any>;
}

export class Requester {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (r: Reply) => void; reject: (e: Error) => void }>();
  private closedReason: string | undefined;

  constructor(private readonly transport: Transport) {}

  request(type: string, fields: Record<string, unknown>): Promise<Reply> {
    if (this.closedReason) return Promise.reject(new ProtocolError(ERROR_CAN_NOT_COMPLETE, `channel closed: ${this.closedReason}`));
    const id = this.nextId++;
    if (this.nextId > 0xfffffff0) this.nextId = 1;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      try {
        this.transport.send(type, id, fields);
      } catch (err) {
        this.pending.delete(id);
        reject(err);
      }
    });
  }

  /** Routes a reply to its request; false if nothing waited for it. */
  settle(m: WireMessage): boolean {
    const p = this.pending.get(m.id);
    if (!p) return false;
    this.pending.delete(m.id);
    p.resolve({ status: m.status ?? 0, error: m.error ?? '', fields: m.fields });
    return true;
  }

  close(reason: string): void {
    this.closedReason = reason;
    for (const p of this.pending.values()) p.reject(new ProtocolError(ERROR_CAN_NOT_COMPLETE, `channel closed: ${reason}`));
    this.pending.clear();
  }
}
