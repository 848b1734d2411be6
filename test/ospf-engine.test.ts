// The OSPF engine end to end on a fake clock and in-memory networks: adjacencies and the DR
// election, database synchronisation, routes, link failures, authentication, MTU checks,
// redistribution, restarts, aging and flushing.
import test from 'ava';
import { IfState } from '../examples/ospf/interface.js';
import { NeighborState } from '../examples/ospf/neighbor.js';
import { Lab, allFull, lsdbText, routeSet, type Node } from './ospf/harness.js';
import { ipChecksum } from '../examples/ospf/checksum.js';

test('two routers on a LAN: Full, the higher priority is DR, identical databases, each other\'s stub networks in RTM', async (t) => {
  const lab = new Lab();
  const a = lab.router('a', '1.1.1.1');
  const b = lab.router('b', '2.2.2.2');
  await lab.iface(a, 1, '10.0.0.1/24', { priority: 10 });
  await lab.iface(a, 2, '10.1.0.1/24', { passive: true, cost: 5 });
  await lab.iface(b, 7, '10.0.0.2/24', { priority: 1 });
  await lab.iface(b, 8, '10.2.0.1/24', { passive: true, cost: 3 });
  const took = await lab.until(() => allFull(a, 1) && allFull(b, 1), 20_000);
  t.true(took >= 4000, `Full after the wait timer (${took} ms)`);
  await lab.run(3000);
  await lab.settle();
  const ia = a.engine.interfaceList()[0]!;
  const ib = b.engine.interfaceList()[0]!;
  t.is(ia.state, IfState.DR);
  t.is(ib.state, IfState.Backup);
  t.deepEqual(lsdbText(a), lsdbText(b));
  t.is(lsdbText(a).length, 3, 'two router-LSAs and the DR\'s network-LSA');
  t.deepEqual(routeSet(a.routes.list()), ['10.2.0.0/24 m13 via 10.0.0.2 if1']);
  t.deepEqual(routeSet(b.routes.list()), ['10.1.0.0/24 m15 via 10.0.0.1 if7']);
});

test('three routers on a LAN: DR and BDR where the priorities say, the two DROthers stay 2-Way, all routes', async (t) => {
  const lab = new Lab();
  const [a, b, c, d] = (await lab.lan([0, 20, 10, 1])) as [Node, Node, Node, Node];
  for (const [n, i] of [[a, 2], [b, 2], [c, 2], [d, 2]] as const) await lab.iface(n, i, `10.${n.routerId[0]}0.0.1/24`, { passive: true });
  await lab.until(() => a.engine.neighborList().filter((n) => n.state === NeighborState.Full).length === 2 &&
    d.engine.neighborList().filter((n) => n.state === NeighborState.Full).length === 2 && allFull(b, 3) && allFull(c, 3), 30_000);
  await lab.run(4000);
  await lab.settle();
  const state = (n: typeof a) => n.engine.interfaceList()[0]!.state;
  t.is(state(b), IfState.DR);
  t.is(state(c), IfState.Backup);
  t.is(state(a), IfState.DROther);
  t.is(state(d), IfState.DROther);
  const aToD = a.engine.neighborList().find((n) => n.routerId === 0x04040404)!;
  t.is(aToD.state, NeighborState.TwoWay, 'DROthers do not form an adjacency');
  for (const n of [b, c, d]) t.deepEqual(lsdbText(n), lsdbText(a));
  t.deepEqual(routeSet(a.routes.list()), ['10.20.0.0/24 m20 via 10.0.0.2 if1', '10.30.0.0/24 m20 via 10.0.0.3 if1', '10.40.0.0/24 m20 via 10.0.0.4 if1']);
});

/** a —p2p— b —p2p— c, plus a second path a —p2p— d —p2p— c of the same cost; c has a stub. */
async function square(lab: Lab) {
  const a = lab.router('a', '1.1.1.1');
  const b = lab.router('b', '2.2.2.2');
  const c = lab.router('c', '3.3.3.3');
  const d = lab.router('d', '4.4.4.4');
  await lab.iface(a, 1, '10.12.0.1/30', { networkType: 'pointToPoint' });
  await lab.iface(b, 1, '10.12.0.2/30', { networkType: 'pointToPoint' });
  await lab.iface(b, 2, '10.23.0.1/30', { networkType: 'pointToPoint' });
  await lab.iface(c, 1, '10.23.0.2/30', { networkType: 'pointToPoint' });
  await lab.iface(a, 3, '10.14.0.1/30', { networkType: 'pointToPoint' });
  await lab.iface(d, 1, '10.14.0.2/30', { networkType: 'pointToPoint' });
  await lab.iface(d, 2, '10.43.0.1/30', { networkType: 'pointToPoint' });
  await lab.iface(c, 2, '10.43.0.2/30', { networkType: 'pointToPoint' });
  await lab.iface(c, 9, '10.99.0.1/24', { passive: true, cost: 1 });
  return { a, b, c, d };
}

