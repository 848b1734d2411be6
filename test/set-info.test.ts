// SetGlobalInfo / SetInterfaceInfo never answer NO_ERROR for a change that was not applied
// (issue 9 §2): when the forwarded call fails, RRAS gets the failure, Get*Info keeps the
// block in force, and a restarted host gets that block too. A change the protocol applies
// after RRAS was told it failed is kept and announced with SAVE_*_CONFIG_INFO.
import test from 'ava';
import {
  ERROR_CAN_NOT_COMPLETE, ERROR_INVALID_PARAMETER, NO_ERROR, ROUTER_STOPPED, SAVE_GLOBAL_CONFIG_INFO, SAVE_INTERFACE_CONFIG_INFO,
} from '../lib/index.js';
import { addInterfaces, scriptedCalls, sleep, startScripted, until, codeOf } from './helpers.js';

const A = Buffer.from('interface block A');
const B = Buffer.from('interface block B, never applied');

test('while the host is down: ERROR_CAN_NOT_COMPLETE, the old blocks stay, and the restarted host gets them', async (t) => {
  const script = { note: 'v1' };
  const { router, proto } = await startScripted(t, script, { backoffInitialMs: 3000 });
  await addInterfaces(proto, [3]);
  t.is(await proto.setInterfaceInfo(3, A), NO_ERROR);
  const { pid } = await scriptedCalls(proto);
  process.kill(pid, 'SIGKILL');
  await until('the loss', () => router.log().includes('host (generation 1) lost') || undefined);
  t.is(await codeOf(proto.setInterfaceInfo(3, B)), ERROR_CAN_NOT_COMPLETE, 'SetInterfaceInfo during the restart');
  t.is(await codeOf(proto.setGlobalInfo(Buffer.from(JSON.stringify({ note: 'v2' })))), ERROR_CAN_NOT_COMPLETE, 'SetGlobalInfo during the restart');
  t.regex(router.log(), /SetInterfaceInfo\(3\) failed: the host is restarting/);
  t.deepEqual((await proto.getInterfaceInfo(3)).data, A, 'GetInterfaceInfo: the block in force');
  t.deepEqual(JSON.parse((await proto.getGlobalInfo()).data.toString()), script, 'GetGlobalInfo: the block in force');
  const after = await until('the new host', async () => {
    const s = await scriptedCalls(proto).catch(() => undefined);
    return s && s.pid !== pid ? s : undefined;
  });
  t.like(after.calls.find((c) => c.call === 'addInterface'), { index: 3, configBytes: A.length }, 'the new host got block A');
  t.is(after.calls.filter((c) => c.call === 'setGlobalConfig' || c.call === 'setInterfaceConfig').length, 0);
});

test('after the restart budget is spent, and after the stop: ERROR_CAN_NOT_COMPLETE with the reason logged', async (t) => {
  const { router, proto } = await startScripted(t, {}, { restartLimit: 0 });
  await addInterfaces(proto, [4]);
  t.is(await proto.setInterfaceInfo(4, A), NO_ERROR);
  process.kill((await scriptedCalls(proto)).pid, 'SIGKILL');
  await until('giving up', () => router.log().includes('giving up') || undefined);
  t.is(await codeOf(proto.setInterfaceInfo(4, B)), ERROR_CAN_NOT_COMPLETE);
  t.regex(router.log(), /SetInterfaceInfo\(4\) failed: the host was given up on/);
  t.deepEqual((await proto.getInterfaceInfo(4)).data, A);
  t.is((await proto.stop()).stopped?.event, ROUTER_STOPPED);
  await sleep(1100);  // past the one-line-a-second throttle of these failures
  t.is(await codeOf(proto.setGlobalInfo(Buffer.from('{}'))), ERROR_CAN_NOT_COMPLETE, 'SetGlobalInfo while stopped');
  t.regex(router.log(), /SetGlobalInfo failed: the protocol is not running/);
});

