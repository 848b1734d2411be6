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
import readline from 'node:readline';
import { MockRouter, type RoutingProtocol } from '../../lib/mock/router.js';
import { formatTrace } from '../../lib/mock/reporter.js';
import { DEMAND_DIAL, NO_ERROR, PERMANENT, errorName } from '../../lib/constants.js';
import { GlobalConfig, InterfaceConfig, PROTOCOL_ID_RIP } from './config.js';
import { globalFromJson, interfaceFromJson } from './jsonConfig.js';
import { decodeMibRecord, MibInput } from './mib.js';
import { ipToU32 } from './ip.js';
import * as ng from '../ripng/config.js';
import { MibInput as NgMibInput } from '../ripng/mib.js';

let router: MockRouter | undefined;
let proto: RoutingProtocol | undefined;
let protocolId = PROTOCOL_ID_RIP;

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

const out = (obj: unknown) => process.stdout.write(JSON.stringify(obj) + '\n');

function need(): RoutingProtocol {
  if (!proto) throw new Error('not started');
  return proto;
}

async function check(what: string, code: Promise<number> | number): Promise<number> {
  const c = await code;
  if (c !== NO_ERROR) throw new Error(`${what} returned ${c} (${errorName(c)})\n${router?.log().split('\n').slice(-15).join('\n') ?? ''}`);
  return c;
}

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

const commands: Record<string, (a: any) => Promise<unknown>> = {
  async start(a) {
    hosted = HOSTED[a.protocol === 'ripng' ? 'ripng' : 'rip'];
    protocolId = a.protocolId ?? hosted.defaultId;
    router = new MockRouter({ routerId: a.routerId ? ipToU32(a.routerId) : undefined, workDir: a.workDir });
    router.on('trace', (e) => out({ event: 'trace', entry: e.kind, text: formatTrace(e), name: e.kind === 'event' ? e.event.name : e.name, code: e.kind === 'call' ? e.code : undefined }));
    proto = router.register({ protocolId, name: a.protocol === 'ripng' ? 'ripng' : 'rip', module: hosted.module, heartbeatMs: 0, ...(a.settings ?? {}) });
    await check('RegisterProtocol', proto.registerCode);
    await check('StartProtocol', proto.start({ globalInfo: hosted.global(a.global) }));
    return { protocolId, workDir: router.workDir };
  },
  async addInterface(a) {
    const p = need();
    const type = a.type === 'demandDial' ? DEMAND_DIAL : PERMANENT;
    await p.addEnabledInterface({ index: a.index, name: a.name, type, info: hosted.iface(a.config) }, a.binding);
    return null;
  },
  startComplete: async () => check('StartComplete', need().startComplete()),
  setGlobalConfig: async (a) => check('SetGlobalInfo', need().setGlobalInfo(hosted.global(a.global))),
  setInterfaceConfig: async (a) => check('SetInterfaceInfo', need().setInterfaceInfo(a.index, hosted.iface(a.config))),
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
  async updateRoutes(a) {
    const { code, complete } = await need().updateRoutes(a.index, a.timeoutMs ?? 60_000);
    return { code, status: complete?.updateStatus };
  },
  mib: async (a) => hosted.mib(a.table),
  /** This protocol's routes in the mock RTM, and which are best. */
  async rtm(a) {
    const rtm = router!.rtm;
    return rtm.routes(a?.all ? undefined : protocolId).map((r) => ({
      dest: r.dest, owner: r.owner, metric: r.metric, preference: r.preference, best: r.best, nextHops: r.nextHops,
    }));
  },
  rtmAdd: async (a) => check('MockRtmAddRoute', router!.rtm.addRoute(a.owner, a.prefix, a.nextHop ?? '0.0.0.0', a.interfaceIndex ?? 0, a.metric ?? 1, a.preference ?? 1)),
  rtmDelete: async (a) => check('MockRtmDeleteRoute', router!.rtm.deleteRoute(a.owner, a.prefix)),
  log: async () => router?.log() ?? '',
  async stop() {
    if (proto?.isRunning) await proto.stop();
    await router?.close();
    return null;
  },
};

const rl = readline.createInterface({ input: process.stdin });
let queue = Promise.resolve();
rl.on('line', (line) => {
  if (!line.trim()) return;
  let msg: { id?: number; cmd?: string };
  try {
    msg = JSON.parse(line);
  } catch {
    return out({ ok: false, error: `not JSON: ${line}` });
  }
  // Commands run in order; each answers with its id.
  queue = queue.then(async () => {
    const fn = commands[msg.cmd ?? ''];
    try {
      if (!fn) throw new Error(`unknown command ${msg.cmd}`);
      out({ id: msg.id, ok: true, result: (await fn(msg)) ?? null });
    } catch (err) {
      out({ id: msg.id, ok: false, error: err instanceof Error ? err.message : String(err) });
    }
    if (msg.cmd === 'stop') setImmediate(() => process.exit(0));
  });
});
// The parent went away: stop cleanly so the host process and sockets go too.
rl.on('close', () => {
  void queue.then(() => commands.stop!({})).finally(() => process.exit(0));
});
