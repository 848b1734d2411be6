// `npm run bench [-- --quick] [-- --out FILE]`: the five benchmarks of issue 12, each against
// its raw baseline measured in the same run, printed as a table and written to
// bench/results.json (shape: scripts/bench-results.ts).
//
// The native driver (native/bench, built here with CMake into build-bench/) plays the router
// manager against the built protocol library, which hosts scripts/bench-protocol.ts in a Node
// host as for a user; each benchmark runs in a fresh driver process. Ratios within one run are
// what count on a shared machine; --quick runs small sizes to prove the suite works (CI).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { paths, packageRoot } from '../lib/paths.js';
import { problems, row, table, type Row } from './bench-results.js';

const quick = process.argv.includes('--quick');
const outIndex = process.argv.indexOf('--out');
const outFile = outIndex > 0 ? path.resolve(process.argv[outIndex + 1]!) : path.join(packageRoot, 'bench', 'results.json');

const PROTOCOL_ID = 0x7ffe0001;
const sizes = quick
  ? { updates: 300, block: 100, pipelined: 2000, depth: 200, events: 2000, rounds: 2, routes: 20000, failover: [2000, 10000] }
  : { updates: 20000, block: 500, pipelined: 100000, depth: 1000, events: 200000, rounds: 10, routes: 1000000, failover: [100000, 1000000] };
const EVENT_DEPTH = 256;
const SENDERS = 4;
const BATCH = 16384;

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'rras-bridge-bench-'));
const logFile = path.join(work, 'protocol.log');

function driver(): string {
  const r = spawnSync('bash', [path.join(packageRoot, 'scripts', 'build-bench.sh')], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) throw new Error('building the benchmark driver (scripts/build-bench.sh) failed');
  return path.join(packageRoot, 'build-bench', 'rras_bridge_bench');
}

/** The library's configuration for one driver run. */
function config(nodeArgs: string[]): string {
  const file = path.join(work, `config-${nodeArgs.length}.json`);
  fs.writeFileSync(file, JSON.stringify({
    protocols: [{
      protocolId: PROTOCOL_ID, name: 'bench', module: path.join(__dirname, 'bench-protocol.js'), nodePath: process.execPath, nodeArgs,
      rtmLibrary: paths.mockRtm, logFile, validateRoutes: 0,
    }],
  }));
  return file;
}

type Json = Record<string, any>;

function run(bin: string, command: string, options: Record<string, string | number>, nodeArgs = ['--expose-gc']): Json {
  const args = [command, '--library', paths.protocolLibrary, '--protocol-id', String(PROTOCOL_ID), '--rtm', paths.mockRtm, '--dir', work];
  for (const [k, v] of Object.entries(options)) args.push(`--${k}`, String(v));
  process.stderr.write(`bench: ${command} ${Object.entries(options).map(([k, v]) => `${k}=${v}`).join(' ')}\n`);
  const r = spawnSync(bin, args, { env: { ...process.env, RRAS_BRIDGE_CONFIG: config(nodeArgs) }, encoding: 'utf8', maxBuffer: 1 << 24, timeout: 30 * 60_000, stdio: ['ignore', 'pipe', 'inherit'] });
  const last = (r.stdout ?? '').trim().split('\n').pop() ?? '';
  let out: Json;
  try {
    out = JSON.parse(last) as Json;
  } catch {
    out = { error: `no result (exit ${r.status ?? r.signal}): ${last}` };
  }
  if (!out.error) process.stderr.write(`bench: ${command} → ${last}\n`); // the raw figures, for a closer look
  if (out.error || r.status !== 0) {
    const tail = fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8').split('\n').slice(-30).join('\n') : '';
    throw new Error(`${command}: ${out.error ?? `exit ${r.status}`}\nlibrary log (tail):\n${tail}`);
  }
  return out;
}

const count = (n: number) => (n >= 1e6 ? `${n / 1e6}M` : n >= 1e3 ? `${n / 1e3}k` : String(n));

