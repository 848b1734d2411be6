#!/usr/bin/env node
// One router: a MockRouter hosting the OSPF protocol, driven over stdio with JSON lines (the
// interop labs run one per network namespace: `ip netns exec NS node driver.js`). A separate
// process per router because the mock RTM is one per process.
//
//   in:  {"id":1,"cmd":"start","global":{...},"routerId":"10.0.0.1"}      one command per line
//   out: {"id":1,"ok":true,"result":...} | {"id":1,"ok":false,"error":"..."}
//        {"event":"trace","entry":"call","name":"MibGetNextEntry","code":0}   routprot.h calls, events
// Commands: start, addInterface, startComplete, setGlobalConfig, setInterfaceConfig,
// interfaceStatus, mib, lsdb, spf, rtm, rtmAdd, rtmAddMany, rtmDelete, log, stop. See client.ts.
import path from 'node:path';
import { DEMAND_DIAL, MockRouter, NO_ERROR, PERMANENT, errorName, type RoutingProtocol } from '../../lib/index.js';
import { ipToU32, u32ToIp } from '../rip/ip.js';
import { GlobalConfig, InterfaceConfig, PROTOCOL_ID_OSPF } from './config.js';
import { globalFromJson, interfaceFromJson } from './jsonConfig.js';
import { decodeLsa, type Lsa } from './lsa.js';
import { MIB_LSDB, MibInput, decodeMibRecord, nextInput } from './mib.js';
import { computeSpf } from './spf.js';
import { emit, serveCommands, type Commands } from '../stdio-driver.js';

let router: MockRouter | undefined;
let proto: RoutingProtocol | undefined;
let protocolId = PROTOCOL_ID_OSPF;

const out = emit;

function need(): RoutingProtocol {
  if (!proto) throw new Error('not started');
  return proto;
}

async function check(what: string, code: Promise<number> | number): Promise<number> {
  const c = await code;
  if (c !== NO_ERROR) throw new Error(`${what} returned ${c} (${errorName(c)})\n${router?.log().split('\n').slice(-15).join('\n') ?? ''}`);
  return c;
}

/** A MIB table's records, walked with MibGetFirst / MibGetNext. */
async function mibTable(table: number): Promise<ReturnType<typeof decodeMibRecord>[]> {
  const p = need();
  const rows: ReturnType<typeof decodeMibRecord>[] = [];
  let input: Buffer | null = MibInput.encode({ tableId: table });
  let op: 'getFirst' | 'getNext' = 'getFirst';
  while (input) {
    const r = await p.mib(op, input, 16384);
    if (r.code !== NO_ERROR) break;
    rows.push(decodeMibRecord(r.output));
    input = nextInput(r.output);
    op = 'getNext';
  }
  return rows;
}

/** The LSAs of the protocol's database, from the MIB. */
async function lsas(): Promise<Lsa[]> {
  return (await mibTable(MIB_LSDB)).flatMap((r) => (r.table === 'lsa' ? [decodeLsa(r.raw)] : []));
}

const commands: Commands = {
  async start(a) {
    protocolId = a.protocolId ?? PROTOCOL_ID_OSPF;
    // GetRouterId's DWORD holds the address in network byte order.
    const routerId = a.routerId ? Buffer.from(a.routerId.split('.').map(Number)).readUInt32LE(0) : undefined;
    router = new MockRouter({ routerId, workDir: a.workDir });
    router.on('trace', (e) => out({ event: 'trace', entry: e.kind, name: e.kind === 'event' ? e.event.name : e.name, code: e.kind === 'call' ? e.code : undefined }));
    proto = router.register({ protocolId, name: 'ospf', module: path.join(__dirname, 'index.js'), heartbeatMs: 0, ...(a.settings ?? {}) });
    await check('RegisterProtocol', proto.registerCode);
    await check('StartProtocol', proto.start({ globalInfo: GlobalConfig.encode(globalFromJson(a.global)) }));
    return { protocolId, workDir: router.workDir };
  },
  async addInterface(a) {
    const p = need();
    const type = a.type === 'demandDial' ? DEMAND_DIAL : PERMANENT;
    await p.addEnabledInterface({ index: a.index, name: a.name, type, info: InterfaceConfig.encode(interfaceFromJson(a.config)) }, a.binding);
    return null;
  },
  startComplete: async () => check('StartComplete', need().startComplete()),
  setGlobalConfig: async (a) => check('SetGlobalInfo', need().setGlobalInfo(GlobalConfig.encode(globalFromJson(a.global)))),
  setInterfaceConfig: async (a) => check('SetInterfaceInfo', need().setInterfaceInfo(a.index, InterfaceConfig.encode(interfaceFromJson(a.config)))),
  async interfaceStatus(a) {
    const p = need();
    switch (a.what) {
      case 'enable': return check('enable', p.enableInterface(a.index));
      case 'disable': return check('disable', p.disableInterface(a.index));
      case 'mediaPresent': return check('media', p.setMedia(a.index, true));
      case 'mediaAbsent': return check('media', p.setMedia(a.index, false));
      case 'bind': return check('bind', p.bindInterface(a.index, a.binding));
      default: throw new Error(`unknown status ${a.what}`);
    }
  },
  mib: async (a) => mibTable(a.table),
  /** The database: type, id, advertising router, sequence, checksum, age (dotted / hex). */
  async lsdb() {
    return (await lsas()).map((l) => ({
      type: l.header.type, id: u32ToIp(l.header.id), advertisingRouter: u32ToIp(l.header.advertisingRouter),
      sequence: l.header.sequence >>> 0, checksum: l.header.checksum, age: l.header.age, body: l.body,
    }));
  },
  /** SPF over the protocol's database from any router's point of view (to compare with BIRD's and FRR's tables). */
  async spf(a) {
    const result = computeSpf(ipToU32(a.root), await lsas());
    return result.routes.map((r) => ({
      prefix: `${u32ToIp(r.prefix)}/${r.prefixLength}`, pathType: r.pathType, cost: r.cost, type2Cost: r.type2Cost ?? null, tag: r.tag ?? null,
      direct: r.direct, nextHops: r.nextHops.map((h) => u32ToIp(h.address)).sort(),
    }));
  },
  /** This protocol's routes in the mock RTM (all protocols' with all). */
  async rtm(a) {
    return router!.rtm.routes(a?.all ? undefined : protocolId).map((r) => ({
      dest: r.dest, owner: r.owner, metric: r.metric, preference: r.preference, best: r.best, nextHops: r.nextHops,
    }));
  },
  rtmAdd: async (a) => check('MockRtmAddRoute', router!.rtm.addRoute(a.owner, a.prefix, a.nextHop ?? '0.0.0.0', a.interfaceIndex ?? 0, a.metric ?? 1, a.preference ?? 1)),
  async rtmAddMany(a) {
    for (const prefix of a.prefixes as string[]) await check(`MockRtmAddRoute ${prefix}`, router!.rtm.addRoute(a.owner, prefix, a.nextHop ?? '0.0.0.0', a.interfaceIndex ?? 0, a.metric ?? 1, a.preference ?? 1));
    return (a.prefixes as string[]).length;
  },
  rtmDelete: async (a) => check('MockRtmDeleteRoute', router!.rtm.deleteRoute(a.owner, a.prefix)),
  log: async () => router?.log() ?? '',
  async stop() {
    if (proto?.isRunning) await proto.stop();
    await router?.close();
    return null;
  },
};

serveCommands(commands);
