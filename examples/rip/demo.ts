// The RIP demonstration: two routers, each the mock router manager hosting this RIPv2
// protocol (each in its own process, with its own mock RTM), talking over loopback as unicast
// neighbours on a port of your choice (no root needed):
//
//   HQ  (A)  if1 {LAN-HQ}      10.1.0.1/24   silent: announced, no RIP packets
//            if2 {to-branch}   127.0.0.11    permanent link, peer 127.0.0.12
//            if3 {dial-branch} 127.0.0.21    demand-dial, RFC 2091, peer 127.0.0.22
//   branch (B) if1 {LAN-branch} 10.2.0.1/24, if2 {to-hq} 127.0.0.12, if3 {dial-hq} 127.0.0.22
//
// HQ redistributes a static 172.16.0.0/16 from its RTM; the branch has statics 172.20.x.0/24
// that it announces only over the dial-up link (an announce filter on if2), so HQ learns them
// only by an autostatic update: DoUpdateRoutes(3) -> Update Request, Update Responses,
// acknowledgements, replace in RTM, UPDATE_COMPLETE. Then a withdrawal, and an update with
// the branch's dial interface down (UPDATE_COMPLETE ERROR_CAN_NOT_COMPLETE after the wait).
//
//   node dist/examples/rip/demo.js [--port 5520] [--plain]
//   node dist/examples/rip/demo.js --ripng [--port 5521]     the RIPng demo instead (examples/ripng/demo.ts)
import { RouterProcess, waitFor, type RtmRouteView, type TraceLine } from './client.js';
import { REDISTRIBUTE_ANY } from './config.js';
import type { GlobalJson } from './jsonConfig.js';
import { errorName } from '../../lib/constants.js';
import { IF_STATE_DEMAND, IF_STATE_OPERATIONAL, IF_STATE_SOCKET, MIB_NONE, ROUTE_FLAG_DEMAND } from './mib.js';

const arg = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const port = Number(arg('port') ?? process.env.RIP_DEMO_PORT ?? 5520);
const live = process.stdout.isTTY && !process.argv.includes('--plain');
const color = process.stdout.isTTY && !process.env.NO_COLOR;
const c = (code: number) => (s: string) => (color ? `\x1b[${code}m${s}\x1b[0m` : s);
const bold = c(1), dim = c(2), green = c(32), red = c(31), cyan = c(36), yellow = c(33);

const STATIC = 10006; // PROTO_IP_NT_STATIC: what RRAS's static routes are in RTM

interface Router {
  name: string;
  proc: RouterProcess;
}

const events: string[] = [];
let phase = '';

function note(who: string, t: TraceLine): void {
  // The live picture shows the router manager's side: calls with results, events drained.
  // (The MIB calls that feed the picture itself are left out.)
  if (t.entry === 'support' || t.name?.startsWith('Mib')) return;
  const line = `${who.padEnd(6)} ${t.text}`;
  events.push(line);
  if (events.length > 200) events.shift();
  if (!live) console.log(dim(line));
}

const fmtHop = (r: RtmRouteView) => r.nextHops.map((h) => `${h.address} if${h.interfaceIndex}`).join(', ');

async function picture(routers: Router[]): Promise<string> {
  const out: string[] = [];
  for (const { name, proc } of routers) {
    const [ifs, table, rtm, nbrs] = await Promise.all([proc.mib<any>(2), proc.routes(), proc.rtm(true), proc.mib<any>(3)]);
    out.push(bold(`── ${name} `.padEnd(78, '─')));
    out.push(dim('  interfaces'));
    for (const i of ifs) {
      const up = i.state & IF_STATE_OPERATIONAL ? green('up  ') : red('down');
      const kind = i.state & IF_STATE_DEMAND ? yellow('demand  ') : 'periodic';
      out.push(`    if${i.interfaceIndex} ${up} ${i.mode.padEnd(7)} ${kind} ${i.state & IF_STATE_SOCKET ? `${i.address}/${i.prefixLength}` : dim('no socket')}` +
        dim(`  sent ${i.packetsSent} rcvd ${i.packetsReceived} upd-req ${i.updateRequestsSent} acks ${i.updateAcksSent}/${i.updateAcksReceived}`));
    }
    out.push(dim('  RIP table (MIB)') + dim('                                   neighbour       timer'));
    for (const r of table) {
      const metric = r.metric >= 16 ? red('16 unreachable') : String(r.metric).padEnd(14);
      const timer = r.timerMs === MIB_NONE ? (r.flags & ROUTE_FLAG_DEMAND ? yellow('no timeout (RFC 2091)') : '') : `${(r.timerMs / 1000).toFixed(0)} s`;
      out.push(`    ${`${r.destination}/${r.prefixLength}`.padEnd(18)} ${r.source.padEnd(13)} m ${metric} if${r.interfaceIndex}  ${r.neighbor === '0.0.0.0' ? ''.padEnd(15) : r.neighbor.padEnd(15)} ${timer}`);
    }
    out.push(dim('  RTM (mock): best routes of every protocol'));
    for (const r of rtm.filter((x) => x.best)) {
      const owner = r.owner === STATIC ? 'static' : cyan('RIP   ');
      out.push(`    ${r.dest.padEnd(18)} ${owner} metric ${String(r.metric).padEnd(3)} pref ${String(r.preference).padEnd(4)} via ${fmtHop(r)}`);
    }
    out.push(dim('  neighbours: ') + (nbrs.map((n: any) => `${n.address} on if${n.interfaceIndex} (${n.routes} routes, heard ${(n.lastHeardMs / 1000).toFixed(1)} s ago)`).join('; ') || dim('none')));
  }
  return out.join('\n');
}

