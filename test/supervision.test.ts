// Supervision: the library restarts a host that dies or hangs, replays RRAS's state to it,
// keeps the dead host's routes (stale) until the new one re-announced them, and gives up
// after its restart budget. RRAS-facing calls keep answering within their deadlines.
import test from 'ava';
import { ERROR_CAN_NOT_COMPLETE, MockRouter, NO_ERROR, ROUTER_STOPPED, UPDATE_COMPLETE } from '../lib/index.js';
import { addInterfaces, fixture, scriptedCalls, sleep, startScripted, uniqueId, until, codeOf } from './helpers.js';

const route = (destination: string, interfaceIndex: number, metric = 1) =>
  ({ destination, prefixLength: 24, nextHop: `192.0.2.${interfaceIndex % 250 + 1}`, interfaceIndex, metric });

test('a killed host is restarted and gets RRAS state replayed: global config, interfaces, bindings, enabled', async (t) => {
  const { router, proto } = await startScripted(t, { note: 'replay me' }, { backoffInitialMs: 50 });
  await addInterfaces(proto, [3, 4]);
  t.is(await proto.disableInterface(4), NO_ERROR);
  t.is(await proto.startComplete(), NO_ERROR);
  const before = await scriptedCalls(proto);
  process.kill(before.pid, 'SIGKILL');
  const after = await until('a new host', async () => {
    try {
      const s = await scriptedCalls(proto);
      return s.pid !== before.pid ? s : undefined;
    } catch {
      return undefined; // host down: the MIB call answers ERROR_CAN_NOT_COMPLETE meanwhile
    }
  });
  const start = after.calls.find((c) => c.call === 'start')!;
  t.like(start, { restarted: true, generation: 2 });
  const replay = after.calls.map((c) => c.call === 'interfaceStatus' ? `${c.call}:${c.index}:${c.change}` : c.index !== undefined ? `${c.call}:${c.index}` : c.call);
  t.deepEqual(replay, [
    'start', 'addInterface:3', 'interfaceStatus:3:addressChange', 'interfaceStatus:3:enabled',
    'addInterface:4', 'interfaceStatus:4:addressChange', 'interfaceStatus:4:disabled', 'startComplete',
  ]);
  t.is(after.calls.find((c) => c.call === 'interfaceStatus' && c.index === 3 && c.change === 'enabled')!.operational, true);
  const { complete } = await proto.updateRoutes(3);
  t.is(complete?.updateStatus, NO_ERROR, 'the protocol works again');
  t.regex(router.log(), /host \(generation 1\) lost/);
  t.regex(router.log(), /host restarted \(generation 2\)/);
});

test('routes survive a crash: stale until re-announced, then the rest is swept', async (t) => {
  const routes = { 5: [route('10.50.1.0', 5), route('10.50.2.0', 5)] };
  const { router, proto } = await startScripted(t, { routes, startRoutes: [route('10.55.0.0', 15)] }, { backoffInitialMs: 50, staleTimeoutMs: 60000 });
  await addInterfaces(proto, [5]);
  await proto.updateRoutes(5);
  t.is(await proto.startComplete(), NO_ERROR);
  const mine = () => router.rtm.routes(proto.protocolId).map((r) => r.dest).sort();
  t.deepEqual(mine(), ['10.50.1.0/24', '10.50.2.0/24', '10.55.0.0/24']);
  const { pid } = await scriptedCalls(proto);
  process.kill(pid, 'SIGKILL');
  // The restarted host re-announces only its start routes; after the replayed startComplete
  // it declares itself synced, and the library deletes what was not re-announced.
  await until('the sweep', () => router.log().includes('swept 2 stale route(s)') || undefined);
  t.deepEqual(mine(), ['10.55.0.0/24']);
  t.regex(router.log(), /the host declared itself synced: swept 2 stale route\(s\)/);
});

