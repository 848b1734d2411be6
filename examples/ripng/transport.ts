// UDP over IPv6 for RIPng (RFC 2080 §2.5): everything goes out from port 521 and from the
// interface's link-local address, with hop limit 255, to ff02::9 or to a neighbour's
// link-local address, both scoped to the interface.
//
// One socket per port, bound to [::]: it joins ff02::9 on every interface RIPng runs on, and
// hands each datagram to the interface its source's zone names (Node reports a link-local
// source as 'fe80::1%eth0'). A source without a zone (a global or loopback address, i.e. a
// configured unicast peer) goes to every interface on that port: the engine decides. The zone
// of an interface is found from its link-local address among the host's interfaces (the
// interface name on POSIX, the numeric scope id on Windows).
//
// What Node's dgram cannot do: read the hop limit of a received datagram (IPV6_RECVHOPLIMIT),
// so the 255 check of RFC 2080 §2.4.2 is not made; the source must still be link-local.
import dgram from 'node:dgram';
import os from 'node:os';
import { canonicalIPv6 } from '../../lib/config/ipv6.js';
import type { Peer } from '../distance-vector/peer.js';
import { RIPNG_GROUP, RIPNG_HOP_LIMIT } from './packet.js';
import { SharedSocket, bindShared } from '../distance-vector/udp.js';

export type { Peer };

export interface EndpointOptions {
  interfaceIndex: number;
  /** The interface's link-local address (from its binding): the source of what is sent. */
  linkLocal: string;
  port: number;
  /** Join ff02::9 on the interface. */
  multicast: boolean;
  /** `from.address` carries the zone for link-local sources ('fe80::2%eth0'). */
  onMessage(data: Buffer, from: Peer): void;
  onError(err: Error): void;
}

export interface Endpoint {
  /** The zone that scopes this interface's link-local and multicast addresses. */
  readonly zone: string;
  /** `to.address` without a zone is scoped to this interface when it is link-local or ff02::9. */
  send(data: Buffer, to: Peer): Promise<void>;
  close(): Promise<void>;
}

export interface Transport {
  open(opts: EndpointOptions): Promise<Endpoint>;
}

export const zoneOf = (address: string) => (address.includes('%') ? address.slice(address.indexOf('%') + 1) : '');
export const withoutZone = (address: string) => address.split('%')[0]!;
const needsZone = (address: string) => /^fe[89ab]/i.test(address) || /^ff02:/i.test(address);

/** The zone of the interface holding `linkLocal`, from the host's interfaces. */
export function findZone(linkLocal: string): string | undefined {
  const want = canonicalIPv6(linkLocal);
  for (const [name, addrs] of Object.entries(os.networkInterfaces())) {
    for (const a of addrs ?? []) {
      if (a.family === 'IPv6' && canonicalIPv6(withoutZone(a.address)) === want) {
        return process.platform === 'win32' ? String(a.scopeid ?? '') : name;
      }
    }
  }
  return undefined;
}

/** One socket per port; members are the endpoints on it, by the zone of their interface. */
class PortSocket extends SharedSocket<string, EndpointOptions> {
  add(zone: string, opts: EndpointOptions): Promise<void> {
    if (this.members.has(zone)) throw new Error(`RIPng already runs on the interface of ${opts.linkLocal} (%${zone}) at port ${this.port}`);
    return this.admit(zone, opts, (s) => {
      if (opts.multicast) s.addMembership(RIPNG_GROUP, `::%${zone}`);
    });
  }

  remove(zone: string): void {
    this.release(zone, (s, m) => {
      if (m.multicast) s.dropMembership(RIPNG_GROUP, `::%${zone}`);
    });
  }

  send(data: Buffer, zone: string, to: Peer): Promise<void> {
    const address = needsZone(to.address) && !to.address.includes('%') ? `${to.address}%${zone}` : to.address;
    return new Promise((resolve, reject) => {
      if (!this.socket) return reject(new Error(`RIPng socket on port ${this.port} is closed`));
      this.socket.send(data, to.port, address, (err) => (err ? reject(err) : resolve()));
    });
  }

  protected async open(): Promise<void> {
    const s = dgram.createSocket({ type: 'udp6', reuseAddr: true, ipv6Only: true });
    this.socket = s;
    s.on('message', (data, rinfo) => {
      const from = { address: rinfo.address, port: rinfo.port };
      const zone = zoneOf(rinfo.address);
      if (zone) this.members.get(zone)?.onMessage(data, from);
      else for (const m of this.members.values()) m.onMessage(data, from);
    });
    s.on('error', (err) => {
      for (const m of this.members.values()) m.onError(err);
    });
    await bindShared(s, this.port, '::');
    s.setMulticastTTL(RIPNG_HOP_LIMIT);
    s.setTTL(RIPNG_HOP_LIMIT);
    s.setMulticastLoopback(false);
  }
}

export class Udp6Transport implements Transport {
  private readonly ports = new Map<number, PortSocket>();

  constructor(private readonly zoneFor: (linkLocal: string) => string | undefined = findZone) {}

  async open(opts: EndpointOptions): Promise<Endpoint> {
    const zone = this.zoneFor(opts.linkLocal);
    if (!zone) throw new Error(`no interface of this host has the link-local address ${opts.linkLocal}`);
    let p = this.ports.get(opts.port);
    if (!p) {
      p = new PortSocket(opts.port, () => this.ports.delete(opts.port));
      this.ports.set(opts.port, p);
    }
    const port = p;
    await port.add(zone, opts);
    let closed = false;
    return {
      zone,
      send: (data, to) => (closed ? Promise.reject(new Error(`RIPng endpoint %${zone} is closed`)) : port.send(data, zone, to)),
      close: async () => {
        if (closed) return;
        closed = true;
        port.remove(zone);
      },
    };
  }
}

// ---- in memory, for unit tests ----

/**
 * Links in memory: each endpoint's zone is its link's name (given per link-local address by
 * `linkOf`); a datagram to ff02::9 reaches every other multicast endpoint on the link and
 * port, one to a link-local address the endpoint that has it. Sources carry the zone, as
 * Node's do. Delivery is asynchronous (setImmediate). `sent` records everything.
 */
export class MemoryNetwork6 implements Transport {
  private readonly endpoints = new Set<{ opts: EndpointOptions; link: string; closed: boolean }>();
  readonly sent: { from: Peer; to: Peer; link: string; data: Buffer }[] = [];
  drop: (from: Peer, to: Peer, data: Buffer) => boolean = () => false;

  constructor(private readonly linkOf: (linkLocal: string) => string = () => 'lan') {}

  async open(opts: EndpointOptions): Promise<Endpoint> {
    const link = this.linkOf(opts.linkLocal);
    const ep = { opts, link, closed: false };
    this.endpoints.add(ep);
    return {
      zone: link,
      send: async (data, to) => {
        if (ep.closed) throw new Error('closed');
        const from = { address: `${canonicalIPv6(opts.linkLocal)}%${link}`, port: opts.port };
        this.sent.push({ from, to, link, data: Buffer.from(data) });
        if (this.drop(from, to, data)) return;
        const dest = canonicalIPv6(withoutZone(to.address));
        for (const other of this.endpoints) {
          if (other === ep || other.closed || other.link !== link || other.opts.port !== to.port) continue;
          const hit = dest === RIPNG_GROUP ? other.opts.multicast : canonicalIPv6(other.opts.linkLocal) === dest;
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
}
