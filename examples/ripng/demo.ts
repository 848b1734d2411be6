// The RIPng demonstration (npm start -- --ripng): three routers, each the mock router
// manager's IPv6 router manager hosting examples/ripng in its own process, talking over ::1 as
// unicast neighbours (no root, no link-locals needed; on a real link RIPng speaks from
// fe80::/10 to ff02::9, see the README and test/interop/ripng.interop.ts):
//
//   HQ      if1 {LAN-HQ}      2001:db8:1::1/64  silent: announced, no RIPng packets
//           if2 {to-branch}   ::1 port P        permanent link to the branch (port P+1)
//           if3 {dial-site}   ::1 port P+2      demand-dial, RFC 2091, to the site (port P+3)
//   branch  if1 {LAN-branch}  2001:db8:2::1/64, if2 {to-hq} port P+1
//   site    if1 {LAN-site}    2001:db8:3::1/64, if2 {dial-hq} port P+3, demand
//
// HQ redistributes 2001:db8:100::/48 and 150 statics (more than one 72-RTE datagram) from its
// RTM; the branch learns them over the permanent link; HQ runs DoUpdateRoutes(3) to learn the
// site's LAN over the demand link; the branch's LAN goes down, HQ's RTM follows.
//
//   node dist/examples/ripng/demo.js [--port 5521]      (or: npm start -- --ripng)
import { RouterProcess, waitFor, type RtmRouteView } from '../rip/client.js';
import { errorName } from '../../lib/constants.js';
import { REDISTRIBUTE_ANY } from '../distance-vector/redistribute.js';

const STATIC = 10006;
const argAt = process.argv.indexOf('--port');
const base = Number(argAt >= 0 ? process.argv[argAt + 1] : process.env.RIPNG_DEMO_PORT ?? 5521);
const tty = process.stdout.isTTY && !process.env.NO_COLOR;
const paint = (code: number, s: string) => (tty ? `\x1b[${code}m${s}\x1b[0m` : s);
const say = (s: string) => console.log(`\n${paint(33, '▶')} ${paint(1, s)}`);

const statics = Array.from({ length: 150 }, (_, k) => `2001:db8:200:${k.toString(16)}::/64`.replace(':0::', '::'));

async function show(name: string, r: RouterProcess): Promise<void> {
  const [ifs, table, rtm] = await Promise.all([r.mib<any>(2), r.mib<any>(4), r.rtm(true)]);
  console.log(paint(1, `── ${name} `.padEnd(78, '─')));
  for (const i of ifs as any[]) {
    console.log(`  if${i.index} ${i.running ? paint(32, 'RIPng') : paint(2, 'off  ')} ${i.config.mode.padEnd(7)} ${i.config.demand ? 'demand  ' : 'periodic'} ` +
      `${i.source ?? '-'} port ${i.config.port}  sent ${i.stats.packetsSent} rcvd ${i.stats.packetsReceived}`);
  }
  const shown = (table as any[]).filter((x) => !x.destination.startsWith('2001:db8:200:') || x.destination === '2001:db8:200::');
  for (const x of shown) {
    const timer = x.timerMs === null ? (x.demand ? 'no timeout (RFC 2091)' : '') : `${Math.round(x.timerMs / 1000)} s`;
    console.log(`  ${`${x.destination}/${x.prefixLength}`.padEnd(22)} ${x.source.padEnd(13)} metric ${String(x.metric).padEnd(3)} if${x.interfaceIndex} ${(x.neighbor ?? '').padEnd(5)} ${timer}`);
  }
  const hidden = (table as any[]).length - shown.length;
  if (hidden) console.log(paint(2, `  ... and ${hidden} more of 2001:db8:200::/56`));
  const best = rtm.filter((x: RtmRouteView) => x.best);
  console.log(paint(2, `  RTM: ${best.length} best routes, ${best.filter((x) => x.owner !== STATIC).length} of them RIPng's`));
}

