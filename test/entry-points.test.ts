// The routprot.h entry points besides DoUpdateRoutes, through MockRouter, with a protocol
// that declares typed configuration.
import test from 'ava';
import {
  MockRouter, RoutingCallError, ERROR_CAN_NOT_COMPLETE, ERROR_INSUFFICIENT_BUFFER, ERROR_INVALID_PARAMETER, ERROR_NO_MORE_ITEMS, ERROR_NOT_SUPPORTED,
  NO_ERROR, RF_POWER, RIS_INTERFACE_ADDRESS_CHANGE, RIS_INTERFACE_DISABLED, RIS_INTERFACE_ENABLED, RIS_INTERFACE_MEDIA_ABSENT,
  RIS_INTERFACE_MEDIA_PRESENT, SAVE_GLOBAL_CONFIG_INFO, SAVE_INTERFACE_CONFIG_INFO, UPDATE_COMPLETE, type RoutingProtocol,
} from '../lib/index.js';
import { encodeBinding } from '../lib/config/binding.js';
import { Global, PerInterface } from './fixtures/configured.js';
import { addInterfaces, fixture, sleep, startScripted, uniqueId, codeOf } from './helpers.js';

async function startConfigured(t: any, settings: object = {}): Promise<{ router: MockRouter; proto: RoutingProtocol }> {
  const router = new MockRouter();
  t.teardown(() => router.close());
  const proto = router.register({ protocolId: uniqueId(0x74000000), module: fixture('configured'), heartbeatMs: 0, ...settings });
  t.is(await proto.start({ globalInfo: Global.encode({ loggingLevel: 2, routerName: '192.0.2.1' }) }), NO_ERROR, router.log());
  return { router, proto };
}

async function record(proto: RoutingProtocol, index = 0): Promise<{ calls: any[]; support: any }> {
  const key = Buffer.alloc(4);
  key.writeUInt32LE(index);
  const r = await proto.mib('getTrapInfo', key, 1 << 20);
  if (r.code !== NO_ERROR) throw new Error(`getTrapInfo: ${r.code}`);
  return JSON.parse(r.output.toString());
}

test('GetGlobalInfo answers from the library cache with the buffer protocol', async (t) => {
  const { proto } = await startConfigured(t);
  const expected = Global.encode({ loggingLevel: 2, routerName: '192.0.2.1' });
  const small = await proto.getGlobalInfo(3);
  t.deepEqual([small.code, small.bufferSize], [ERROR_INSUFFICIENT_BUFFER, expected.length], 'too small: 122 and the size needed');
  const none = await proto.call('pfnGetGlobalInfo', null, Buffer.alloc(4), null, null, null);
  t.is(none, ERROR_INSUFFICIENT_BUFFER, 'NULL buffer with size 0');
  t.is(await proto.call('pfnGetGlobalInfo', Buffer.alloc(64), null, null, null, null), ERROR_INVALID_PARAMETER, 'NULL size pointer');
  const got = await proto.getGlobalInfo();
  t.is(got.code, NO_ERROR);
  t.deepEqual(got.data, expected);
  t.deepEqual([got.structureVersion, got.structureSize, got.structureCount], [1, expected.length, 1]);
});

test('SetGlobalInfo: the protocol validates; a refused block leaves the old configuration in force', async (t) => {
  const { router, proto } = await startConfigured(t);
  const next = Global.encode({ loggingLevel: 4, routerName: '198.51.100.1' });
  t.is(await proto.setGlobalInfo(next), NO_ERROR);
  t.deepEqual((await proto.getGlobalInfo()).data, next);
  const bad = Global.encode({ loggingLevel: 4 });
  bad.writeUInt32LE(9, 0); // loggingLevel 9 is beyond the schema's max 4
  t.is(await codeOf(proto.setGlobalInfo(bad)), ERROR_INVALID_PARAMETER);
  t.is(await codeOf(proto.setGlobalInfo(Buffer.alloc(3))), ERROR_INVALID_PARAMETER, 'wrong StructureSize');
  t.deepEqual((await proto.getGlobalInfo()).data, next, 'the library kept the last accepted block');
  t.regex(router.log(), /CONFIGURED_GLOBAL\.loggingLevel: 9 is above the maximum 4|loggingLevel/);
  const { calls } = await record(proto);
  t.deepEqual(calls.filter((c) => c.call === 'setGlobalConfig').map((c) => c.config.loggingLevel), [4], 'the handler saw only the valid block');
});

