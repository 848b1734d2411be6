// Routes in RTMv2: the protocol library is the RTM client; the mock RTM shows the result.
import test from 'ava';
import { ERROR_INVALID_PARAMETER, ERROR_NOT_SUPPORTED, NO_ERROR, UPDATE_COMPLETE, PROTO_IP_NT_STATIC, MockRouter } from '../lib/index.js';
import { addInterfaces, scriptedCalls, sleep, startScripted } from './helpers.js';

const r = (destination: string, prefixLength: number, nextHop: string, interfaceIndex: number, metric: number) =>
  ({ destination, prefixLength, nextHop, interfaceIndex, metric });

test('DoUpdateRoutes handlers replace the interface routes in RTM before UPDATE_COMPLETE', async (t) => {
  const { router, proto } = await startScripted(t, {
    routes: { 4: [r('10.40.0.0', 16, '192.0.2.9', 4, 3), r('10.41.1.0', 24, '192.0.2.9', 4, 5)] },
  });
  await addInterfaces(proto, [4]);
  const { complete } = await proto.updateRoutes(4);
  t.is(complete?.updateStatus, NO_ERROR);
  const mine = router.rtm.routes(proto.protocolId).map((x) => ({ dest: x.dest, metric: x.metric, preference: x.preference, nextHops: x.nextHops }));
  t.deepEqual(mine.sort((a, b) => a.dest.localeCompare(b.dest)), [
    { dest: '10.40.0.0/16', metric: 3, preference: 100, nextHops: [{ address: '192.0.2.9', interfaceIndex: 4 }] },
    { dest: '10.41.1.0/24', metric: 5, preference: 100, nextHops: [{ address: '192.0.2.9', interfaceIndex: 4 }] },
  ]);
  t.is(router.rtm.lookup('10.41.1.77')?.dest, '10.41.1.0/24', 'longest-prefix match finds the /24');
  t.true(proto.supportCalls.some((c) => c.name === 'ValidateRoute'), 'each route went through ValidateRoute');
  const { own } = await scriptedCalls(proto);
  t.is(own.length, 2, 'ctx.routes.list() mirrors RTM');
});

test('a second update replaces: routes no longer learned are deleted, changed ones updated', async (t) => {
  const { router, proto } = await startScripted(t, { routes: { 6: [r('10.60.0.0', 16, '192.0.2.7', 6, 2), r('10.61.0.0', 16, '192.0.2.7', 6, 2)] } });
  await addInterfaces(proto, [6]);
  await proto.updateRoutes(6);
  t.is(router.rtm.routes(proto.protocolId).length, 2);
  // New script through SetGlobalInfo: one route gone, one with a new metric.
  const next = { routes: { 6: [r('10.60.0.0', 16, '192.0.2.7', 6, 9)] } };
  t.is(await proto.setGlobalInfo(Buffer.from(JSON.stringify(next))), NO_ERROR);
  await proto.updateRoutes(6);
  const mine = router.rtm.routes(proto.protocolId);
  t.deepEqual(mine.map((x) => [x.dest, x.metric]), [['10.60.0.0/16', 9]]);
});

test('each route reports its status: invalid routes are refused by name, the valid ones land', async (t) => {
  const { router, proto } = await startScripted(t, {
    routes: { 8: [r('10.80.0.0', 16, '192.0.2.5', 8, 1), r('10.81.0.1', 16, '192.0.2.5', 8, 1), r('10.82.0.0', 40, '192.0.2.5', 8, 1)] },
  });
  await addInterfaces(proto, [8]);
  await proto.updateRoutes(8);
  const { calls } = await scriptedCalls(proto);
  const replace = calls.find((c) => c.call === 'replace')!;
  t.deepEqual(replace.results.map((x: any) => x.status), [NO_ERROR, ERROR_INVALID_PARAMETER, ERROR_INVALID_PARAMETER]);
  t.regex(replace.results[1].error, /host bits set/);
  t.regex(replace.results[2].error, /prefixLength 40/);
  t.deepEqual(router.rtm.routes(proto.protocolId).map((x) => x.dest), ['10.80.0.0/16']);
});

