// `npm run soak -- --minutes N`: random interface churn, config changes, DoUpdateRoutes, MIB
// calls and route batches, while the host is killed and hung at random. At the end it checks
// the invariants and prints them; the exit code says whether all held.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import koffi from '../lib/koffi.js';
import { MockRouter, RoutingCallError, codeOf, NO_ERROR, ERROR_CAN_NOT_COMPLETE, ERROR_INVALID_PARAMETER, ERROR_PROTOCOL_STOP_PENDING, UPDATE_COMPLETE, ROUTER_STOPPED } from '../lib/index.js';

const minutes = Number(process.argv[process.argv.indexOf('--minutes') + 1] ?? 1) || 1;
const seed = Number(process.env.SOAK_SEED ?? Date.now() % 100000);
let state = seed;
const rand = () => ((state = (state * 1103515245 + 12345) % 2147483648) / 2147483648);
const pick = <T>(a: T[]): T => a[Math.floor(rand() * a.length)]!;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const fdCount = () => fs.readdirSync('/proc/self/fd').length;

// Native heap in use (glibc mallinfo2().uordblks): the library's allocations, without V8's
// own heap, after a collection when --expose-gc is given.
const mallinfo = (() => {
  try {
    const libc = koffi.load('libc.so.6');
    const MallInfo2 = koffi.struct('mallinfo2', Object.fromEntries(['arena', 'ordblks', 'smblks', 'hblks', 'hblkhd', 'usmblks', 'fsmblks', 'uordblks', 'fordblks', 'keepcost'].map((k) => [k, 'size_t'])));
    const fn = libc.func('mallinfo2', MallInfo2, []);
    return () => {
      (globalThis as { gc?: () => void }).gc?.();
      return Number((fn() as { uordblks: number | bigint }).uordblks);
    };
  } catch {
    return () => process.memoryUsage().rss;
  }
})();

/**
 * The heap in use once transient buffers are gone: the least of a few samples, after a
 * collection each. A leak persists in every sample; a buffer in flight does not.
 */
async function settledHeap(samples = 5): Promise<number> {
  let least = Infinity;
  for (let i = 0; i < samples; i++) {
    least = Math.min(least, mallinfo());
    await sleep(100);
  }
  return least;
}

const CALL_TIMEOUT = 1500;
const HUNG = 250; // the interface whose update blocks the host's event loop

