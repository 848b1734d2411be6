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
import { NO_ERROR } from '../../lib/index.js';
import { ipToU32, u32ToIp } from '../rip/ip.js';
import { GlobalConfig, InterfaceConfig, PROTOCOL_ID_OSPF } from './config.js';
import { globalFromJson, interfaceFromJson, type GlobalJson, type InterfaceJson } from './jsonConfig.js';
import { decodeLsa, type Lsa } from './lsa.js';
import { MIB_LSDB, MibInput, decodeMibRecord, nextInput } from './mib.js';
import { computeSpf } from './spf.js';
import { HostedRouter, serveCommands, type Commands, type HostedProtocol } from '../stdio-driver.js';

const host = new HostedRouter();
const need = () => host.need();
const hosted: HostedProtocol = {
  module: path.join(__dirname, 'index.js'), name: 'ospf', protocolId: PROTOCOL_ID_OSPF,
  global: (j) => GlobalConfig.encode(globalFromJson(j as GlobalJson)), iface: (j) => InterfaceConfig.encode(interfaceFromJson(j as InterfaceJson)),
};

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
  ...host.commands(() => hosted),
  start: (a) => host.start({ ...hosted, protocolId: a.protocolId ?? PROTOCOL_ID_OSPF }, a),
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
};

serveCommands(commands);