test('a hung event loop is detected by the heartbeat: the host is restarted, the update in flight completes with ERROR_CAN_NOT_COMPLETE', async (t) => {
  const { router, proto } = await startScripted(t, { blockEventLoopOnUpdate: [7] },
    { heartbeatMs: 200, heartbeatMisses: 3, backoffInitialMs: 50, callTimeoutMs: 2000 });
  await addInterfaces(proto, [7, 8]);
  t.is(await proto.doUpdateRoutes(7), NO_ERROR);
  const done = await proto.waitForEvent((e) => e.event === UPDATE_COMPLETE && e.interfaceIndex === 7, 15000);
  t.is(done.updateStatus, ERROR_CAN_NOT_COMPLETE);
  t.regex(router.log(), /missed 3 heartbeats/);
  await until('the restarted host', () => router.log().includes('host restarted (generation 2)') || undefined);
  const { complete } = await proto.updateRoutes(8);
  t.is(complete?.updateStatus, NO_ERROR);
});

test('restart budget: a host that keeps dying is given up on; calls answer 1003 and events still drain', async (t) => {
  const { router, proto } = await startScripted(t, { crashOnUpdate: [9] }, { restartLimit: 2, restartWindowMs: 60000, backoffInitialMs: 20 });
  await addInterfaces(proto, [9]);
  t.is(await proto.doUpdateRoutes(9), NO_ERROR);
  const first = await proto.waitForEvent((e) => e.event === UPDATE_COMPLETE, 10000);
  t.is(first.updateStatus, ERROR_CAN_NOT_COMPLETE, 'the crash completes the update');
  for (let gen = 2; gen <= 3; gen++) {
    await until(`host generation ${gen}`, () => router.log().includes(`host restarted (generation ${gen})`) || undefined);
    const seen = proto.events.length;
    let code = await codeOf(proto.doUpdateRoutes(9));
    while (code !== NO_ERROR) {
      await sleep(20);
      code = await codeOf(proto.doUpdateRoutes(9));
    }
    await proto.waitForEvent((e) => e.event === UPDATE_COMPLETE, 10000, seen);
  }
  await until('giving up', () => router.log().includes('giving up') || undefined);
  t.regex(router.log(), /exit code 99/, 'the host\'s end is logged');
  t.is(await codeOf(proto.doUpdateRoutes(9)), ERROR_CAN_NOT_COMPLETE);
  t.is((await proto.getGlobalInfo()).code, NO_ERROR, 'Get*Info still answers from the library');
  t.is(proto.events.filter((e) => e.event === UPDATE_COMPLETE).length, 3, 'exactly one UPDATE_COMPLETE per accepted DoUpdateRoutes');
  const { code, stopped } = await proto.stop();
  t.is(code, 907);
  t.is(stopped?.event, ROUTER_STOPPED);
});

test('the stale timer deletes a dead host\'s routes when no host re-announces them in time', async (t) => {
  const { router, proto } = await startScripted(t, { routes: { 6: [route('10.60.1.0', 6)] } },
    { restartLimit: 0, staleTimeoutMs: 600, heartbeatMs: 100 });
  await addInterfaces(proto, [6]);
  await proto.updateRoutes(6);
  t.is(router.rtm.routes(proto.protocolId).length, 1);
  const { pid } = await scriptedCalls(proto);
  process.kill(pid, 'SIGKILL');
  await until('the stale sweep', () => router.log().includes('stale timer expired') || undefined);
  t.is(router.rtm.routes(proto.protocolId).length, 0);
});

