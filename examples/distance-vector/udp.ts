// Socket chores the RIPv2 and RIPng transports share (node:dgram).
import type dgram from 'node:dgram';

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