test('point-to-point links: Full without a DR; equal-cost paths both go into RTM', async (t) => {
  const lab = new Lab();
  const { a, b, c, d } = await square(lab);
  const took = await lab.until(() => allFull(a, 2) && allFull(b, 2) && allFull(c, 2) && allFull(d, 2), 10_000);
  t.true(took < 4000, `no wait timer on point-to-point links (${took} ms)`);
  await lab.run(3000);
  await lab.settle();
  t.is(a.engine.interfaceList()[0]!.state, IfState.PointToPoint);
  const to99 = routeSet(a.routes.list()).filter((r) => r.startsWith('10.99.0.0/24'));
  t.deepEqual(to99, ['10.99.0.0/24 m21 via 10.12.0.2 if1', '10.99.0.0/24 m21 via 10.14.0.2 if3']);
  t.deepEqual(routeSet(a.routes.list()).filter((r) => r.startsWith('10.23.0.0')), ['10.23.0.0/30 m20 via 10.12.0.2 if1']);
});

test('a silent link cut: routes move within RouterDeadInterval plus the SPF delay; a hang-up RRAS reports moves them at once', async (t) => {
  const lab = new Lab();
  const { a, b } = await square(lab);
  await lab.until(() => allFull(a, 2) && allFull(b, 2), 10_000);
  await lab.run(3000);
  await lab.settle();
  lab.net.cut('10.12.0.2'); // b's side of the a—b link goes silent
  const moved = await lab.until(() => {
    const r = routeSet(a.routes.list()).filter((x) => x.startsWith('10.99.0.0/24'));
    return r.length === 1 && r[0] === '10.99.0.0/24 m21 via 10.14.0.2 if3';
  }, 20_000);
  const bound = 4000 + 100 + 1000 + 200; // dead interval + SPF delay (+ a hello period and delivery steps)
  t.log(`converged ${moved} ms after the cut`);
  t.true(moved <= bound, `a converged ${moved} ms after the cut (bound ${bound})`);
  lab.net.mend('10.12.0.2');
  await lab.until(() => allFull(a, 2), 20_000);
  await lab.run(7000);
  await lab.settle();
  t.is(routeSet(a.routes.list()).filter((x) => x.startsWith('10.99.0.0/24')).length, 2, 'both paths again');
  // RRAS hangs up the demand-dial link a—d: the adjacency goes at once, no dead interval.
  const t0 = lab.clock.now();
  await lab.down(a, 3);
  await lab.until(() => routeSet(a.routes.list()).filter((x) => x.startsWith('10.99.0.0/24')).length === 1, 5_000);
  t.true(lab.clock.now() - t0 <= 1100, `routes moved ${lab.clock.now() - t0} ms after the interface went down`);
});

test('MTU check: a neighbour whose DBDs carry a larger MTU is refused and counted; both stay in ExStart; mtuIgnore accepts it', async (t) => {
  const lab = new Lab();
  const a = lab.router('a', '1.1.1.1');
  const b = lab.router('b', '2.2.2.2');
  await lab.iface(a, 1, '10.0.0.1/30', { networkType: 'pointToPoint', mtu: 1400 });
  await lab.iface(b, 1, '10.0.0.2/30', { networkType: 'pointToPoint', mtu: 1500 });
  await lab.run(8000);
  const na = a.engine.neighborList()[0]!;
  const nb = b.engine.neighborList()[0]!;
  t.is(na.state, NeighborState.ExStart);
  t.true(nb.state <= NeighborState.ExStart, 'b never gets an answer to its negotiation');
  t.true(a.engine.interfaceList()[0]!.stats.drops.mtu > 0);
  t.true(a.log.some((l) => /MTU 1500, ours is 1400/.test(l)), 'a log line names both MTUs');
  a.engine.setInterfaceConfig(1, { ...a.engine.interfaceList()[0]!.config, mtuIgnore: true });
  await lab.until(() => allFull(a, 1) && allFull(b, 1), 20_000);
  t.pass();
});

