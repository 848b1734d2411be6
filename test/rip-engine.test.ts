// The RIP engine end to end on a fake clock and an in-memory LAN: what neighbours learn, when
// routes time out, what authentication refuses, and the RFC 2091 autostatic update.
import test from 'ava';
import { ProtocolError } from '../lib/api/errors.js';
import { ERROR_CAN_NOT_COMPLETE } from '../lib/constants.js';
import { FakeClock } from '../examples/distance-vector/timers.js';
import { MemoryNetwork } from '../examples/rip/transport.js';
import { decodePacket, Command } from '../examples/rip/packet.js';
import { addIf, flush, makeNode, run, twoRouters } from './rip/harness.js';
import { REDISTRIBUTE_ANY } from '../examples/distance-vector/redistribute.js';

const routeSet = (specs: { destination: string; prefixLength: number; metric: number; nextHop: string; interfaceIndex: number }[]) =>
  specs.map((r) => `${r.destination}/${r.prefixLength} m${r.metric} via ${r.nextHop} if${r.interfaceIndex}`).sort();

test('two routers on a LAN learn each other\'s connected networks with metric +1 and the sender as next hop', async (t) => {
  const clock = new FakeClock();
  const net = new MemoryNetwork();
  const a = makeNode(clock, net);
  const b = makeNode(clock, net);
  await addIf(a, 1, '10.1.0.1', 24);
  await addIf(a, 2, '10.2.0.1', 24);
  await addIf(b, 5, '10.1.0.2', 24);
  await addIf(b, 6, '10.3.0.1', 24);
  await run(clock, 6000);
  await b.engine.rtm.settle();
  await a.engine.rtm.settle();
  t.deepEqual(routeSet(b.routes.list()), ['10.2.0.0/24 m2 via 10.1.0.1 if5']);
  t.deepEqual(routeSet(a.routes.list()), ['10.3.0.0/24 m2 via 10.1.0.2 if1']);
});

test('a route withdrawn upstream (metric 16) leaves the neighbour\'s RTM by a triggered update, not the timeout', async (t) => {
  const clock = new FakeClock();
  const net = new MemoryNetwork();
  const a = makeNode(clock, net, { redistribute: [REDISTRIBUTE_ANY] });
  const b = makeNode(clock, net);
  await addIf(a, 1, '10.1.0.1', 24);
  await addIf(b, 5, '10.1.0.2', 24);
  a.routes.injectBest([{ destination: '172.16.0.0', prefixLength: 16, owner: 10006, nextHop: '10.9.9.9', interfaceIndex: 9, metric: 1, preference: 1, withdrawn: false }]);
  await run(clock, 2000);
  await b.engine.rtm.settle();
  t.deepEqual(routeSet(b.routes.list()), ['172.16.0.0/16 m2 via 10.1.0.1 if5']);
  a.routes.injectBest([{ destination: '172.16.0.0', prefixLength: 16, owner: 0, nextHop: '0.0.0.0', interfaceIndex: 0, metric: 0, preference: 0, withdrawn: true }]);
  await run(clock, 6000); // within the 1–5 s hold-down, far below the 180 s timeout
  await b.engine.rtm.settle();
  t.deepEqual(b.routes.list(), []);
  t.is(b.engine.routeList().find((r) => r.destination === '172.16.0.0')?.metric, 16, 'kept as unreachable for garbage collection');
});

test('poisoned reverse on the wire: routes go back to where they came from with metric 16', async (t) => {
  const { clock, net } = await twoRouters();
  await run(clock, 35_000); // one regular update
  const fromB = net.sent.filter((s) => s.from.address === '10.1.0.2').map((s) => decodePacket(s.data)).filter((p) => p.command === Command.Response);
  const back = fromB.flatMap((p) => p.entries).filter((e) => e.destination === '10.2.0.0');
  t.true(back.length > 0);
  t.true(back.every((e) => e.metric === 16), 'B tells A it cannot reach A\'s network through A');
});

