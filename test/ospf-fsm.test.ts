// The interface and neighbour state machines (RFC 2328 9.3, 10.3) driven packet by packet:
// a scripted peer on the in-memory network sends exactly what a test needs and records what
// the engine answers, on the fake clock.
import test from 'ava';
import { ALL_SPF_ROUTERS, DD_I, DD_M, DD_MS, OPTION_E, PacketType } from '../examples/ospf/constants.js';
import { IfState } from '../examples/ospf/interface.js';
import { encodeLsa, type LsaHeader } from '../examples/ospf/lsa.js';
import { NeighborState } from '../examples/ospf/neighbor.js';
import { decodePacket, encodePacket, type OspfPacket, type PacketBody } from '../examples/ospf/packet.js';
import type { Endpoint } from '../examples/ospf/transport.js';
import { ipToU32 } from '../examples/rip/ip.js';
import { Lab, type Node } from './ospf/harness.js';

const US = ipToU32('1.1.1.1');
const PEER = ipToU32('9.9.9.9'); // higher than ours: the peer is master of the exchange

class Peer {
  readonly received: { to: string; packet: OspfPacket }[] = [];
  private endpoint!: Endpoint;
  constructor(readonly lab: Lab, readonly address: string, readonly routerId = PEER) {}
  async open(prefixLength: number): Promise<void> {
    this.lab.net.attach(this.address, prefixLength);
    this.endpoint = await this.lab.net.open({ interfaceIndex: 0, address: this.address, onPacket: (d, _f, to) => this.received.push({ to, packet: decodePacket(d) }), onError: () => undefined });
    this.endpoint.join(ALL_SPF_ROUTERS);
  }
  send(body: PacketBody, to = ALL_SPF_ROUTERS): void {
    this.endpoint.send(encodePacket(this.routerId, 0, body, { type: 'none' }), to);
  }
  hello(opts: { neighbors?: number[]; dr?: string; bdr?: string; priority?: number; mask?: number } = {}): void {
    this.send({
      type: PacketType.Hello, networkMask: opts.mask ?? 0xffffff00, helloInterval: 1, options: OPTION_E, priority: opts.priority ?? 1, deadInterval: 4,
      designatedRouter: ipToU32(opts.dr ?? '0.0.0.0'), backupDesignatedRouter: ipToU32(opts.bdr ?? '0.0.0.0'), neighbors: opts.neighbors ?? [],
    });
  }
  dbd(flags: number, sequence: number, headers: LsaHeader[] = [], mtu = 1500): void {
    this.send({ type: PacketType.DatabaseDescription, mtu, options: OPTION_E, flags, sequence, headers });
  }
  of<T extends PacketType>(type: T): (OspfPacket & { body: Extract<PacketBody, { type: T }> })[] {
    return this.received.filter((r) => r.packet.body.type === type).map((r) => r.packet) as never;
  }
  clear(): void {
    this.received.length = 0;
  }
  /** Hellos listing us every second from now on, as a live neighbour sends them. */
  keepAlive(): void {
    const tick = () => {
      this.hello({ neighbors: [US] });
      this.lab.clock.setTimeout(tick, 1000);
    };
    this.lab.clock.setTimeout(tick, 1000);
  }
}

async function setup(config: object = {}, cidr = '10.0.0.1/24'): Promise<{ lab: Lab; us: Node; peer: Peer }> {
  const lab = new Lab();
  const us = lab.router('us', '1.1.1.1');
  const peer = new Peer(lab, '10.0.0.2');
  await peer.open(24);
  await lab.iface(us, 1, cidr, config);
  return { lab, us, peer };
}

const neighbor = (us: Node) => us.engine.neighborList()[0]!;

test('interface: Waiting until the wait timer, then DR when alone; priority 0 is DROther at once', async (t) => {
  const { lab, us } = await setup();
  const i = us.engine.interfaceList()[0]!;
  t.is(i.state, IfState.Waiting);
  await lab.run(3900);
  t.is(i.state, IfState.Waiting);
  await lab.run(200);
  t.is(i.state, IfState.DR, 'after RouterDeadInterval with nobody else');
  const x = await setup({ priority: 0 });
  t.is(x.us.engine.interfaceList()[0]!.state, IfState.DROther);
});