test('best routes of other protocols reach ctx.routes (at start and as they change)', async (t) => {
  // A static route in this router's RTM before the protocol starts, then changes while it runs.
  const router = new MockRouter();
  const rtm = router.rtm;
  t.is(rtm.addRoute(PROTO_IP_NT_STATIC, '172.31.1.0/24', '192.0.2.1', 1, 1, 1), NO_ERROR);
  const { proto } = await startScripted(t, {}, {}, { router });
  const first = await scriptedCalls(proto);
  t.true(first.calls[0]!.bestAtStart >= 1, 'the snapshot arrived before the start handler');
  t.true(first.best.some((b) => b.destination === '172.31.1.0' && b.prefixLength === 24 && !b.withdrawn));
  t.is(rtm.addRoute(PROTO_IP_NT_STATIC, '172.31.2.0/24', '192.0.2.1', 1, 4, 1), NO_ERROR);
  t.is(rtm.deleteRoute(PROTO_IP_NT_STATIC, '172.31.1.0/24'), NO_ERROR);
  let state = first;
  for (let i = 0; i < 50; i++) {
    state = await scriptedCalls(proto);
    if (state.best.some((b) => b.destination === '172.31.2.0') && !state.best.some((b) => b.destination === '172.31.1.0')) break;
    await sleep(50);
  }
  const added = state.best.find((b) => b.destination === '172.31.2.0')!;
  t.like(added, { prefixLength: 24, nextHop: '192.0.2.1', interfaceIndex: 1, metric: 4, withdrawn: false, owner: PROTO_IP_NT_STATIC });
  t.false(state.best.some((b) => b.destination === '172.31.1.0'), 'the deleted one is gone');
  t.true(state.bestChanges.flat().some((c) => c.destination === '172.31.1.0' && c.withdrawn), 'listeners saw the withdrawal');
  rtm.deleteRoute(PROTO_IP_NT_STATIC, '172.31.2.0/24');
});

test('a planned stop deletes the protocol routes from RTM', async (t) => {
  const { router, proto } = await startScripted(t, { routes: { 9: [r('10.90.0.0', 16, '192.0.2.3', 9, 1)] } });
  await addInterfaces(proto, [9]);
  await proto.updateRoutes(9);
  t.is(router.rtm.routes(proto.protocolId).length, 1);
  await proto.stop();
  t.is(router.rtm.routes(proto.protocolId).length, 0);
  t.is(router.rtm.dump().handles.overReleases, 0, 'no RTM handle was released twice');
});

test('without an RTM library, each route operation fails with ERROR_NOT_SUPPORTED, named in the error', async (t) => {
  const { router, proto } = await startScripted(t, { routes: { 2: [r('10.20.0.0', 16, '192.0.2.2', 2, 1)] } }, { rtmLibrary: '' });
  await addInterfaces(proto, [2]);
  const { complete } = await proto.updateRoutes(2);
  t.is(complete?.event, UPDATE_COMPLETE);
  const { calls } = await scriptedCalls(proto);
  const replace = calls.find((c) => c.call === 'replace')!;
  t.is(replace.results[0].status, ERROR_NOT_SUPPORTED);
  t.regex(replace.results[0].error, /no RTM library/);
  t.is(router.rtm.routes(proto.protocolId).length, 0);
});

test('ValidateRoute applies the router manager policy: the protocol priority becomes the RTM preference', async (t) => {
  const { MockRouter } = await import('../lib/index.js');
  const { fixture, uniqueId } = await import('./helpers.js');
  const protocolId = uniqueId(0x73000000);
  const router = new MockRouter({ protocolPriority: { [protocolId]: 120 } });
  t.teardown(() => router.close());
  const proto = router.register({ protocolId, module: fixture('scripted'), heartbeatMs: 0 });
  const script = { routes: { 3: [r('10.30.0.0', 16, '192.0.2.4', 3, 2)] } };
  t.is(await proto.start({ globalInfo: Buffer.from(JSON.stringify(script)) }), NO_ERROR);
  await addInterfaces(proto, [3]);
  await proto.updateRoutes(3);
  t.deepEqual(router.rtm.routes(protocolId).map((x) => [x.dest, x.preference]), [['10.30.0.0/16', 120]]);
  t.deepEqual(proto.supportCalls.filter((c) => c.name === 'ValidateRoute').map((c) => c.args), [{ ProtocolId: protocolId, DestAddress: '10.30.0.0/16' }]);
});

test('a route with a lifetime expires from RTM and from ctx.routes.list()', async (t) => {
  const { router, proto } = await startScripted(t, { startRoutes: [{ ...r('10.70.0.0', 16, '192.0.2.9', 7, 1), ttlMs: 400 }, r('10.71.0.0', 16, '192.0.2.9', 7, 1)] });
  t.deepEqual(router.rtm.routes(proto.protocolId).map((x) => x.dest).sort(), ['10.70.0.0/16', '10.71.0.0/16']);
  let left: string[] = [];
  for (let i = 0; i < 60; i++) {
    left = router.rtm.routes(proto.protocolId).map((x) => x.dest);
    if (left.length === 1) break;
    await sleep(50);
  }
  t.deepEqual(left, ['10.71.0.0/16']);
  await sleep(100);
  t.deepEqual((await scriptedCalls(proto)).own.map((x) => x.destination), ['10.71.0.0']);
});
