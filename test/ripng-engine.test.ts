// The RIPng engine end to end on a fake clock and in-memory links: link-local sources and
// next hops, split horizon and poisoned reverse on the wire, triggered updates, tables larger
// than one datagram, the neighbour timeout, and the RFC 2091 autostatic update.
import test from 'ava';
import { ProtocolError } from '../lib/api/errors.js';
import { ERROR_CAN_NOT_COMPLETE } from '../lib/constants.js';
import { Command, decodePacket } from '../examples/ripng/packet.js';
import { FakeClock, MemoryNetwork6, addIf6, flush, makeNode6, run, type Node6 } from './ripng/harness.js';
import { REDISTRIBUTE_ANY } from '../examples/distance-vector/redistribute.js';

const rtm = (n: Node6) => n.routes.list().map((r) => `${r.destination}/${r.prefixLength} m${r.metric} via ${r.nextHop} if${r.interfaceIndex}`).sort();
const best = (destination: string, prefixLength: number, nextHop: string, interfaceIndex: number, metric = 1) =>
  ({ destination, prefixLength, owner: 10006, nextHop, interfaceIndex, metric, preference: 1, withdrawn: false });

async function pair(configA = {}, configB = {}) {
  const clock = new FakeClock();
  const net = new MemoryNetwork6();
  const a = makeNode6(clock, net, { redistribute: [REDISTRIBUTE_ANY] });
  const b = makeNode6(clock, net, { redistribute: [REDISTRIBUTE_ANY] });
  await addIf6(a, 1, 'fe80::a', [], configA);
  await addIf6(a, 2, 'fe80::1:a', [{ address: '2001:db8:a::1', prefixLength: 64 }], { mode: 'silent' });
  await addIf6(b, 5, 'fe80::b', [], configB);
  await addIf6(b, 6, 'fe80::1:b', [{ address: '2001:db8:b::1', prefixLength: 64 }], { mode: 'silent' });
  return { clock, net, a, b };
}

test('two routers learn each other\'s prefixes with metric +1 and the neighbour\'s link-local as next hop', async (t) => {
  const { clock, a, b } = await pair();
  await run(clock, 2000);
  await a.engine.rtm.settle();
  await b.engine.rtm.settle();
  t.deepEqual(rtm(b), ['2001:db8:a::/64 m2 via fe80::a if5']);
  t.deepEqual(rtm(a), ['2001:db8:b::/64 m2 via fe80::b if1']);
  t.deepEqual(a.engine.neighborList().map((n) => [n.interfaceIndex, n.address, n.routes]), [[1, 'fe80::b', 1]]);
});

test('poisoned reverse and simple split horizon on the wire', async (t) => {
  const { clock, net } = await pair();
  await run(clock, 35_000);
  const fromB = net.sent.filter((s) => s.from.address.startsWith('fe80::b%')).map((s) => decodePacket(s.data)).filter((p) => p.command === Command.Response);
  const back = fromB.flatMap((p) => p.routes).filter((r) => r.prefix === '2001:db8:a::');
  t.true(back.length > 0 && back.every((r) => r.metric === 16), 'B poisons A\'s prefix back to A');

  const s = await pair({}, { splitHorizon: 'simple' });
  await run(s.clock, 35_000);
  const simple = s.net.sent.filter((x) => x.from.address.startsWith('fe80::b%')).map((x) => decodePacket(x.data)).flatMap((p) => p.routes);
  t.false(simple.some((r) => r.prefix === '2001:db8:a::'), 'simple split horizon leaves it out');
});

test('a withdrawal upstream reaches the neighbour by a triggered update within the hold-down, not the timeout', async (t) => {
  const { clock, a, b } = await pair();
  a.routes.injectBest([best('2001:db8:77::', 48, 'fe80::1:99', 2)]);
  await run(clock, 3000);
  await b.engine.rtm.settle();
  t.true(rtm(b).includes('2001:db8:77::/48 m2 via fe80::a if5'));
  a.routes.injectBest([{ ...best('2001:db8:77::', 48, '::', 0), owner: 0, withdrawn: true }]);
  await run(clock, 6000);
  await b.engine.rtm.settle();
  t.false(rtm(b).some((r) => r.startsWith('2001:db8:77::')));
  t.true(b.engine.stats.routeChanges >= 2);
});