test('a wrong MD5 key is refused and counted; the right one is accepted', async (t) => {
  const clock = new FakeClock();
  const net = new MemoryNetwork();
  const a = makeNode(clock, net);
  const b = makeNode(clock, net);
  const md5 = (key: string) => ({ auth: 'md5' as const, keys: [{ keyId: 1, key: Buffer.from(key) }] });
  await addIf(a, 1, '10.1.0.1', 24, md5('right'));
  await addIf(a, 2, '10.2.0.1', 24, { mode: 'silent' });
  await addIf(b, 5, '10.1.0.2', 24, md5('wrong'));
  await run(clock, 3000);
  t.deepEqual(b.routes.list(), []);
  t.true(b.engine.stats.authFailures > 0);
  t.true(b.log.some((l) => l.includes('wrong MD5 digest')));
  await b.engine.setInterfaceConfig(5, (await import('../examples/rip/config.js')).InterfaceConfig.validate(md5('right')));
  await run(clock, 35_000);
  await b.engine.rtm.settle();
  t.deepEqual(routeSet(b.routes.list()), ['10.2.0.0/24 m2 via 10.1.0.1 if5']);
});

test('RFC 2091 autostatic update: Update Request, Responses acknowledged, replace in RTM; no timeout afterwards', async (t) => {
  const clock = new FakeClock();
  const net = new MemoryNetwork();
  const hq = makeNode(clock, net);
  const br = makeNode(clock, net);
  const demand = { demand: true, destination: 'peersOnly' as const, demandUpdateTimeoutMs: 4000 };
  await addIf(hq, 3, '192.0.2.1', 30, { ...demand, peers: ['192.0.2.2'] }, 'demandDial');
  await addIf(br, 3, '192.0.2.2', 30, { ...demand, peers: ['192.0.2.1'] }, 'demandDial');
  await addIf(br, 1, '10.2.0.1', 24, { mode: 'silent' });
  await flush();
  const done = hq.engine.updateRoutes(3);
  await run(clock, 2000);
  const routes = await done;
  t.deepEqual(routeSet(routes), ['10.2.0.0/24 m2 via 192.0.2.2 if3']);
  t.deepEqual(hq.routes.calls.filter((c) => c[0] === 'replace').map((c) => c[1]), [3], 'one replace of interface 3');
  const kinds = net.sent.map((s) => decodePacket(s.data).command);
  t.true(kinds.includes(Command.UpdateRequest) && kinds.includes(Command.UpdateResponse) && kinds.includes(Command.UpdateAck));
  t.false(kinds.includes(Command.Response), 'no ordinary RIP on a demand circuit');
  await run(clock, 600_000, 10_000);
  t.deepEqual(routeSet(hq.routes.list()), ['10.2.0.0/24 m2 via 192.0.2.2 if3'], 'still there 10 minutes later');
});

test('RFC 2091 autostatic update with a silent peer fails with ERROR_CAN_NOT_COMPLETE after the configured time', async (t) => {
  const clock = new FakeClock();
  const net = new MemoryNetwork();
  const hq = makeNode(clock, net);
  await addIf(hq, 3, '192.0.2.1', 30, { demand: true, destination: 'peersOnly', peers: ['192.0.2.2'], demandUpdateTimeoutMs: 4000, demandRetransmitMs: 1000 }, 'demandDial');
  let settled: unknown;
  const p = hq.engine.updateRoutes(3).then(() => (settled = 'resolved'), (e) => (settled = e));
  await run(clock, 3900);
  t.is(settled, undefined, 'still waiting at 3.9 s');
  await run(clock, 200);
  await p;
  t.true(settled instanceof ProtocolError);
  t.is((settled as ProtocolError).code, ERROR_CAN_NOT_COMPLETE);
  t.regex((settled as Error).message, /no Update Response within 4000 ms/);
  const requests = net.sent.filter((s) => decodePacket(s.data).command === Command.UpdateRequest).length;
  t.true(requests >= 4, `Update Request retransmitted every second (${requests} sent)`);
});

