// Large tables across a host restart: the library tells a host only other protocols' best
// routes (its own it knows, and a restarted host re-announces them), sends a table too large
// for one frame as several, and keeps the protocol's routes in RTM throughout.
import test from 'ava';
import { MockRouter, NO_ERROR, PROTO_IP_NT_STATIC, type RoutingProtocol } from '../lib/index.js';
import { fixture, sleep, uniqueId, until } from './helpers.js';

const OWN = 5000;
const OTHER = 12000;
// 12000 IPv4 change records take 336,000 bytes: more than one frame of this size holds.
const MAX_FRAME = 256 * 1024;

interface TableState {
  pid: number;
  generation: number;
  bestAtStart: number;
  bestNow: number;
  own: number;
  addResults: { ok: number; failed: number };
  seenCount: number;
  seen: { owner: number; withdrawn: boolean; destination: string }[];
  received: { beforeStart: Record<string, number>; afterStart: Record<string, number> };
}

async function state(proto: RoutingProtocol): Promise<TableState> {
  const r = await proto.mib('get', Buffer.alloc(0), 8 << 20);
  if (r.code !== NO_ERROR) throw new Error(`MIB get returned ${r.code}`);
  return JSON.parse(r.output.toString('utf8')) as TableState;
}

const staticPrefix = (i: number) => `172.${16 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}/32`;

function startTable(router: MockRouter, ownRoutes: number) {
  const protocolId = uniqueId(0x7b000000);
  const proto = router.register({
    protocolId, module: fixture('table'), hostEntry: fixture('counting-host'), heartbeatMs: 0,
    maxFrameBytes: MAX_FRAME, backoffInitialMs: 50, staleTimeoutMs: 120_000, startTimeoutMs: 60_000,
    // The MIB reads of the test's state wait for a host busy re-announcing thousands of routes:
    // under Wine on a loaded machine one took longer than the default 5 s and answered 1003.
    callTimeoutMs: 60_000,
  });
  return { proto, protocolId, started: proto.start({ globalInfo: Buffer.from(JSON.stringify({ ownRoutes })) }) };
}

test.serial('a restarted host under a large own table: no own route replayed, every other protocol\'s best route delivered, none withdrawn from RTM', async (t) => {
  const router = new MockRouter();
  t.teardown(() => router.close());
  for (let i = 0; i < OTHER; i++) t.is(router.rtm.addRoute(PROTO_IP_NT_STATIC, staticPrefix(i), '192.0.2.254', 1, 1, 1), NO_ERROR);
  const { proto, protocolId, started } = startTable(router, OWN);
  t.is(await started, NO_ERROR, `StartProtocol; library log:\n${router.log()}`);
  t.is(await proto.startComplete(), NO_ERROR);
  const first = await until('the own routes in RTM', async () => { const s = await state(proto); return s.own === OWN ? s : undefined; }, 60_000);
  t.deepEqual(first.addResults, { ok: OWN, failed: 0 });
  t.is(first.bestAtStart, OTHER, 'the whole table of other protocols reached the first start handler, over several frames');
  t.is(first.received.beforeStart[protocolId] ?? 0, 0, 'no record about its own routes before its start');
  t.is(first.received.afterStart[protocolId] ?? 0, 0, 'nor while it added them');
  t.is(first.seenCount, 0, 'so its listeners heard nothing of them');
  t.is(router.rtm.routes(protocolId).length, OWN);

  const deletedBefore = router.rtm.counters().deleted;
  let least = OWN;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      least = Math.min(least, router.rtm.routes(protocolId).length);
      await sleep(25);
    }
  })();
  process.kill(first.pid, 'SIGKILL');
  await until('the restarted host to declare itself synced', () => /the host declared itself synced: swept 0 stale route\(s\)/.test(router.log()) || undefined, 60_000);
  sampling = false;
  await sampler;
  const second = await state(proto);
  t.is(second.generation, 2);
  t.is(second.received.beforeStart[protocolId] ?? 0, 0, 'none of its own routes was replayed to the restarted host');
  t.is(second.received.beforeStart[PROTO_IP_NT_STATIC], OTHER, 'each other protocol\'s best route once');
  t.is(second.bestAtStart, OTHER, 'all of them before its start handler');
  t.deepEqual(second.addResults, { ok: OWN, failed: 0 }, 'it re-announced its table');
  t.is(least, OWN, 'the protocol\'s routes stayed in RTM throughout the restart');
  t.is(router.rtm.counters().deleted - deletedBefore, 0, 'no route was withdrawn from RTM');
  t.notRegex(router.log(), /not delivered to the host|exceeds the cap/);
});