test('StartProtocol with an invalid global block: ERROR_INVALID_PARAMETER, and the protocol can start later', async (t) => {
  const router = new MockRouter();
  t.teardown(() => router.close());
  const proto = router.register({ protocolId: uniqueId(0x74000000), module: fixture('configured'), heartbeatMs: 0 });
  t.is(await codeOf(proto.start({ globalInfo: Buffer.alloc(5) })), ERROR_INVALID_PARAMETER);
  t.regex(router.log(), /StructureSize is 5, expected 8/);
  t.is(await proto.start({ globalInfo: Global.encode({}) }), NO_ERROR);
});

test('AddInterface validates the interface block; Get/SetInterfaceInfo follow the buffer protocol', async (t) => {
  const { proto } = await startConfigured(t);
  t.is(await proto.addInterface({ index: 5, info: PerInterface.encode({ metric: 3 }) }), NO_ERROR);
  t.is(await codeOf(proto.addInterface({ index: 5, info: PerInterface.encode({ metric: 3 }) })), ERROR_INVALID_PARAMETER, 'duplicate index');
  const bad = PerInterface.encode({});
  bad.writeUInt32LE(0, 0);
  t.is(await codeOf(proto.addInterface({ index: 6, info: bad })), ERROR_INVALID_PARAMETER, 'metric 0 is below the minimum');
  await t.throwsAsync(proto.getInterfaceInfo(6), { instanceOf: RoutingCallError, code: ERROR_INVALID_PARAMETER }, 'refused interface unknown');
  const small = await proto.getInterfaceInfo(5, 2);
  t.deepEqual([small.code, small.bufferSize], [ERROR_INSUFFICIENT_BUFFER, 4]);
  t.deepEqual((await proto.getInterfaceInfo(5)).data, PerInterface.encode({ metric: 3 }));
  t.is(await proto.setInterfaceInfo(5, PerInterface.encode({ metric: 7 })), NO_ERROR);
  t.deepEqual((await proto.getInterfaceInfo(5)).data, PerInterface.encode({ metric: 7 }));
  t.is(await codeOf(proto.setInterfaceInfo(5, bad)), ERROR_INVALID_PARAMETER);
  t.deepEqual((await proto.getInterfaceInfo(5)).data, PerInterface.encode({ metric: 7 }), 'old block kept');
  t.is(await codeOf(proto.setInterfaceInfo(77, PerInterface.encode({}))), ERROR_INVALID_PARAMETER, 'unknown interface');
  t.is(await proto.call('pfnGetInterfaceInfo', 5, Buffer.alloc(8), null, null, null, null), ERROR_INVALID_PARAMETER, 'NULL size pointer');
  // A zero-length block removes the protocol from the interface.
  t.is(await proto.setInterfaceInfo(5, null), NO_ERROR);
  await t.throwsAsync(proto.getInterfaceInfo(5), { code: ERROR_INVALID_PARAMETER });
  t.is(await codeOf(proto.doUpdateRoutes(5)), ERROR_INVALID_PARAMETER);
});

