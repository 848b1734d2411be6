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
  // Given the reply (or, with `then`, what `then` made of it).
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
  // Applied to the reply as it is settled (see requestThen).
  then?: (r: Reply<HostToDll>) => unknown;
}

export class Requester {
  private nextId = 1;
  private readonly pending = new Map<number, Waiter>();
  private closedReason: string | undefined;

  constructor(private readonly transport: Transport) {}

  request<T extends HostToDll>(type: T, fields: Input<RequestFields<T>>): Promise<Reply<T>> {
    return this.send(type, fields, undefined);
  }

  /**
   * request(type, fields).then(then) in one promise: `then` runs as the reply is settled, and
   * what it returns (or throws) settles the promise. A request made at a high rate (ctx.events:
   * issue 12's 500k a second) saves the second promise and its microtask.
   */
  requestThen<T extends HostToDll, R>(type: T, fields: Input<RequestFields<T>>, then: (r: Reply<T>) => R): Promise<R> {
    return this.send(type, fields, then as (r: Reply<HostToDll>) => unknown);
  }

  private send<R>(type: HostToDll, fields: Input<RequestFields<HostToDll>>, then: Waiter['then']): Promise<R> {
    if (this.closedReason) return Promise.reject(new ProtocolError(ERROR_CAN_NOT_COMPLETE, `channel closed: ${this.closedReason}`));
    const id = this.nextId++;
    if (this.nextId > 0xfffffff0) this.nextId = 1;
    return new Promise<R>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, then });
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
    if (!p.then) {
      p.resolve(m);
      return true;
    }
    let value: unknown;
    try {
      value = p.then(m);
    } catch (err) {
      p.reject(err);
      return true;
    }
    p.resolve(value);
    return true;
  }

  close(reason: string): void {
    this.closedReason = reason;
    for (const p of this.pending.values()) p.reject(new ProtocolError(ERROR_CAN_NOT_COMPLETE, `channel closed: ${reason}`));
    this.pending.clear();
  }
}
