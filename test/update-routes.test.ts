// The DoUpdateRoutes contract of routprot.h, end to end: mock router manager -> protocol
// library -> Node host -> TypeScript handler -> UPDATE_COMPLETE back through GetEventMessage.
import test from 'ava';
import {
  MockRouter, ERROR_CAN_NOT_COMPLETE, ERROR_INVALID_PARAMETER, ERROR_NO_MORE_ITEMS, ERROR_PROTOCOL_STOP_PENDING,
  NO_ERROR, RF_DEMAND_UPDATE_ROUTES, ROUTER_STOPPED, UPDATE_COMPLETE, ERROR_NOT_SUPPORTED, MS_ROUTER_VERSION, RF_ROUTING,
} from '../lib/index.js';
import { addInterfaces, fixture, scriptedCalls, sleep, startScripted, uniqueId, codeOf } from './helpers.js';

test('RegisterProtocol fills the MPR50 table for a configured id and refuses others with ERROR_NOT_SUPPORTED', async (t) => {
  const router = new MockRouter();
  t.teardown(() => router.close());
  const proto = router.register({ protocolId: uniqueId(0x72000000), module: fixture('scripted') });
  t.is(proto.registerCode, NO_ERROR);
  t.is(proto.version, MS_ROUTER_VERSION);
  t.is(proto.supportedFunctionality & (RF_ROUTING | RF_DEMAND_UPDATE_ROUTES), RF_ROUTING | RF_DEMAND_UPDATE_ROUTES);
  t.is(proto.serviceFunctionality, 0);
  for (const ep of ['pfnStartProtocol', 'pfnStartComplete', 'pfnStopProtocol', 'pfnAddInterface', 'pfnDeleteInterface',
    'pfnInterfaceStatus', 'pfnUpdateRoutes', 'pfnGetEventMessage'] as const) {
    t.true(proto.entryPoints.has(ep), ep);
  }
  t.is(router.registerUnconfigured(uniqueId(0x72100000)), ERROR_NOT_SUPPORTED);
});

test('unknown interface index: ERROR_INVALID_PARAMETER from the library, before and after interfaces exist, no round trip', async (t) => {
  const router = new MockRouter();
  t.teardown(() => router.close());
  const proto = router.register({ protocolId: uniqueId(0x72000000), module: fixture('scripted'), heartbeatMs: 0 });
  t.is(await codeOf(proto.doUpdateRoutes(7)), ERROR_INVALID_PARAMETER, 'before StartProtocol');
  t.is(await proto.start(), NO_ERROR, router.log());
  t.is(await codeOf(proto.doUpdateRoutes(7)), ERROR_INVALID_PARAMETER, 'before any interface');
  await addInterfaces(proto, [1]);
  t.is(await codeOf(proto.doUpdateRoutes(7)), ERROR_INVALID_PARAMETER, 'another index');
  const { calls } = await scriptedCalls(proto);
  t.deepEqual(calls.filter((c) => c.call === 'updateRoutes'), [], 'the host never saw these calls');
  t.false(proto.events.some((e) => e.event === UPDATE_COMPLETE), 'and no UPDATE_COMPLETE was queued');
});

test('known index: NO_ERROR at once, then UPDATE_COMPLETE {index, RF_DEMAND_UPDATE_ROUTES, NO_ERROR} signalled', async (t) => {
  const { proto } = await startScripted(t, { updateDelayMs: { 3: 300 } });
  await addInterfaces(proto, [3]);
  const t0 = Date.now();
  t.is(await proto.doUpdateRoutes(3), NO_ERROR);
  t.true(Date.now() - t0 < 250, 'DoUpdateRoutes returned without waiting for the 300 ms handler');
  t.false(proto.events.some((e) => e.event === UPDATE_COMPLETE), 'no completion before the handler resolves');
  const e = await proto.waitForEvent((ev) => ev.event === UPDATE_COMPLETE);
  t.deepEqual({ index: e.interfaceIndex, type: e.updateType, status: e.updateStatus }, { index: 3, type: RF_DEMAND_UPDATE_ROUTES, status: NO_ERROR });
  t.deepEqual([...e.message], [3, 0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0], 'the 12-byte MESSAGE as RRAS reads it');
  const { calls } = await scriptedCalls(proto);
  t.deepEqual(calls.filter((c) => c.call === 'updateRoutes'), [{ call: 'updateRoutes', index: 3 }]);
});

