// RIPv2 (examples/rip under the mock router) against BIRD 2 in network namespaces:
// routes both ways, withdrawal, simple and MD5 authentication, RFC 2091 demand circuits.
import test from 'ava';
import { Lab, requireRoot, waitFor, type Bird } from './lab.js';
import type { RouterProcess } from '../../examples/rip/client.js';
import { REDISTRIBUTE_ANY } from '../../examples/rip/config.js';
import type { InterfaceJson } from '../../examples/rip/jsonConfig.js';
import { MIB_NONE, ROUTE_FLAG_DEMAND } from '../../examples/rip/mib.js';

const STATIC = 10006;
const FAST = { updateIntervalMs: 5_000, routeTimeoutMs: 30_000, garbageMs: 20_000, triggeredMinMs: 200, triggeredMaxMs: 1_000 };

test.before(() => requireRoot());

function birdConf(opts: { statics?: string[]; iface?: string } = {}): string {
  const statics = (opts.statics ?? ['10.255.10.0/24', '10.255.11.0/24']).map((p) => `route ${p} blackhole;`).join(' ');
  return `log "$DIR/bird.log" all;
router id 10.255.0.2;
protocol device { scan time 10; }
protocol direct { ipv4; interface "vb"; }
protocol static st { ipv4; ${statics} }
protocol rip rip1 {
  ipv4 { import all; export all; };
  interface "vb" { version 2; update time 5; timeout time 30; garbage time 20; ${opts.iface ?? ''} };
}
`;
}

interface Setup {
  lab: Lab;
  bird: Bird;
  rip: RouterProcess;
}

/** ns a (ours, va 10.255.0.1/24 + a silent stub LAN 10.255.30.1/24 in the mock router only) <-> ns b (BIRD, vb 10.255.0.2/24). */
async function setup(t: any, birdIface: string, ours: InterfaceJson, type: 'permanent' | 'demandDial' = 'permanent', stateDirectory?: string): Promise<Setup> {
  const lab = new Lab('b');
  t.teardown(() => lab.teardown());
  const a = await lab.addNs('a');
  const b = await lab.addNs('b');
  await lab.link(a, 'va', '10.255.0.1/24', b, 'vb', '10.255.0.2/24');
  // The stub LAN (interface 2) is silent: RIP opens no socket there, so it needs no kernel device.
  const bird = await lab.bird(b, 'bird', birdConf({ iface: birdIface }));
  const rip = lab.router(a, 'rip');
  await startRip(rip, ours, type, stateDirectory ?? lab.dir);
  return { lab, bird, rip };
}

async function startRip(rip: RouterProcess, ours: InterfaceJson, type: 'permanent' | 'demandDial', stateDirectory: string): Promise<void> {
  await rip.start({ ...FAST, redistribute: [REDISTRIBUTE_ANY], stateDirectory }, { routerId: '10.255.0.1' });
  await rip.addInterface(2, '{stub}', { mode: 'silent' }, { addresses: [{ address: '10.255.30.1', prefixLength: 24 }] });
  await rip.addInterface(1, '{va}', ours, { addresses: [{ address: '10.255.0.1', prefixLength: 24 }] }, type);
  await rip.call('startComplete');
  await rip.call('rtmAdd', { owner: STATIC, prefix: '10.255.20.0/24', nextHop: '10.255.30.9', interfaceIndex: 2, metric: 1 });
}

const rtmHas = async (rip: RouterProcess, dest: string) => (await rip.rtm()).find((r) => r.dest === dest);