test('changing interface config at run time keeps learned routes', async (t) => {
  const { clock, b } = await twoRouters();
  await run(clock, 2000);
  await b.engine.rtm.settle();
  const { InterfaceConfig } = await import('../examples/rip/config.js');
  await b.engine.setInterfaceConfig(5, InterfaceConfig.validate({ splitHorizon: 'simple', metric: 1 }));
  await flush();
  await b.engine.rtm.settle();
  t.deepEqual(routeSet(b.routes.list()), ['10.2.0.0/24 m2 via 10.1.0.1 if5']);
  await b.engine.setInterfaceConfig(5, InterfaceConfig.validate({ acceptFilter: { action: 'deny', entries: [{ address: '10.2.0.0', prefixLength: 16, ge: 16, le: 24 }] } }));
  await flush();
  await b.engine.rtm.settle();
  t.deepEqual(b.routes.list(), [], 'but a new accept filter withdraws what it refuses');
});

for (const auth of ['none', 'simple', 'md5'] as const) {
  test(`a table larger than one datagram crosses with ${auth} authentication: every datagram within 512 octets, every route learned`, async (t) => {
    const clock = new FakeClock();
    const net = new MemoryNetwork();
    const a = makeNode(clock, net, { redistribute: [REDISTRIBUTE_ANY] });
    const b = makeNode(clock, net);
    const cfg = auth === 'none' ? {} : { auth, keys: [{ keyId: 3, key: Buffer.from('k3y') }] };
    await addIf(a, 1, '10.1.0.1', 24, cfg);
    await addIf(b, 5, '10.1.0.2', 24, cfg);
    const N = 100;
    a.routes.injectBest(Array.from({ length: N }, (_, k) => ({
      destination: `172.16.${k}.0`, prefixLength: 24, owner: 10006, nextHop: '10.9.9.9', interfaceIndex: 9, metric: 1, preference: 1, withdrawn: false,
    })));
    await run(clock, 35_000);
    await b.engine.rtm.settle();
    t.is(b.routes.list().filter((r) => r.destination.startsWith('172.16.')).length, N);
    const fromA = net.sent.filter((s) => s.from.address === '10.1.0.1');
    const sizes = fromA.map((s) => s.data.length);
    t.true(Math.max(...sizes) <= 512, `largest datagram ${Math.max(...sizes)} bytes`);
    const perDatagram = Math.max(...fromA.map((s) => decodePacket(s.data).entries.length));
    t.is(perDatagram, { none: 25, simple: 24, md5: 23 }[auth]);
    t.is(b.engine.stats.badPackets, 0);
  });
}

test('a datagram over 512 octets is dropped, counted as a bad packet and logged once with the reason', async (t) => {
  const clock = new FakeClock();
  const net = new MemoryNetwork();
  const b = makeNode(clock, net);
  await addIf(b, 5, '10.1.0.2', 24);
  const rogue = await net.open({ interfaceIndex: 1, address: '10.1.0.7', prefixLength: 24, port: 520, multicast: true, onMessage: () => {}, onError: () => {} });
  const entry = (k: number) => Buffer.from(`0002000010${k.toString(16).padStart(2, '0')}0000ffffff000000000000000001`, 'hex');
  const huge = Buffer.concat([Buffer.from('02020000', 'hex'), ...Array.from({ length: 249 }, (_, k) => entry(k))]);
  await rogue.send(huge, { address: '224.0.0.9', port: 520 });
  await rogue.send(huge, { address: '224.0.0.9', port: 520 });
  await run(clock, 1000);
  await b.engine.rtm.settle();
  t.deepEqual(b.routes.list(), [], 'none of its 249 routes is learned');
  t.is(b.engine.stats.badPackets, 2);
  t.is(b.engine.interfaceList()[0]!.stats.badPackets, 2);
  t.is(b.engine.neighborList().find((n) => n.address === '10.1.0.7')?.badPackets, 2);
  const warnings = b.log.filter((l) => l.startsWith('W ') && l.includes('10.1.0.7'));
  t.is(warnings.length, 1, 'warned once per peer');
  t.regex(warnings[0]!, /4984 bytes is longer than RIP's 512 octets/);
  // A well-formed datagram from the same peer is still accepted.
  await rogue.send(Buffer.concat([Buffer.from('02020000', 'hex'), entry(1)]), { address: '224.0.0.9', port: 520 });
  await run(clock, 1000);
  await b.engine.rtm.settle();
  t.deepEqual(b.routes.list().map((r) => `${r.destination}/${r.prefixLength}`), ['16.1.0.0/24']);
});