test('a handler that throws or rejects: UPDATE_COMPLETE with ERROR_CAN_NOT_COMPLETE, the stack logged, the protocol keeps working', async (t) => {
  const { router, proto } = await startScripted(t, { failUpdate: [4], rejectUpdate: [5] });
  await addInterfaces(proto, [4, 5, 6]);
  const thrown = await proto.updateRoutes(4);
  t.is(thrown.code, NO_ERROR);
  t.is(thrown.complete?.updateStatus, ERROR_CAN_NOT_COMPLETE);
  const rejected = await proto.updateRoutes(5);
  t.is(rejected.complete?.updateStatus, ERROR_CAN_NOT_COMPLETE);
  const ok = await proto.updateRoutes(6);
  t.is(ok.complete?.updateStatus, NO_ERROR, 'later updates still work');
  const again = await proto.updateRoutes(4);
  t.is(again.complete?.updateStatus, ERROR_CAN_NOT_COMPLETE, 'and the failing one fails again, without a restart');
  const log = router.log();
  t.regex(log, /scripted failure on interface 4/);
  t.regex(log, /Error: scripted failure on interface 4\n\s+at /, 'with its stack');
  t.regex(log, /TypeError: scripted rejection on 5/);
  const { calls } = await scriptedCalls(proto);
  t.is(calls.filter((c) => c.call === 'start').length, 1, 'the host was never restarted');
});

test('host not running: ERROR_CAN_NOT_COMPLETE, with no UPDATE_COMPLETE', async (t) => {
  const { proto } = await startScripted(t, {}, { restartLimit: 0 });
  await addInterfaces(proto, [2]);
  const { pid } = await scriptedCalls(proto);
  process.kill(pid, 'SIGKILL');
  // The library notices the lost connection at once; poll briefly for the state change.
  let code = NO_ERROR;
  for (let i = 0; i < 100 && code === NO_ERROR; i++) {
    code = await codeOf(proto.doUpdateRoutes(2));
    if (code === NO_ERROR) await proto.waitForEvent((e) => e.event === UPDATE_COMPLETE, 5000, proto.events.length);
  }
  t.is(code, ERROR_CAN_NOT_COMPLETE);
  const before = proto.events.length;
  await sleep(200);
  t.is(proto.events.slice(before).filter((e) => e.event === UPDATE_COMPLETE).length, 0);
});

test('protocol stopping: DoUpdateRoutes answers ERROR_CAN_NOT_COMPLETE until ROUTER_STOPPED', async (t) => {
  const { proto } = await startScripted(t, { stopDelayMs: 500 });
  await addInterfaces(proto, [8]);
  t.is(await proto.call('pfnStopProtocol'), ERROR_PROTOCOL_STOP_PENDING);
  t.is(await codeOf(proto.doUpdateRoutes(8)), ERROR_CAN_NOT_COMPLETE);
  await proto.waitForEvent((e) => e.event === ROUTER_STOPPED);
  t.is(await proto.call('pfnStopProtocol'), ERROR_CAN_NOT_COMPLETE, 'a second stop');
});

