// The OSPF module under the mock router manager (protocol library, Node host, mock RTM),
// unprivileged: passive interfaces open no socket. What RRAS sees: no RF_DEMAND_UPDATE_ROUTES,
// the router id from GetRouterId, RTM routes redistributed as AS-external-LSAs (and flushed
// when they go), configuration refused with a reason, the MIB walked as an administrator would.
import path from 'node:path';
import test from 'ava';
import {
  ERROR_INVALID_PARAMETER, ERROR_NOT_FOUND, MockRouter, NO_ERROR, RF_DEMAND_UPDATE_ROUTES, RF_ROUTING, capabilitiesOf, walkMib, walkMibView,
} from '../lib/index.js';
import ospf from '../examples/ospf/index.js';
import { GlobalConfig, InterfaceConfig } from '../examples/ospf/config.js';
import { decodeLsa } from '../examples/ospf/lsa.js';
import { MIB_LSDB, MibInput, decodeMibRecord, ospfMibView } from '../examples/ospf/mib.js';
import { ipToU32 } from '../examples/rip/ip.js';
import { uniqueId, codeOf } from './helpers.js';

const ospfModule = path.join(__dirname, '..', 'examples', 'ospf', 'index.js');

async function until<T>(what: string, probe: () => Promise<T | undefined | false>, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('OSPF claims RF_ROUTING only: DoUpdateRoutes has no meaning for a link-state protocol', (t) => {
  t.is(capabilitiesOf(ospf).supportedFunctionality, RF_ROUTING);
  t.is(capabilitiesOf(ospf).supportedFunctionality & RF_DEMAND_UPDATE_ROUTES, 0);
});

async function started(t: any, global: object = {}) {
  // MockRouter takes the DWORD GetRouterId returns: the address in network byte order.
  const router = new MockRouter({ routerId: Buffer.from([192, 0, 2, 1]).readUInt32LE(0) });
  t.teardown(() => router.close());
  const proto = router.register({ protocolId: uniqueId(0x2b1d0300), name: 'ospf', module: ospfModule, heartbeatMs: 0 });
  t.is(await proto.start({ globalInfo: GlobalConfig.encode({ spfDelayMs: 50, minLsIntervalMs: 1000, stateDirectory: Buffer.from(router.workDir), ...global }) }), NO_ERROR, router.log());
  await proto.addEnabledInterface({ index: 1, name: '{lan}', info: InterfaceConfig.encode({ passive: true }) }, { addresses: [{ address: '192.0.2.1', prefixLength: 24 }] });
  await proto.addEnabledInterface({ index: 2, name: '{stub}', info: InterfaceConfig.encode({ passive: true, cost: 3 }) }, { addresses: [{ address: '198.51.100.1', prefixLength: 25 }] });
  t.is(await proto.startComplete(), NO_ERROR);
  const lsdb = async () => {
    const rows = [];
    let r = await proto.mib('getFirst', MibInput.encode({ tableId: MIB_LSDB }), 4096);
    while (r.code === NO_ERROR) {
      const d = decodeMibRecord(r.output);
      if (d.table !== 'lsa') break;
      rows.push(d);
      r = await proto.mib('getNext', MibInput.encode({ tableId: MIB_LSDB, lsaType: d.lsaType, linkStateId: d.linkStateId, advertisingRouter: d.advertisingRouter }), 4096);
    }
    return rows;
  };
  return { router, proto, lsdb };
}

test('the router id comes from GetRouterId; passive interfaces are stub networks of our router-LSA', async (t) => {
  const { proto, lsdb } = await started(t);
  const [global] = await walkMib(proto, ospfMibView.tables[0]!);
  t.is(global!.router, '192.0.2.1');
  const router = await until('our router-LSA with both stubs', async () => {
    const r = (await lsdb()).find((l) => l.lsaType === 1 && l.advertisingRouter === '192.0.2.1');
    const body = r && decodeLsa(r.raw).body;
    return body?.kind === 'router' && body.links.length === 2 ? body : undefined;
  });
  t.deepEqual(router.links.map((l) => [l.type, l.id >>> 0, l.data >>> 0, l.metric]).sort(), [
    [3, ipToU32('192.0.2.0'), 0xffffff00, 10],
    [3, ipToU32('198.51.100.0'), 0xffffff80, 3],
  ]);
  const ifs = await walkMib(proto, ospfMibView.tables[1]!);
  t.deepEqual(ifs.map((i) => [i.if, i.address, i.state]), [[1, '192.0.2.1/24', 'DR'], [2, '198.51.100.1/25', 'DR']]);
});

test('RTM routes of a chosen protocol become AS-external-LSAs (metric type, metric, tag) and are flushed when they leave RTM', async (t) => {
  const { router, lsdb } = await started(t, { redistribute: [{ protocolId: 10006, metricType: 'type1', metric: 25, tag: 9 }] });
  t.is(router.rtm.addRoute(10006, '172.16.0.0/16', '192.0.2.9', 1, 1, 1), NO_ERROR);
  t.is(router.rtm.addRoute(8, '172.17.0.0/16', '192.0.2.9', 1, 1, 1), NO_ERROR); // RIP: not chosen
  const ext = await until('the external', async () => (await lsdb()).find((l) => l.lsaType === 5 && l.ageS < 3600));
  t.is(ext.linkStateId, '172.16.0.0');
  t.deepEqual(decodeLsa(ext.raw).body, { kind: 'external', mask: 0xffff0000, type2: false, metric: 25, forwardingAddress: 0, tag: 9 });
  t.is((await lsdb()).filter((l) => l.lsaType === 5).length, 1, 'only the chosen protocol\'s');
  await until('the E bit in our router-LSA (an AS boundary router now)', async () => {
    const b = decodeLsa((await lsdb()).find((l) => l.lsaType === 1)!.raw).body;
    return b.kind === 'router' && (b.flags & 2) !== 0;
  });
  t.is(router.rtm.deleteRoute(10006, '172.16.0.0/16'), NO_ERROR);
  await until('the external flushed (MaxAge) or gone', async () => !(await lsdb()).some((l) => l.lsaType === 5 && l.ageS < 3600));
  t.pass();
});

test('configuration: a block that cannot work is refused with ERROR_INVALID_PARAMETER and the old one stays', async (t) => {
  const { proto, router } = await started(t);
  const bad = InterfaceConfig.encode({ passive: true, auth: 'md5' }); // MD5 without a key
  t.is(await codeOf(proto.addInterface({ index: 3, name: '{x}', info: bad })), ERROR_INVALID_PARAMETER);
  t.regex(router.log(), /auth md5 needs a key/);
  t.is(await codeOf(proto.setInterfaceInfo(2, bad)), ERROR_INVALID_PARAMETER);
  const kept = await proto.getInterfaceInfo(2);
  t.like(InterfaceConfig.decode(kept.data), { passive: true, cost: 3, auth: 'none' });
  t.is(await codeOf(proto.setGlobalInfo(GlobalConfig.encode({ spfHoldMs: 9000, spfMaxHoldMs: 100 }))), ERROR_INVALID_PARAMETER);
});

test('MIB: tables walk with GetFirst/GetNext; unknown tables, missing entries and short input get their codes', async (t) => {
  const { proto } = await started(t);
  const tables = await walkMibView(proto, ospfMibView);
  t.deepEqual(tables.map((x) => x.title), ['OSPF', 'OSPF interfaces', 'OSPF neighbours', 'OSPF database summary', 'OSPF SPF runs', 'OSPF dropped packets']);
  await until('an SPF run and our LSA counted', async () => {
    const again = await walkMibView(proto, ospfMibView);
    return again[3]!.rows.length === 1 && again[3]!.rows[0]!.count === 1 && again[4]!.rows.length >= 1;
  });
  t.is((await proto.mib('getFirst', MibInput.encode({ tableId: 99 }), 4096)).code, ERROR_INVALID_PARAMETER);
  t.is((await proto.mib('get', MibInput.encode({ tableId: 2, interfaceIndex: 42 }), 4096)).code, ERROR_NOT_FOUND);
  t.is((await proto.mib('getFirst', Buffer.from([2, 0]), 4096)).code, ERROR_INVALID_PARAMETER);
  const short = await proto.mib('getFirst', Buffer.from([2, 0, 0, 0]), 4096); // zero-extended: table 2
  t.is(short.code, NO_ERROR);
  t.is(decodeMibRecord(short.output).table, 'interface');
});

test('a new router id: our LSAs are flushed and originated again under it', async (t) => {
  const { proto, lsdb } = await started(t, { routerId: '10.9.9.9' });
  await until('router-LSA of 10.9.9.9', async () => (await lsdb()).some((l) => l.lsaType === 1 && l.advertisingRouter === '10.9.9.9'));
  t.is(await proto.setGlobalInfo(GlobalConfig.encode({ routerId: '10.8.8.8', spfDelayMs: 50, minLsIntervalMs: 1000 })), NO_ERROR);
  await until('router-LSA of 10.8.8.8 only', async () => {
    const l = await lsdb();
    return l.some((x) => x.lsaType === 1 && x.advertisingRouter === '10.8.8.8') && !l.some((x) => x.advertisingRouter === '10.9.9.9');
  });
  t.pass();
});
