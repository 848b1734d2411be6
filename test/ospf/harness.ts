// Unit-test harness for the OSPF engine: routers on a FakeClock joined by a MemoryNetwork,
// routes into MemoryRoutes. A whole network runs in fake time: no sockets, no RTM, no waits.
import { GlobalConfig, InterfaceConfig, type GlobalConfigInput, type InterfaceConfigInput } from '../../examples/ospf/config.js';
import { OspfRouter } from '../../examples/ospf/engine.js';
import { MemoryNetwork } from '../../examples/ospf/transport.js';
import { MemoryRoutes } from '../../examples/distance-vector/rtm.js';
import { MemorySequence } from '../../examples/rip/state.js';
import { FakeClock } from '../../examples/distance-vector/timers.js';
import { quietLog } from '../rip/harness.js';
import { NeighborState } from '../../examples/ospf/neighbor.js';

export interface Node {
  name: string;
  routerId: string;
  engine: OspfRouter;
  routes: MemoryRoutes;
  log: string[];
}

/** Fast timers for tests: hello 1 s, dead 4 s, retransmit 2 s. */
export const FAST_IF: InterfaceConfigInput = { helloIntervalS: 1, deadIntervalS: 4, retransmitIntervalS: 2, ackDelayMs: 200 };
export const FAST_GLOBAL: GlobalConfigInput = { spfDelayMs: 100, spfHoldMs: 500, spfMaxHoldMs: 4000, minLsIntervalMs: 1000 };

let seed = 1;
/** A deterministic generator (xorshift), so DD sequence numbers differ between routers. */
export function seededRandom(s = seed++): () => number {
  let x = (s * 2654435761) >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 0x100000000;
  };
}

export class Lab {
  readonly clock = new FakeClock({ random: seededRandom() });
  readonly net: MemoryNetwork;
  readonly nodes = new Map<string, Node>();

  constructor(latencyMs = 1, mtu = 1500) {
    this.net = new MemoryNetwork(this.clock, latencyMs, mtu);
  }

  router(name: string, routerId: string, global: GlobalConfigInput = {}, protocolId = 0x2b1d0003): Node {
    const routes = new MemoryRoutes();
    const log: string[] = [];
    const engine = new OspfRouter(
      { clock: this.clock, transport: this.net, routes, log: quietLog(log), sequence: new MemorySequence(1000), protocolId, hrtime: () => 0 },
      GlobalConfig.validate({ ...FAST_GLOBAL, ...global }),
    );
    engine.start(routerId);
    const n: Node = { name, routerId, engine, routes, log };
    this.nodes.set(name, n);
    return n;
  }

  /** Adds interface `index` to a router with `address/len`, brought up as RRAS would. */
  async iface(n: Node, index: number, cidr: string, config: InterfaceConfigInput = {}, opts: { demandDial?: boolean; remoteAddress?: string } = {}): Promise<void> {
    const [address, len] = cidr.split('/');
    this.net.attach(address!, Number(len));
    n.engine.addInterface({ index, name: `if${index}`, demandDial: opts.demandDial ?? false }, InterfaceConfig.validate({ ...FAST_IF, ...config }));
    await this.up(n, index, cidr, opts.remoteAddress);
  }

  /** Routers on one broadcast LAN 10.0.0.0/24 (router k at 10.0.0.k on interface 1), each with a priority. */
  async lan(priorities: number[]): Promise<Node[]> {
    const nodes: Node[] = [];
    for (const [k, priority] of priorities.entries()) {
      const n = this.router(String.fromCharCode(97 + k), `${k + 1}.${k + 1}.${k + 1}.${k + 1}`);
      await this.iface(n, 1, `10.0.0.${k + 1}/24`, { priority });
      nodes.push(n);
    }
    return nodes;
  }

  async up(n: Node, index: number, cidr: string, remoteAddress?: string): Promise<void> {
    const [address, len] = cidr.split('/');
    await n.engine.setInterfaceState(index, { operational: true, addresses: [{ address: address!, prefixLength: Number(len) }], remoteAddress: remoteAddress ?? null, mtu: 0 });
    await flush();
  }

  async down(n: Node, index: number): Promise<void> {
    await n.engine.setInterfaceState(index, { operational: false, addresses: [], remoteAddress: null, mtu: 0 });
    await flush();
  }

  /** Advances fake time in steps, letting promise chains (RTM batches, socket opens) run between. */
  async run(ms: number, step = 50): Promise<void> {
    for (let t = 0; t < ms; t += step) {
      this.clock.advance(Math.min(step, ms - t));
      await flush();
    }
  }

  /** Runs until `done` holds (checked each step) or `ms` passes; returns the time it took. */
  async until(done: () => boolean, ms: number, step = 50): Promise<number> {
    const start = this.clock.now();
    while (!done()) {
      if (this.clock.now() - start > ms) throw new Error(`not done within ${ms} ms of fake time`);
      this.clock.advance(step);
      await flush();
    }
    return this.clock.now() - start;
  }

  async settle(): Promise<void> {
    for (const n of this.nodes.values()) await n.engine.rtm.settle();
    await flush();
  }
}

export async function flush(rounds = 4): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((r) => setImmediate(r));
}

/** Every neighbour of every interface of n is Full. */
export function allFull(n: Node, count?: number): boolean {
  const ns = n.engine.neighborList();
  return (count === undefined || ns.length === count) && ns.length > 0 && ns.every((x) => x.state === NeighborState.Full);
}

/** The database as comparable text: type, id, advertising router, sequence, checksum. */
export function lsdbText(n: Node): string[] {
  const db = n.engine.lsdb;
  return [...db.all()].map((e) => {
    const h = db.header(e);
    return `${h.type} ${ip(h.id)} ${ip(h.advertisingRouter)} ${(h.sequence >>> 0).toString(16)} ${h.checksum.toString(16)}${h.age >= 3600 ? ' maxage' : ''}`;
  }).sort();
}

export const ip = (n: number) => `${(n >>> 24) & 255}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;

export const routeSet = (specs: { destination: string; prefixLength: number; metric: number; nextHop: string; interfaceIndex: number }[]) =>
  specs.map((r) => `${r.destination}/${r.prefixLength} m${r.metric} via ${r.nextHop} if${r.interfaceIndex}`).sort();