test.serial('routes both ways, right metric and next hop; withdrawals with metric 16 in both directions', async (t) => {
  const { bird, rip } = await setup(t, '', {});
  // BIRD's statics reach the mock RTM: metric 1 + our interface cost 1, via BIRD, on interface 1.
  for (const dest of ['10.255.10.0/24', '10.255.11.0/24']) {
    const r = await waitFor(`${dest} in RTM`, () => rtmHas(rip, dest), 20_000);
    t.is(r.metric, 2, dest);
    t.deepEqual(r.nextHops, [{ address: '10.255.0.2', interfaceIndex: 1 }], dest);
  }
  // Our connected stub and the redistributed static reach BIRD's table (BIRD adds its cost).
  const fromUs = await waitFor('BIRD learns 10.255.20.0/24 and 10.255.30.0/24', async () => {
    const m = await bird.routes();
    return m.has('10.255.20.0/24') && m.has('10.255.30.0/24') ? m : undefined;
  }, 20_000);
  t.deepEqual(fromUs.get('10.255.20.0/24'), { metric: 2, via: '10.255.0.1' });
  t.deepEqual(fromUs.get('10.255.30.0/24'), { metric: 2, via: '10.255.0.1' });
  // BIRD poisons in reverse: our own routes come back with metric 16 and must not be learned.
  const mine = (await rip.routes()).filter((r) => r.destination === '10.255.20.0' && r.source === 'learned' && r.metric < 16);
  t.deepEqual(mine, [], 'poisoned reverse from BIRD is not learned');

  // Our withdrawal: the static goes from RTM, we announce metric 16, BIRD drops the route.
  await rip.call('rtmDelete', { owner: STATIC, prefix: '10.255.20.0/24' });
  await waitFor('BIRD drops 10.255.20.0/24', async () => !(await bird.routes()).has('10.255.20.0/24'), 15_000);
  // BIRD's withdrawal: a static removed from its config is announced with metric 16.
  await bird.configure(birdConf({ statics: ['10.255.10.0/24'] }));
  await waitFor('10.255.11.0/24 leaves the RTM', async () => !(await rtmHas(rip, '10.255.11.0/24')), 15_000);
  const gone = (await rip.routes()).find((r) => r.destination === '10.255.11.0');
  t.is(gone?.metric, 16, 'kept in the RIP table with metric 16 until garbage collection');
  t.truthy(await rtmHas(rip, '10.255.10.0/24'), 'the other route stays');
});

test.serial('simple password: accepted both ways; a wrong password is rejected by both sides', async (t) => {
  const { bird, rip } = await setup(t, 'authentication plaintext; password "s3cret";', { auth: 'simple', keys: [{ key: 's3cret' }] });
  await waitFor('BIRD route in RTM', () => rtmHas(rip, '10.255.10.0/24'), 20_000);
  await waitFor('BIRD learns ours', async () => (await bird.routes()).has('10.255.30.0/24'), 20_000);
  await rip.call('setInterfaceConfig', { index: 1, config: { auth: 'simple', keys: [{ key: 'wrong' }] } });
  await waitFor('BIRD refuses the wrong password', () => /Authentication failed.*wrong password/.test(bird.log()), 15_000);
  const g = await waitFor('our side counts auth failures', async () => {
    const [global] = await rip.mib(1);
    return global.authFailures > 0 ? global : undefined;
  }, 15_000);
  t.true(g.authFailures > 0);
});