async function pair(lab: Lab, authA: object, authB: object) {
  const a = lab.router('a', '1.1.1.1');
  const b = lab.router('b', '2.2.2.2');
  await lab.iface(a, 1, '10.0.0.1/30', { networkType: 'pointToPoint', ...authA });
  await lab.iface(b, 1, '10.0.0.2/30', { networkType: 'pointToPoint', ...authB });
  return { a, b };
}

const md5 = (keyId: number, key: string) => ({ auth: 'md5', keys: [{ keyId, key: Buffer.from(key) }] });

test('MD5: the same key forms the adjacency; a wrong key or an unknown key id is refused and counted', async (t) => {
  {
    const lab = new Lab();
    const { a, b } = await pair(lab, md5(1, 'secret'), md5(1, 'secret'));
    await lab.until(() => allFull(a, 1) && allFull(b, 1), 10_000);
    t.is(a.engine.interfaceList()[0]!.stats.drops.authKey, 0);
  }
  {
    const lab = new Lab();
    const { a, b } = await pair(lab, md5(1, 'secret'), md5(1, 'Secret'));
    await lab.run(6000);
    t.is(a.engine.neighborList().length, 0, 'no neighbour at all');
    t.true(a.engine.interfaceList()[0]!.stats.drops.authKey >= 5);
    t.true(b.engine.interfaceList()[0]!.stats.drops.authKey >= 5);
    t.true(a.log.some((l) => /authentication failed: wrong digest \(key id 1\)/.test(l)));
  }
  {
    const lab = new Lab();
    const { a } = await pair(lab, md5(1, 'secret'), md5(2, 'secret'));
    await lab.run(3000);
    t.true(a.log.some((l) => /unknown key id 2/.test(l)));
  }
  {
    const lab = new Lab();
    const { a } = await pair(lab, md5(1, 'secret'), { auth: 'none' });
    await lab.run(3000);
    t.true(a.engine.interfaceList()[0]!.stats.drops.authType > 0, 'null authentication on an MD5 interface');
  }
});

test('MD5 sequence numbers: a replayed (lower) number is refused, an equal one accepted', async (t) => {
  const lab = new Lab();
  const { a, b } = await pair(lab, md5(1, 'k'), md5(1, 'k'));
  lab.net.record = true;
  await lab.until(() => allFull(a, 1) && allFull(b, 1), 10_000);
  const fromB = lab.net.sent.filter((s) => s.from === '10.0.0.2');
  const old = fromB[0]!;
  const last = fromB[fromB.length - 1]!;
  const ia = a.engine.interfaceList()[0]!;
  const before = ia.stats.drops.authSequence;
  ia.receive(old.data, '10.0.0.2', '224.0.0.5');
  t.is(ia.stats.drops.authSequence, before + 1, 'the replay is dropped');
  ia.receive(last.data, '10.0.0.2', '224.0.0.5');
  t.is(ia.stats.drops.authSequence, before + 1, 'the same number again is fine (BIRD repeats them)');
});

test('simple password: right one accepted, wrong one refused', async (t) => {
  const pw = (p: string) => ({ auth: 'simple', keys: [{ keyId: 0, key: Buffer.from(p) }] });
  const lab = new Lab();
  const { a, b } = await pair(lab, pw('letmein'), pw('letmein'));
  await lab.until(() => allFull(a, 1) && allFull(b, 1), 10_000);
  const lab2 = new Lab();
  const x = await pair(lab2, pw('letmein'), pw('letmeout'));
  await lab2.run(4000);
  t.true(x.a.engine.interfaceList()[0]!.stats.drops.authKey > 0);
  t.is(x.a.engine.neighborList().length, 0);
});

const best = (destination: string, prefixLength: number, owner: number, metric = 1) =>
  ({ destination, prefixLength, owner, nextHop: '192.0.2.9', interfaceIndex: 9, metric, preference: 1, withdrawn: false });