// POSIX: SIGHUP to the host; everywhere: ctx.requestRestart (here through the fixture's MIB set).
const viaSignal = process.platform !== 'win32';
test(`a planned restart (a code reload, ${viaSignal ? 'SIGHUP' : 'ctx.requestRestart'}) keeps the routes and does not count against the budget`, async (t) => {
  const { router, proto } = await startScripted(t, { routes: { 5: [route('10.65.1.0', 5), route('10.65.2.0', 5)] } },
    { restartLimit: 0, staleTimeoutMs: 60000 });
  await addInterfaces(proto, [5]);
  await proto.updateRoutes(5);
  const before = await scriptedCalls(proto);
  if (viaSignal) process.kill(before.pid, 'SIGHUP');
  else t.is((await proto.mib('set', Buffer.alloc(4))).code, NO_ERROR);
  const after = await until('the new host', async () => {
    try {
      const s = await scriptedCalls(proto);
      return s.pid !== before.pid ? s : undefined;
    } catch {
      return undefined;
    }
  });
  t.like(after.calls[0], { call: 'start', restarted: true, generation: 2 });
  t.regex(router.log(), viaSignal ? /the host asks to be restarted: SIGHUP/ : /the host asks to be restarted: requested through the MIB/);
  t.regex(router.log(), /planned restart of host pid \d+ \(exit code \d+\); its routes are kept/);
  t.notRegex(router.log(), /giving up/, 'restartLimit 0 does not apply to a planned restart');
  t.is(router.rtm.routes(proto.protocolId).length, 2, 'the routes stayed in RTM');
  const { complete } = await proto.updateRoutes(5);
  t.is(complete?.updateStatus, NO_ERROR, 're-announced by the new host');
  t.is(router.rtm.routes(proto.protocolId).length, 2);
});

test('a restart attempt that dies while starting does not take down the healthy host after it (loss notices name their generation)', async (t) => {
  // Generation 2 exits in its start handler: its channel closes and its loss is noticed while
  // the supervisor is still restarting. Generation 3 is healthy and must stay.
  const { router, proto } = await startScripted(t, { crashOnStartGeneration: [2] }, { backoffInitialMs: 50, restartLimit: 2 });
  await addInterfaces(proto, [3]);
  const { pid } = await scriptedCalls(proto);
  process.kill(pid, 'SIGKILL');
  await until('generation 3', () => router.log().includes('host restarted (generation 3)') || undefined);
  const third = await until('the third host', async () => {
    try {
      return (await scriptedCalls(proto)).pid;
    } catch {
      return undefined;
    }
  });
  await sleep(1500);  // time for a stale notice to act
  t.is((await scriptedCalls(proto)).pid, third, 'the healthy host is still the one serving');
  t.regex(router.log(), /host generation 2 is no longer the current one: its notice is ignored/);
  t.notRegex(router.log(), /generation 4|giving up/);
  const { complete } = await proto.updateRoutes(3);
  t.is(complete?.updateStatus, NO_ERROR);
});

test('a new StartProtocol resets the restart budget: after a give-up, the next run restarts its host again', async (t) => {
  const { router, proto } = await startScripted(t, {}, { restartLimit: 1, restartWindowMs: 600_000, backoffInitialMs: 20 });
  const kill = async () => process.kill((await scriptedCalls(proto)).pid, 'SIGKILL');
  await kill();
  await until('the restart', () => router.log().includes('host restarted (generation 2)') || undefined);
  await until('the restarted host', async () => (await scriptedCalls(proto).catch(() => undefined)));
  await kill();
  await until('giving up', () => router.log().includes('giving up') || undefined);
  t.is((await proto.stop()).stopped?.event, ROUTER_STOPPED);
  const before = router.log().length;
  t.is(await proto.start({ globalInfo: Buffer.from('{}') }), NO_ERROR);
  await kill();
  await until('the restart in the new run', () => /host restarted \(generation \d+\)/.test(router.log().slice(before)) || undefined);
  t.notRegex(router.log().slice(before), /giving up/, 'the new run has its whole budget');
  await until('the new run\'s restarted host', async () => (await scriptedCalls(proto).catch(() => undefined)));
});

test('the start handler is bounded by startTimeoutMs, not callTimeoutMs', async (t) => {
  const { router, proto } = await startScripted(t, { startDelayMs: 2500 }, { startTimeoutMs: 20_000, callTimeoutMs: 1000 });
  t.regex(router.log(), /scripted started/, 'a 2.5 s start handler with callTimeoutMs 1000 starts');
  const { complete } = await (async () => { await addInterfaces(proto, [2]); return proto.updateRoutes(2); })();
  t.is(complete?.updateStatus, NO_ERROR);
});

