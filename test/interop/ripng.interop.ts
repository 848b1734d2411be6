// RIPng (examples/ripng on MockRouter's IPv6 router manager) against BIRD 2 (`protocol rip
// ng`) and FRR ripngd at once, in network namespaces: ns a (ours) has an IPv6-only link to
// BIRD (ns b) and one to FRR (ns d), fixed link-locals, no DAD. Each side originates more
// routes than one datagram carries (72 RTEs at MTU 1500); they must cross in every direction
// (BIRD's reach FRR through us and the reverse), withdrawals too, and a neighbour that dies
// must time out on the other side.
import test from 'ava';
import { Lab, requireRoot, requireRipng, waitFor, type Bird, type Frr } from './lab.js';
import type { RouterProcess } from '../../examples/rip/client.js';
import { canonicalIPv6 } from '../../lib/config/ipv6.js';
import { REDISTRIBUTE_ANY } from '../../examples/distance-vector/redistribute.js';

const STATIC = 10006;
const N = 100; // > 72: every table spans two datagrams at least
const TIMERS = { updateIntervalMs: 5_000, routeTimeoutMs: 10_000, garbageMs: 10_000, triggeredMinMs: 200, triggeredMaxMs: 1_000 };
// Canonical (RFC 5952) text, as BIRD, FRR and the mock RTM print prefixes: 2001:db8:110::/64, 2001:db8:110:1::/64, ...
const range = (site: number) => Array.from({ length: N }, (_, k) => `${canonicalIPv6(`2001:db8:${site.toString(16)}:${k.toString(16)}::`)}/64`);
const BIRDS = range(0x110);
const FRRS = range(0x120);
const OURS = range(0x130);
const LL = { ours1: 'fe80::a', bird: 'fe80::b', ours2: 'fe80::c', frr: 'fe80::d' };

test.before(() => {
  requireRoot();
  requireRipng();
});

const birdConf = (statics: string[]) => `log "$DIR/bird.log" all;
router id 10.255.76.2;
protocol device { scan time 2; }
protocol static st6 { ipv6; ${statics.map((p) => `route ${p} blackhole;`).join(' ')} }
protocol rip ng ripng1 {
  ipv6 { import all; export all; };
  interface "vb" { update time 5; timeout time 10; garbage time 10; };
}
`;

const ripngdConf = (routes: string[]) => `hostname ripngd-test
log file $DIR/ripngd.log debugging
debug ripng events
debug ripng packet
!
router ripng
 network vd
${routes.map((p) => ` route ${p}`).join('\n')}
 timers basic 5 10 10
!
`;

interface Setup {
  lab: Lab;
  bird: Bird;
  frr: Frr;
  ours: RouterProcess;
}

async function setup(t: any): Promise<Setup> {
  const lab = new Lab('n');
  t.teardown(() => lab.teardown());
  const a = await lab.addNs('a');
  const b = await lab.addNs('b');
  const d = await lab.addNs('d');
  await lab.link6(a, 'va', LL.ours1, b, 'vb', LL.bird);
  await lab.link6(a, 'vc', LL.ours2, d, 'vd', LL.frr);
  const frr = await lab.frrRipng(d, 'frr', ripngdConf(FRRS), 'vd');
  const bird = await lab.bird(b, 'bird', birdConf(BIRDS));
  const ours = lab.router(a, 'ripng');
  await ours.start({ ...TIMERS, redistribute: [REDISTRIBUTE_ANY] }, { protocol: 'ripng', routerId: '10.255.76.1' });
  // A silent stub with a global prefix (announced as connected), then the two RIPng links.
  await ours.addInterface(3, '{stub}', { mode: 'silent' }, { addresses: [{ address: '2001:db8:30::1', prefixLength: 64 }] });
  for (const p of OURS) await ours.call('rtmAdd', { owner: STATIC, prefix: p, nextHop: 'fe80::99', interfaceIndex: 3, metric: 1 });
  await ours.addInterface(1, '{va}', {}, { addresses: [{ address: LL.ours1, prefixLength: 64 }], mtu: 1500 });
  await ours.addInterface(2, '{vc}', {}, { addresses: [{ address: LL.ours2, prefixLength: 64 }], mtu: 1500 });
  await ours.call('startComplete');
  return { lab, bird, frr, ours };
}

const count = (have: Iterable<string>, want: string[]) => {
  const s = new Set(have);
  return want.filter((p) => s.has(p)).length;
};
const reachable = <V extends { metric: number }>(m: Map<string, V>) => [...m].filter(([, v]) => v.metric < 16).map(([k]) => k);