async function main(): Promise<void> {
  const global = { updateIntervalMs: 5_000, routeTimeoutMs: 20_000, garbageMs: 10_000, triggeredMinMs: 300, triggeredMaxMs: 1_000, redistribute: [REDISTRIBUTE_ANY] };
  const hq = new RouterProcess('HQ');
  const br = new RouterProcess('branch');
  const site = new RouterProcess('site');
  const stopAll = () => Promise.all([hq, br, site].map((r) => r.stop().catch(() => r.kill())));
  process.once('SIGINT', () => void stopAll().then(() => process.exit(130)));
  try {
    say('three mock routers, each hosting RIPng on the IPv6 router manager (RF_ROUTINGV6, RTM AF_INET6)');
    await hq.start(global, { protocol: 'ripng', routerId: '10.1.0.1' });
    await br.start(global, { protocol: 'ripng', routerId: '10.2.0.1' });
    await site.start(global, { protocol: 'ripng', routerId: '10.3.0.1' });
    const link = (port: number, peerPort: number) => ({ destination: 'peersOnly', peers: ['::1'], port, peerPort });
    const lo = { addresses: [{ address: '::1', prefixLength: 128 }] };
    await hq.addInterface(1, '{LAN-HQ}', { mode: 'silent' }, { addresses: [{ address: '2001:db8:1::1', prefixLength: 64 }] });
    await hq.addInterface(2, '{to-branch}', link(base, base + 1), lo);
    await hq.addInterface(3, '{dial-site}', { ...link(base + 2, base + 3), demand: true, demandUpdateTimeoutMs: 3_000 }, lo, 'demandDial');
    await br.addInterface(1, '{LAN-branch}', { mode: 'silent' }, { addresses: [{ address: '2001:db8:2::1', prefixLength: 64 }] });
    await br.addInterface(2, '{to-hq}', link(base + 1, base), lo);
    await site.addInterface(1, '{LAN-site}', { mode: 'silent' }, { addresses: [{ address: '2001:db8:3::1', prefixLength: 64 }] });
    await site.addInterface(2, '{dial-hq}', { ...link(base + 3, base + 2), demand: true }, lo, 'demandDial');
    for (const r of [hq, br, site]) await r.call('startComplete');

    say(`HQ's RTM gets ${statics.length + 1} static routes to redistribute (more than one 72-RTE datagram)`);
    await hq.call('rtmAdd', { owner: STATIC, prefix: '2001:db8:100::/48', nextHop: 'fe80::1', interfaceIndex: 1, metric: 1 });
    for (const p of statics) await hq.call('rtmAdd', { owner: STATIC, prefix: p, nextHop: 'fe80::1', interfaceIndex: 1, metric: 1 });
    const t0 = Date.now();
    await waitFor('convergence', async () => {
      const [a, b] = await Promise.all([hq.rtm(), br.rtm()]);
      return a.some((r) => r.dest === '2001:db8:2::/64') && b.filter((r) => r.dest.startsWith('2001:db8:200:') || r.dest === '2001:db8:200::/64').length === statics.length;
    }, 30_000);
    say(`converged in ${Date.now() - t0} ms: the branch has HQ's LAN, 2001:db8:100::/48 and all ${statics.length} statics`);
    await show('HQ', hq);
    await show('branch', br);

    say('autostatic update: HQ calls DoUpdateRoutes(3) on the demand-dial interface');
    const u0 = Date.now();
    const ok = await hq.updateRoutes(3);
    const dial = (await hq.rtm()).find((r) => r.dest === '2001:db8:3::/64');
    say(`DoUpdateRoutes(3) = ${errorName(ok.code)}, UPDATE_COMPLETE ${ok.status === 0 ? 'NO_ERROR' : ok.status} after ${Date.now() - u0} ms: ` +
      `the site's LAN is in HQ's RTM (${dial ? `metric ${dial.metric} via if${dial.nextHops[0]?.interfaceIndex}` : 'missing!'}), with no timeout`);

    say('the branch stops announcing its LAN (the interface goes down): a triggered update with metric 16');
    await br.call('interfaceStatus', { index: 1, what: 'disable' });
    const w0 = Date.now();
    await waitFor('HQ to drop 2001:db8:2::/64', async () => !(await hq.rtm()).some((r) => r.dest === '2001:db8:2::/64'), 15_000);
    say(`HQ removed 2001:db8:2::/64 from its RTM after ${Date.now() - w0} ms (unreachable in its RIPng table until garbage collection)`);
    await show('HQ', hq);
    await show('site', site);
  } finally {
    await stopAll();
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.stack ?? err.message : String(err));
  process.exit(1);
});
