// OSPFv2 on point-to-point links: FRR ospfd —— our router —— BIRD 2, where the FRR link is a
// demand-dial interface of RRAS and the BIRD link uses MD5. Adjacencies, identical databases
// and routes equal to SPF; 1,000 externals injected at FRR reach BIRD through us; RRAS hanging
// up and redialling the demand-dial link; a wrong MD5 key refused on both sides.
import test from 'ava';
import { Lab, sh, waitFor, type Bird, type Frr } from './lab.js';
import { OspfProcess } from '../../examples/ospf/client.js';
import {
  DEAD, OUR_GLOBAL, OUR_IF, SPF_DELAY, birdConf, birdLsdb, birdNeighbors, birdRoutes, forwarded, frrLsdb, frrNeighbors, frrRoutes,
  eventuallyEqual, fullWith, ospfdConf, ourLsdb, quietSpf, requireOspfPeers, sameDatabases, spfView,
} from './ospf-peers.js';

const US = '10.255.92.1';
const BIRD = '10.255.92.2';
const FRR = '10.255.92.3';
const MD5 = { id: 1, key: 'ospfref' };
const OUR_MD5 = { auth: 'md5' as const, keys: [{ keyId: MD5.id, key: MD5.key }] };

let lab: Lab;
let bird: Bird;
let frr: Frr;
let us: OspfProcess;
let nsF = '';
let started = 0;

test.before(async () => {
  requireOspfPeers();
  lab = new Lab('p');
  const a = await lab.addNs('a');
  const b = await lab.addNs('b');
  nsF = await lab.addNs('f');
  await lab.link(nsF, 'f0', '10.255.90.2/30', a, 'a0', '10.255.90.1/30');
  await lab.link(a, 'a1', '10.255.91.1/30', b, 'b0', '10.255.91.2/30');
  await sh('ip', ['-n', b, 'addr', 'add', `${BIRD}/32`, 'dev', 'lo']);
  await sh('ip', ['-n', nsF, 'addr', 'add', `${FRR}/32`, 'dev', 'lo']);
  started = Date.now();
  [bird, frr] = await Promise.all([
    lab.bird(b, 'bird', birdConf(BIRD, [{ name: 'b0', type: 'ptp', md5: MD5 }])),
    lab.frrDaemons(nsF, 'frr', [{ daemon: 'ospfd', conf: ospfdConf(FRR, [{ name: 'f0', pointToPoint: true }], ' redistribute kernel\n') }], [{ ifName: 'f0', group: '224.0.0.5' }]),
  ]);
  us = lab.router(a, 'ospf', (prefix) => new OspfProcess('ospf', { prefix }));
  await us.startOspf({ ...OUR_GLOBAL, routerId: US, stateDirectory: lab.dir }, { routerId: US });
  // Interface 1 is a demand-dial interface (point-to-point by itself); 2 is configured so.
  await us.addOspfInterface(1, '{dial-frr}', OUR_IF, { addresses: [{ address: '10.255.90.1', prefixLength: 30 }], mtu: 1500 }, 'demandDial');
  await us.addOspfInterface(2, '{bird}', { ...OUR_IF, networkType: 'pointToPoint', ...OUR_MD5 }, { addresses: [{ address: '10.255.91.1', prefixLength: 30 }], mtu: 1500 });
  await us.call('startComplete');
});

test.after.always(() => lab?.teardown());

const fullEverywhere = async () => {
  const [ours, b, f] = await Promise.all([us.neighbors(), birdNeighbors(bird), frrNeighbors(frr)]);
  return ours.length === 2 && ours.every((n) => n.state === 'full') && fullWith(b, [US]) && fullWith(f, [US]);
};

