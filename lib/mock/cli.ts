// `rras-bridge mock <module>`: runs a protocol module under the mock router manager for a
// person to watch: every call and event as it happens, then the interfaces and RTM table.
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { isProtocol } from '../api/defineProtocol.js';
import type { Protocol } from '../api/types.js';
import { DEMAND_DIAL, NO_ERROR, PERMANENT, errorName } from '../constants.js';
import { runDirectory } from '../ops/endpoints.js';
import { MockRouter } from './router.js';
import { bold, dim, formatTrace } from './reporter.js';
import { formatMibTable, walkMibView } from './mibView.js';
import type { MibView } from '../api/mibView.js';
import type { RoutingProtocol } from './router.js';

const HELP = `usage: rras-bridge mock <module> [options]
  --protocol-id N        protocol id (default: the module's)
  --global JSON          global config (encoded with the module's schema; raw UTF-8 without one)
  --interface SPEC       index=address/len[,demand][,name=NAME] — added, bound and enabled (repeatable)
  --if-config I=JSON     interface I's config (with the module's interface schema)
  --update INDEX         DoUpdateRoutes on INDEX after start (repeatable)
  --every SECONDS        repeat the updates every SECONDS
  --duration SECONDS     stop after SECONDS (default: after the updates, or at Ctrl-C with --every)
  --trace FILE           write every call, event and support call as JSON lines
  --quiet                no live output, only the final tables
`;

interface IfSpec { index: number; address: string; prefixLength: number; demand: boolean; name?: string }

function parseInterface(spec: string): IfSpec {
  const m = /^(\d+)=(\d+\.\d+\.\d+\.\d+)\/(\d+)((?:,[^,]+)*)$/.exec(spec);
  if (!m) throw new Error(`--interface ${spec}: expected index=address/len[,demand][,name=NAME]`);
  const opts = m[4]!.split(',').filter(Boolean);
  const name = opts.find((o) => o.startsWith('name='))?.slice(5);
  return { index: Number(m[1]), address: m[2]!, prefixLength: Number(m[3]), demand: opts.includes('demand'), ...(name ? { name } : {}) };
}

function encode(schema: Protocol['globalConfig'], json: string | undefined, what: string): Buffer | null {
  if (json === undefined) return schema ? schema.encode({}) : null;
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (err) {
    throw new Error(`${what}: not JSON: ${(err as Error).message}`);
  }
  return schema ? schema.encode(value as any) : Buffer.from(json);
}

export async function runMock(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      'protocol-id': { type: 'string' }, global: { type: 'string' }, interface: { type: 'string', multiple: true },
      'if-config': { type: 'string', multiple: true }, update: { type: 'string', multiple: true }, every: { type: 'string' },
      duration: { type: 'string' }, trace: { type: 'string' }, quiet: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help || positionals.length !== 1) {
    process.stdout.write(HELP);
    return values.help ? 0 : 2;
  }
  const module = path.resolve(positionals[0]!);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(module);
  const protocol: Protocol | undefined = isProtocol(mod?.default) ? mod.default : isProtocol(mod) ? mod : undefined;
  if (!protocol) throw new Error(`${module}: the default export is not a protocol (defineProtocol)`);
  const protocolId = values['protocol-id'] !== undefined ? Number(values['protocol-id']) : protocol.protocolId;
  const interfaces = (values.interface ?? []).map(parseInterface);
  const ifConfigs = new Map<number, string>();
  for (const c of values['if-config'] ?? []) {
    const eq = c.indexOf('=');
    ifConfigs.set(Number(c.slice(0, eq)), c.slice(eq + 1));
  }

  const router = new MockRouter({ adminDirectory: runDirectory() });  // where `rras-bridge status` looks
  const trace = values.trace ? fs.openSync(values.trace, 'w') : undefined;
  router.on('trace', (e) => {
    if (trace !== undefined) fs.writeSync(trace, JSON.stringify({ time: new Date().toISOString(), ...e }, (_k, v) => (Buffer.isBuffer(v) ? v.toString('hex') : typeof v === 'bigint' ? String(v) : v)) + '\n');
    if (!values.quiet) console.log(formatTrace(e));
  });
  const proto = router.register({ protocolId, name: protocol.name, module });
  let exit = 0;
  try {
    if (proto.registerCode !== NO_ERROR) throw new Error(`RegisterProtocol returned ${errorName(proto.registerCode)}`);
    const started = await proto.start({ globalInfo: encode(protocol.globalConfig, values.global, '--global') });
    if (started !== NO_ERROR) throw new Error(`StartProtocol returned ${errorName(started)}; library log:\n${router.log()}`);
    for (const i of interfaces) {
      const info = encode(protocol.interfaceConfig, ifConfigs.get(i.index), `--if-config ${i.index}`);
      await proto.addEnabledInterface({ index: i.index, name: i.name ?? `{interface-${i.index}}`, type: i.demand ? DEMAND_DIAL : PERMANENT, info },
        { addresses: [{ address: i.address, prefixLength: i.prefixLength }] });
    }
    await proto.startComplete();
    const updates = (values.update ?? []).map(Number);
    const round = async () => {
      const results = await Promise.all(updates.map((i) => proto.updateRoutes(i)));
      if (results.some((r) => r.code !== NO_ERROR || r.complete?.updateStatus !== NO_ERROR)) exit = 1;
      printTables(router, protocolId, interfaces);
      if (protocol.mibView) await printMib(proto, protocol.mibView);
    };
    await round();
    const every = values.every ? Number(values.every) * 1000 : 0;
    const duration = values.duration ? Number(values.duration) * 1000 : every ? Infinity : 0;
    if (duration > 0) {
      const end = Date.now() + duration;
      let stop = false;
      process.once('SIGINT', () => (stop = true));
      let next = Date.now() + every;
      while (!stop && Date.now() < end) {
        await new Promise((r) => setTimeout(r, 100));
        if (every && Date.now() >= next) {
          next += every;
          await round();
        }
      }
    }
    await proto.stop();
  } catch (err) {
    console.error(`rras-bridge mock: ${(err as Error).message}`);
    exit = 1;
  } finally {
    await router.close();
    if (trace !== undefined) fs.closeSync(trace);
  }
  console.log(dim(`\nlibrary log: ${router.logFile}`));
  return exit;
}

function printTables(router: MockRouter, protocolId: number, interfaces: IfSpec[]): void {
  console.log(bold('\ninterfaces'));
  for (const i of interfaces) console.log(`  ${String(i.index).padStart(4)}  ${(i.name ?? '').padEnd(16)} ${i.address}/${i.prefixLength}${i.demand ? '  demand-dial' : ''}`);
  console.log(bold('routes in RTM (this protocol)'));
  const routes = router.rtm.routes(protocolId);
  if (!routes.length) console.log('  (none)');
  for (const r of routes) {
    console.log(`  ${r.dest.padEnd(18)} via ${r.nextHops.map((h) => `${h.address}%${h.interfaceIndex}`).join(', ').padEnd(22)} metric ${r.metric} pref ${r.preference}${r.best ? '  best' : ''}`);
  }
  console.log('');
}

/** The protocol's own tables, as its mibView describes them (the MIB walked like an administrator would). */
async function printMib(proto: RoutingProtocol, view: MibView): Promise<void> {
  try {
    for (const t of await walkMibView(proto, view)) console.log(`${bold(t.title)}\n${formatMibTable(t.rows)}`);
  } catch (err) {
    console.log(`  MIB: ${(err as Error).message}`);
  }
  console.log('');
}