test('redistribution: chosen protocols\' best routes become AS-external-LSAs with metric type, metric and tag; withdrawals flush them', async (t) => {
  const lab = new Lab();
  const a = lab.router('a', '1.1.1.1', {
    redistribute: [{ protocolId: 10006, metricType: 'type1', metric: 7, tag: 42 }, { protocolId: 8, metricType: 'type2', metric: 0, tag: 0 }],
  });
  const b = lab.router('b', '2.2.2.2');
  await lab.iface(a, 1, '10.0.0.1/30', { networkType: 'pointToPoint' });
  await lab.iface(b, 1, '10.0.0.2/30', { networkType: 'pointToPoint' });
  a.routes.injectBest([best('172.16.0.0', 16, 10006), best('172.17.0.0', 16, 8, 4), best('172.18.0.0', 16, 13 /* not chosen */)]);
  await lab.until(() => allFull(a, 1) && allFull(b, 1), 10_000);
  await lab.run(3000);
  await lab.settle();
  t.deepEqual(routeSet(b.routes.list()), [
    '172.16.0.0/16 m17 via 10.0.0.1 if1', // type 1: cost to a (10) + 7
    '172.17.0.0/16 m4 via 10.0.0.1 if1', // type 2: the RTM metric (metric 0 = take it), compared on its own
  ]);
  const ext = b.engine.lsdb.ofType(5).map((e) => e.lsa.body);
  t.deepEqual(ext.map((x) => x.kind === 'external' && [x.type2, x.metric, x.tag]).sort(), [[false, 7, 42], [true, 4, 0]]);
  const router = a.engine.lsdb.lookup(1, 0x01010101, 0x01010101)!.lsa.body;
  t.true(router.kind === 'router' && (router.flags & 2) !== 0, 'the E bit: a is an AS boundary router');
  a.routes.injectBest([{ ...best('172.16.0.0', 16, 0), withdrawn: true }]);
  await lab.run(3000);
  await lab.settle();
  t.deepEqual(routeSet(b.routes.list()), ['172.17.0.0/16 m4 via 10.0.0.1 if1']);
  t.is(b.engine.lsdb.ofType(5).filter((e) => b.engine.lsdb.ageOf(e) < 3600).length, 1, 'the withdrawn one is flushed');
});

test('appendix E: 10.0.0.0/8 and 10.0.0.0/16 get distinct link state ids, and both are routed', async (t) => {
  const lab = new Lab();
  const a = lab.router('a', '1.1.1.1', { redistribute: [{ protocolId: 10006 }] });
  const b = lab.router('b', '2.2.2.2');
  await lab.iface(a, 1, '192.168.0.1/30', { networkType: 'pointToPoint' });
  await lab.iface(b, 1, '192.168.0.2/30', { networkType: 'pointToPoint' });
  a.routes.injectBest([best('10.0.0.0', 16, 10006)]);
  await lab.until(() => allFull(a, 1), 10_000);
  await lab.run(2000);
  a.routes.injectBest([best('10.0.0.0', 8, 10006)]);
  await lab.run(8000);
  await lab.settle();
  const ids = b.engine.lsdb.ofType(5).filter((e) => b.engine.lsdb.ageOf(e) < 3600).map((e) => [e.lsa.header.id >>> 0, e.lsa.body.kind === 'external' ? e.lsa.body.mask >>> 0 : 0]).sort();
  t.deepEqual(ids, [[0x0a000000, 0xff000000], [0x0a00ffff, 0xffff0000]]);
  t.deepEqual(routeSet(b.routes.list()).map((r) => r.split(' ')[0]), ['10.0.0.0/16', '10.0.0.0/8']);
});

