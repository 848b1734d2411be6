// Bad input from the router manager gets a clear code and loses nothing; the rows of the
// README's bad-input table not covered by the other suites.
import test from 'ava';
import {
  ERROR_CAN_NOT_COMPLETE, ERROR_INVALID_PARAMETER, NO_ERROR, RIS_INTERFACE_ADDRESS_CHANGE, ROUTER_STOPPED, MockRouter,
} from '../lib/index.js';
import { addInterfaces, fixture, startScripted, uniqueId, codeOf } from './helpers.js';

test('NULL config pointers with a non-zero size: ERROR_INVALID_PARAMETER, nothing started or added', async (t) => {
  const router = new MockRouter();
  t.teardown(() => router.close());
  const proto = router.register({ protocolId: uniqueId(0x77000000), module: fixture('scripted'), heartbeatMs: 0 });
  t.is(await proto.call('pfnStartProtocol', 0, null, null, 1, 16, 1), ERROR_INVALID_PARAMETER);
  t.is(await proto.start(), NO_ERROR, 'then a proper start works');
  t.is(await proto.call('pfnAddInterface', '{x}', 3, 0, 0, 0, 0, null, 1, 8, 1), ERROR_INVALID_PARAMETER);
  t.is(await codeOf(proto.doUpdateRoutes(3)), ERROR_INVALID_PARAMETER, 'the interface was not added');
});

test('StartProtocol while running, StopProtocol while stopped: ERROR_CAN_NOT_COMPLETE', async (t) => {
  const { proto } = await startScripted(t);
  t.is(await codeOf(proto.start()), ERROR_CAN_NOT_COMPLETE);
  const { stopped } = await proto.stop();
  t.is(stopped?.event, ROUTER_STOPPED);
  t.is(await proto.call('pfnStopProtocol'), ERROR_CAN_NOT_COMPLETE);
  t.is(await proto.call('pfnStartComplete'), ERROR_CAN_NOT_COMPLETE);
});

test('a binding claiming an absurd address count is refused, not read past its end', async (t) => {
  const { proto } = await startScripted(t);
  await addInterfaces(proto, [4]);
  const lie = Buffer.alloc(32);
  lie.writeUInt32LE(1_000_000, 0); // AddressCount far beyond the 32 bytes given
  t.is(await codeOf(proto.interfaceStatus(4, true, RIS_INTERFACE_ADDRESS_CHANGE, lie)), ERROR_INVALID_PARAMETER);
  const { complete } = await proto.updateRoutes(4);
  t.is(complete?.updateStatus, NO_ERROR, 'the interface keeps its previous binding');
});

test('a handler returning the wrong type: the call fails with ERROR_CAN_NOT_COMPLETE and a message naming it', async (t) => {
  const { router, proto } = await startScripted(t);
  const r = await proto.mib('getFirst', Buffer.alloc(4), 64);
  t.is(r.code, ERROR_CAN_NOT_COMPLETE);
  t.regex(router.log(), /mib\(getFirst\) must return a Buffer, Uint8Array or nothing, got number/);
  t.is((await proto.mib('get', Buffer.alloc(0), 1 << 16)).code, NO_ERROR, 'and the protocol keeps answering');
});