test('a start handler slower than startTimeoutMs: StartProtocol answers ERROR_CAN_NOT_COMPLETE and says why', async (t) => {
  const router = new MockRouter();
  t.teardown(() => router.close());
  const proto = router.register({ protocolId: uniqueId(0x71800000), module: fixture('scripted'), heartbeatMs: 0, startTimeoutMs: 6000 });
  const t0 = Date.now();
  t.is(await codeOf(proto.start({ globalInfo: Buffer.from(JSON.stringify({ startDelayMs: 60_000 })) })), ERROR_CAN_NOT_COMPLETE);
  t.true(Date.now() - t0 < 30_000, 'well before the handler would finish');
  t.regex(router.log(), /the start handler did not finish within startTimeoutMs \(6000 ms\)/);
});

test(`a stopped host (SIGSTOP) does not stretch the stop: ROUTER_STOPPED within stopTimeoutMs plus a margin${process.platform === 'win32' ? ' [POSIX only: SIGSTOP]' : ''}`, async (t) => {
  if (process.platform === 'win32') return void t.pass();
  const stopTimeoutMs = 2000;
  const { router, proto } = await startScripted(t, {}, { stopTimeoutMs });
  await addInterfaces(proto, [4]);
  const { pid } = await scriptedCalls(proto);
  process.kill(pid, 'SIGSTOP');
  const t0 = Date.now();
  const { code, stopped } = await proto.stop();
  const took = Date.now() - t0;
  t.is(code, 907);
  t.is(stopped?.event, ROUTER_STOPPED);
  t.log(`ROUTER_STOPPED ${took} ms after StopProtocol (stopTimeoutMs ${stopTimeoutMs})`);
  t.true(took >= stopTimeoutMs - 100, `the stop handler had its time (${took} ms)`);
  t.true(took < stopTimeoutMs + 1500, `the whole stop, kill included, within stopTimeoutMs + 1.5 s (${took} ms)`);
  t.regex(router.log(), new RegExp(`host pid ${pid} ended \\(signal 9\\)`));
});

test('updateTimeoutMs: an updateRoutes handler that never settles gets UPDATE_COMPLETE ERROR_CAN_NOT_COMPLETE at the deadline', async (t) => {
  // Generous: an update that does answer (7) must do so within updateTimeoutMs even under load.
  const { router, proto } = await startScripted(t, { neverSettle: [5], updateDelayMs: { 6: 7000 } }, { updateTimeoutMs: 4000 });
  await addInterfaces(proto, [5, 6, 7]);
  const t0 = Date.now();
  const [hung, slow, fine] = await Promise.all([proto.updateRoutes(5), proto.updateRoutes(6), proto.updateRoutes(7)]);
  t.is(hung.complete?.updateStatus, ERROR_CAN_NOT_COMPLETE);
  t.is(slow.complete?.updateStatus, ERROR_CAN_NOT_COMPLETE);
  t.is(fine.complete?.updateStatus, NO_ERROR);
  t.true(Date.now() - t0 < 15_000, 'at the deadline, not at the stop');
  t.regex(router.log(), /DoUpdateRoutes\(5\) failed: no answer from the host within updateTimeoutMs \(4000 ms\)/);
  // The slow handler answers later: logged and dropped, no second UPDATE_COMPLETE.
  await until('the late answer', () => router.log().includes('DoUpdateRoutes(6): the protocol answered after updateTimeoutMs') || undefined);
  const { stopped } = await proto.stop();
  t.is(stopped?.event, ROUTER_STOPPED);
  for (const index of [5, 6, 7]) {
    t.is(proto.events.filter((e) => e.event === UPDATE_COMPLETE && e.interfaceIndex === index).length, 1, `exactly one UPDATE_COMPLETE for ${index}`);
  }
});