test.serial(`${N} routes from each of BIRD, FRR and us cross in every direction, with link-local next hops; withdrawals; neighbour timeouts`, async (t) => {
  const { bird, frr, ours } = await setup(t);
  const t0 = Date.now();
  const rtm = await waitFor(`BIRD's and FRR's ${2 * N} routes in our RTM`, async () => {
    const r = await ours.rtm();
    return count(r.map((x) => x.dest), BIRDS) === N && count(r.map((x) => x.dest), FRRS) === N ? r : undefined;
  }, 30_000, 250);
  const tUs = Date.now() - t0;
  t.deepEqual(rtm.find((r) => r.dest === BIRDS[0])!.nextHops, [{ address: LL.bird, interfaceIndex: 1 }], 'BIRD\'s link-local, on interface 1');
  t.deepEqual(rtm.find((r) => r.dest === FRRS[0])!.nextHops, [{ address: LL.frr, interfaceIndex: 2 }]);
  t.is(rtm.find((r) => r.dest === BIRDS[0])!.metric, 2);

  const atBird = await waitFor(`BIRD has our ${N}, our stub and FRR's ${N}`, async () => {
    const m = await bird.routes6();
    const have = reachable(m);
    return count(have, OURS) === N && count(have, FRRS) === N && have.includes('2001:db8:30::/64') ? m : undefined;
  }, 30_000, 250);
  const tBird = Date.now() - t0;
  t.deepEqual(atBird.get(OURS[0]!), { metric: 2, via: LL.ours1 });
  t.deepEqual(atBird.get(FRRS[0]!), { metric: 3, via: LL.ours1 }, 'FRR\'s route through us: 1 at FRR, +1 at us, +1 at BIRD');

  const atFrr = await waitFor(`FRR has our ${N} and BIRD's ${N}`, async () => {
    const m = await frr.ripngRoutes();
    const have = reachable(m);
    return count(have, OURS) === N && count(have, BIRDS) === N ? m : undefined;
  }, 30_000, 250);
  const tFrr = Date.now() - t0;
  t.like(atFrr.get(OURS[0]!), { type: 'R(n)', via: LL.ours2, metric: 2 });
  t.regex(await frr.vtysh('show ipv6 route ripng'), new RegExp(`R>\\* ${OURS[0]!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\[120/2\\] via ${LL.ours2}`), 'installed in zebra');
  // FRR's packet log: our Responses are full datagrams of 72 RTEs (4 + 72 × 20 = 1444 bytes,
  // within 1500 - 48), more than one per update.
  const sizes = [...frr.log('ripngd').matchAll(/RECV response version 1 packet size (\d+)/g)].map((m) => Number(m[1]));
  t.is(Math.max(...sizes), 1444, `FRR received our Responses of ${[...new Set(sizes)].sort((x, y) => x - y).join(', ')} bytes`);
  const global = (await ours.call("mib", { table: 1 })) as any;
  t.is(global.badPackets, 0, 'we refused nothing from BIRD or FRR');
  t.notRegex(bird.log(), /Bad packet/);
  t.log(`datagrams from us at FRR: ${[...new Set(sizes)].sort((x, y) => x - y).join(', ')} bytes`);
  t.log(`convergence: our RTM ${rtm.length} routes after ${tUs} ms, BIRD ${atBird.size} after ${tBird} ms, FRR ${atFrr.size} after ${tFrr} ms`);

  // Withdrawals, both ways: our statics leave RTM; FRR stops originating its routes.
  const w0 = Date.now();
  for (const p of OURS) await ours.call('rtmDelete', { owner: STATIC, prefix: p });
  await waitFor('BIRD and FRR drop all of ours', async () => count(reachable(await bird.routes6()), OURS) === 0 && count(reachable(await frr.ripngRoutes()), OURS) === 0, 20_000, 250);
  const tOursGone = Date.now() - w0;
  await frr.vtysh('conf t', 'router ripng', ...FRRS.map((p) => `no route ${p}`), 'end');
  await waitFor('FRR\'s leave our RTM and BIRD', async () => count((await ours.rtm()).map((r) => r.dest), FRRS) === 0 && count(reachable(await bird.routes6()), FRRS) === 0, 20_000, 250);
  const tFrrGone = Date.now() - w0;
  t.log(`withdrawals: ours gone from BIRD and FRR after ${tOursGone} ms, FRR's gone from us and BIRD after ${tFrrGone} ms`);

  // Neighbour timeout: BIRD dies without a word; its routes time out here (10 s) and FRR
  // hears them withdrawn.
  // Each learned route's timer: 10 s from its last refresh by BIRD (every 5 s, so 5..10 s left).
  const timers = ((await ours.mib(4)) as any[]).filter((r) => BIRDS.includes(`${r.destination}/${r.prefixLength}`)).map((r) => r.timerMs as number);
  const left = Math.max(...timers);
  t.true(timers.length === N && Math.min(...timers) > 3_000 && left <= 10_000, `timers ${Math.min(...timers)}..${left} ms`);
  const k0 = Date.now();
  process.kill(bird.pid, 'SIGKILL');
  await waitFor('BIRD\'s routes time out of our RTM', async () => count((await ours.rtm()).map((r) => r.dest), BIRDS) === 0, 30_000, 250);
  const tTimeout = Date.now() - k0;
  t.true(tTimeout >= left - 300, `not before the timers ran out (${tTimeout} ms after the kill, ${left} ms were left)`);
  await waitFor('FRR hears BIRD\'s routes withdrawn', async () => count(reachable(await frr.ripngRoutes()), BIRDS) === 0, 20_000, 250);
  const neighbours = await ours.mib(3) as any[];
  t.deepEqual(neighbours.map((n) => [n.interfaceIndex, n.address]).sort(), [[1, LL.bird], [2, LL.frr]]);
  t.true(neighbours.find((n) => n.address === LL.bird).routes === 0);
  t.log(`neighbour timeout: BIRD's ${N} routes left our RTM ${tTimeout} ms after it died (their timers had ${left} ms left)`);

  // And the other way: we stop; FRR times our routes out (its timeout 10 s).
  await frr.vtysh('conf t', 'router ripng', 'route 2001:db8:121::/64', 'end');
  await ours.call('rtmAdd', { owner: STATIC, prefix: '2001:db8:131::/64', nextHop: 'fe80::99', interfaceIndex: 3, metric: 1 });
  await waitFor('FRR learns a last route of ours', async () => reachable(await frr.ripngRoutes()).includes('2001:db8:131::/64'), 20_000, 250);
  const s0 = Date.now();
  ours.kill();
  await waitFor('FRR times out our routes', async () => !reachable(await frr.ripngRoutes()).includes('2001:db8:131::/64'), 30_000, 250);
  t.log(`FRR timed out a dead RIPng router's routes after ${Date.now() - s0} ms`);
});