test.serial('own routes never reach the listeners, except as the withdrawal of another protocol\'s best route they displace', async (t) => {
  const router = new MockRouter();
  t.teardown(() => router.close());
  // Another protocol's route, less preferred than the one the protocol will add for the same prefix.
  t.is(router.rtm.addRoute(PROTO_IP_NT_STATIC, '198.51.100.0/24', '192.0.2.254', 1, 1, 200), NO_ERROR);
  const { proto, protocolId, started } = startTable(router, 0);
  t.is(await started, NO_ERROR, `StartProtocol; library log:\n${router.log()}`);
  const own = Array.from({ length: 20 }, (_, i) => ({ destination: `10.129.0.${i}`, prefixLength: 32, nextHop: '192.0.2.1', interfaceIndex: 1, metric: 1 }));
  t.is((await proto.mib('set', Buffer.from(JSON.stringify({ add: own })))).code, NO_ERROR);
  const route = { destination: '198.51.100.0', prefixLength: 24, nextHop: '192.0.2.1', interfaceIndex: 1, metric: 1, preference: 10 };
  t.is((await proto.mib('set', Buffer.from(JSON.stringify({ add: [route] })))).code, NO_ERROR);
  await until('the displacement', async () => (await state(proto)).seen.some((c) => c.destination === '198.51.100.0/24') || undefined);
  await sleep(200);
  const displaced = await state(proto);
  t.deepEqual(displaced.seen, [{ owner: protocolId, withdrawn: true, destination: '198.51.100.0/24' }],
    'one change: the static route is no longer best; nothing about the 20 own routes');
  t.is(displaced.received.afterStart[protocolId], 1, 'the only record about an own route the host received');
  t.is(displaced.bestNow, 0);
  t.is((await proto.mib('set', Buffer.from(JSON.stringify({ delete: [route, ...own] })))).code, NO_ERROR);
  await until('the static route best again', async () => (await state(proto)).seenCount >= 2 || undefined);
  await sleep(200);
  const back = await state(proto);
  t.deepEqual(back.seen, [displaced.seen[0], { owner: PROTO_IP_NT_STATIC, withdrawn: false, destination: '198.51.100.0/24' }],
    'the static route is best again; nothing about the own routes deleted');
  t.is(back.bestNow, 1);
});

test.serial('a best-route change while the start handler runs reaches the host after the snapshot', async (t) => {
  const router = new MockRouter();
  t.teardown(() => router.close());
  t.is(router.rtm.addRoute(PROTO_IP_NT_STATIC, '203.0.113.0/24', '192.0.2.254', 1, 1, 1), NO_ERROR);
  const protocolId = uniqueId(0x7b000000);
  const proto = router.register({ protocolId, module: fixture('table'), heartbeatMs: 0, startTimeoutMs: 60_000 });
  const started = proto.start({ globalInfo: Buffer.from(JSON.stringify({ startDelayMs: 1500 })) });
  await until('the start handler', () => router.log().includes('start handler running') || undefined, 60_000);
  t.is(router.rtm.addRoute(PROTO_IP_NT_STATIC, '203.0.114.0/24', '192.0.2.254', 1, 1, 1), NO_ERROR);
  t.is(router.rtm.deleteRoute(PROTO_IP_NT_STATIC, '203.0.113.0/24'), NO_ERROR);
  t.is(await started, NO_ERROR, `StartProtocol; library log:\n${router.log()}`);
  const s = await until('both changes', async () => {
    const now = await state(proto);
    return now.seenCount >= 2 ? now : undefined;
  });
  t.is(s.bestAtStart, 1, 'the snapshot: the first static route');
  t.deepEqual(s.seen.map((c) => [c.destination, c.withdrawn]).sort(), [['203.0.113.0/24', true], ['203.0.114.0/24', false]]);
  t.is(s.bestNow, 1, 'the host\'s view is RTM\'s: only the second static route');
});