test('InterfaceStatus: all five status types, any address count, one effective state', async (t) => {
  const { proto } = await startConfigured(t);
  t.is(await proto.addInterface({ index: 3, info: PerInterface.encode({}) }), NO_ERROR);
  const two = encodeBinding({ addresses: [{ address: '192.0.2.1', prefixLength: 24 }, { address: '198.51.100.9', mask: '255.255.255.252' }], remoteAddress: '198.51.100.10' });
  t.is(await proto.interfaceStatus(3, true, RIS_INTERFACE_ENABLED), NO_ERROR);
  t.is(await proto.interfaceStatus(3, true, RIS_INTERFACE_ADDRESS_CHANGE, two), NO_ERROR);
  t.is(await proto.interfaceStatus(3, true, RIS_INTERFACE_MEDIA_ABSENT), NO_ERROR);
  t.is(await proto.interfaceStatus(3, true, RIS_INTERFACE_MEDIA_PRESENT), NO_ERROR);
  t.is(await proto.interfaceStatus(3, false, RIS_INTERFACE_ADDRESS_CHANGE, encodeBinding({ addresses: [] })), NO_ERROR, 'unnumbered');
  t.is(await proto.interfaceStatus(3, false, RIS_INTERFACE_DISABLED), NO_ERROR);
  t.is(await codeOf(proto.interfaceStatus(3, true, 9)), ERROR_INVALID_PARAMETER, 'unknown status type');
  t.is(await codeOf(proto.interfaceStatus(3, true, RIS_INTERFACE_ADDRESS_CHANGE, null)), ERROR_INVALID_PARAMETER, 'ADDRESS_CHANGE without a binding');
  t.is(await codeOf(proto.interfaceStatus(44, true, RIS_INTERFACE_ENABLED)), ERROR_INVALID_PARAMETER, 'unknown interface');
  await sleep(100);
  const { calls } = await record(proto);
  const seen = calls.filter((c) => c.call === 'interfaceStatus').map((c) => ({ type: c.change.type, operational: c.operational, active: c.active }));
  t.deepEqual(seen, [
    { type: 'enabled', operational: false, active: true },
    { type: 'addressChange', operational: true, active: true },
    { type: 'mediaAbsent', operational: false, active: true },
    { type: 'mediaPresent', operational: true, active: true },
    { type: 'addressChange', operational: true, active: false },
    { type: 'disabled', operational: false, active: false },
  ]);
  const bindings = calls.filter((c) => c.call === 'interfaceStatus' && c.change.type === 'addressChange').map((c) => c.change.binding);
  t.deepEqual(bindings[0].addresses, [
    { address: '192.0.2.1', mask: '255.255.255.0', prefixLength: 24 },
    { address: '198.51.100.9', mask: '255.255.255.252', prefixLength: 30 },
  ]);
  t.is(bindings[0].remoteAddress, '198.51.100.10');
  t.deepEqual(bindings[1].addresses, [], 'unnumbered: no addresses');
});

test('MIB calls: output-size protocol, ERROR_NO_MORE_ITEMS at the end, set/create through the protocol', async (t) => {
  const { proto } = await startConfigured(t);
  for (const [index, metric] of [[2, 4], [9, 6]]) {
    t.is(await proto.addInterface({ index: index!, info: PerInterface.encode({ metric }) }), NO_ERROR);
  }
  const small = await proto.mib('getFirst', Buffer.alloc(4), 4);
  t.deepEqual([small.code, small.outputSize], [ERROR_INSUFFICIENT_BUFFER, 8]);
  const first = await proto.mib('getFirst', Buffer.alloc(4), 8);
  t.deepEqual([first.code, first.output.readUInt32LE(0), first.output.readUInt32LE(4)], [NO_ERROR, 2, 4]);
  const key = (n: number) => { const b = Buffer.alloc(4); b.writeUInt32LE(n); return b; };
  const next = await proto.mib('getNext', key(2), 64);
  t.deepEqual([next.code, next.outputSize, next.output.readUInt32LE(0)], [NO_ERROR, 8, 9]);
  t.is((await proto.mib('getNext', key(9), 64)).code, ERROR_NO_MORE_ITEMS);
  t.is((await proto.mib('get', key(5), 64)).code, ERROR_INVALID_PARAMETER);
  t.is((await proto.mib('delete', key(5))).code, ERROR_NOT_SUPPORTED, 'an operation the protocol does not implement');
});

test('SAVE_GLOBAL_CONFIG_INFO / SAVE_INTERFACE_CONFIG_INFO: the cache is updated before the event', async (t) => {
  const { proto } = await startConfigured(t);
  t.is(await proto.addInterface({ index: 4, info: PerInterface.encode({ metric: 2 }) }), NO_ERROR);
  const set = Buffer.alloc(8);
  set.writeUInt32LE(4, 0);
  set.writeUInt32LE(11, 4);
  t.is((await proto.mib('set', set)).code, NO_ERROR);
  const ifEvent = await proto.waitForEvent((e) => e.event === SAVE_INTERFACE_CONFIG_INFO);
  t.is(ifEvent.interfaceIndex, 4);
  t.deepEqual((await proto.getInterfaceInfo(4)).data, PerInterface.encode({ metric: 11 }));
  const create = Buffer.alloc(4);
  create.writeUInt32LE(3);
  t.is((await proto.mib('create', create)).code, NO_ERROR);
  await proto.waitForEvent((e) => e.event === SAVE_GLOBAL_CONFIG_INFO);
  t.deepEqual(Global.decode((await proto.getGlobalInfo()).data), { loggingLevel: 3, routerName: '192.0.2.1' });
  // an invalid self-change is refused before it reaches RRAS
  set.writeUInt32LE(40, 4);
  t.is((await proto.mib('set', set)).code, ERROR_INVALID_PARAMETER);
  t.deepEqual((await proto.getInterfaceInfo(4)).data, PerInterface.encode({ metric: 11 }));
});

