// How OSPF packets reach the wire: a Transport opens one Endpoint per interface address.
// RawIpTransport uses rras-bridge's raw IP sockets (openRawIpSocket: IP protocol 89, TTL 1,
// TOS 0xc0, bound to the interface); MemoryNetwork connects engines in memory for the unit
// tests (on the test's clock, so a whole network runs in fake time).
import { openRawIpSocket } from '../../lib/index.js';
import type { Clock } from '../distance-vector/timers.js';
import { ipToU32, sameSubnet } from '../rip/ip.js';
import { ALL_D_ROUTERS, ALL_SPF_ROUTERS, IPPROTO_OSPF, OSPF_TOS } from './constants.js';

export interface EndpointOptions {
  interfaceIndex: number;
  address: string;
  onPacket(data: Buffer, source: string, destination: string): void;
  onError(err: Error): void;
}

export interface Endpoint {
  /** The system's MTU of the interface (0 when unknown). */
  readonly mtu: number;
  send(data: Buffer, destination: string): void;
  join(group: string): void;
  leave(group: string): void;
  close(): void;
}

export interface Transport {
  open(opts: EndpointOptions): Promise<Endpoint>;
}

export class RawIpTransport implements Transport {
  async open(opts: EndpointOptions): Promise<Endpoint> {
    const s = openRawIpSocket({
      protocol: IPPROTO_OSPF,
      localAddress: opts.address,
      ttl: 1,
      tos: OSPF_TOS,
      onMessage: (m) => opts.onPacket(m.data, m.source, m.destination),
      onError: opts.onError,
    });
    return { mtu: s.mtu, send: (d, to) => s.send(d, to), join: (g) => s.join(g), leave: (g) => s.leave(g), close: () => s.close() };
  }
}

interface Attached {
  opts: EndpointOptions;
  prefixLength: number;
  groups: Set<string>;
  closed: boolean;
}

/**
 * Segments in memory: an endpoint is on the segment of its address's subnet (the prefix
 * length is given per address with `attach`). A datagram to a group reaches the other
 * endpoints of the segment that joined it; a unicast one the endpoint with that address.
 * Delivery is a timer of `latencyMs` on the clock. `cut` takes an address off the network.
 */
export class MemoryNetwork implements Transport {
  private readonly endpoints = new Set<Attached>();
  private readonly lengths = new Map<string, number>();
  private readonly cuts = new Set<string>();
  readonly sent: { from: string; to: string; data: Buffer }[] = [];
  record = false;
  /** Drops datagrams for which this returns true. */
  drop: (from: string, to: string, data: Buffer) => boolean = () => false;

  constructor(private readonly clock: Clock, private readonly latencyMs = 1, readonly mtu = 1500) {}

  /** Declares the prefix length of an address (which subnet, i.e. segment, it is on). */
  attach(address: string, prefixLength: number): void {
    this.lengths.set(address, prefixLength);
  }

  cut(address: string): void {
    this.cuts.add(address);
  }

  mend(address: string): void {
    this.cuts.delete(address);
  }

  async open(opts: EndpointOptions): Promise<Endpoint> {
    const prefixLength = this.lengths.get(opts.address);
    if (prefixLength === undefined) throw new Error(`MemoryNetwork: ${opts.address} is not attached`);
    const ep: Attached = { opts, prefixLength, groups: new Set(), closed: false };
    this.endpoints.add(ep);
    return {
      mtu: this.mtu,
      send: (data, to) => this.send(ep, data, to),
      join: (g) => void ep.groups.add(g),
      leave: (g) => void ep.groups.delete(g),
      close: () => {
        ep.closed = true;
        this.endpoints.delete(ep);
      },
    };
  }

  private send(from: Attached, data: Buffer, to: string): void {
    if (from.closed) throw new Error('endpoint closed');
    if (this.record) this.sent.push({ from: from.opts.address, to, data: Buffer.from(data) });
    const src = from.opts.address;
    if (this.cuts.has(src) || this.drop(src, to, data)) return;
    const group = to === ALL_SPF_ROUTERS || to === ALL_D_ROUTERS;
    for (const other of this.endpoints) {
      if (other === from || other.closed || this.cuts.has(other.opts.address)) continue;
      const onSegment = sameSubnet(ipToU32(src), ipToU32(other.opts.address), Math.min(from.prefixLength, other.prefixLength));
      if (!onSegment) continue;
      const hit = group ? other.groups.has(to) : other.opts.address === to;
      if (!hit) continue;
      const copy = Buffer.from(data);
      this.clock.setTimeout(() => {
        if (!other.closed && !this.cuts.has(other.opts.address)) other.opts.onPacket(copy, src, to);
      }, this.latencyMs);
    }
  }
}
