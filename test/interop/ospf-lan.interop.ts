// OSPFv2 on one broadcast LAN (a bridge): our router (examples/ospf under the mock router),
// BIRD 2 and FRR ospfd. Adjacencies reach Full and the DR election lands where the priorities
// say; the three databases become identical; each router's routes are what SPF over that
// database gives from its point of view; a silent link cut converges within the dead interval
// plus the SPF delay. FRR is also an area border router (its loopback in area 1): its
// summary-LSA gives the others an inter-area route.
import test from 'ava';
import { Lab, sh, waitFor } from './lab.js';
import { OspfProcess } from '../../examples/ospf/client.js';
import {
  DEAD, OUR_GLOBAL, OUR_IF, SPF_DELAY, birdConf, birdDr, birdLsdb, birdNeighbors, birdRoutes, forwarded, frrDr, frrLsdb,
  eventuallyEqual, quietSpf, frrNeighbors, frrRoutes, fullWith, ospfdConf, ourLsdb, requireOspfPeers, sameDatabases, spfView,
} from './ospf-peers.js';

test.before(() => requireOspfPeers());

const US = '10.255.80.1';
const BIRD = '10.255.81.2'; // router ids (loopbacks)
const FRR = '10.255.81.3';
const STATIC = 10006;

async function lan(t: any, priorities: { us: number; bird: number; frr: number }) {
  const lab = new Lab('o');
  t.teardown(() => lab.teardown());
  const a = await lab.addNs('a');
  const b = await lab.addNs('b');
  const f = await lab.addNs('f');
  await lab.bridge([
    { ns: a, ifName: 'eth0', address: '10.255.80.1/24' },
    { ns: b, ifName: 'eth0', address: '10.255.80.2/24' },
    { ns: f, ifName: 'eth0', address: '10.255.80.3/24' },
  ]);
  const started = Date.now();
  const [bird, frr] = await Promise.all([
    (async () => {
      await sh('ip', ['-n', b, 'addr', 'add', `${BIRD}/32`, 'dev', 'lo']);
      return lab.bird(b, 'bird', birdConf(BIRD, [{ name: 'eth0', type: 'broadcast', priority: priorities.bird }], ['10.255.84.0/24']));
    })(),
    (async () => {
      await sh('ip', ['-n', f, 'addr', 'add', `${FRR}/32`, 'dev', 'lo']);
      // FRR's loopback is in area 1: FRR is an area border router and announces it by a summary-LSA.
      return lab.frrDaemons(f, 'frr', [{ daemon: 'ospfd', conf: ospfdConf(FRR, [{ name: 'eth0', priority: priorities.frr }], '', '0.0.0.1') }], [{ ifName: 'eth0', group: '224.0.0.5' }]);
    })(),
  ]);
  const us = lab.router(a, 'ospf', (prefix) => new OspfProcess('ospf', { prefix }));
  await us.startOspf({ ...OUR_GLOBAL, routerId: US, redistribute: [{ protocolId: STATIC, metricType: 'type1', metric: 30, tag: 77 }], stateDirectory: lab.dir }, { routerId: US });
  await us.addOspfInterface(1, '{lan}', { ...OUR_IF, priority: priorities.us }, { addresses: [{ address: US, prefixLength: 24 }], mtu: 1500 });
  // A stub network of ours (passive: no socket, so it needs no device in the namespace).
  await us.addOspfInterface(2, '{stub}', { passive: true, cost: 5 }, { addresses: [{ address: '10.255.83.1', prefixLength: 24 }] });
  await us.call('startComplete');
  await us.call('rtmAdd', { owner: STATIC, prefix: '10.255.85.0/24', nextHop: '10.255.83.9', interfaceIndex: 2, metric: 1 });
  return { lab, bird, frr, us, started };
}

async function converged(env: Awaited<ReturnType<typeof lan>>) {
  const { bird, frr, us } = env;
  const full = await waitFor('Full everywhere', async () => {
    const [ours, b, f] = await Promise.all([us.neighbors(), birdNeighbors(bird), frrNeighbors(frr)]);
    return ours.length === 2 && ours.every((n) => n.state === 'full') && fullWith(b, [US, FRR]) && fullWith(f, [US, BIRD]) ? Date.now() : undefined;
  }, 40_000, 100);
  const db = await sameDatabases('identical databases', () => Promise.all([ourLsdb(us), birdLsdb(bird), frrLsdb(frr)]));
  // Full is not converged (the reference: BIRD may skip an instance within MinLSArrival and get
  // it by retransmission): wait for the routes each should have.
  const routesAt = await waitFor('routes everywhere', async () => {
    const [ours, b, f] = await Promise.all([us.rtm(), birdRoutes(bird), frrRoutes(frr)]);
    const have = (list: string[], p: string) => list.some((r) => r.startsWith(`${p} `));
    return ours.some((r) => r.dest === `${FRR}/32`) && ours.some((r) => r.dest === '10.255.84.0/24') &&
      have(b, '10.255.83.0/24') && have(b, '10.255.85.0/24') && have(f, '10.255.83.0/24') && have(f, '10.255.84.0/24') ? Date.now() : undefined;
  }, 40_000, 100);
  return { full, db, routesAt };
}

