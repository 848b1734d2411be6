// `rras-bridge mock <module>`: runs a protocol module under the mock router manager for a
// person to watch: every call and event as it happens, the library's log live (the host's
// pid, restarts, reloads, the protocol's own lines), then the interfaces and the RTM table.
// --watch reloads the host when the module changes; --inspect puts the host under a debugger.
import fs from 'node:fs';
import path from 'node:path';
import type { Protocol } from '../api/types.js';
import type { Shape, StructInput } from '../config/schema.js';
import { DEMAND_DIAL, NO_ERROR, PERMANENT, protocolIdText } from '../constants.js';
import { parseCommandArgs, takeOptionalValue, UsageError } from '../cliArgs.js';
import { parseProtocolId } from '../installer/validate.js';
import { runDirectory } from '../ops/endpoints.js';
import { importProtocol } from '../protocolModule.js';
import { MockRouter, type HostDebugOptions, type RoutingProtocol } from './router.js';
import { bold, dim, formatTrace } from './reporter.js';
import { formatMibTable, walkMibView } from './mibView.js';
import type { MibView } from '../api/mibView.js';

export const MOCK_USAGE = `usage: rras-bridge mock <module> [options]
  --protocol-id ID       protocol id, decimal or 0x hex (default: the module's)
  --global JSON          global config (encoded with the module's schema; raw UTF-8 without one)
  --interface SPEC       index=address/len[,demand][,name=NAME] — added, bound and enabled (repeatable)
  --if-config I=JSON     interface I's config (with the module's interface schema)
  --update INDEX         DoUpdateRoutes on INDEX after start (repeatable)
  --every SECONDS        repeat the updates every SECONDS
  --duration SECONDS     stop after SECONDS (default: after the updates; with --every, --watch
                         or --inspect: at Ctrl-C)
  --watch                reload the host when the module or a file it imports changes
                         (a planned restart: routes kept; a file that does not load keeps the host)
  --inspect[=[HOST:]PORT]      the host under the inspector (default 127.0.0.1:9229; the watchdog
  --inspect-brk[=[HOST:]PORT]  spares a paused host); -brk stops at its first line until attached
  --node-arg ARG         a node option for the host (repeatable), e.g. --node-arg=--import=tsx
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
  return schema ? schema.encode(value as StructInput<Shape>) : Buffer.from(json);
}

function seconds(text: string | undefined, what: string): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isFinite(n) || n < 0) throw new UsageError(`${what} ${text}: expected a number of seconds`);
  return n * 1000;
}

/** The library's log as it grows: each new line once, with the host's pid and restarts picked out. */
class LogTail {
  private offset = 0;
  private partial = '';
  constructor(private readonly file: string, private readonly print: boolean) {}
  /** Prints what was added since the last poll; `closed` is the whole log once the file is gone. */
  poll(closed?: string): void {
    let text: string;
    if (closed !== undefined) {
      const all = Buffer.from(closed);
      if (all.length <= this.offset) return;
      text = this.partial + all.subarray(this.offset).toString('utf8');
      this.offset = all.length;
    } else try {
      const fd = fs.openSync(this.file, 'r');
      try {
        const size = fs.fstatSync(fd).size;
        if (size <= this.offset) return;
        const buf = Buffer.alloc(size - this.offset);
        fs.readSync(fd, buf, 0, buf.length, this.offset);
        this.offset = size;
        text = this.partial + buf.toString('utf8');
      } finally {
        fs.closeSync(fd);
      }
    } catch {
      return;
    }
    const lines = text.split('\n');
    this.partial = lines.pop() ?? '';
    for (const line of lines) {
      if (!this.print || !line) continue;
      // "host pid N (generation G): <node> <options> <host entry> --protocol-id …"
      const host = /host pid (\d+) \(generation (\d+)\): \S+ (.*?)\s*\S+ --protocol-id /.exec(line);
      if (host) console.log(bold(`● host pid ${host[1]} (generation ${host[2]})${host[3] ? `, node ${host[3]}` : ''}`));
      else console.log(dim(`  log │ ${line.replace(/^\d{4}-\d\d-\d\dT\S+Z /, '')}`));
    }
  }
}

export async function runMock(argv: string[]): Promise<number> {
  const inspect = takeOptionalValue(argv, 'inspect');
  const inspectBrk = takeOptionalValue(inspect.argv, 'inspect-brk');
  const { values, positionals } = parseCommandArgs(inspectBrk.argv, {
    'protocol-id': { type: 'string' }, global: { type: 'string' }, interface: { type: 'string', multiple: true },
    'if-config': { type: 'string', multiple: true }, update: { type: 'string', multiple: true }, every: { type: 'string' },
    duration: { type: 'string' }, trace: { type: 'string' }, quiet: { type: 'boolean' }, watch: { type: 'boolean' },
    'node-arg': { type: 'string', multiple: true }, help: { type: 'boolean', short: 'h' },
  }, [0, 1]);
  if (values.help) {
    process.stdout.write(MOCK_USAGE);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError('expected the protocol module');
  const module = path.resolve(positionals[0]!);
  const protocol = await importProtocol(module);
  const protocolId = values['protocol-id'] !== undefined ? parseProtocolId(values['protocol-id']) : protocol.protocolId;
  const interfaces = (values.interface ?? []).map(parseInterface);
  const ifConfigs = new Map<number, string>();
  for (const c of values['if-config'] ?? []) {
    const eq = c.indexOf('=');
    if (eq < 1) throw new UsageError(`--if-config ${c}: expected INDEX=JSON`);
    ifConfigs.set(Number(c.slice(0, eq)), c.slice(eq + 1));
  }
  const every = seconds(values.every, '--every') ?? 0;
  const debug: HostDebugOptions = { watch: values.watch ?? false };
  const brk = inspectBrk.value !== undefined;
  const address = brk ? inspectBrk.value : inspect.value;
  if (address !== undefined) debug.inspect = { ...(address === true ? {} : { address }), break: brk };
  const interactive = every > 0 || debug.watch || debug.inspect !== undefined;
  const duration = seconds(values.duration, '--duration') ?? (interactive ? Infinity : 0);
  const quiet = values.quiet ?? false;

  const router = new MockRouter({ adminDirectory: runDirectory() });  // where `rras-bridge status` looks
  const trace = values.trace ? fs.openSync(values.trace, 'w') : undefined;
  const tail = new LogTail(router.logFile, !quiet);
  router.on('trace', (e) => {
    if (trace !== undefined) fs.writeSync(trace, JSON.stringify({ time: new Date().toISOString(), ...e }, (_k, v) => (Buffer.isBuffer(v) ? v.toString('hex') : typeof v === 'bigint' ? String(v) : v)) + '\n');
    if (!quiet) {
      tail.poll();
      console.log(formatTrace(e));
    }
  });
  const ticker = setInterval(() => tail.poll(), 200);
  if (!quiet) {
    console.log(bold(`rras-bridge mock: ${protocol.name}, protocol ${protocolIdText(protocolId)}`));
    console.log(dim(`  module ${module}`));
    if (debug.inspect) console.log(dim(`  inspector on the host${brk ? ', stopped at its first line until a debugger attaches' : ''}: chrome://inspect, or VS Code "Attach"`));
    if (debug.watch) console.log(dim('  watching the module and its imports; a change reloads the host, keeping the routes'));
  }
  const proto = router.register({ protocolId, name: protocol.name, module, ...debug, ...(values['node-arg'] ? { nodeArgs: values['node-arg'] } : {}) });
  let exit = 0;
  let stop = false;
  const onSignal = () => (stop = true);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    await proto.start({ globalInfo: encode(protocol.globalConfig, values.global, '--global') });
    for (const i of interfaces) {
      const info = encode(protocol.interfaceConfig, ifConfigs.get(i.index), `--if-config ${i.index}`);
      await proto.addEnabledInterface({ index: i.index, name: i.name ?? `{interface-${i.index}}`, type: i.demand ? DEMAND_DIAL : PERMANENT, info },
        { addresses: [{ address: i.address, prefixLength: i.prefixLength }] });
    }
    await proto.startComplete();
    const updates = (values.update ?? []).map(Number);
    const round = async () => {
      const results = await Promise.all(updates.map((i) => proto.updateRoutes(i)));
      if (results.some((r) => r.complete.updateStatus !== NO_ERROR)) exit = 1;
      printTables(router, protocolId, interfaces);
      if (protocol.mibView) await printMib(proto, protocol.mibView);
    };
    await round();
    if (duration > 0) {
      const end = Date.now() + duration;
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
    tail.poll();
    console.error(`rras-bridge mock: ${(err as Error).message}`);
    exit = 1;
  } finally {
    clearInterval(ticker);
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    await router.close();
    tail.poll(router.log());
    if (trace !== undefined) fs.closeSync(trace);
  }
  return exit;
}

function printTables(router: MockRouter, protocolId: number, interfaces: IfSpec[]): void {
  console.log(bold('\ninterfaces'));
  for (const i of interfaces) console.log(`  ${String(i.index).padStart(4)}  ${(i.name ?? '').padEnd(16)} ${i.address}/${i.prefixLength}${i.demand ? '  demand-dial' : ''}`);
  console.log(bold(`routes in RTM (protocol ${protocolIdText(protocolId)})`));
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