test('restart: a router that comes back continues above the sequence numbers its neighbours remember', async (t) => {
  const lab = new Lab();
  const a = lab.router('a', '1.1.1.1');
  const b = lab.router('b', '2.2.2.2');
  await lab.iface(a, 1, '10.0.0.1/30', { networkType: 'pointToPoint' });
  await lab.iface(b, 1, '10.0.0.2/30', { networkType: 'pointToPoint' });
  await lab.until(() => allFull(a, 1) && allFull(b, 1), 10_000);
  // Bump a's router-LSA a few times (its link flaps through config changes).
  for (let i = 0; i < 3; i++) {
    a.engine.setInterfaceConfig(1, { ...a.engine.interfaceList()[0]!.config, cost: 20 + i });
    await lab.run(1500);
  }
  const seqBefore = b.engine.lsdb.lookup(1, 0x01010101, 0x01010101)!.lsa.header.sequence;
  t.true(seqBefore > -0x7fffffff + 2);
  // a dies silently; a new a with the same router id starts from scratch.
  lab.net.cut('10.0.0.1');
  await lab.run(500);
  a.engine.interfaceList()[0]!.down('test');
  lab.net.mend('10.0.0.1');
  const a2 = lab.router('a2', '1.1.1.1');
  await lab.iface(a2, 1, '10.0.0.1/30', { networkType: 'pointToPoint' });
  await lab.until(() => allFull(a2, 1) && allFull(b, 1), 20_000);
  await lab.run(3000);
  const seqAfter = b.engine.lsdb.lookup(1, 0x01010101, 0x01010101)!.lsa.header.sequence;
  t.true(seqAfter > seqBefore, `b holds a's new router-LSA (0x${(seqAfter >>> 0).toString(16)} > 0x${(seqBefore >>> 0).toString(16)})`);
  t.deepEqual(lsdbText(a2), lsdbText(b));
  t.true(a2.log.some((l) => /received our own LSA type 1/.test(l)));
});

test('a planned stop flushes our LSAs and says goodbye: the neighbour drops us at once, not after the dead interval', async (t) => {
  const lab = new Lab();
  const a = lab.router('a', '1.1.1.1');
  const b = lab.router('b', '2.2.2.2');
  await lab.iface(a, 1, '10.0.0.1/24', { priority: 2 });
  await lab.iface(a, 2, '10.9.0.1/24', { passive: true });
  await lab.iface(b, 1, '10.0.0.2/24', { priority: 1 });
  await lab.until(() => allFull(a, 1) && allFull(b, 1), 20_000);
  await lab.run(3000);
  await lab.settle();
  t.is(b.routes.list().length, 1);
  await a.engine.stop(0);
  const t0 = lab.clock.now();
  await lab.until(() => b.engine.neighborList().every((n) => n.state < NeighborState.TwoWay), 3000);
  t.true(lab.clock.now() - t0 < 500, 'b dropped the adjacency on the goodbye Hello');
  await lab.run(1000);
  await lab.settle();
  t.deepEqual(b.routes.list(), []);
  t.true(b.engine.lsdb.ofType(1).filter((e) => e.lsa.header.advertisingRouter === 0x01010101).every((e) => b.engine.lsdb.ageOf(e) >= 3600), 'a\'s router-LSA is flushed');
});

test('LSAs are refreshed at LSRefreshTime, and others\' LSAs age out and are removed at MaxAge', async (t) => {
  const lab = new Lab();
  const a = lab.router('a', '1.1.1.1', { lsRefreshS: 60 });
  const b = lab.router('b', '2.2.2.2', { lsRefreshS: 60 });
  await lab.iface(a, 1, '10.0.0.1/30', { networkType: 'pointToPoint' });
  await lab.iface(b, 1, '10.0.0.2/30', { networkType: 'pointToPoint' });
  await lab.until(() => allFull(a, 1) && allFull(b, 1), 10_000);
  await lab.run(2000);
  const seq = () => b.engine.lsdb.lookup(1, 0x01010101, 0x01010101)!.lsa.header.sequence;
  const s0 = seq();
  await lab.run(62_000, 500);
  t.is(seq(), s0 + 1, 'refreshed once at 60 s');
  t.true(a.engine.originator.stats.refreshed >= 1);
  // b stops refreshing (its router dies with the link up, a keeps b's LSAs): they age out.
  lab.net.cut('10.0.0.2');
  await lab.run(3_700_000, 10_000);
  t.is(a.engine.lsdb.ofType(1).filter((e) => e.lsa.header.advertisingRouter === 0x02020202).length, 0, 'b\'s router-LSA reached MaxAge and was removed');
  t.true(a.engine.stats.maxAgeRemovals >= 1);
});

