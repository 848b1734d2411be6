// Tables larger than one datagram, through each authentication kind, against BIRD 2 and FRR
// ripd at once, in both directions; and a peer that sends datagrams over RIP's 512 octets.
// One lab per kind: ns a (ours) has a link to BIRD (ns b) and one to FRR (ns d); each side
// originates 60 routes, so everyone's table spans several datagrams (25, 24 or 23 entries
// each) and ours carries BIRD's to FRR and FRR's to BIRD. These would have caught keyed-MD5
// datagrams of 524 bytes (FRR drops them) and the missing upper bound on received ones.
import test from 'ava';
import { Lab, requireRoot, waitFor, type Bird, type Frr } from './lab.js';
import type { RouterProcess } from '../../examples/rip/client.js';
import { REDISTRIBUTE_ANY } from '../../examples/rip/config.js';
import type { InterfaceJson } from '../../examples/rip/jsonConfig.js';

const STATIC = 10006;
const N = 60;
const FAST = { updateIntervalMs: 5_000, routeTimeoutMs: 30_000, garbageMs: 20_000, triggeredMinMs: 200, triggeredMaxMs: 1_000 };
const range = (third: number) => Array.from({ length: N }, (_, k) => `10.${third + (k >> 8)}.${k & 255}.0/24`);
const BIRDS = range(110);
const FRRS = range(120);
const OURS = range(130);

test.before(() => requireRoot());

type Kind = 'none' | 'simple' | 'md5';
const KEY = 'l4rge';

const birdAuth: Record<Kind, string> = {
  none: '',
  simple: `authentication plaintext; password "${KEY}";`,
  md5: `authentication cryptographic; password "${KEY}" { id 5; algorithm keyed md5; };`,
};
const frrAuth: Record<Kind, { preamble: string; iface: string }> = {
  none: { preamble: '', iface: '' },
  simple: { preamble: '', iface: ` ip rip authentication mode text\n ip rip authentication string ${KEY}` },
  md5: { preamble: `key chain kc\n key 5\n  key-string ${KEY}\n!`, iface: ' ip rip authentication mode md5\n ip rip authentication key-chain kc' },
};
const ourAuth: Record<Kind, InterfaceJson> = {
  none: {},
  simple: { auth: 'simple', keys: [{ key: KEY }] },
  md5: { auth: 'md5', keys: [{ keyId: 5, key: KEY }] },
};

function birdConf(iface: string): string {
  return `log "$DIR/bird.log" all;
router id 10.255.50.2;
protocol device { scan time 10; }
protocol static st { ipv4; ${BIRDS.map((p) => `route ${p} blackhole;`).join(' ')} }
protocol rip rip1 {
  ipv4 { import all; export all; };
  interface "vb" { version 2; update time 5; timeout time 30; garbage time 20; ${iface} };
}
`;
}

function ripdConf(kind: Kind): string {
  return `hostname ripd-large
log file $DIR/ripd.log debugging
debug rip events
debug rip packet
!
${frrAuth[kind].preamble}
interface vd
${frrAuth[kind].iface}
!
router rip
 version 2
 network vd
${FRRS.map((p) => ` route ${p}`).join('\n')}
 timers basic 5 30 20
!
`;
}

interface Setup {
  lab: Lab;
  bird: Bird;
  frr?: Frr;
  rip: RouterProcess;
}

async function setup(t: any, kind: Kind, opts: { birdIface?: string; withFrr?: boolean } = {}): Promise<Setup> {
  const lab = new Lab('g');
  t.teardown(() => lab.teardown());
  const a = await lab.addNs('a');
  const b = await lab.addNs('b');
  await lab.link(a, 'va', '10.255.50.1/24', b, 'vb', '10.255.50.2/24');
  let frr: Frr | undefined;
  const withFrr = opts.withFrr ?? true;
  if (withFrr) {
    const d = await lab.addNs('d');
    await lab.link(a, 'vc', '10.255.51.1/24', d, 'vd', '10.255.51.2/24');
    frr = await lab.frr(d, 'frr', ripdConf(kind), 'vd');
  }
  const bird = await lab.bird(b, 'bird', birdConf(`${birdAuth[kind]} ${opts.birdIface ?? ''}`));
  const rip = lab.router(a, 'rip');
  await rip.start({ ...FAST, redistribute: [REDISTRIBUTE_ANY], stateDirectory: lab.dir }, { routerId: '10.255.50.1' });
  await rip.addInterface(3, '{stub}', { mode: 'silent' }, { addresses: [{ address: '10.255.52.1', prefixLength: 24 }] });
  for (const p of OURS) await rip.call('rtmAdd', { owner: STATIC, prefix: p, nextHop: '10.255.52.9', interfaceIndex: 3, metric: 1 });
  await rip.addInterface(1, '{vb}', ourAuth[kind], { addresses: [{ address: '10.255.50.1', prefixLength: 24 }] });
  if (withFrr) await rip.addInterface(2, '{vd}', ourAuth[kind], { addresses: [{ address: '10.255.51.1', prefixLength: 24 }] });
  await rip.call('startComplete');
  return { lab, bird, frr, rip };
}