let drawing = false;
async function draw(routers: Router[]): Promise<void> {
  if (drawing) return;
  drawing = true;
  try {
    const pic = await picture(routers);
    if (live) {
      const rows = process.stdout.rows || 50;
      const body = `${bold('rras-bridge RIPv2 demo')} ${dim(`(two mock routers over loopback, UDP port ${port})`)}\n${yellow('▶ ' + phase)}\n${pic}\n${dim('── routprot.h calls and events drained '.padEnd(78, '─'))}\n`;
      const room = Math.max(4, rows - body.split('\n').length - 1);
      process.stdout.write(`\x1b[H\x1b[2J${body}${events.slice(-room).join('\n')}\n`);
    } else {
      console.log(pic);
    }
  } catch {
    // A router may be stopping; the next frame will do.
  } finally {
    drawing = false;
  }
}

function step(text: string): void {
  phase = text;
  if (!live) console.log(`\n${yellow('▶')} ${bold(text)}`);
}

async function main(): Promise<void> {
  const global: GlobalJson = {
    updateIntervalMs: 5_000, jitterPercent: 15, routeTimeoutMs: 20_000, garbageMs: 10_000, triggeredMinMs: 500, triggeredMaxMs: 1_500,
    redistribute: [REDISTRIBUTE_ANY], redistributeFilter: { action: 'permit', entries: ['172.16.0.0/12 le 32'] },
  };
  const hq: Router = { name: 'HQ', proc: new RouterProcess('HQ') };
  const br: Router = { name: 'branch', proc: new RouterProcess('branch') };
  const routers = [hq, br];
  for (const r of routers) r.proc.onTrace = (t) => note(r.name, t);
  const stopAll = async () => {
    await Promise.all(routers.map((r) => r.proc.stop().catch(() => r.proc.kill())));
  };
  process.once('SIGINT', () => void stopAll().then(() => process.exit(130)));
  let timer: NodeJS.Timeout | undefined;
  try {
    step('starting two mock routers, each hosting the RIP protocol');
    await hq.proc.start(global, { routerId: '10.1.0.1' });
    await br.proc.start(global, { routerId: '10.2.0.1' });
    if (live) timer = setInterval(() => void draw(routers), 500);
    const link = { destination: 'peersOnly' as const, port };
    const dial = { ...link, demand: true, demandUpdateTimeoutMs: 3_000, demandRetransmitMs: 500 };
    step('adding interfaces: a silent LAN, a permanent link and a demand-dial link on each');
    await hq.proc.addInterface(1, '{LAN-HQ}', { mode: 'silent' }, { addresses: [{ address: '10.1.0.1', prefixLength: 24 }] });
    await hq.proc.addInterface(2, '{to-branch}', { ...link, peers: ['127.0.0.12'] }, { addresses: [{ address: '127.0.0.11', prefixLength: 8 }] });
    // Accept filters keep each side from learning its own networks back over the other link
    // (two parallel links and split horizon per interface would otherwise count to infinity).
    await hq.proc.addInterface(3, '{dial-branch}', { ...dial, peers: ['127.0.0.22'], acceptFilter: { action: 'deny', entries: ['172.16.0.0/16 le 32'] } }, { addresses: [{ address: '127.0.0.21', prefixLength: 8 }], remoteAddress: '127.0.0.22' }, 'demandDial');
    await br.proc.addInterface(1, '{LAN-branch}', { mode: 'silent' }, { addresses: [{ address: '10.2.0.1', prefixLength: 24 }] });
    const branchOnly = { action: 'deny' as const, entries: ['172.20.0.0/16 le 32'] };
    await br.proc.addInterface(2, '{to-hq}', { ...link, peers: ['127.0.0.11'], announceFilter: branchOnly, acceptFilter: branchOnly }, { addresses: [{ address: '127.0.0.12', prefixLength: 8 }] });
    await br.proc.addInterface(3, '{dial-hq}', { ...dial, peers: ['127.0.0.21'] }, { addresses: [{ address: '127.0.0.22', prefixLength: 8 }], remoteAddress: '127.0.0.21' }, 'demandDial');
    await hq.proc.call('startComplete');
    await br.proc.call('startComplete');

    step('static routes in each RTM: HQ 172.16.0.0/16 (redistributed), branch 172.20.1.0/24 + 172.20.2.0/24 (dial-up only)');
    await hq.proc.call('rtmAdd', { owner: STATIC, prefix: '172.16.0.0/16', nextHop: '10.1.0.254', interfaceIndex: 1, metric: 1 });
    await br.proc.call('rtmAdd', { owner: STATIC, prefix: '172.20.1.0/24', nextHop: '10.2.0.254', interfaceIndex: 1, metric: 1 });
    await br.proc.call('rtmAdd', { owner: STATIC, prefix: '172.20.2.0/24', nextHop: '10.2.0.254', interfaceIndex: 1, metric: 1 });
    const t0 = Date.now();
    await waitFor('the permanent link to converge', async () => {
      const [a, b] = await Promise.all([hq.proc.rtm(), br.proc.rtm()]);
      return a.some((r) => r.dest === '10.2.0.0/24') && b.some((r) => r.dest === '10.1.0.0/24') && b.some((r) => r.dest === '172.16.0.0/16');
    }, 20_000);
    step(`converged over the permanent link in ${Date.now() - t0} ms (Requests at start, triggered updates)`);
    await draw(routers);
    await pause(live ? 2_500 : 0);

    step('autostatic update: HQ calls DoUpdateRoutes(3) on the demand-dial interface');
    const u0 = Date.now();
    const ok = await hq.proc.updateRoutes(3);
    step(`DoUpdateRoutes(3) = ${errorName(ok.code)}, UPDATE_COMPLETE ${ok.status === 0 ? green('NO_ERROR') : red(String(ok.status))} after ${Date.now() - u0} ms: the branch's dial-up routes are in HQ's RTM, with no timeout`);
    await draw(routers);
    await pause(live ? 3_000 : 0);

    step('the branch withdraws 172.20.2.0/24: an RFC 2091 triggered update (acknowledged) carries metric 16');
    await br.proc.call('rtmDelete', { owner: STATIC, prefix: '172.20.2.0/24' });
    await waitFor('HQ to drop 172.20.2.0/24', async () => !(await hq.proc.rtm()).some((r) => r.dest === '172.20.2.0/24'), 10_000);
    step('HQ removed 172.20.2.0/24 from its RTM (kept in its RIP table as unreachable until garbage collection)');
    await draw(routers);
    await pause(live ? 3_000 : 0);

    step('the branch hangs up its dial interface; HQ asks again and waits 3 s (demandUpdateTimeoutMs)');
    await br.proc.call('interfaceStatus', { index: 3, what: 'disable' });
    const f0 = Date.now();
    const failed = await hq.proc.updateRoutes(3);
    step(`DoUpdateRoutes(3) = ${errorName(failed.code)}, UPDATE_COMPLETE ${failed.status === 0 ? green('NO_ERROR') : red(`${errorName(failed.status ?? 0)} (${failed.status})`)} after ${Date.now() - f0} ms; the autostatic routes stay`);
    await draw(routers);
    await pause(live ? 3_000 : 0);

    const [ga] = await hq.proc.mib<any>(1);
    const [gb] = await br.proc.mib<any>(1);
    step('done: stopping both routers (StopProtocol, ROUTER_STOPPED)');
    if (timer) clearInterval(timer);
    if (live) await draw(routers);
    for (const [name, g] of [['HQ', ga], ['branch', gb]] as const) {
      console.log(`${bold(name)}: ${g.periodicUpdates} regular and ${g.triggeredUpdates} triggered updates, ${g.responsesReceived} responses received, ` +
        `${g.demandUpdatesOk} autostatic updates ok / ${g.demandUpdatesFailed} failed, RTM ${g.rtmAdds} adds ${g.rtmDeletes} deletes ${g.rtmReplaces} replaces ${g.rtmErrors} errors`);
    }
  } finally {
    if (timer) clearInterval(timer);
    await stopAll();
  }
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

if (process.argv.includes('--ripng')) {
  void import('../ripng/demo.js'); // npm start -- --ripng
} else {
  main().catch((err) => {
    console.error(red(err instanceof Error ? err.stack ?? err.message : String(err)));
    process.exit(1);
  });
}