test('SUPPORT_FUNCTIONS are reachable from TypeScript, executed by the library on the router manager', async (t) => {
  const { router, proto } = await startConfigured(t);
  await proto.addInterface({ index: 6, info: PerInterface.encode({}) });
  const { support } = await record(proto, 6);
  t.is(support.routerId, '10.0.0.1');
  t.is(support.dial, NO_ERROR);
  t.false(support.boundary);
  t.is(support.mibGet.status, ERROR_NOT_SUPPORTED, 'the mock router manager has no MIB of its own');
  const names = proto.supportCalls.map((c) => c.name);
  t.true(names.includes('GetRouterId') && names.includes('DemandDialRequest') && names.includes('HasMulticastBoundary') && names.includes('MIBEntryGet'));
  t.deepEqual(proto.supportCalls.find((c) => c.name === 'DemandDialRequest')!.args, { ProtocolId: proto.protocolId, InterfaceIndex: 6 });
  // The trace shows them too, attributed to the protocol they were offered to.
  const traced: string[] = [];
  router.on('trace', (e) => e.kind === 'support' && e.protocolId === proto.protocolId && traced.push(e.name));
  await record(proto, 6);
  t.true(traced.includes('GetRouterId'), 'GetRouterId carries no protocol id, yet is attributed');
});

test('optional entry points: present with RF_POWER / client calls when declared, NULL otherwise', async (t) => {
  const { proto } = await startConfigured(t);
  t.true((proto.supportedFunctionality & RF_POWER) !== 0);
  for (const ep of ['pfnQueryPower', 'pfnSetPower', 'pfnConnectClient', 'pfnDisconnectClient'] as const) t.true(proto.entryPoints.has(ep), ep);
  t.false(proto.entryPoints.has('pfnGetNeighbors'), 'multicast entry points stay NULL');
  t.is(await proto.call('pfnQueryPower', 1), NO_ERROR);
  t.is(await proto.call('pfnSetPower', 99), ERROR_NOT_SUPPORTED);
  await proto.addInterface({ index: 8, info: PerInterface.encode({}) });
  t.is(await proto.call('pfnConnectClient', 8, Buffer.from([192, 0, 2, 77])), NO_ERROR);
  t.is(await proto.call('pfnDisconnectClient', 8, null), NO_ERROR);
  t.is(await proto.call('pfnConnectClient', 81, null), ERROR_INVALID_PARAMETER);
  const { calls } = await record(proto);
  t.deepEqual(calls.filter((c) => /Power|Client/.test(c.call)).map((c) => [c.call, c.powerType ?? c.address]),
    [['queryPower', 1], ['connectClient', '192.0.2.77'], ['disconnectClient', null]]);

  const { proto: plain } = await startScripted(t);
  t.is(plain.supportedFunctionality & RF_POWER, 0);
  for (const ep of ['pfnQueryPower', 'pfnSetPower', 'pfnConnectClient', 'pfnDisconnectClient'] as const) t.false(plain.entryPoints.has(ep), ep);
});

test('several protocol ids in one library: a hung host does not block the other protocol', async (t) => {
  const { proto: hung } = await startScripted(t, { blockEventLoopOnUpdate: [1] }, { callTimeoutMs: 1500 });
  const { proto: other } = await startScripted(t);
  await addInterfaces(hung, [1]);
  await addInterfaces(other, [1]);
  t.is(await hung.doUpdateRoutes(1), NO_ERROR); // its handler now blocks that host's event loop
  await sleep(100);
  const t0 = Date.now();
  const { complete } = await other.updateRoutes(1);
  t.is(complete?.updateStatus, NO_ERROR);
  t.true(Date.now() - t0 < 1500, 'the other protocol answered while the first host is stuck');
  const t1 = Date.now();
  t.is(await codeOf(hung.addInterface({ index: 2 })), ERROR_CAN_NOT_COMPLETE, 'a call that waits for the hung JS gets its deadline');
  t.true(Date.now() - t1 >= 1400, 'after the configured callTimeoutMs');
  t.is(hung.events.filter((e) => e.event === UPDATE_COMPLETE).length, 0);
});
