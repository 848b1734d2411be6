// Socket chores the RIPv2 and RIPng transports share (node:dgram).
import type dgram from 'node:dgram';

/**
 * One socket that several endpoints share on a port (RIPv2's multicast group receiver, RIPng's
 * socket per port): opened for the first member, closed with the last. What the socket is
 * (open), and what joining and leaving mean, are the protocol's.
 */
export abstract class SharedSocket<K, M> {
  protected socket: dgram.Socket | undefined;
  private opening: Promise<void> | undefined;
  /** The endpoints on this socket. */
  readonly members = new Map<K, M>();

  constructor(protected readonly port: number, private readonly onEmpty: () => void) {}

  /** Creates and binds the socket (setting this.socket first) and subscribes to its events. */
  protected abstract open(): Promise<void>;

  /** Adds a member, opening the socket if it is the first, then join; undone if either fails. */
  protected async admit(key: K, member: M, join: (s: dgram.Socket) => void): Promise<void> {
    this.members.set(key, member);
    try {
      await (this.opening ??= this.open());
      join(this.socket!);
    } catch (err) {
      this.members.delete(key);
      if (this.members.size === 0) this.dispose();
      throw err;
    }
  }

  /** Removes a member after leave (whose failure is ignored); the last one closes the socket. */
  protected release(key: K, leave: (s: dgram.Socket, member: M) => void): void {
    const member = this.members.get(key);
    if (member === undefined) return;
    this.members.delete(key);
    try {
      if (this.socket) leave(this.socket, member);
    } catch {
      // The address or interface may already be gone; its membership went with it.
    }
    if (this.members.size === 0) this.dispose();
  }

  private dispose(): void {
    const s = this.socket;
    this.socket = undefined;
    this.opening = undefined;
    this.onEmpty();
    closeQuietly(s);
  }
}

/** Binds to address:port, not exclusively (the protocol's other sockets share the port). */
export function bindShared(s: dgram.Socket, port: number, address: string): Promise<void> {
  return new Promise((resolve, reject) => {
    s.once('error', reject);
    s.bind({ port, address, exclusive: false }, () => {
      s.off('error', reject);
      resolve();
    });
  });
}

/** Closes a socket that may already be closed. */
export function closeQuietly(s: dgram.Socket | undefined): void {
  try {
    s?.close();
  } catch {
    // already closed
  }
}
