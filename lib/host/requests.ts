// Requests the host makes of the protocol library (routes, events, support functions), with
// replies matched by id. A request still open when the channel closes fails.
import { ERROR_CAN_NOT_COMPLETE, NO_ERROR } from '../constants.js';
import { ProtocolError } from '../api/errors.js';
import type { HostToDll, Input, ReplyFields, RequestFields, Transport, WireReply } from '../addon/index.js';

/** The library's answer to a request: its fields only with status NO_ERROR (see fieldsOf). */
export interface Reply<T extends HostToDll> {
  status: number;
  error: string;
  fields: ReplyFields<T> | Record<string, never>;
}

/** A reply's fields once its status is NO_ERROR; a ProtocolError with its status otherwise. */
export function fieldsOf<T extends HostToDll>(r: Reply<T>, what: string): ReplyFields<T> {
  if (r.status !== NO_ERROR) throw new ProtocolError(r.status, `${what}: ${r.error || 'refused by the protocol library'}`);
  return r.fields as ReplyFields<T>;
}

interface Waiter {
  resolve: (r: Reply<HostToDll>) => void;
  reject: (e: Error) => void;
}

export class Requester {
  private nextId = 1;
  private readonly pending = new Map<number, Waiter>();
  private closedReason: string | undefined;

  constructor(private readonly transport: Transport) {}

  request<T extends HostToDll>(type: T, fields: Input<RequestFields<T>>): Promise<Reply<T>> {
    if (this.closedReason) return Promise.reject(new ProtocolError(ERROR_CAN_NOT_COMPLETE, `channel closed: ${this.closedReason}`));
    const id = this.nextId++;
    if (this.nextId > 0xfffffff0) this.nextId = 1;
    return new Promise<Reply<T>>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (r: Reply<HostToDll>) => void, reject });
      try {
        this.transport.send(type, id, fields);
      } catch (err) {
        this.pending.delete(id);
        reject(err);
      }
    });
  }

  /** Routes a reply to its request (the message is the Reply: no copy); false if nothing waited for it. */
  settle(m: WireReply<HostToDll>): boolean {
    const p = this.pending.get(m.id);
    if (!p) return false;
    this.pending.delete(m.id);
    p.resolve(m);
    return true;
  }

  close(reason: string): void {
    this.closedReason = reason;
    for (const p of this.pending.values()) p.reject(new ProtocolError(ERROR_CAN_NOT_COMPLETE, `channel closed: ${reason}`));
    this.pending.clear();
  }
}