test.serial('point-to-point with FRR (demand-dial interface) and BIRD (MD5): Full, identical databases, every router\'s routes are its SPF', async (t) => {
  t.timeout(100_000);
  await waitFor('Full on both links', fullEverywhere, 40_000, 100);
  const full = Date.now();
  const db = await sameDatabases('identical databases', () => Promise.all([ourLsdb(us), birdLsdb(bird), frrLsdb(frr)]));
  await waitFor('FRR\'s loopback at BIRD', async () => (await birdRoutes(bird)).some((r) => r.startsWith(`${FRR}/32 `)), 30_000, 100);
  t.log(`point-to-point: Full on both ${full - started} ms after the daemons started; FRR's loopback at BIRD after ${Date.now() - started} ms; ${db.length} LSAs`);
  const ifs = await us.interfaces();
  t.deepEqual(ifs.map((i) => [i.interfaceIndex, i.networkType, i.state, i.auth]), [[1, 'pointToPoint', 'pointToPoint', 'none'], [2, 'pointToPoint', 'pointToPoint', 'md5']]);
  t.is(ifs[0]!.flags & 2, 2, 'interface 1 is demand-dial');
  await eventuallyEqual(t, 'BIRD\'s routes are SPF from BIRD', () => birdRoutes(bird), () => spfView(us, BIRD));
  await eventuallyEqual(t, 'FRR\'s routes are SPF from FRR', () => frrRoutes(frr), () => spfView(us, FRR));
  const ourRtm = async () => (await us.rtm()).map((r) => `${r.dest} ${r.metric} ${r.nextHops.map((h) => `${h.address}%${h.interfaceIndex}`).join(',')}`).sort();
  const ourSpf = async () => forwarded(await spfView(us, US)).map((r) => { const [p, , c, h] = r.split(' '); return `${p} ${c} ${h}%${h!.startsWith('10.255.90.') ? 1 : 2}`; }).sort();
  const rtm = await eventuallyEqual(t, 'our RTM is our SPF', ourRtm, ourSpf);
  t.true(rtm.some((r) => r.startsWith(`${FRR}/32 `)) && rtm.some((r) => r.startsWith(`${BIRD}/32 `)));
  const [g] = [await us.global()];
  t.is(g!.authFailures, 0);
});

test.serial('1,000 external routes injected at FRR reach BIRD through us, and leave with their withdrawal', async (t) => {
  t.timeout(100_000);
  await waitFor('Full', fullEverywhere, 30_000, 100);
  const prefixes = Array.from({ length: 1000 }, (_, i) => `10.200.${(i >> 8) + 0}.${i & 255}`);
  const lines = Array.from({ length: 1000 }, (_, i) => `route add blackhole 10.${200 + Math.floor(i / 250)}.${i % 250}.0/24`);
  void prefixes;
  const batch = `${lab.dir}/add.batch`;
  (await import('node:fs')).writeFileSync(batch, lines.join('\n') + '\n');
  const injected = Date.now();
  await sh('ip', ['-n', nsF, '-batch', batch]);
  const count = async () => {
    const text = await bird.birdc('show', 'route', 'where', 'net', '~', '[', '10.200.0.0/14+', ']', 'count');
    return Number(/(\d+) of \d+ routes/.exec(text)?.[1] ?? -1);
  };
  const ours = async () => (await us.rtm()).filter((r) => r.dest.startsWith('10.20')).length;
  await waitFor('BIRD has the 1000', async () => (await count()) === 1000, 60_000, 100);
  const atBird = Date.now() - injected;
  await waitFor('all 1000 in our RTM as well', async () => (await ours()) === 1000, 30_000, 100);
  const inRtm = Date.now() - injected;
  const g = await us.global();
  t.log(`1000 externals: at BIRD ${atBird} ms after injection at FRR, in our RTM after ${inRtm} ms; our database ${g.lsas} LSAs, ${g.routes} SPF routes, ${g.routesInRtm} in RTM, ${g.spfRuns} SPF runs so far`);
  const b = (await birdRoutes(bird)).filter((r) => /^10\.20[0-3]\./.test(r));
  t.is(b.length, 1000);
  t.true(b.every((r) => / E2 20\/20 10\.255\.91\.1$/.test(r)), `E2 metric 20 via us: ${b[0]}`);
  await eventuallyEqual(t, 'BIRD and we hold the same 1000 externals', () => birdLsdb(bird), () => ourLsdb(us));
  const del = `${lab.dir}/del.batch`;
  (await import('node:fs')).writeFileSync(del, lines.map((l) => l.replace('route add', 'route del')).join('\n') + '\n');
  const withdrawn = Date.now();
  await sh('ip', ['-n', nsF, '-batch', del]);
  await waitFor('BIRD has none', async () => (await count()) === 0, 60_000, 100);
  t.log(`withdrawal: gone from BIRD ${Date.now() - withdrawn} ms after FRR's routes were deleted`);
  await waitFor('and from our RTM', async () => (await ours()) === 0, 20_000, 100);
});