test('a block over maxFrameBytes: ERROR_INVALID_PARAMETER naming the limit, the old block stays', async (t) => {
  const { router, proto } = await startScripted(t, {}, { maxFrameBytes: 64 * 1024 });
  await addInterfaces(proto, [5]);
  t.is(await proto.setInterfaceInfo(5, A), NO_ERROR);
  t.is(await codeOf(proto.setInterfaceInfo(5, Buffer.alloc(100 * 1024, 1))), ERROR_INVALID_PARAMETER);
  t.is(await codeOf(proto.setGlobalInfo(Buffer.alloc(100 * 1024, 0x20))), ERROR_INVALID_PARAMETER);
  t.regex(router.log(), /SetInterfaceInfo\(5\): refused: .*exceeds the cap of 65536 \(maxFrameBytes\)/);
  t.deepEqual((await proto.getInterfaceInfo(5)).data, A);
  t.deepEqual((await proto.getGlobalInfo()).data.toString(), '{}');
  const { complete } = await proto.updateRoutes(5);
  t.is(complete?.updateStatus, NO_ERROR, 'the host was not disturbed');
});

test('no answer within callTimeoutMs: ERROR_CAN_NOT_COMPLETE; if the protocol applies it later, the library keeps it and queues SAVE_*_CONFIG_INFO', async (t) => {
  // Generous: the other calls must answer within callTimeoutMs even under load.
  const script = { slowConfigMs: 6000 };
  const { router, proto } = await startScripted(t, script, { callTimeoutMs: 3000 });
  await addInterfaces(proto, [6]);
  const seen = proto.events.length;
  t.is(await codeOf(proto.setInterfaceInfo(6, B)), ERROR_CAN_NOT_COMPLETE, 'no answer in time');
  t.deepEqual((await proto.getInterfaceInfo(6)).data, Buffer.alloc(0), 'not in force yet');
  const saved = await proto.waitForEvent((e) => e.event === SAVE_INTERFACE_CONFIG_INFO, 15000, seen);
  t.is(saved.interfaceIndex, 6);
  t.deepEqual((await proto.getInterfaceInfo(6)).data, B, 'the block the protocol applied is the one RRAS reads');
  t.regex(router.log(), /SetInterfaceInfo\(6\): the protocol applied the block after callTimeoutMs; the library keeps it and queues SAVE_INTERFACE_CONFIG_INFO/);
  const next = Buffer.from(JSON.stringify({ slowConfigMs: 0, note: 'late' }));
  t.is(await codeOf(proto.setGlobalInfo(next)), ERROR_CAN_NOT_COMPLETE);
  await proto.waitForEvent((e) => e.event === SAVE_GLOBAL_CONFIG_INFO, 15000, seen);
  t.deepEqual((await proto.getGlobalInfo()).data, next);
  // And a restarted host gets what is in force now.
  const { pid } = await scriptedCalls(proto);
  process.kill(pid, 'SIGKILL');
  const after = await until('the new host', async () => {
    const s = await scriptedCalls(proto).catch(() => undefined);
    return s && s.pid !== pid ? s : undefined;
  });
  t.like(after.calls.find((c) => c.call === 'addInterface'), { index: 6, configBytes: B.length });
});

test('an AddInterface the protocol completes after callTimeoutMs is deleted again: RRAS was told it failed', async (t) => {
  const { router, proto } = await startScripted(t, {}, { callTimeoutMs: 3000 });
  // The scripted fixture's addInterface is quick; block the host's chain with a slow config call first.
  t.is(await proto.setGlobalInfo(Buffer.from(JSON.stringify({ slowConfigMs: 6000 }))), NO_ERROR);
  const slow = proto.setGlobalInfo(Buffer.from(JSON.stringify({ slowConfigMs: 0, n: 2 })));  // holds the chain 6 s
  t.is(await codeOf(proto.addInterface({ index: 8 })), ERROR_CAN_NOT_COMPLETE, 'queued behind the slow call: no answer in time');
  await codeOf(slow); // it too outlives callTimeoutMs (ERROR_CAN_NOT_COMPLETE)
  await until('the late add and its delete', () => router.log().includes('AddInterface(8): the protocol added it after callTimeoutMs; it is deleted again') || undefined);
  await until('the delete', async () => (await scriptedCalls(proto)).calls.some((c) => c.call === 'deleteInterface' && c.index === 8) || undefined);
  t.is(await codeOf(proto.doUpdateRoutes(8)), ERROR_INVALID_PARAMETER, 'the library does not have it');
  t.is(await proto.addInterface({ index: 8 }), NO_ERROR, 'and RRAS can add it again');
});