test.serial('keyed MD5: auth data length 20 and 16, sequence numbers survive a restart, a wrong key is rejected', async (t) => {
  const md5 = 'authentication cryptographic; password "s3cret" { id 7; algorithm keyed md5; };';
  const ours: InterfaceJson = { auth: 'md5', keys: [{ keyId: 7, key: 's3cret' }] };
  const { lab, bird, rip } = await setup(t, md5, ours);
  await waitFor('BIRD route in RTM (BIRD digest verified by us)', () => rtmHas(rip, '10.255.10.0/24'), 20_000);
  await waitFor('BIRD learns ours (our digest, length 20)', async () => (await bird.routes()).has('10.255.20.0/24'), 20_000);

  await rip.call('setInterfaceConfig', { index: 1, config: { ...ours, md5AuthDataLength: 'rfc16' } });
  await rip.call('rtmAdd', { owner: STATIC, prefix: '10.255.21.0/24', nextHop: '10.255.30.9', interfaceIndex: 2, metric: 1 });
  await waitFor('BIRD learns a new route signed with auth data length 16', async () => (await bird.routes()).has('10.255.21.0/24'), 20_000);
  const [before] = await rip.mib(1);

  // Restart: a new router process, the same state directory. BIRD remembers our last sequence
  // number and refuses lower ones, so the new one must continue above it.
  await rip.stop();
  const again = lab.router(lab.ns('a'), 'rip2');
  await startRip(again, ours, 'permanent', lab.dir);
  const [after] = await again.mib(1);
  t.true(after.authSequence > before.authSequence, `sequence ${after.authSequence} continues above ${before.authSequence}`);
  await again.call('rtmAdd', { owner: STATIC, prefix: '10.255.22.0/24', nextHop: '10.255.30.9', interfaceIndex: 2, metric: 1 });
  await waitFor('BIRD accepts the restarted router', async () => (await bird.routes()).has('10.255.22.0/24'), 20_000);
  t.notRegex(bird.log(), /lower sequence number/);

  await again.call('setInterfaceConfig', { index: 1, config: { auth: 'md5', keys: [{ keyId: 7, key: 'not-it' }] } });
  await waitFor('BIRD refuses the wrong key', () => /Authentication failed.*wrong authentication code/.test(bird.log()), 15_000);
  await waitFor('our side refuses BIRD (its digest does not match our key)', async () => (await again.mib(1))[0].authFailures > 0, 15_000);
  t.pass();
});

test.serial('demand circuit (RFC 2091): DoUpdateRoutes gets BIRD\'s routes; with BIRD down it fails after the configured wait', async (t) => {
  const ours: InterfaceJson = { demand: true, demandUpdateTimeoutMs: 3_000, demandRetransmitMs: 500 };
  const { bird, rip } = await setup(t, 'demand circuit yes;', ours, 'demandDial');
  const { code, status } = await rip.updateRoutes(1);
  t.is(code, 0, 'DoUpdateRoutes NO_ERROR');
  t.is(status, 0, 'UPDATE_COMPLETE NO_ERROR');
  for (const dest of ['10.255.10.0/24', '10.255.11.0/24']) {
    const r = await rtmHas(rip, dest);
    t.is(r?.metric, 2, `${dest} in RTM after UPDATE_COMPLETE`);
    t.deepEqual(r?.nextHops, [{ address: '10.255.0.2', interfaceIndex: 1 }]);
  }
  const learned = (await rip.routes()).filter((r) => r.source === 'learned');
  t.true(learned.length >= 2 && learned.every((r) => (r.flags & ROUTE_FLAG_DEMAND) !== 0 && r.timerMs === MIB_NONE), 'demand routes, no timeout');
  await waitFor('BIRD learns ours over the demand circuit', async () => (await bird.routes()).has('10.255.20.0/24'), 20_000);

  // SIGKILL: the peer vanishes silently (a clean BIRD shutdown would first send an RFC 2091
  // flush, which rightly withdraws its routes).
  process.kill(bird.pid, 'SIGKILL');
  await waitFor('BIRD gone', () => { try { process.kill(bird.pid, 0); return false; } catch { return true; } }, 10_000);
  const t0 = Date.now();
  const failed = await rip.updateRoutes(1);
  const ms = Date.now() - t0;
  t.is(failed.code, 0, 'DoUpdateRoutes itself still NO_ERROR');
  t.is(failed.status, 1003, 'UPDATE_COMPLETE ERROR_CAN_NOT_COMPLETE');
  t.true(ms >= 2_900, `after the configured 3000 ms (took ${ms} ms)`);
  t.truthy(await rtmHas(rip, '10.255.10.0/24'), 'autostatic routes stay in RTM when the peer is gone');
});