test('GetEventMessage pops one event per call in order, 259 when empty, NULL Result accepted, answers after stop', async (t) => {
  const { proto } = await startScripted(t, { updateDelayMs: { 11: 50, 12: 100, 13: 150 } }, {}, { autoDrain: false });
  await addInterfaces(proto, [11, 12, 13]);
  t.is(proto.getEventMessage().code, ERROR_NO_MORE_ITEMS, 'empty queue');
  for (const i of [11, 12, 13]) t.is(await proto.doUpdateRoutes(i), NO_ERROR);
  t.true(await proto.waitForSignal(5000), 'the notification event was signalled');
  await sleep(400); // all three handlers have finished
  const first = proto.getEventMessage();
  t.is(first.code, NO_ERROR);
  t.deepEqual([first.event?.event, first.event?.interfaceIndex], [UPDATE_COMPLETE, 11]);
  const second = proto.getEventMessage({ nullResult: true });
  t.is(second.code, NO_ERROR, 'Result may be NULL');
  t.is(second.event?.event, UPDATE_COMPLETE);
  const third = proto.getEventMessage();
  t.deepEqual([third.event?.event, third.event?.interfaceIndex, third.event?.updateStatus], [UPDATE_COMPLETE, 13, NO_ERROR], 'in order; the NULL call consumed 12');
  t.is(proto.getEventMessage().code, ERROR_NO_MORE_ITEMS);
  t.is(proto.getEventMessage().code, ERROR_NO_MORE_ITEMS, 'and stays empty');
  t.is(await proto.call('pfnStopProtocol'), ERROR_PROTOCOL_STOP_PENDING);
  // Drain as RRAS does: after each signal until ERROR_NO_MORE_ITEMS (older signals may be pending).
  let stopped = proto.getEventMessage();
  while (stopped.code === ERROR_NO_MORE_ITEMS && (await proto.waitForSignal(10000))) stopped = proto.getEventMessage();
  t.deepEqual([stopped.code, stopped.event?.event], [NO_ERROR, ROUTER_STOPPED], 'ROUTER_STOPPED is read after the stop');
  t.is(proto.getEventMessage().code, ERROR_NO_MORE_ITEMS);
});

test('GetEventMessage with a NULL Event pointer: ERROR_INVALID_PARAMETER, nothing lost', async (t) => {
  const { proto } = await startScripted(t, {}, {}, { autoDrain: false });
  await addInterfaces(proto, [1]);
  t.is(await proto.doUpdateRoutes(1), NO_ERROR);
  t.true(await proto.waitForSignal(5000));
  t.is(await proto.call('pfnGetEventMessage', null, null), ERROR_INVALID_PARAMETER);
  t.is(proto.getEventMessage().event?.interfaceIndex, 1, 'the event is still there');
});

test('many concurrent DoUpdateRoutes on different interfaces each get exactly one UPDATE_COMPLETE', async (t) => {
  const indexes = Array.from({ length: 24 }, (_, i) => 100 + i);
  const delays: Record<string, number> = {};
  indexes.forEach((i, k) => (delays[i] = (k * 37) % 120));
  const failing = indexes.filter((i) => i % 5 === 0);
  const { proto } = await startScripted(t, { updateDelayMs: delays, failUpdate: failing });
  await addInterfaces(proto, indexes);
  const codes = await Promise.all(indexes.map((i) => proto.doUpdateRoutes(i)));
  t.deepEqual(codes, indexes.map(() => NO_ERROR));
  await proto.waitForEvent(() => proto.events.filter((e) => e.event === UPDATE_COMPLETE).length >= indexes.length, 15000);
  await sleep(200); // nothing more arrives
  const completes = proto.events.filter((e) => e.event === UPDATE_COMPLETE);
  t.is(completes.length, indexes.length);
  for (const i of indexes) {
    const mine = completes.filter((e) => e.interfaceIndex === i);
    t.is(mine.length, 1, `interface ${i}`);
    t.is(mine[0]!.updateStatus, failing.includes(i) ? ERROR_CAN_NOT_COMPLETE : NO_ERROR, `status of ${i}`);
  }
});

test('updates in flight when the protocol stops complete with ERROR_CAN_NOT_COMPLETE before ROUTER_STOPPED', async (t) => {
  const { proto } = await startScripted(t, { updateDelayMs: { 21: 60000, 22: 60000 } }, { stopTimeoutMs: 1000 });
  await addInterfaces(proto, [21, 22]);
  t.is(await proto.doUpdateRoutes(21), NO_ERROR);
  t.is(await proto.doUpdateRoutes(22), NO_ERROR);
  const { code, stopped } = await proto.stop();
  t.is(code, ERROR_PROTOCOL_STOP_PENDING);
  t.truthy(stopped);
  const names = proto.events.map((e) => `${e.name}:${e.interfaceIndex ?? ''}:${e.updateStatus ?? ''}`);
  t.deepEqual(names.slice(-3).sort(), ['ROUTER_STOPPED::', 'UPDATE_COMPLETE:21:1003', 'UPDATE_COMPLETE:22:1003'].sort());
  t.is(names.at(-1), 'ROUTER_STOPPED::', 'ROUTER_STOPPED comes last');
});
