// Router manager versions. Whether a Windows Server router manager offers MS_ROUTER_VERSION
// 0x500 (MPR50) or 0x600 (the SDK's MPR60: a 264-byte MPR60_ROUTING_CHARACTERISTICS and a
// 120-byte SUPPORT_FUNCTIONS_60) is unverified (reference §3.3). The library implements MPR50:
// whatever is offered, it answers 0x500, fills MPR50's table, leaves the router manager's other
// bytes as they were (MockRouter puts a pattern there), and uses only MPR50's support functions.
import test from 'ava';
import { MockRouter, NO_ERROR, RF_DEMAND_UPDATE_ROUTES, RF_ROUTING } from '../lib/index.js';
import {
  MPR50_ROUTING_CHARACTERISTICS_SIZE, MPR60_ROUTING_CHARACTERISTICS_SIZE, MS_ROUTER_VERSION_MPR50, MS_ROUTER_VERSION_MPR60,
  SERVICE_POINTERS_OFFSET, pattern, type RouterVersion,
} from '../lib/mock/versions.js';
import { Global, PerInterface } from './fixtures/configured.js';
import { addInterfaces, fixture, uniqueId } from './helpers.js';

const VERSIONS: [string, RouterVersion][] = [['MPR50 (0x500)', MS_ROUTER_VERSION_MPR50], ['MPR60 (0x600)', MS_ROUTER_VERSION_MPR60]];
const MPR60_ONLY = ['ValidateRouteEx', 'GetRoutingDomainInfo', 'GetInterfaceInformation'];
const SUPPORT_FUNCTIONS_SIZE = { [MS_ROUTER_VERSION_MPR50]: 96, [MS_ROUTER_VERSION_MPR60]: 120 };

function routerOf(t: { teardown(fn: () => Promise<void>): void }, routerVersion: RouterVersion): MockRouter {
  const router = new MockRouter({ routerVersion });
  t.teardown(() => router.close());
  return router;
}

for (const [label, version] of VERSIONS) {
  test(`${label} router manager: RegisterProtocol answers 0x500, fills the 224-byte MPR50 table and writes nothing past it; the service table's pointers stay untouched`, (t) => {
    const router = routerOf(t, version);
    const proto = router.register({ protocolId: uniqueId(0x75000000), module: fixture('scripted'), heartbeatMs: 0 });
    t.is(proto.registerCode, NO_ERROR, router.log());
    t.is(proto.version, MS_ROUTER_VERSION_MPR50, 'the version the library implements');
    t.is(proto.routingCharacteristics.length, MPR60_ROUTING_CHARACTERISTICS_SIZE);
    t.deepEqual(proto.routingCharacteristics.subarray(MPR50_ROUTING_CHARACTERISTICS_SIZE), pattern(MPR60_ROUTING_CHARACTERISTICS_SIZE - MPR50_ROUTING_CHARACTERISTICS_SIZE),
      version === MS_ROUTER_VERSION_MPR60 ? "MPR60's five pointers as the router manager left them" : 'no byte written past the MPR50 struct');
    for (const ep of ['pfnStartProtocol', 'pfnStopProtocol', 'pfnGetEventMessage', 'pfnUpdateRoutes', 'pfnMibGetTrapInfo'] as const) t.true(proto.entryPoints.has(ep), ep);
    t.is(proto.supportedFunctionality, RF_ROUTING | RF_DEMAND_UPDATE_ROUTES);
    t.is(proto.serviceFunctionality, 0, 'no IPX service table');
    t.deepEqual(proto.serviceCharacteristics.subarray(SERVICE_POINTERS_OFFSET), pattern(proto.serviceCharacteristics.length - SERVICE_POINTERS_OFFSET));
  });

  test(`${label} SUPPORT_FUNCTIONS: the library reads the MPR50 members (ValidateRoute for its routes), never calls an MPR60-only one, and never writes into the table`, async (t) => {
    const router = routerOf(t, version);
    const proto = router.register({ protocolId: uniqueId(0x75100000), module: fixture('scripted'), heartbeatMs: 0 });
    const route = { destination: '10.75.0.0', prefixLength: 16, nextHop: '192.0.2.9', interfaceIndex: 5, metric: 2 };
    t.is(await proto.start({ globalInfo: Buffer.from(JSON.stringify({ routes: { 5: [route] } })) }), NO_ERROR, router.log());
    const sent = proto.supportFunctionsSent!;
    t.is(sent.length, SUPPORT_FUNCTIONS_SIZE[version]);
    t.is(sent.readUInt32LE(0), version, 'dwVersion');
    await addInterfaces(proto, [5]);
    const { complete } = await proto.updateRoutes(5);
    t.is(complete?.updateStatus, NO_ERROR);
    t.deepEqual(router.rtm.routes(proto.protocolId).map((r) => r.dest), ['10.75.0.0/16']);
    t.deepEqual(proto.supportCalls.filter((c) => c.name === 'ValidateRoute').map((c) => c.args), [{ ProtocolId: proto.protocolId, DestAddress: '10.75.0.0/16' }]);
    t.is((await proto.stop()).stopped?.name, 'ROUTER_STOPPED');
    t.deepEqual(proto.supportCalls.filter((c) => MPR60_ONLY.includes(c.name)), []);
    t.deepEqual(proto.supportFunctionsTable, sent, 'the router manager\'s table is unchanged');
  });
}

