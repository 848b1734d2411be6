// Raw IPv4 sockets for routing protocols that are not UDP or TCP: OSPF (IP protocol 89), VRRP
// (112), PIM (103). Node's dgram cannot send them; this is the native rras_bridge_rawip addon
// (native/rawip/raw_socket.h describes it) behind a small typed API.
//
// A socket belongs to one interface, named by one of its addresses: it receives that
// interface's datagrams of the protocol (unicast to it, and the groups joined on it), and its
// sends leave through that interface with that source address. Opening needs CAP_NET_RAW
// (root) on Linux and an administrator on Windows (the RRAS host runs as LocalSystem).
import { paths } from '../paths.js';

export interface RawIpMessage {
  /** The datagram after its IP header. */
  data: Buffer;
  source: string;
  destination: string;
  ttl: number;
}

export interface RawIpSocketOptions {
  /** IP protocol number, 1..254. */
  protocol: number;
  /** An address of the interface (dotted quad). */
  localAddress: string;
  /** TTL of everything sent, unicast and multicast; default 1 (link-local protocols). */
  ttl?: number;
  /** IP TOS byte; e.g. 0xc0 (precedence "internetwork control", what OSPF sends). Default 0. */
  tos?: number;
  /** Kernel receive buffer; default 4 MiB (a neighbour may flood thousands of packets at once). */
  receiveBufferBytes?: number;
  onMessage(message: RawIpMessage): void;
  /** The socket failed and receives nothing more (it stays to be closed). */
  onError(error: Error): void;
}

export interface RawIpStats {
  received: number;
  sent: number;
  sendErrors: number;
  /** Received datagrams that were not IPv4 or shorter than their header. */
  malformed: number;
  /** Datagrams the kernel dropped because the receive buffer was full (Linux; 0 elsewhere). */
  kernelDrops: number;
}

export interface RawIpSocket {
  readonly protocol: number;
  readonly localAddress: string;
  /** The interface's MTU as the system reports it (0 when unknown). */
  readonly mtu: number;
  /** The system's name and index of the interface (Linux device, Windows adapter). */
  readonly deviceName: string;
  readonly interfaceIndex: number;
  /** Sends one datagram (the system adds the IP header); throws with the system's reason. */
  send(data: Buffer, destination: string): void;
  /** Joins or leaves a multicast group on this interface. */
  join(group: string): void;
  leave(group: string): void;
  stats(): RawIpStats;
  /** Stops receiving, joins the reader thread, closes the socket. Idempotent. */
  close(): void;
}

/** The addon's object: the socket without what openRawIpSocket adds. */
type NativeSocket = Omit<RawIpSocket, 'protocol' | 'localAddress'>;

interface Addon {
  RawIpSocket: new (options: {
    protocol: number; localAddress: string; ttl?: number; tos?: number; receiveBufferBytes?: number;
    onMessages(list: RawIpMessage[]): void; onError(message: string): void;
  }) => NativeSocket;
}

let addon: Addon | undefined;

function load(): Addon {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  addon ??= require(paths.rawIpAddon) as Addon;
  return addon;
}

/** Opens a raw IPv4 socket for `protocol` on the interface holding `localAddress`. */
export function openRawIpSocket(options: RawIpSocketOptions): RawIpSocket {
  const { protocol, localAddress, onMessage, onError } = options;
  if (typeof onMessage !== 'function' || typeof onError !== 'function') {
    throw new TypeError('openRawIpSocket: onMessage and onError must be functions');
  }
  let native: NativeSocket;
  try {
    native = new (load().RawIpSocket)({
      protocol, localAddress, ttl: options.ttl, tos: options.tos, receiveBufferBytes: options.receiveBufferBytes,
      onMessages: (list) => {
        for (const m of list) onMessage(m);
      },
      onError: (message) => onError(new Error(`raw IP socket ${localAddress} (protocol ${protocol}): ${message}`)),
    });
  } catch (err) {
    throw new Error(`cannot open a raw IP socket for protocol ${protocol} on ${localAddress}: ${(err as Error).message}`);
  }
  return {
    protocol,
    localAddress,
    mtu: native.mtu,
    deviceName: native.deviceName,
    interfaceIndex: native.interfaceIndex,
    send: (data, destination) => native.send(data, destination),
    join: (group) => native.join(group),
    leave: (group) => native.leave(group),
    stats: () => native.stats(),
    close: () => native.close(),
  };
}