test('interface: BackupSeen ends Waiting early; the elected DR is the one already declared', async (t) => {
  const { lab, us, peer } = await setup({ priority: 100 });
  peer.hello({ neighbors: [US], dr: '10.0.0.2', priority: 1 }); // a DR without BDR: BackupSeen
  await lab.run(100);
  const i = us.engine.interfaceList()[0]!;
  t.is(i.state, IfState.Backup, 'the DR is not pre-empted, even by a higher priority: we are BDR');
  t.is(i.designatedRouter, ipToU32('10.0.0.2'));
});

test('neighbour: Init on a Hello without us, 2-Way with us listed, back to Init on a one-way Hello, Down after the dead interval', async (t) => {
  const { lab, us, peer } = await setup({ priority: 0 }); // both DROther: no adjacency, so 2-Way holds
  peer.hello({ priority: 0 });
  await lab.run(50);
  t.is(neighbor(us)!.state, NeighborState.Init);
  peer.hello({ priority: 0, neighbors: [US] });
  await lab.run(50);
  t.is(neighbor(us)!.state, NeighborState.TwoWay);
  peer.hello({ priority: 0 });
  await lab.run(50);
  t.is(neighbor(us)!.state, NeighborState.Init, '1-WayReceived');
  await lab.run(4100);
  t.is(us.engine.neighborList().length, 0, 'InactivityTimer: Down, and forgotten');
});

test('Hellos that disagree are dropped and counted: mask, intervals', async (t) => {
  const { lab, us, peer } = await setup();
  peer.hello({ mask: 0xffff0000 });
  await lab.run(50);
  const drops = us.engine.interfaceList()[0]!.stats.drops;
  t.is(drops.networkMask, 1);
  t.is(us.engine.neighborList().length, 0);
  peer.send({ type: PacketType.Hello, networkMask: 0xffffff00, helloInterval: 10, options: OPTION_E, priority: 1, deadInterval: 40, designatedRouter: 0, backupDesignatedRouter: 0, neighbors: [] });
  await lab.run(50);
  t.is(drops.helloInterval, 1);
});

async function toExStart(config: object = {}) {
  const x = await setup({ networkType: 'pointToPoint', ...config }, '10.0.0.1/24');
  x.peer.hello({ neighbors: [US] });
  x.peer.keepAlive();
  await x.lab.run(50);
  return x;
}

test('database exchange as slave: our first DBD answers the master\'s sequence with MS clear; a duplicate gets the same answer again; a wrong sequence restarts the exchange', async (t) => {
  const { lab, us, peer } = await toExStart();
  t.is(neighbor(us)!.state, NeighborState.ExStart);
  const ours = peer.of(PacketType.DatabaseDescription);
  t.true(ours.length >= 1);
  t.is(ours[0]!.body.flags, DD_I | DD_M | DD_MS, 'we start as master, empty, I|M|MS');
  peer.clear();
  peer.dbd(DD_I | DD_M | DD_MS, 5000); // the real master (9.9.9.9 > 1.1.1.1)
  await lab.run(50);
  t.is(neighbor(us)!.state, NeighborState.Exchange);
  const answer = peer.of(PacketType.DatabaseDescription);
  t.is(answer.length, 1);
  t.is(answer[0]!.body.sequence, 5000);
  t.is(answer[0]!.body.flags & (DD_MS | DD_I), 0, 'slave: MS and I clear');
  t.true(answer[0]!.body.headers.length >= 1, 'our router-LSA listed');
  peer.clear();
  peer.dbd(DD_I | DD_M | DD_MS, 5000); // the master retransmits: a duplicate
  await lab.run(50);
  t.deepEqual(peer.of(PacketType.DatabaseDescription).map((p) => p.body.sequence), [5000], 'the same answer again');
  peer.dbd(DD_MS, 5007); // not 5001
  await lab.run(50);
  t.is(neighbor(us)!.state, NeighborState.ExStart, 'SeqNumberMismatch');
  t.is(neighbor(us)!.stats.exchangeRestarts, 1);
});