test.serial('RRAS hangs up the demand-dial link: the adjacency and FRR\'s routes go at once, here and at BIRD; redialled: Full and the routes again', async (t) => {
  t.timeout(100_000);
  await waitFor('Full', fullEverywhere, 30_000, 100);
  await waitFor('FRR\'s loopback at BIRD', async () => (await birdRoutes(bird)).some((r) => r.startsWith(`${FRR}/32 `)), 30_000, 100);
  await quietSpf(us);
  const hangUp = Date.now();
  await us.call('interfaceStatus', { index: 1, what: 'mediaAbsent' });
  await waitFor('FRR\'s routes leave our RTM', async () => !(await us.rtm()).some((r) => r.dest === `${FRR}/32`), 5_000, 50);
  const here = Date.now() - hangUp;
  await waitFor('and BIRD\'s table', async () => !(await birdRoutes(bird)).some((r) => r.startsWith(`${FRR}/32 `)), 10_000, 50);
  const atBird = Date.now() - hangUp;
  t.log(`hang-up: FRR's routes gone from our RTM after ${here} ms, from BIRD after ${atBird} ms (no dead interval: ${DEAD * 1000} ms)`);
  // SPF delay, plus a second for InterfaceStatus to reach the host, the RTM batch and polling.
  t.true(here <= SPF_DELAY + 1000, `within the SPF delay (${here} ms), no dead interval`);
  t.is((await us.interfaces())[0]!.state, 'down');
  const redial = Date.now();
  await us.call('interfaceStatus', { index: 1, what: 'mediaPresent' });
  await waitFor('Full again', fullEverywhere, 30_000, 100);
  const full = Date.now() - redial;
  await waitFor('FRR\'s loopback back at BIRD', async () => (await birdRoutes(bird)).some((r) => r.startsWith(`${FRR}/32 `)), 30_000, 100);
  t.log(`redial: Full after ${full} ms, FRR's routes at BIRD after ${Date.now() - redial} ms`);
  await eventuallyEqual(t, 'BIRD\'s routes are SPF from BIRD', () => birdRoutes(bird), () => spfView(us, BIRD));
});

test.serial('MD5 with a wrong key: BIRD refuses us, we refuse BIRD, both count it; the adjacency dies after the dead interval; the right key restores it', async (t) => {
  t.timeout(100_000);
  await waitFor('Full', fullEverywhere, 30_000, 100);
  const before = (await us.interfaces())[1]!.authFailures;
  await us.call('setInterfaceConfig', { index: 2, config: { ...OUR_IF, networkType: 'pointToPoint', auth: 'md5', keys: [{ keyId: 1, key: 'not-it' }] } });
  await waitFor('BIRD logs the failure', () => /Authentication failed for nbr 10\.255\.92\.1 on b0 - wrong authentication code/.test(bird.log()), 10_000, 100);
  await waitFor('we count BIRD\'s packets as failures', async () => (await us.interfaces())[1]!.authFailures > before + 2, 10_000, 100);
  const drops = await us.drops();
  t.true(drops.some((d) => d.interfaceIndex === 2 && d.reason === 'authKey' && d.count > 0), 'filed under authKey');
  await waitFor('the adjacency with BIRD goes', async () => !(await us.neighbors()).some((n) => n.routerId === BIRD), 15_000, 100);
  await waitFor('and BIRD\'s routes with it', async () => !(await us.rtm()).some((r) => r.dest === `${BIRD}/32`), 10_000, 100);
  await us.call('setInterfaceConfig', { index: 2, config: { ...OUR_IF, networkType: 'pointToPoint', ...OUR_MD5 } });
  await waitFor('Full again with the right key', fullEverywhere, 30_000, 100);
  t.pass();
});