test('MPR60 SUPPORT_FUNCTIONS_60: every MPR50 member the library calls is found at its MPR50 offset', async (t) => {
  const router = routerOf(t, MS_ROUTER_VERSION_MPR60);
  const proto = router.register({ protocolId: uniqueId(0x75200000), module: fixture('configured'), heartbeatMs: 0 });
  t.is(await proto.start({ globalInfo: Global.encode({ loggingLevel: 2, routerName: '192.0.2.1' }) }), NO_ERROR, router.log());
  await proto.addInterface({ index: 6, info: PerInterface.encode({}) });
  const key = Buffer.alloc(4);
  key.writeUInt32LE(6);
  const r = await proto.mib('getTrapInfo', key, 1 << 20);
  t.is(r.code, NO_ERROR);
  const { support } = JSON.parse(r.output.toString());
  t.is(support.routerId, '10.0.0.1', 'GetRouterId');
  t.is(support.dial, NO_ERROR, 'DemandDialRequest');
  t.false(support.boundary, 'HasMulticastBoundary');
  t.deepEqual(proto.supportCalls.map((c) => c.name).filter((n) => n !== 'ValidateRoute').sort(), ['DemandDialRequest', 'GetRouterId', 'HasMulticastBoundary', 'MIBEntryGet']);
});

test('the MPR50 table is the same whichever version the router manager offers', (t) => {
  const protocolId = uniqueId(0x75300000);
  const [a, b] = [routerOf(t, MS_ROUTER_VERSION_MPR50), routerOf(t, MS_ROUTER_VERSION_MPR60)];
  const pa = a.register({ protocolId, module: fixture('scripted'), heartbeatMs: 0 });
  const pb = b.register({ protocolId, module: fixture('scripted'), heartbeatMs: 0 });
  t.is(pa.registerCode, NO_ERROR);
  t.is(pb.registerCode, NO_ERROR);
  // Each router loads its own copy of the library, so the pointers differ by the copy's base:
  // the same header, the same entry points present, each at the same offset in its copy.
  const header = (p: typeof pa) => p.routingCharacteristics.subarray(0, 16);
  t.deepEqual(header(pb), header(pa));
  t.deepEqual([...pb.entryPoints], [...pa.entryPoints]);
  const offsets = (p: typeof pa) => {
    const base = p.routingCharacteristics.readBigUInt64LE(16); // pfnStartProtocol
    return Array.from({ length: (MPR50_ROUTING_CHARACTERISTICS_SIZE - 16) / 8 }, (_, i) => {
      const ptr = p.routingCharacteristics.readBigUInt64LE(16 + 8 * i);
      return ptr === 0n ? null : ptr - base;
    });
  };
  t.deepEqual(offsets(pb), offsets(pa));
});
