// UDP for RIP: one socket per bound interface address (RFC 2453 §3.9: updates go out from the
// RIP port of each address, to 224.0.0.9 with TTL 1, and to configured unicast neighbours).
//
// Receiving the group: Windows delivers 224.0.0.9 to a socket bound to the interface address
// once it joined the group there, so on Windows the per-address socket is all there is. Linux
// only delivers multicast to sockets bound to the group (or the wildcard), so there one extra
// socket per port is bound to 224.0.0.9:port, joins the group on each interface address, and
// hands each datagram to the endpoint whose subnet holds the source address (RIP accepts
// Responses only from directly connected neighbours anyway, RFC 2453 §3.9.2).
//
// The engine only sees the Transport interface; MemoryNetwork implements it for unit tests.
import dgram from 'node:dgram';
import { RIP_GROUP } from './packet.js';
import { ipToU32, sameSubnet } from './ip.js';
import { SharedSocket, bindShared } from '../distance-vector/udp.js';

import type { Peer } from '../distance-vector/peer.js';

export type { Peer };

export interface EndpointOptions {
  interfaceIndex: number;
  address: string;
  prefixLength: number;
  port: number;
  /** Join 224.0.0.9 here. */
  multicast: boolean;
  onMessage(data: Buffer, from: Peer): void;
  onError(err: Error): void;
}

export interface Endpoint {
  readonly address: string;
  readonly port: number;
  send(data: Buffer, to: Peer): Promise<void>;
  close(): Promise<void>;
}

export interface Transport {
  open(opts: EndpointOptions): Promise<Endpoint>;
}

// ---- the real one (node:dgram) ----

interface GroupMember {
  opts: EndpointOptions;
}

/** One group receiver per port (Linux); members are the endpoints that joined on that port. */
class GroupReceiver extends SharedSocket<GroupMember, GroupMember> {
  add(member: GroupMember): Promise<void> {
    return this.admit(member, member, (s) => s.addMembership(RIP_GROUP, member.opts.address));
  }

  remove(member: GroupMember): void {
    this.release(member, (s) => s.dropMembership(RIP_GROUP, member.opts.address));
  }

  protected open(): Promise<void> {
    const s = dgram.createSocket({ type: 'udp4', reuseAddr: true });
    this.socket = s;
    s.on('message', (data, rinfo) => {
      const src = ipToU32(rinfo.address);
      for (const m of this.members.values()) {
        if (sameSubnet(src, ipToU32(m.opts.address), m.opts.prefixLength)) {
          m.opts.onMessage(data, { address: rinfo.address, port: rinfo.port });
          return;
        }
      }
    });
    s.on('error', (err) => {
      for (const m of this.members.values()) m.opts.onError(err);
    });
    return bindShared(s, this.port, RIP_GROUP);
  }
}

export class UdpTransport implements Transport {
  private readonly groups = new Map<number, GroupReceiver>();
  /** Linux-style delivery unless told otherwise (tests of the Windows path on Linux cannot exist). */
  constructor(private readonly groupSocket = process.platform !== 'win32') {}

  async open(opts: EndpointOptions): Promise<Endpoint> {
    const s = dgram.createSocket({ type: 'udp4', reuseAddr: true });
    s.on('message', (data, rinfo) => opts.onMessage(data, { address: rinfo.address, port: rinfo.port }));
    s.on('error', (err) => opts.onError(err));
    await bindShared(s, opts.port, opts.address);
    let member: GroupMember | undefined;
    try {
      // TTL 1 for everything: RIP neighbours are on-link (the multicast TTL is RFC 2453's rule).
      s.setTTL(1);
      s.setMulticastTTL(1);
      s.setMulticastInterface(opts.address);
      s.setMulticastLoopback(false);
      if (opts.multicast) {
        if (this.groupSocket) {
          member = { opts };
          let g = this.groups.get(opts.port);
          if (!g) {
            g = new GroupReceiver(opts.port, () => this.groups.delete(opts.port));
            this.groups.set(opts.port, g);
          }
          await g.add(member);
        } else {
          s.addMembership(RIP_GROUP, opts.address);
        }
      }
    } catch (err) {
      s.close();
      throw err;
    }
    let closed = false;
    const groups = this.groups;
    return {
      address: opts.address,
      port: opts.port,
      send: (data, to) =>
        new Promise<void>((resolve, reject) => {
          if (closed) return reject(new Error(`endpoint ${opts.address}:${opts.port} is closed`));
          s.send(data, to.port, to.address, (err) => (err ? reject(err) : resolve()));
        }),
      close: async () => {
        if (closed) return;
        closed = true;
        if (member) groups.get(opts.port)?.remove(member);
        await new Promise<void>((resolve) => s.close(() => resolve()));
      },
    };
  }
}

// ---- in memory, for unit tests ----

interface MemoryEndpoint {
  opts: EndpointOptions;
  closed: boolean;
}

/**
 * A LAN in memory: a datagram to 224.0.0.9 reaches every other multicast endpoint on the same
 * port whose subnet holds the sender; a unicast one reaches the endpoint with that address
 * and port. Delivery is asynchronous (setImmediate), as from a socket. `sent` records all.
 */
export class MemoryNetwork implements Transport {
  private readonly endpoints = new Set<MemoryEndpoint>();
  readonly sent: { from: Peer; to: Peer; data: Buffer }[] = [];
  /** Drops datagrams for which this returns true (link down, a peer that never answers). */
  drop: (from: Peer, to: Peer, data: Buffer) => boolean = () => false;

  async open(opts: EndpointOptions): Promise<Endpoint> {
    const ep: MemoryEndpoint = { opts, closed: false };
    for (const other of this.endpoints) {
      if (other.opts.address === opts.address && other.opts.port === opts.port) throw new Error(`EADDRINUSE ${opts.address}:${opts.port}`);
    }
    this.endpoints.add(ep);
    return {
      address: opts.address,
      port: opts.port,
      send: async (data, to) => {
        if (ep.closed) throw new Error('closed');
        const from = { address: opts.address, port: opts.port };
        this.sent.push({ from, to, data: Buffer.from(data) });
        if (this.drop(from, to, data)) return;
        for (const other of this.endpoints) {
          if (other === ep || other.closed || other.opts.port !== to.port) continue;
          const hit = to.address === RIP_GROUP
            ? other.opts.multicast && sameSubnet(ipToU32(opts.address), ipToU32(other.opts.address), other.opts.prefixLength)
            : other.opts.address === to.address;
          if (hit) {
            const copy = Buffer.from(data);
            setImmediate(() => !other.closed && other.opts.onMessage(copy, from));
          }
        }
      },
      close: async () => {
        ep.closed = true;
        this.endpoints.delete(ep);
      },
    };
  }

  /** Open endpoints (for assertions). */
  get open_(): string[] {
    return [...this.endpoints].map((e) => `${e.opts.address}:${e.opts.port}${e.opts.multicast ? '+mc' : ''}`);
  }
}