function main(): void {
  const bin = driver();
  const loadStart = os.loadavg();
  const rows: Row[] = [];

  const lat = run(bin, 'latency', { updates: sizes.updates, block: sizes.block });
  rows.push(
    row('update-latency', 'µs p50, DoUpdateRoutes → UPDATE_COMPLETE', lat.bridge.p50Us, lat.raw.p50Us, 'lower', '≤ 2x'),
    row('update-latency', 'µs p99', lat.bridge.p99Us, lat.raw.p99Us, 'lower', '≤ 5x'),
    row('update-latency', 'thread wake-ups per update', lat.bridge.wakeupsPerCall, lat.raw.wakeupsPerCall, 'lower', '≤ 3.5'),
  );

  // The native loop before and after the bridge's run: the better of the two is the baseline,
  // so load that comes and goes during the long run is not charged to the bridge.
  const loops = [run(bin, 'rtm-loop', { routes: sizes.routes })];
  const inj = run(bin, 'injection', { routes: sizes.routes, batch: BATCH });
  loops.push(run(bin, 'rtm-loop', { routes: sizes.routes }));
  const loop = loops.reduce((a, b) => (a.addNs + a.deleteNs <= b.addNs + b.deleteNs ? a : b));
  const n = sizes.routes;
  const perSecond = (ns: number) => (n * 1e9) / ns;
  rows.push(
    row('route-injection', `routes/s, ${count(n)} added then deleted from TypeScript`, perSecond(inj.addNs + inj.withdrawNs), perSecond(loop.addNs + loop.deleteNs), 'higher', '≤ 1.5x'),
    row('route-injection', 'µs host CPU per route', (inj.addCpuNs + inj.withdrawCpuNs) / n / 1e3, null, 'lower', '≤ 1.5'),
    row('route-injection', 'bytes host memory per route', (inj.hostResidentAdded - inj.hostResidentBefore) / n, null, 'lower', '≤ 120'),
    row('route-injection', 'bytes library memory per route', (inj.libraryResidentAdded - inj.libraryResidentBefore) / n, (loop.residentAdded - loop.residentBefore) / n, 'lower', '≤ 1.1x'),
    // The mock's own speed in the loop's CPU time: what its code costs, whatever else the
    // shared machine runs (the wall-clock rates above compare bridge and loop under one load).
    row('route-injection', 'mock RTM native adds per CPU-second', Math.max(...loops.map((l) => perSecond(l.addCpuNs))), null, 'higher', '≥ 2000000'),
  );

  const ev = run(bin, 'events', { events: sizes.events, depth: EVENT_DEPTH });
  const pipe = run(bin, 'pipelined', { updates: sizes.pipelined, depth: sizes.depth, senders: SENDERS });
  rows.push(
    row('event-throughput', `events/s raised in TS, drained by GetEventMessage (${EVENT_DEPTH} in flight)`, ev.bridge.perSecond, ev.raw.perSecond, 'higher', '≥ 500000'),
    row('event-throughput', `DoUpdateRoutes/s pipelined (${sizes.depth} in flight, ${SENDERS} threads)`, pipe.bridge.perSecond, pipe.raw.perSecond, 'higher', '≤ 1.5x'),
  );

  const cold = run(bin, 'cold-start', { rounds: sizes.rounds, node: process.execPath }, []);
  rows.push(row('cold-start', 'ms StartProtocol (median)', cold.startMedianMs, cold.nodeMedianMs, 'lower', '≤ 1.2x'));

  const empty = run(bin, 'failover', { routes: 0, batch: BATCH });
  const [small, large] = sizes.failover.map((routes) => run(bin, 'failover', { routes, batch: BATCH })) as [Json, Json];
  rows.push(
    row('host-failover', `ms kill → re-announced and swept, ${count(small.routes)} routes`, small.killToSyncedMs, null, 'lower', '≤ 1000'),
    row('host-failover', `ms kill → re-announced and swept, ${count(large.routes)} routes`, large.killToSyncedMs, null, 'lower', '≤ 5000'),
    row('host-failover', 'routes withdrawn from RTM during failover', [small, large].reduce((sum, f) => sum + Math.max(f.withdrawn, f.routes - f.leastRoutes), 0), null, 'lower', '= 0'),
    row('host-failover', `ms kill → start handler, ${count(large.routes)} routes (baseline: none)`, large.killToStartMs, empty.killToStartMs, 'lower', '≤ 1.5x'),
  );

  const cpus = os.cpus();
  const results = {
    machine: {
      cpu: cpus[0]?.model ?? 'unknown', cores: cpus.length, memoryGiB: Math.round(os.totalmem() / 2 ** 30), kernel: `${os.type()} ${os.release()}`,
      node: process.version, loadAverage: { start: loadStart, end: os.loadavg() }, quick, date: new Date().toISOString(),
    },
    results: rows,
  };
  const wrong = problems(JSON.parse(JSON.stringify(results)));
  if (wrong.length) throw new Error(`results are malformed:\n  ${wrong.join('\n  ')}`);
  fs.mkdirSync(path.dirname(outFile), { recursive: true });
  fs.writeFileSync(outFile, JSON.stringify(results, null, 2) + '\n');
  console.log(`rras-bridge benchmarks${quick ? ' (--quick: small sizes; the figures prove the suite runs, not the speed)' : ''}`);
  console.log(`machine: ${results.machine.cores} × ${results.machine.cpu}, load ${loadStart.map((l) => l.toFixed(1)).join(' ')} → ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}\n`);
  console.log(table(rows));
  console.log(`\n${rows.filter((r) => r.met).length} of ${rows.length} targets met; written to ${path.relative(process.cwd(), outFile) || outFile}`);
}

try {
  main();
} catch (err) {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
} finally {
  fs.rmSync(work, { recursive: true, force: true });
}
