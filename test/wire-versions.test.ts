// Wire evolution (native/common/wire.h): a host and a library of different wire versions agree
// on the older one, and each side then writes only that version's fields, so neither ever
// receives a field it does not know. Version 2 added the library's path to `start` (the
// host logs it) and the host's resident memory to the heartbeat's reply (the watchdog names it
// when the host hangs). A pinned side plays a release of the older version: the host with
// RRAS_BRIDGE_WIRE_VERSION, the library with its wireVersion setting.
import test from 'ava';
import { ERROR_CAN_NOT_COMPLETE, MockRouter, NO_ERROR, ROUTER_STOPPED, UPDATE_COMPLETE, codeOf } from '../lib/index.js';
import { WIRE_MIN_VERSION, WIRE_VERSION } from '../lib/addon/wire.js';
import { addInterfaces, fixture, scriptedCalls, sleep, startScripted, uniqueId } from './helpers.js';

const NEWER = WIRE_VERSION;
const OLDER = WIRE_VERSION - 1;
const unknownFields = /they are skipped; said once/;

/** Runs fn with the host of every protocol started meanwhile pinned to `version` (undefined: its own). */
async function withHostVersion<T>(version: number | undefined, fn: () => Promise<T>): Promise<T> {
  const before = process.env.RRAS_BRIDGE_WIRE_VERSION;
  if (version === undefined) delete process.env.RRAS_BRIDGE_WIRE_VERSION;
  else process.env.RRAS_BRIDGE_WIRE_VERSION = String(version);
  try {
    return await fn();
  } finally {
    if (before === undefined) delete process.env.RRAS_BRIDGE_WIRE_VERSION;
    else process.env.RRAS_BRIDGE_WIRE_VERSION = before;
  }
}

test('the catalogue has an older version to play against', (t) => {
  t.true(OLDER >= WIRE_MIN_VERSION, `wire versions ${WIRE_MIN_VERSION}..${WIRE_VERSION}`);
});

const pairs: { host: number; library: number }[] = [
  { host: NEWER, library: NEWER },
  { host: OLDER, library: NEWER },
  { host: NEWER, library: OLDER },
];

for (const { host, library } of pairs) {
  const agreed = Math.min(host, library);
  test.serial(`a host of wire version ${host} and a library of version ${library} speak ${agreed}: every call works, no side sees a field it does not know`, async (t) => {
    const { router, proto } = await withHostVersion(host, () =>
      startScripted(t, {
        startRoutes: [{ destination: '10.90.0.0', prefixLength: 16, nextHop: '192.0.2.2', interfaceIndex: 2, metric: 2 }],
        routes: { 1: [{ destination: '10.91.0.0', prefixLength: 24, nextHop: '192.0.2.3', interfaceIndex: 1, metric: 3 }] },
      }, { wireVersion: library, heartbeatMs: 100, heartbeatMisses: 20 }));
    await addInterfaces(proto, [1]);
    const { code, complete } = await proto.updateRoutes(1);
    t.is(code, NO_ERROR);
    t.is(complete?.updateStatus, NO_ERROR);
    const own = router.rtm.routes(proto.protocolId).map((r) => r.dest).sort();
    t.deepEqual(own, ['10.90.0.0/16', '10.91.0.0/24'], 'routes from the host reached RTM');
    await sleep(1000); // a second of heartbeats answered, through both codecs and back
    t.true((await scriptedCalls(proto)).calls.some((c) => c.call === 'updateRoutes'), 'the MIB answers');
    const log = router.log();
    t.regex(log, new RegExp(`host pid \\d+ connected \\(generation 1, wire version ${agreed}\\)`));
    t.notRegex(log, /host restarted/, 'heartbeats answered: no restart');
    t.notRegex(log, unknownFields, 'neither side was sent fields of a version it did not agree to');
    // start.library: version 2's, so the host names the library only when both speak it.
    if (agreed >= 2) t.true(log.includes(`; library ${router.library}`), log); // the router's copy
    else t.regex(log, /started; a wire version 1 library/);
    const stop = await proto.stop();
    t.is(stop.stopped?.event, ROUTER_STOPPED);
  });
}

test.serial('the watchdog names a hung host\'s memory only when the host speaks version 2, which reports it', async (t) => {
  for (const host of [NEWER, OLDER]) {
    const { router, proto } = await withHostVersion(host, () =>
      startScripted(t, { blockEventLoopOnUpdate: [4] }, { heartbeatMs: 150, heartbeatMisses: 4, backoffInitialMs: 50, callTimeoutMs: 2000 }));
    await addInterfaces(proto, [4]);
    await sleep(600); // heartbeats answered, the last one's memory recorded
    t.is(await proto.doUpdateRoutes(4), NO_ERROR);
    const done = await proto.waitForEvent((e) => e.event === UPDATE_COMPLETE && e.interfaceIndex === 4, 15000);
    t.is(done.updateStatus, ERROR_CAN_NOT_COMPLETE);
    const line = router.log().split('\n').find((l) => l.includes('missed 4 heartbeats')) ?? '';
    if (host >= 2) t.regex(line, /it was using \d+ MiB at its last answer/, `host ${host}`);
    else t.notRegex(line, /MiB/, `host ${host}: ${line}`);
    await router.close();
  }
});

test.serial('a host pinned to a version this build does not have does not start, naming the versions it has', async (t) => {
  const started = await withHostVersion(WIRE_VERSION + 1, async () => {
    const router = new MockRouter();
    t.teardown(() => router.close());
    const proto = router.register({ protocolId: uniqueId(0x71800000), module: fixture('scripted'), heartbeatMs: 0, startTimeoutMs: 8000 });
    return { router, code: await codeOf(proto.start({ globalInfo: Buffer.from('{}') })) };
  });
  t.is(started.code, ERROR_CAN_NOT_COMPLETE, 'a host that cannot connect does not start');
  t.regex(started.router.log(), new RegExp(`maxVersion must be from ${WIRE_MIN_VERSION} to ${WIRE_VERSION}`));
});