/** BIRD's and FRR's tables equal our SPF from their router ids over the shared database; our RTM our own SPF. */
async function sameRoutes(t: any, env: Awaited<ReturnType<typeof lan>>): Promise<void> {
  const { bird, frr, us } = env;
  await eventuallyEqual(t, 'BIRD\'s routes are SPF from BIRD', () => birdRoutes(bird), () => spfView(us, BIRD));
  await eventuallyEqual(t, 'FRR\'s routes are SPF from FRR', () => frrRoutes(frr), () => spfView(us, FRR));
  const ourRtm = async () => (await us.rtm()).map((r) => `${r.dest} ${r.metric} ${r.nextHops.map((h) => h.address).sort().join(',')}`).sort();
  const ourSpf = async () => forwarded(await spfView(us, US)).map((r) => {
    const [p, , cost, hops] = r.split(' ');
    return `${p} ${cost!.includes('/') ? cost!.split('/')[1] : cost} ${hops}`; // RTM's metric of a type-2 external is its external metric
  }).sort();
  await eventuallyEqual(t, 'our RTM is our SPF', ourRtm, ourSpf);
}

test.serial('LAN with BIRD and FRR: Full with the DR and BDR where the priorities say; identical databases; every router\'s routes are its SPF', async (t) => {
  t.timeout(110_000);
  const env = await lan(t, { us: 20, frr: 10, bird: 5 });
  const { bird, frr, us, started } = env;
  const c = await converged(env);
  t.log(`all adjacencies Full ${c.full - started} ms after the daemons started; routes everywhere after ${c.routesAt - started} ms; ${c.db.length} LSAs`);

  // The election: we (20) DR, FRR (10) BDR, BIRD (5) DROther — in every router's view.
  const [ours] = await us.interfaces();
  t.is(ours!.state, 'dr');
  t.is(ours!.backupDesignatedRouterId, FRR);
  t.like(await birdDr(bird, 'eth0'), { dr: US, bdr: FRR });
  t.like(await frrDr(frr, 'eth0'), { dr: US, bdr: FRR });
  t.true(c.db.some((l) => l.startsWith(`2 ${US} ${US} `)), 'our network-LSA for the LAN');
  t.true(c.db.some((l) => l.startsWith(`5 10.255.85.0 ${US} `)), 'our external for the redistributed static');
  t.true(c.db.some((l) => l.startsWith(`3 ${FRR} ${FRR} `)), 'FRR\'s summary-LSA for its loopback in area 1');

  // Routes: BIRD's and FRR's tables equal what our SPF computes from their router ids over
  // the shared database; ours equal our own SPF.
  await sameRoutes(t, env);
  const rtm = await us.rtm();
  t.deepEqual(rtm.find((r) => r.dest === `${BIRD}/32`)?.nextHops, [{ address: '10.255.80.2', interfaceIndex: 1 }]);
  t.is(rtm.find((r) => r.dest === '10.255.84.0/24')?.metric, 10000, 'BIRD\'s static: E2 with BIRD\'s default metric');
  // Our redistributed static at BIRD and FRR: E1, cost to us (10) + 30.
  t.true((await birdRoutes(bird)).includes('10.255.85.0/24 E1 40 10.255.80.1'));
  t.true((await frrRoutes(frr)).includes('10.255.85.0/24 E1 40 10.255.80.1'));
  t.regex(await bird.birdc('show', 'route', 'for', '10.255.85.0/24', 'all'), /OSPF\.tag: 0x0000004d/, 'tag 77');

  // A silent cut of FRR's port: we see FRR go after the dead interval, and our RTM loses its routes.
  await quietSpf(us);
  const cut = Date.now();
  await sh('ip', ['-n', env.lab.ns('sw'), 'link', 'set', 'p2', 'down']);
  const gone = await waitFor('FRR\'s routes leave our RTM', async () => ((await us.rtm()).some((r) => r.dest === `${FRR}/32`) ? undefined : Date.now()), 20_000, 50);
  const took = gone - cut;
  const bound = DEAD * 1000 + SPF_DELAY + 500;
  t.log(`link cut: FRR's routes left our RTM after ${took} ms (dead interval ${DEAD * 1000} ms + SPF delay ${SPF_DELAY} ms; bound ${bound})`);
  t.true(took <= bound, `converged in ${took} ms`);
  // BIRD, the DROther, is our BDR now, and our network-LSA lists the two of us.
  await waitFor('BIRD becomes BDR', async () => (await us.interfaces())[0]!.backupDesignatedRouterId === BIRD, 10_000, 100);
  await waitFor('BIRD drops FRR\'s routes too', async () => !(await birdRoutes(bird)).some((r) => r.startsWith(`${FRR}/32`)), 15_000, 100);
  const net = (await us.lsdb()).find((l) => l.type === 2 && l.advertisingRouter === US && l.age < 3600)!;
  t.deepEqual((net.body.routers as number[]).length, 2);
});

test.serial('LAN where we are DROther (priority 1): Full with FRR as DR and BIRD as BDR, 2-Way with nobody left out, routes equal SPF', async (t) => {
  t.timeout(110_000);
  const env = await lan(t, { us: 1, frr: 10, bird: 5 });
  const { frr, us, started } = env;
  const c = await converged(env);
  t.log(`as DROther: Full ${c.full - started} ms after start; routes ${c.routesAt - started} ms`);
  const [ours] = await us.interfaces();
  t.is(ours!.state, 'drOther');
  t.is(ours!.designatedRouterId, FRR);
  t.is(ours!.backupDesignatedRouterId, BIRD);
  t.like(await frrDr(frr, 'eth0'), { dr: FRR, bdr: BIRD });
  t.false(c.db.some((l) => l.startsWith(`2 ${US} `)), 'no network-LSA from a DROther');
  await sameRoutes(t, env);
});
