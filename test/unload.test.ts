// A router manager may unload the library as soon as GetEventMessage has returned
// ROUTER_STOPPED, and after a failed RegisterProtocol (issue 9 §1): from then on no thread of
// the library may run any of its code. MockRouter's unloadLibrary does exactly that, with
// updates in flight at every stop; a thread still running library code after the unload
// would crash this process.
import fs from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { ERROR_CAN_NOT_COMPLETE, ERROR_NOT_SUPPORTED, MockRouter, NO_ERROR, ROUTER_STOPPED, UPDATE_COMPLETE } from '../lib/index.js';
import { addInterfaces, fixture, uniqueId, codeOf } from './helpers.js';

const CYCLES = Number(process.env.RRAS_BRIDGE_UNLOAD_CYCLES ?? 100);

/** How many mappings of the library this process has (Linux), or undefined elsewhere. */
function mapped(library: string): number | undefined {
  if (process.platform !== 'linux') return undefined;
  const name = path.basename(library);
  return fs.readFileSync('/proc/self/maps', 'utf8').split('\n').filter((l) => l.endsWith(name)).length;
}

test.serial(`${CYCLES} cycles: start, updates in flight, stop, unload right after ROUTER_STOPPED, load again`, async (t) => {
  t.timeout(Math.max(60_000, CYCLES * 4_000));
  const router = new MockRouter({ unloadLibrary: true });
  t.teardown(() => router.close());
  const unloads: number[] = [];
  router.on('trace', (e) => { if (e.kind === 'call' && e.name === 'FreeLibrary') unloads.push(e.protocolId); });
  const protocolId = uniqueId(0x79000000);
  const stranger = uniqueId(0x79100000);
  for (let cycle = 0; cycle < CYCLES; cycle++) {
    const proto = router.register({ protocolId, module: fixture('scripted'), heartbeatMs: 100, stopTimeoutMs: 5000 });
    t.is(proto.registerCode, NO_ERROR, `cycle ${cycle}: RegisterProtocol`);
    // Slow updates: both are still in flight when StopProtocol comes.
    t.is(await proto.start({ globalInfo: Buffer.from(JSON.stringify({ updateDelayMs: { 1: 10_000, 2: 10_000 } })) }), NO_ERROR,
      `cycle ${cycle}: StartProtocol; log:\n${router.log()}`);
    await addInterfaces(proto, [1, 2]);
    t.is(await proto.doUpdateRoutes(1), NO_ERROR);
    t.is(await proto.doUpdateRoutes(2), NO_ERROR);
    const { code, stopped } = await proto.stop();
    t.is(code, 907);
    t.is(stopped?.event, ROUTER_STOPPED);
    // Exactly one UPDATE_COMPLETE per accepted update, failed, and before ROUTER_STOPPED.
    const names = proto.events.map((e) => e.event === UPDATE_COMPLETE ? `UPDATE_COMPLETE:${e.interfaceIndex}:${e.updateStatus}` : e.name);
    t.deepEqual(names.sort(), [`UPDATE_COMPLETE:1:${ERROR_CAN_NOT_COMPLETE}`, `UPDATE_COMPLETE:2:${ERROR_CAN_NOT_COMPLETE}`, 'ROUTER_STOPPED'].sort());
    t.is(proto.events.at(-1)?.event, ROUTER_STOPPED, 'ROUTER_STOPPED comes last');
    await t.throwsAsync(proto.doUpdateRoutes(1), { message: /unloaded after ROUTER_STOPPED/ }, 'the entry points are gone');
    // The other moment a router manager unloads: after a failed RegisterProtocol.
    if (cycle % 10 === 0) t.is(router.registerUnconfigured(stranger), ERROR_NOT_SUPPORTED);
    if (cycle % 10 === 0) t.is(mapped(router.library) ?? 0, 0, `cycle ${cycle}: the library is really unloaded`);
  }
  t.is(unloads.filter((id) => id === protocolId).length, CYCLES, 'one unload per stop');
  t.is(unloads.filter((id) => id === stranger).length, Math.ceil(CYCLES / 10), 'one unload per failed RegisterProtocol');
});

test.serial('unloading without a stop leaves the protocol running: the library stays loaded, a new load can stop it', async (t) => {
  // The router manager unloads the library while a protocol runs. The library holds its own
  // reference while it has threads, so its code stays mapped and the protocol keeps running;
  // a load that follows finds it (its events still go to the event it was started with).
  const router = new MockRouter({ unloadLibrary: true });
  t.teardown(() => router.close());
  const protocolId = uniqueId(0x79200000);
  const settings = { protocolId, module: fixture('scripted'), heartbeatMs: 100 };
  const first = router.register(settings);
  t.is(await first.start({ globalInfo: Buffer.from('{}') }), NO_ERROR);
  await addInterfaces(first, [3]);
  first.unloadLibrary();  // FreeLibrary, no StopProtocol
  await new Promise((r) => setTimeout(r, 500));  // the supervisor and the watchdog run on
  if (process.platform === 'linux') t.true((mapped(router.library) ?? 0) > 0, 'still mapped: the library holds a reference');
  const again = router.register(settings, { autoDrain: false });
  t.is(again.registerCode, NO_ERROR);
  t.is(await codeOf(again.start({ globalInfo: Buffer.from('{}') })), ERROR_CAN_NOT_COMPLETE, 'the protocol still runs');
  t.is(await again.doUpdateRoutes(3), NO_ERROR, 'and serves, with the interface RRAS added before');
  const drain = async (event: number) => {
    for (const end = Date.now() + 15_000; Date.now() < end; await new Promise((r) => setTimeout(r, 20))) {
      const { code, event: e } = again.getEventMessage();
      if (code === NO_ERROR && e!.event === event) return e!;
    }
    throw new Error(`no event ${event}`);
  };
  t.is((await drain(UPDATE_COMPLETE)).updateStatus, NO_ERROR);
  t.is(await again.call('pfnStopProtocol'), 907);
  await drain(ROUTER_STOPPED);
  if (process.platform === 'linux') t.is(mapped(router.library), 0, 'unloaded once stopped and ROUTER_STOPPED read');
});
