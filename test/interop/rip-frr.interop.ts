// RIPv2 (examples/rip under the mock router) against FRR ripd (with zebra) in network
// namespaces: routes both ways, withdrawal, simple password and keyed MD5. FRR differs from
// BIRD: it needs ~2 s before it joins 224.0.0.9 (the lab polls for the membership), it does
// not poison in reverse, and it ignores authenticated whole-table Requests, so with
// authentication our side learns from FRR's periodic updates (timers basic 5 30 20).
import test from 'ava';
import { Lab, requireRoot, waitFor, type Frr } from './lab.js';
import type { RouterProcess } from '../../examples/rip/client.js';
import { REDISTRIBUTE_ANY } from '../../examples/rip/config.js';
import type { InterfaceJson } from '../../examples/rip/jsonConfig.js';

const STATIC = 10006;
const FAST = { updateIntervalMs: 5_000, routeTimeoutMs: 30_000, garbageMs: 20_000, triggeredMinMs: 200, triggeredMaxMs: 1_000 };

test.before(() => requireRoot());

function ripdConf(ifaceLines: string, preamble = ''): string {
  return `hostname ripd-d
log file $DIR/ripd.log debugging
debug rip events
debug rip packet
!
${preamble}
interface vb
${ifaceLines}
!
router rip
 version 2
 network vb
 route 10.255.40.0/24
 route 10.255.41.0/24
 timers basic 5 30 20
!
`;
}

async function setup(t: any, frrIface: string, ours: InterfaceJson, preamble = ''): Promise<{ lab: Lab; frr: Frr; rip: RouterProcess }> {
  const lab = new Lab('f');
  t.teardown(() => lab.teardown());
  const a = await lab.addNs('a');
  const d = await lab.addNs('d');
  await lab.link(a, 'va', '10.255.2.1/24', d, 'vb', '10.255.2.2/24');
  const frr = await lab.frr(d, 'frr', ripdConf(frrIface, preamble), 'vb');
  const rip = lab.router(a, 'rip');
  await rip.start({ ...FAST, redistribute: [REDISTRIBUTE_ANY], stateDirectory: lab.dir }, { routerId: '10.255.2.1' });
  await rip.addInterface(2, '{stub}', { mode: 'silent' }, { addresses: [{ address: '10.255.30.1', prefixLength: 24 }] });
  await rip.addInterface(1, '{va}', ours, { addresses: [{ address: '10.255.2.1', prefixLength: 24 }] });
  await rip.call('startComplete');
  await rip.call('rtmAdd', { owner: STATIC, prefix: '10.255.20.0/24', nextHop: '10.255.30.9', interfaceIndex: 2, metric: 1 });
  return { lab, frr, rip };
}

const rtmHas = async (rip: RouterProcess, dest: string) => (await rip.rtm()).find((r) => r.dest === dest);
const frrHas = async (frr: Frr, dest: string) => {
  const r = (await frr.ripRoutes()).get(dest);
  return r && r.metric < 16 ? r : undefined;
};

test.serial('routes both ways with metric and next hop; withdrawals in both directions', async (t) => {
  const { frr, rip } = await setup(t, '', {});
  for (const dest of ['10.255.40.0/24', '10.255.41.0/24']) {
    const r = await waitFor(`${dest} in RTM`, () => rtmHas(rip, dest), 20_000);
    t.is(r.metric, 2, dest);
    t.deepEqual(r.nextHops, [{ address: '10.255.2.2', interfaceIndex: 1 }]);
  }
  for (const dest of ['10.255.20.0/24', '10.255.30.0/24']) {
    const r = await waitFor(`FRR learns ${dest}`, () => frrHas(frr, dest), 20_000);
    t.like(r, { type: 'R(n)', via: '10.255.2.1', metric: 2 }, dest);
  }
  const ipRoute = await frr.vtysh('show ip route rip');
  t.regex(ipRoute, /R>\* 10\.255\.20\.0\/24 \[120\/2\] via 10\.255\.2\.1/, 'installed in zebra');

  await rip.call('rtmDelete', { owner: STATIC, prefix: '10.255.20.0/24' });
  await waitFor('FRR marks 10.255.20.0/24 unreachable', async () => !(await frrHas(frr, '10.255.20.0/24')), 15_000);
  await frr.vtysh('conf t', 'router rip', 'no route 10.255.41.0/24', 'end');
  await waitFor('10.255.41.0/24 leaves the RTM', async () => !(await rtmHas(rip, '10.255.41.0/24')), 15_000);
  t.truthy(await rtmHas(rip, '10.255.40.0/24'));
});

test.serial('simple password both ways; a wrong one is refused', async (t) => {
  const { frr, rip } = await setup(t, ' ip rip authentication mode text\n ip rip authentication string s3cret', { auth: 'simple', keys: [{ key: 's3cret' }] });
  await waitFor('FRR route in RTM (from its periodic update)', () => rtmHas(rip, '10.255.40.0/24'), 20_000);
  await waitFor('FRR learns ours', () => frrHas(frr, '10.255.20.0/24'), 20_000);
  await rip.call('setInterfaceConfig', { index: 1, config: { auth: 'simple', keys: [{ key: 'nope' }] } });
  await waitFor('our side refuses FRR', async () => (await rip.mib(1))[0].authFailures > 0, 20_000);
  await waitFor('FRR refuses ours', () => /authentication|auth/i.test(frr.log()) && /fail|wrong|invalid/i.test(frr.log()), 20_000);
  t.pass();
});

test.serial('keyed MD5 with FRR\'s key chain (auth data length 20 and 16); a wrong key is refused', async (t) => {
  const chain = 'key chain kc\n key 7\n  key-string s3cret\n!';
  const iface = ' ip rip authentication mode md5\n ip rip authentication key-chain kc';
  const ours: InterfaceJson = { auth: 'md5', keys: [{ keyId: 7, key: 's3cret' }] };
  const { frr, rip } = await setup(t, iface, ours, chain);
  await waitFor('FRR route in RTM (FRR digest verified by us)', () => rtmHas(rip, '10.255.40.0/24'), 20_000);
  await waitFor('FRR learns ours (auth data length 20)', () => frrHas(frr, '10.255.20.0/24'), 20_000);
  await rip.call('setInterfaceConfig', { index: 1, config: { ...ours, md5AuthDataLength: 'rfc16' } });
  await rip.call('rtmAdd', { owner: STATIC, prefix: '10.255.21.0/24', nextHop: '10.255.30.9', interfaceIndex: 2, metric: 1 });
  await waitFor('FRR learns a route signed with auth data length 16', () => frrHas(frr, '10.255.21.0/24'), 20_000);
  await rip.call('setInterfaceConfig', { index: 1, config: { auth: 'md5', keys: [{ keyId: 7, key: 'not-it' }] } });
  await waitFor('FRR refuses the wrong key', () => /MD5 authentication failure|authentication fail/i.test(frr.log()), 20_000);
  await waitFor('our side refuses FRR', async () => (await rip.mib(1))[0].authFailures > 0, 20_000);
  t.pass();
});