test('DR failure: the BDR takes over, originates the network-LSA, and the DROther forms its new adjacency', async (t) => {
  const lab = new Lab();
  const [a, b, c] = (await lab.lan([30, 20, 0])) as [Node, Node, Node];
  await lab.iface(c, 2, '10.3.0.1/24', { passive: true });
  await lab.until(() => allFull(a, 2) && allFull(b, 2) && allFull(c, 2), 20_000);
  t.is(a.engine.interfaceList()[0]!.state, IfState.DR);
  lab.net.cut('10.0.0.1');
  await lab.until(() => b.engine.interfaceList()[0]!.state === IfState.DR && allFull(b, 1) && c.engine.neighborList().filter((n) => n.state === NeighborState.Full).length === 1, 20_000);
  await lab.run(6000);
  await lab.settle();
  const net = b.engine.lsdb.lookup(2, 0x0a000002, 0x02020202);
  t.truthy(net, 'b originates a network-LSA with its address as the link state id');
  t.deepEqual(net!.lsa.body.kind === 'network' && net!.lsa.body.routers.map((r) => r >>> 0).sort(), [0x02020202, 0x03030303]);
  t.deepEqual(routeSet(b.routes.list()), ['10.3.0.0/24 m20 via 10.0.0.3 if1']);
});

test('only the difference of each SPF run reaches RTM, in one add and one delete batch', async (t) => {
  const lab = new Lab();
  const a = lab.router('a', '1.1.1.1');
  const b = lab.router('b', '2.2.2.2', { redistribute: [{ protocolId: 10006 }] });
  await lab.iface(a, 1, '10.0.0.1/30', { networkType: 'pointToPoint' });
  await lab.iface(b, 1, '10.0.0.2/30', { networkType: 'pointToPoint' });
  b.routes.injectBest(Array.from({ length: 50 }, (_, i) => best(`172.20.${i}.0`, 24, 10006)));
  await lab.until(() => allFull(a, 1), 10_000);
  await lab.run(3000);
  await lab.settle();
  t.is(a.routes.list().length, 50);
  a.routes.calls.length = 0;
  b.routes.injectBest([{ ...best('172.20.7.0', 24, 0), withdrawn: true }, best('172.30.0.0', 16, 10006)]);
  await lab.run(6000);
  await lab.settle();
  const adds = a.routes.calls.filter((c) => c[0] === 'add').flatMap((c) => c[1] as { destination: string }[]);
  const deletes = a.routes.calls.filter((c) => c[0] === 'delete').flatMap((c) => c[1] as { destination: string }[]);
  t.deepEqual(adds.map((r) => r.destination), ['172.30.0.0']);
  t.deepEqual(deletes.map((r) => r.destination), ['172.20.7.0']);
  t.is(a.routes.list().length, 50);
});

test('SPF throttling: a burst of changes costs a few runs, not one per LSA', async (t) => {
  const lab = new Lab();
  const a = lab.router('a', '1.1.1.1', { spfDelayMs: 200, spfHoldMs: 1000, spfMaxHoldMs: 8000 });
  const b = lab.router('b', '2.2.2.2', { redistribute: [{ protocolId: 10006 }], minLsIntervalMs: 1000 });
  await lab.iface(a, 1, '10.0.0.1/30', { networkType: 'pointToPoint' });
  await lab.iface(b, 1, '10.0.0.2/30', { networkType: 'pointToPoint' });
  await lab.until(() => allFull(a, 1), 10_000);
  await lab.run(5000);
  const runs0 = a.engine.stats.spfRuns;
  // 20 rounds of churn, each 300 ms apart, each changing 5 externals.
  for (let k = 0; k < 20; k++) {
    b.routes.injectBest(Array.from({ length: 5 }, (_, i) => best(`172.21.${k * 5 + i}.0`, 24, 10006)));
    await lab.run(300);
  }
  await lab.run(20_000);
  await lab.settle();
  const runs = a.engine.stats.spfRuns - runs0;
  t.log(`${runs} SPF runs for 100 LSAs in 20 bursts over 6 s: ${a.engine.spfHistory.slice(-runs).map((r) => `${r.at}`).join(' ')}`);
  t.true(runs <= 8, `${runs} runs`);
  t.is(a.routes.list().length, 100, 'and the last run has them all');
});

