#!/usr/bin/env node
// One router: a MockRouter hosting the RIP protocol (or, with "protocol":"ripng" in start,
// the RIPng example on the IPv6 router manager), driven over stdio with JSON lines. The
// demo runs two of these over loopback; the interop tests run one inside a network namespace
// (`ip netns exec NS node driver.js`). A separate process per router because the mock RTM is
// one per process.
//
//   in:  {"id":1,"cmd":"start","global":{...},"routerId":"10.0.0.1"}      one command per line
//   out: {"id":1,"ok":true,"result":...} | {"id":1,"ok":false,"error":"..."}
//        {"event":"trace","text":"→ AddInterface(...) NO_ERROR"}           routprot.h calls, events
// Commands: start, addInterface, startComplete, setGlobalConfig, setInterfaceConfig,
// interfaceStatus, updateRoutes, mib, rtm, rtmAdd, rtmDelete, log, stop. See client.ts.
import path from 'node:path';
import { formatTrace } from '../../lib/mock/reporter.js';
import { NO_ERROR, errorName } from '../../lib/constants.js';
import { GlobalConfig, InterfaceConfig, PROTOCOL_ID_RIP } from './config.js';
import { globalFromJson, interfaceFromJson } from './jsonConfig.js';
import { decodeMibRecord, MibInput } from './mib.js';
import { HostedRouter, serveCommands, type Commands, type HostedProtocol } from '../stdio-driver.js';
import * as ng from '../ripng/config.js';
import { MibInput as NgMibInput } from '../ripng/mib.js';

const host = new HostedRouter(formatTrace);
const need = () => host.need();

/** What differs between hosting RIPv2 and RIPng: the module, the config blocks, the MIB. */
interface Hosted {
  module: string;
  defaultId: number;
  global(json: any): Buffer;
  iface(json: any): Buffer;
  mib(table: number): Promise<unknown[] | unknown>;
}
const HOSTED: Record<'rip' | 'ripng', Hosted> = {
  rip: {
    module: path.join(__dirname, 'index.js'),
    defaultId: PROTOCOL_ID_RIP,
    global: (j) => GlobalConfig.encode(globalFromJson(j)),
    iface: (j) => InterfaceConfig.encode(interfaceFromJson(j)),
    mib: (table) => mibTable(table),
  },
  ripng: {
    module: path.join(__dirname, '..', 'ripng', 'index.js'),
    defaultId: ng.PROTOCOL_ID_RIPNG,
    // RIPng's schema takes JSON as it is (IPv6 text for addresses).
    global: (j) => ng.GlobalConfig.encode(j ?? {}),
    iface: (j) => ng.InterfaceConfig.encode(j ?? {}),
    async mib(table) {
      const r = await need().mib('get', NgMibInput.encode({ tableId: table }), 1 << 22);
      if (r.code !== NO_ERROR) throw new Error(`MibGet(table ${table}) returned ${r.code} (${errorName(r.code)})`);
      return JSON.parse(r.output.toString('utf8'));
    },
  },
};
let hosted: Hosted = HOSTED.rip;
let hostedProtocol: HostedProtocol = { module: hosted.module, name: 'rip', protocolId: PROTOCOL_ID_RIP, global: hosted.global, iface: hosted.iface };


/** Walks a MIB table with MibGetFirst / MibGetNext. */
async function mibTable(table: number): Promise<unknown[]> {
  const p = need();
  const rows: unknown[] = [];
  let r = await p.mib('getFirst', MibInput.encode({ tableId: table }), 4096);
  while (r.code === NO_ERROR) {
    const rec = decodeMibRecord(r.output);
    rows.push(rec);
    if (table === 1) break;
    const key = rec as { interfaceIndex?: number; address?: string; destination?: string; prefixLength?: number; source?: string };
    const input = MibInput.encode({
      tableId: table,
      interfaceIndex: key.interfaceIndex ?? 0,
      address: (table === 4 ? key.destination : key.address) ?? '0.0.0.0',
      prefixLength: table === 4 ? key.prefixLength ?? 0 : 0,
      source: table === 4 ? ({ connected: 1, redistributed: 2, learned: 3 } as Record<string, number>)[key.source ?? ''] ?? 0 : 0,
    });
    r = await p.mib('getNext', input, 4096);
  }
  return rows;
}

const commands: Commands = {
  ...host.commands(() => hostedProtocol),
  async start(a) {
    hosted = HOSTED[a.protocol === 'ripng' ? 'ripng' : 'rip'];
    hostedProtocol = { module: hosted.module, name: a.protocol === 'ripng' ? 'ripng' : 'rip', protocolId: a.protocolId ?? hosted.defaultId, global: hosted.global, iface: hosted.iface };
    return host.start(hostedProtocol, a);
  },
  async updateRoutes(a) {
    const { code, complete } = await need().updateRoutes(a.index, a.timeoutMs ?? 60_000);
    return { code, status: complete?.updateStatus };
  },
  mib: async (a) => hosted.mib(a.table),
};

serveCommands(commands);