const count = (have: Iterable<string>, want: string[]) => {
  const s = new Set(have);
  return want.filter((p) => s.has(p)).length;
};
const reachable = <V extends { metric: number }>(m: Map<string, V>) => [...m].filter(([, v]) => v.metric < 16).map(([k]) => k);

for (const kind of ['none', 'simple', 'md5'] as const) {
  test.serial(`${kind} authentication: ${N} routes each from BIRD, FRR and us cross in every direction`, async (t) => {
    const { bird, frr, rip } = await setup(t, kind);
    const t0 = Date.now();
    const rtm = await waitFor(`all of BIRD's and FRR's ${2 * N} routes in our RTM`, async () => {
      const dests = (await rip.rtm()).map((r) => r.dest);
      return count(dests, BIRDS) === N && count(dests, FRRS) === N ? dests : undefined;
    }, 30_000, 250);
    const tUs = Date.now() - t0;
    const atBird = await waitFor(`BIRD has our ${N} and FRR's ${N}`, async () => {
      const have = reachable(await bird.routes());
      return count(have, OURS) === N && count(have, FRRS) === N ? have : undefined;
    }, 30_000, 250);
    const tBird = Date.now() - t0;
    const atFrr = await waitFor(`FRR has our ${N} and BIRD's ${N}`, async () => {
      const have = reachable(await frr!.ripRoutes());
      return count(have, OURS) === N && count(have, BIRDS) === N ? have : undefined;
    }, 30_000, 250);
    const tFrr = Date.now() - t0;
    t.log(`${kind}: RTM ${rtm.length} routes after ${tUs} ms, BIRD ${atBird.length} after ${tBird} ms, FRR ${atFrr.length} after ${tFrr} ms`);
    t.notRegex(frr!.log(), /packet size \d+ is wrong|[Aa]uthentication fail/, 'FRR refused none of our datagrams');
    t.notRegex(bird.log(), /Bad packet|Authentication failed/, 'BIRD refused none of our datagrams');
    const [global] = await rip.mib(1);
    t.is(global.badPackets, 0, 'we refused none of theirs (BIRD sends 524 bytes with MD5: 512 + the trailer)');
    t.is(global.authFailures, 0);

    // Withdrawal of more routes than one datagram carries, in both directions.
    for (const p of OURS) await rip.call('rtmDelete', { owner: STATIC, prefix: p });
    await waitFor('BIRD and FRR drop all of ours', async () => {
      const b = reachable(await bird.routes());
      const f = reachable(await frr!.ripRoutes());
      return count(b, OURS) === 0 && count(f, OURS) === 0;
    }, 20_000, 250);
    await frr!.vtysh('conf t', 'router rip', ...FRRS.map((p) => `no route ${p}`), 'end');
    await waitFor(`FRR's ${N} leave our RTM and BIRD`, async () => {
      const dests = (await rip.rtm()).map((r) => r.dest);
      return count(dests, FRRS) === 0 && count(reachable(await bird.routes()), FRRS) === 0;
    }, 20_000, 250);
    t.log(`${kind}: withdrawals of ${N} + ${N} done ${Date.now() - t0} ms after start`);
  });
}

test.serial('BIRD with tx length 1400 sends datagrams over 512 octets: each is dropped, counted and logged', async (t) => {
  const { rip } = await setup(t, 'none', { birdIface: 'tx length 1400;', withFrr: false });
  const g = await waitFor('our bad-packet counter counts BIRD\'s datagrams', async () => {
    const [global] = await rip.mib(1);
    return global.badPackets >= 2 ? global : undefined;
  }, 20_000, 250);
  t.true(g.badPackets >= 2);
  const rtm = (await rip.rtm()).map((r) => r.dest);
  t.is(count(rtm, BIRDS), 0, 'none of the routes in an oversized datagram is learned');
  const log: string = await rip.call('log');
  t.regex(log, /dropping datagrams from 10\.255\.50\.2:520: datagram of \d{4} bytes is longer than RIP's 512 octets/);
  const size = Number(/datagram of (\d+) bytes/.exec(log)![1]);
  t.true(size > 532, `BIRD sent ${size} bytes`);
  t.log(`BIRD's datagram: ${size} bytes; bad packets counted: ${g.badPackets}`);
});