test('next-hop RTE: a redistributed route whose gateway is on the LAN is announced with that link-local as next hop', async (t) => {
  const { clock, net, a, b } = await pair();
  a.routes.injectBest([best('2001:db8:99::', 48, 'fe80::99', 1)]);
  await run(clock, 3000);
  await b.engine.rtm.settle();
  t.true(rtm(b).includes('2001:db8:99::/48 m2 via fe80::99 if5'), rtm(b).join());
  const withHop = net.sent.filter((s) => s.from.address.startsWith('fe80::a%')).map((s) => s.data).find((d) => d.includes(Buffer.from('fe800000000000000000000000000099', 'hex')));
  t.truthy(withHop, 'a next-hop RTE fe80::99 went out');
});

test('a table larger than one datagram: 200 routes in datagrams within the MTU, all learned; a smaller MTU means more datagrams', async (t) => {
  for (const mtu of [1500, 1280]) {
    const clock = new FakeClock();
    const net = new MemoryNetwork6();
    const a = makeNode6(clock, net, { redistribute: [REDISTRIBUTE_ANY] });
    const b = makeNode6(clock, net);
    await addIf6(a, 1, 'fe80::a', [], {}, mtu);
    await addIf6(b, 5, 'fe80::b', [], {}, mtu);
    a.routes.injectBest(Array.from({ length: 200 }, (_, k) => best(`2001:db8:${(k + 0x100).toString(16)}::`, 48, 'fe80::1:9', 9)));
    await run(clock, 35_000);
    await b.engine.rtm.settle();
    t.is(b.routes.list().length, 200, `MTU ${mtu}`);
    const sizes = net.sent.filter((s) => s.from.address.startsWith('fe80::a%') && s.data[0] === Command.Response).map((s) => s.data.length);
    t.true(Math.max(...sizes) <= mtu - 48, `largest ${Math.max(...sizes)} bytes at MTU ${mtu}`);
    t.is(Math.max(...sizes), 4 + 20 * (mtu === 1500 ? 72 : 61), 'full datagrams');
  }
});

test('Responses from a global source or another port are dropped and counted; a query from another port is answered there', async (t) => {
  const clock = new FakeClock();
  const net = new MemoryNetwork6();
  const b = makeNode6(clock, net);
  await addIf6(b, 5, 'fe80::b', [{ address: '2001:db8:b::1', prefixLength: 64 }]);
  const got: Buffer[] = [];
  const rogue = await net.open({ interfaceIndex: 1, linkLocal: '2001:db8:b::66', port: 521, multicast: true, onMessage: () => {}, onError: () => {} });
  const response = Buffer.from('02010000' + '20010db8001100000000000000000000' + '0000' + '40' + '01', 'hex');
  await rogue.send(response, { address: 'ff02::9', port: 521 });
  const prober = await net.open({ interfaceIndex: 1, linkLocal: 'fe80::c', port: 5555, multicast: false, onMessage: (d) => got.push(d), onError: () => {} });
  await prober.send(response, { address: 'fe80::b', port: 521 });
  await prober.send(Buffer.from('01010000' + '00'.repeat(16) + '0000' + '00' + '10', 'hex'), { address: 'fe80::b', port: 521 });
  await run(clock, 1000);
  await b.engine.rtm.settle();
  t.deepEqual(b.routes.list(), []);
  t.is(b.engine.stats.badPackets, 2);
  t.true(b.log.some((l) => l.includes('not from a link-local address')));
  t.true(b.log.some((l) => l.includes('Response from port 5555, not 521')));
  t.is(got.length, 1, 'the query got its answer');
  t.deepEqual(decodePacket(got[0]!).routes.map((r) => [r.prefix, r.metric]), [['2001:db8:b::', 1]]);
});