test.serial('demand circuit (RFC 2091 over RIPng, BIRD\'s "demand circuit"): DoUpdateRoutes gets BIRD\'s routes; with BIRD gone it fails after the configured wait', async (t) => {
  const lab = new Lab('m');
  t.teardown(() => lab.teardown());
  const a = await lab.addNs('a');
  const b = await lab.addNs('b');
  await lab.link6(a, 'va', LL.ours1, b, 'vb', LL.bird);
  const bird = await lab.bird(b, 'bird', birdConf(BIRDS).replace('interface "vb" {', 'interface "vb" { demand circuit yes;'));
  const ours = lab.router(a, 'ripng');
  await ours.start({ ...TIMERS, redistribute: [REDISTRIBUTE_ANY] }, { protocol: 'ripng' });
  await ours.addInterface(3, '{stub}', { mode: 'silent' }, { addresses: [{ address: '2001:db8:30::1', prefixLength: 64 }] });
  await ours.addInterface(1, '{va}', { demand: true, demandUpdateTimeoutMs: 3_000, demandRetransmitMs: 500 }, { addresses: [{ address: LL.ours1, prefixLength: 64 }] }, 'demandDial');
  await ours.call('startComplete');
  const t0 = Date.now();
  const { code, status } = await ours.updateRoutes(1);
  t.is(code, 0, 'DoUpdateRoutes NO_ERROR');
  t.is(status, 0, 'UPDATE_COMPLETE NO_ERROR');
  t.log(`autostatic update of ${N} routes over RIPng: ${Date.now() - t0} ms`);
  const rtm = (await ours.rtm()).map((r) => r.dest);
  t.is(count(rtm, BIRDS), N, 'all of BIRD\'s routes in RTM at UPDATE_COMPLETE');
  const learned = ((await ours.mib(4)) as any[]).filter((r) => r.source === 'learned');
  t.true(learned.length === N && learned.every((r) => r.demand && r.timerMs === null), 'demand routes, no timeout');
  await waitFor('BIRD learns ours over the demand circuit', async () => reachable(await bird.routes6()).includes('2001:db8:30::/64'), 20_000, 250);

  process.kill(bird.pid, 'SIGKILL'); // silently: a clean stop would first flush its routes
  const f0 = Date.now();
  const failed = await ours.updateRoutes(1);
  const ms = Date.now() - f0;
  t.is(failed.code, 0);
  t.is(failed.status, 1003, 'UPDATE_COMPLETE ERROR_CAN_NOT_COMPLETE');
  t.true(ms >= 2_900, `after the configured 3000 ms (took ${ms} ms)`);
  t.is(count((await ours.rtm()).map((r) => r.dest), BIRDS), N, 'autostatic routes stay in RTM when the peer is gone');
});