async function main(): Promise<void> {
  const router = new MockRouter();
  const fixture = path.join(__dirname, '..', 'test', 'fixtures', 'scripted.js');
  const proto = router.register({
    protocolId: 0x7ffd0001, name: 'soak', module: fixture, heartbeatMs: 200, heartbeatMisses: 3, callTimeoutMs: CALL_TIMEOUT,
    backoffInitialMs: 50, backoffMaxMs: 400, restartLimit: 1000, restartWindowMs: 60000, staleTimeoutMs: 3000,
  });
  const fdsBefore = fdCount();
  const script = (routes: Record<string, unknown[]>) => Buffer.from(JSON.stringify({
    routes, failUpdate: [7, 13], blockEventLoopOnUpdate: [HUNG], updateDelayMs: { 3: 30, 5: 80 },
  }));
  const routesFor = (ifs: number[]) => Object.fromEntries(ifs.map((i) => [i, Array.from({ length: 1 + Math.floor(rand() * 20) }, (_, k) => ({
    destination: `10.${i}.${k}.0`, prefixLength: 24, nextHop: `192.0.2.${(i % 250) + 1}`, interfaceIndex: i, metric: 1 + Math.floor(rand() * 14),
  }))]));
  const known = new Set<number>();
  const accepted = new Map<number, number>(); // interface -> DoUpdateRoutes that returned NO_ERROR
  let worst = { ms: 0, what: '' };
  let calls = 0;
  let kills = 0;
  let hangs = 0;
  const timed = async (what: string, f: () => Promise<number>, limit: number): Promise<number> => {
    const t0 = Date.now();
    const code = await codeOf(f()); // a refusal is an answer here: the soak counts codes
    const ms = Date.now() - t0;
    calls++;
    if (ms > worst.ms) worst = { ms, what };
    if (ms > limit) throw new Error(`${what} took ${ms} ms (deadline ${limit} ms)`);
    return code;
  };
  const waitLimit = CALL_TIMEOUT + 1000; // calls that wait for JS: their deadline plus scheduling slack
  const quick = 1000; // calls the library answers itself

  if ((await proto.start({ globalInfo: script(routesFor([1, 2, 3])) })) !== NO_ERROR) throw new Error(router.log());
  const end = Date.now() + minutes * 60000;
  let rssMid = 0;
  const midAt = Date.now() + (minutes * 60000) / 4;
  while (Date.now() < end) {
    if (!rssMid && Date.now() > midAt) rssMid = await settledHeap();
    const action = rand();
    if (action < 0.15) {
      const index = 1 + Math.floor(rand() * 20);
      const code = await timed('AddInterface', () => proto.addInterface({ index }), waitLimit);
      if (code === NO_ERROR) {
        known.add(index);
        await timed('InterfaceStatus', () => proto.bindInterface(index, { addresses: [{ address: `192.0.2.${(index % 250) + 1}`, prefixLength: 24 }] }), quick);
        await timed('InterfaceStatus', () => proto.enableInterface(index), quick);
      }
    } else if (action < 0.22 && known.size) {
      const index = pick([...known]);
      if ((await timed('DeleteInterface', () => proto.deleteInterface(index), quick)) === NO_ERROR) known.delete(index);
    } else if (action < 0.3 && known.size) {
      const index = pick([...known]);
      await timed('InterfaceStatus', () => (rand() < 0.5 ? proto.disableInterface(index) : proto.setMedia(index, rand() < 0.5)), quick);
    } else if (action < 0.38) {
      await timed('SetGlobalInfo', () => proto.setGlobalInfo(script(routesFor([...known]))), waitLimit);
    } else if (action < 0.75) {
      const index = rand() < 0.9 && known.size ? pick([...known]) : 99;
      const code = await timed('DoUpdateRoutes', () => proto.doUpdateRoutes(index), quick);
      if (code === NO_ERROR) accepted.set(index, (accepted.get(index) ?? 0) + 1);
      else if (code !== ERROR_CAN_NOT_COMPLETE && code !== ERROR_INVALID_PARAMETER) throw new Error(`DoUpdateRoutes returned ${code}`);
    } else if (action < 0.88) {
      await timed('MibGetEntry', async () => (await proto.mib('get', Buffer.alloc(0), 1 << 20)).code, waitLimit);
    } else if (action < 0.94) {
      try {
        const r = await proto.mib('get', Buffer.alloc(0), 1 << 20);
        if (r.code === NO_ERROR) {
          process.kill(JSON.parse(r.output.toString()).pid, 'SIGKILL');
          kills++;
        }
      } catch { /* already gone */ }
    } else if (action < 0.97) {
      if (!known.has(HUNG) && (await timed('AddInterface', () => proto.addInterface({ index: HUNG }), waitLimit)) === NO_ERROR) known.add(HUNG);
      if (known.has(HUNG) && (await timed('DoUpdateRoutes', () => proto.doUpdateRoutes(HUNG), quick)) === NO_ERROR) {
        accepted.set(HUNG, (accepted.get(HUNG) ?? 0) + 1);
        hangs++;
      }
    } else {
      await timed('GetGlobalInfo', async () => (await proto.getGlobalInfo()).code, quick);
    }
    await sleep(rand() * 20);
  }

  // Quiesce: the host is up (MIB answers), and every accepted update has completed.
  let total = [...accepted.values()].reduce((a, b) => a + b, 0);
  const completes = () => proto.events.filter((e) => e.event === UPDATE_COMPLETE);
  const until = Date.now() + 30000;
  while (completes().length < total && Date.now() < until) await sleep(100);
  let view: { own: unknown[] } | undefined;
  while (!view && Date.now() < until) {
    const r = await proto.mib('get', Buffer.alloc(0), 1 << 20);
    if (r.code === NO_ERROR && !router.log().endsWith('stale route(s)\n') && !/lost: [^\n]*\n$/.test(router.log())) view = JSON.parse(r.output.toString());
    else await sleep(100);
  }
  // Let a pending sweep finish (staleTimeoutMs), learn every interface's routes once more,
  // then compare RTM with the protocol's view.
  await sleep(3500);
  // Interfaces 1 and 2 (no scripted failure) are added, bound and enabled whatever the churn
  // left, so the comparison below is about something (a soak that ended with only interfaces
  // whose updates fail, or disabled ones, compared an empty RTM with an empty view).
  for (const index of [1, 2]) {
    if (!known.has(index) && (await codeOf(proto.addInterface({ index }))) === NO_ERROR) known.add(index);
    if (!known.has(index)) continue;
    await codeOf(proto.bindInterface(index, { addresses: [{ address: `192.0.2.${(index % 250) + 1}`, prefixLength: 24 }] }));
    await codeOf(proto.enableInterface(index));
  }
  await timed('SetGlobalInfo', () => proto.setGlobalInfo(script(routesFor([...known]))), waitLimit);
  for (const index of [...known].filter((i) => i !== HUNG)) {
    const accepts = await proto.updateRoutes(index, 10000).then(() => true, (err) => (err instanceof RoutingCallError ? false : Promise.reject(err)));
    if (accepts) accepted.set(index, (accepted.get(index) ?? 0) + 1);
  }
  view = JSON.parse((await proto.mib('get', Buffer.alloc(0), 1 << 20)).output.toString());
  total = [...accepted.values()].reduce((a, b) => a + b, 0);
  // A final update may have been matched by an earlier one's late completion: let its own arrive.
  const settled = Date.now() + 15000;
  while (completes().length < total && Date.now() < settled) await sleep(50);
  const rssEnd = await settledHeap();
  const inRtm = router.rtm.routes(0x7ffd0001).map((r) => r.dest).sort();
  const own = (view!.own as { destination: string; prefixLength: number }[]).map((r) => `${r.destination}/${r.prefixLength}`).sort();
  const perInterface = [...accepted].filter(([i, n]) => completes().filter((e) => e.interfaceIndex === i).length !== n);
  const stop = await proto.stop(20000);
  const libraryLog = router.log(); // the router's folder goes with close()
  await router.close();
  const leftInRtm = router.rtm.routes(0x7ffd0001).length;
  const handles = router.rtm.dump().handles;
  await sleep(200);
  const fdsAfter = fdCount();

  const checks: [string, boolean, string][] = [
    ['every call returned within its deadline', true, `${calls} calls, slowest ${worst.ms} ms (${worst.what})`],
    ['every accepted DoUpdateRoutes got exactly one UPDATE_COMPLETE', perInterface.length === 0 && completes().length === total,
      `${total} accepted, ${completes().length} completed${perInterface.length ? `; mismatched interfaces ${perInterface.map(([i]) => i).join(',')}` : ''}`],
    ['RTM equals the protocol\'s own view after sync', inRtm.length > 0 && JSON.stringify(inRtm) === JSON.stringify(own), `${inRtm.length} routes in RTM, ${own.length} in the view`],
    ['no stale route left after the sweep', inRtm.every((d) => own.includes(d)), `${inRtm.filter((d) => !own.includes(d)).length} left`],
    ['stop: 907, ROUTER_STOPPED, no routes left in RTM', stop.code === ERROR_PROTOCOL_STOP_PENDING && stop.stopped?.event === ROUTER_STOPPED && leftInRtm === 0, `${leftInRtm} left`],
    ['no fd or RTM handle leak', fdsAfter <= fdsBefore + 2 && handles.overReleases === 0, `fds ${fdsBefore} -> ${fdsAfter}, RTM handles held ${handles.routes}/${handles.nextHops}, over-released ${handles.overReleases}`],
    ['native memory flat (heap in use grows < 8 MiB after the first quarter)', rssEnd - rssMid < 8 * 1048576, `${(rssMid / 1048576).toFixed(1)} -> ${(rssEnd / 1048576).toFixed(1)} MiB in use`],
  ];
  console.log(`soak: ${minutes} min, seed ${seed}, ${calls} calls, ${kills} host kills, ${hangs} hangs, ${total} accepted updates`);
  for (const [name, ok, detail] of checks) console.log(`  ${ok ? 'ok  ' : 'FAIL'} ${name}: ${detail}`);
  const failed = checks.filter((c) => !c[1]).length;
  console.log(`${checks.length - failed} passed, ${failed} failed`);
  if (failed) {
    const kept = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'rras-bridge-soak-')), 'protocol.log');
    fs.writeFileSync(kept, libraryLog);
    console.log(`library log: ${kept}`);
    process.exit(1);
  }
}

main().catch((err) => {
  console.error('soak:', err);
  process.exit(1);
});