test('neighbour timeout: routes of a neighbour that went silent become unreachable after the route timeout and leave RTM', async (t) => {
  const clock = new FakeClock();
  const net = new MemoryNetwork6();
  const g = { updateIntervalMs: 5_000, routeTimeoutMs: 30_000, garbageMs: 20_000 };
  const a = makeNode6(clock, net, g);
  const b = makeNode6(clock, net, g);
  await addIf6(a, 1, 'fe80::a', [{ address: '2001:db8:a::1', prefixLength: 64 }]);
  await addIf6(b, 5, 'fe80::b');
  await run(clock, 6000);
  await b.engine.rtm.settle();
  t.deepEqual(rtm(b), ['2001:db8:a::/64 m2 via fe80::a if5']);
  net.drop = (from) => from.address.startsWith('fe80::a%');
  await run(clock, 25_000);
  await b.engine.rtm.settle();
  t.is(rtm(b).length, 1, 'still there before the timeout');
  await run(clock, 12_000);
  await b.engine.rtm.settle();
  t.deepEqual(rtm(b), [], 'gone after 30 s of silence');
  t.is(b.engine.routeList().find((r) => r.destination === '2001:db8:a::')?.metric, 16, 'kept as unreachable for garbage collection');
});

test('RFC 2091 autostatic update: Update Request, acknowledged Responses, replace into RTM; a silent peer fails it', async (t) => {
  const clock = new FakeClock();
  const net = new MemoryNetwork6();
  const a = makeNode6(clock, net);
  const b = makeNode6(clock, net);
  const demand = { demand: true, demandUpdateTimeoutMs: 3_000, demandRetransmitMs: 500 };
  await addIf6(a, 1, 'fe80::a', [], demand);
  await addIf6(a, 2, 'fe80::1:a', [{ address: '2001:db8:a::1', prefixLength: 64 }], { mode: 'silent' });
  await addIf6(b, 5, 'fe80::b', [], demand);
  const p = b.engine.updateRoutes(5);
  await run(clock, 2000);
  const routes = await p;
  t.deepEqual(routes.map((r) => `${r.destination}/${r.prefixLength} via ${r.nextHop}`), ['2001:db8:a::/64 via fe80::a']);
  t.deepEqual(rtm(b), ['2001:db8:a::/64 m2 via fe80::a if5']);
  t.is(b.engine.stats.demandUpdatesOk, 1);
  t.true(b.engine.interfaceList().find((i) => i.index === 5)!.stats.updateAcksSent >= 1);
  await run(clock, 400_000);
  await b.engine.rtm.settle();
  t.deepEqual(rtm(b), ['2001:db8:a::/64 m2 via fe80::a if5'], 'demand routes do not time out');

  await a.engine.stop();
  const failed = b.engine.updateRoutes(5);
  const err = t.throwsAsync(failed, { instanceOf: ProtocolError });
  await run(clock, 3500);
  t.is((await err)!.code, ERROR_CAN_NOT_COMPLETE);
  t.regex((await err)!.message, /no Update Response within 3000 ms/);
  await flush();
});

test('an interface without a link-local address in its binding does not run RIPng, and says why', async (t) => {
  const clock = new FakeClock();
  const net = new MemoryNetwork6();
  const b = makeNode6(clock, net);
  await b.engine.addInterface({ index: 5, name: 'if5', type: 'permanent' }, (await import('../examples/ripng/config.js')).InterfaceConfig.validate({}));
  await b.engine.setInterfaceState(5, { operational: true, addresses: [{ address: '2001:db8::5', prefixLength: 64 }], mtu: 0 });
  t.false(b.engine.interfaceList()[0]!.running);
  t.true(b.log.some((l) => l.includes('no link-local address in its binding')));
  t.deepEqual(net.sent, []);
});
