// One LAN (a bridge) with three RIP speakers: ours under the mock router, BIRD 2, FRR ripd.
// Everyone learns everyone's routes over 224.0.0.9.
import test from 'ava';
import { Lab, requireRoot, waitFor } from './lab.js';
import { REDISTRIBUTE_ANY } from '../../examples/rip/config.js';

test.before(() => requireRoot());

test('protocol, BIRD and FRR on one bridge learn each other\'s routes', async (t) => {
  const lab = new Lab('l');
  t.teardown(() => lab.teardown());
  const a = await lab.addNs('a');
  const b = await lab.addNs('b');
  const d = await lab.addNs('d');
  await lab.bridge([
    { ns: a, ifName: 'ea', address: '10.255.9.1/24' },
    { ns: b, ifName: 'eb', address: '10.255.9.2/24' },
    { ns: d, ifName: 'ed', address: '10.255.9.3/24' },
  ]);
  const bird = await lab.bird(b, 'bird', `log "$DIR/bird.log" all;
router id 10.255.9.2;
protocol device { scan time 10; }
protocol direct { ipv4; interface "eb"; }
protocol static st { ipv4; route 10.255.10.0/24 blackhole; }
protocol rip rip1 { ipv4 { import all; export all; }; interface "eb" { version 2; update time 5; timeout time 30; garbage time 20; }; }
`);
  const frr = await lab.frr(d, 'frr', `hostname ripd-lan
log file $DIR/ripd.log informational
!
router rip
 version 2
 network ed
 route 10.255.40.0/24
 timers basic 5 30 20
!
`, 'ed');
  const rip = lab.router(a, 'rip');
  await rip.start({ updateIntervalMs: 5_000, routeTimeoutMs: 30_000, garbageMs: 20_000, redistribute: [REDISTRIBUTE_ANY], stateDirectory: lab.dir }, { routerId: '10.255.9.1' });
  await rip.addInterface(1, '{lan}', {}, { addresses: [{ address: '10.255.9.1', prefixLength: 24 }] });
  await rip.call('startComplete');
  await rip.call('rtmAdd', { owner: 10006, prefix: '10.255.20.0/24', nextHop: '10.255.9.254', interfaceIndex: 1, metric: 1 });

  const ours = await waitFor('our RTM has BIRD\'s and FRR\'s routes', async () => {
    const r = await rip.rtm();
    const bird10 = r.find((x) => x.dest === '10.255.10.0/24');
    const frr40 = r.find((x) => x.dest === '10.255.40.0/24');
    return bird10 && frr40 ? { bird10, frr40 } : undefined;
  }, 30_000);
  t.deepEqual(ours.bird10.nextHops, [{ address: '10.255.9.2', interfaceIndex: 1 }]);
  t.deepEqual(ours.frr40.nextHops, [{ address: '10.255.9.3', interfaceIndex: 1 }]);
  const b20 = await waitFor('BIRD learns ours and FRR\'s', async () => {
    const m = await bird.routes();
    return m.has('10.255.20.0/24') && m.has('10.255.40.0/24') ? m : undefined;
  }, 30_000);
  // Our static's next hop is on the LAN: announced as a third-party next hop (RFC 2453 §4.4).
  t.is(b20.get('10.255.20.0/24')?.via, '10.255.9.254');
  t.is(b20.get('10.255.40.0/24')?.via, '10.255.9.3');
  const f = await waitFor('FRR learns ours and BIRD\'s', async () => {
    const m = await frr.ripRoutes();
    const x = m.get('10.255.20.0/24');
    const y = m.get('10.255.10.0/24');
    return x && y && x.metric < 16 && y.metric < 16 ? { x, y } : undefined;
  }, 30_000);
  t.is(f.y.via, '10.255.9.2');
  const neighbours = await rip.mib(3);
  t.deepEqual(neighbours.map((n: any) => n.address).sort(), ['10.255.9.2', '10.255.9.3'], 'both daemons in our neighbour table');
});