test('database exchange to Full: requests for what the master has, answers, Loading then Full, then a delayed acknowledgement of a flooded LSA', async (t) => {
  const { lab, us, peer } = await toExStart({ ackDelayMs: 300 });
  const peerLsa = encodeLsa({ age: 3, options: OPTION_E, type: 1, id: PEER, advertisingRouter: PEER, sequence: -0x7fffffff + 5 }, { kind: 'router', flags: 0, links: [] });
  peer.dbd(DD_I | DD_M | DD_MS, 100);
  await lab.run(20);
  peer.dbd(DD_MS, 101, [peerLsa.header]); // M clear: the master is done
  await lab.run(20);
  const slaveDbds = peer.of(PacketType.DatabaseDescription).filter((p) => p.body.sequence === 101);
  t.is(slaveDbds.length, 1);
  t.is(slaveDbds[0]!.body.flags & DD_M, 0, 'our list fits in one DBD: M clear, so the exchange is done');
  t.is(neighbor(us)!.state, NeighborState.Loading);
  const lsr = peer.of(PacketType.LinkStateRequest);
  t.is(lsr.length, 1);
  t.deepEqual(lsr[0]!.body.requests, [{ type: 1, id: PEER, advertisingRouter: PEER }]);
  peer.send({ type: PacketType.LinkStateUpdate, lsas: [peerLsa], rejected: [] });
  await lab.run(20);
  t.is(neighbor(us)!.state, NeighborState.Full, 'LoadingDone');
  t.truthy(us.engine.lsdb.lookup(1, PEER, PEER));
  const newer = encodeLsa({ ...peerLsa.header, age: 1, sequence: peerLsa.header.sequence + 1 }, { kind: 'router', flags: 0, links: [] });
  await lab.run(1100); // past MinLSArrival
  peer.clear();
  peer.send({ type: PacketType.LinkStateUpdate, lsas: [newer], rejected: [] });
  await lab.run(100);
  t.is(peer.of(PacketType.LinkStateAck).length, 0, 'not at once: delayed');
  await lab.run(400);
  const acks = peer.of(PacketType.LinkStateAck);
  t.is(acks.length, 1);
  t.is(acks[0]!.body.headers[0]!.sequence, newer.header.sequence);
  peer.clear();
  peer.send({ type: PacketType.LinkStateUpdate, lsas: [newer], rejected: [] }); // the same again: a direct ack
  await lab.run(20);
  t.is(peer.of(PacketType.LinkStateAck).length, 1);
});

test('a request for an LSA we do not have is BadLSReq: back to ExStart', async (t) => {
  const { lab, us, peer } = await toExStart();
  peer.dbd(DD_I | DD_M | DD_MS, 100);
  await lab.run(20);
  peer.dbd(DD_MS, 101);
  await lab.run(20);
  t.is(neighbor(us)!.state, NeighborState.Full);
  peer.send({ type: PacketType.LinkStateRequest, requests: [{ type: 1, id: 0x0a0a0a0a, advertisingRouter: 0x0a0a0a0a }] });
  await lab.run(20);
  t.is(neighbor(us)!.state, NeighborState.ExStart);
});

test('an unacknowledged LSA is retransmitted every RxmtInterval until acknowledged', async (t) => {
  const { lab, us, peer } = await toExStart({ retransmitIntervalS: 2 });
  peer.dbd(DD_I | DD_M | DD_MS, 100);
  await lab.run(20);
  peer.dbd(DD_MS, 101);
  await lab.run(200);
  t.is(neighbor(us)!.state, NeighborState.Full);
  peer.clear();
  await lab.run(5000);
  const updates = peer.of(PacketType.LinkStateUpdate);
  t.true(updates.length >= 2, `our new router-LSA sent, then again (${updates.length})`);
  const h = updates[0]!.body.lsas[0]!.header;
  peer.send({ type: PacketType.LinkStateAck, headers: [h] });
  await lab.run(50);
  peer.clear();
  await lab.run(5000);
  t.is(peer.of(PacketType.LinkStateUpdate).length, 0, 'acknowledged: no more retransmissions');
  t.is(neighbor(us)!.retransmitList.size, 0);
});