test('1,000 externals: flooded packed into few Link State Updates, and all routed', async (t) => {
  const lab = new Lab();
  const a = lab.router('a', '1.1.1.1');
  const b = lab.router('b', '2.2.2.2', { redistribute: [{ protocolId: 10006 }] });
  await lab.iface(a, 1, '10.0.0.1/30', { networkType: 'pointToPoint' });
  await lab.iface(b, 1, '10.0.0.2/30', { networkType: 'pointToPoint' });
  await lab.until(() => allFull(a, 1), 10_000);
  await lab.run(3000);
  const lsus0 = b.engine.interfaceList()[0]!.stats.sent.lsu;
  b.routes.injectBest(Array.from({ length: 1000 }, (_, i) => best(`10.${200 + (i >> 8)}.${i & 255}.0`, 24, 10006)));
  await lab.until(() => a.routes.list().length === 1000, 20_000);
  const lsus = b.engine.interfaceList()[0]!.stats.sent.lsu - lsus0;
  t.log(`${lsus} LSUs for 1000 LSAs (36 bytes each)`);
  t.true(lsus <= 40, `${lsus} packets`);
  await lab.run(5000);
  t.is(b.engine.neighborList()[0]!.retransmitList.size, 0, 'all acknowledged');
});

test('malformed packets never throw: each is dropped with a counter (and the adjacency is unharmed)', async (t) => {
  const lab = new Lab();
  const { a, b } = await pair(lab, {}, {});
  lab.net.record = true; // every kind of packet b sends on the way to Full
  await lab.until(() => allFull(a, 1) && allFull(b, 1), 10_000);
  const i = a.engine.interfaceList()[0]!;
  await lab.run(3000);
  const real = lab.net.sent.filter((s) => s.from === '10.0.0.2').map((s) => s.data);
  let rnd = 12345;
  const next = () => (rnd = (rnd * 1103515245 + 12345) & 0x7fffffff);
  for (let n = 0; n < 3000; n++) {
    const base = Buffer.from(real[n % real.length]!);
    const junk = n % 3 === 0 ? Buffer.from(Buffer.alloc(next() % 120).map(() => next() & 255)) : base;
    // Flip a few bytes, or cut it short; every other real one gets its checksum fixed, so the
    // damage reaches the body, LSA and state checks instead of stopping at the checksum.
    const from = n % 2 ? 24 : 0;
    for (let k = 0; k < 1 + (n % 4); k++) if (junk.length > from) junk[from + (next() % (junk.length - from))] = next() & 255;
    if (junk !== base || n % 2 === 0) {
      // as damaged
    } else if (junk.length >= 24) {
      junk.writeUInt16BE(0, 12);
      junk.writeUInt16BE(ipChecksum(junk.subarray(0, Math.min(junk.length, junk.readUInt16BE(2))), { from: 16, to: 24 }), 12);
    }
    const cut = n % 5 === 0 ? junk.subarray(0, next() % (junk.length + 1)) : junk;
    t.notThrows(() => i.receive(cut, '10.0.0.2', n % 2 ? '224.0.0.5' : '10.0.0.1'));
  }
  const drops = Object.entries(i.stats.drops).filter(([, v]) => v > 0);
  t.log(drops.map(([k, v]) => `${k} ${v}`).join(', '));
  t.is(i.stats.drops.internal, 0, 'no bug reached: every drop has a reason');
  t.true(i.stats.drops.checksum > 100);
  t.true(a.log.some((l) => /dropped a packet from 10\.0\.0\.2 \(checksum\)/.test(l)), 'a log line names the reason');
  t.true(a.log.filter((l) => /\(checksum\)/.test(l)).length <= 6, 'rate-limited: not one line per packet');
  await lab.run(6000);
  t.true(allFull(a, 1) && allFull(b, 1), 'still Full');
});

test('a socket that cannot open yet (the system lacks the address RRAS reported) is tried again until it opens', async (t) => {
  const lab = new Lab();
  const a = lab.router('a', '1.1.1.1');
  const b = lab.router('b', '2.2.2.2');
  await lab.iface(b, 1, '10.0.0.2/30', { networkType: 'pointToPoint' });
  const { InterfaceConfig } = await import('../examples/ospf/config.js');
  a.engine.addInterface({ index: 1, name: 'late', demandDial: false }, InterfaceConfig.validate({ networkType: 'pointToPoint', helloIntervalS: 1, deadIntervalS: 4, retransmitIntervalS: 2 }));
  await lab.up(a, 1, '10.0.0.1/30'); // MemoryNetwork refuses: 10.0.0.1 is not attached yet
  t.is(a.engine.interfaceList()[0]!.state, IfState.Down);
  t.true(a.log.some((l) => /cannot open the OSPF socket on 10\.0\.0\.1/.test(l)));
  lab.net.attach('10.0.0.1', 30);
  await lab.until(() => allFull(a, 1) && allFull(b, 1), 20_000);
  t.pass();
});
