// The cost of the always-on trace ring with nobody attached (`npm run bench:trace-ring`, or
// benchTraceRing() from a suite), on the update-latency benchmark itself: the native driver
// of `npm run bench` (native/bench, `latency --only bridge`: sequential DoUpdateRoutes to
// UPDATE_COMPLETE, timed natively) against the protocol library configured with the ring
// (traceRingRecords 4096, the default) and without it (0), in alternating driver runs of the
// same run: each round runs both, in turn first, each run with a fresh host process. The
// ratio is taken per round (p50 with over p50 without) and the median round's is reported.
// The per-entry-point statistics are on in both: the switch turns off the ring only.
//   --rounds N (8)  --updates N per run (4000)  --json FILE (the result, as below)
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { packageRoot, paths } from '../lib/paths.js';

export interface TraceRingCost {
  name: 'trace-ring-cost';
  /** The median round's p50 with the ring over p50 without (1.00: free). */
  ratio: number;
  /** The rounds' ratios: first and third quartile. */
  rounds: { low: number; high: number };
  /** p50 in µs, the median of the runs with the ring, and (baseline) without. */
  value: number;
  baseline: number;
  unit: 'µs';
  target: number;
  met: boolean;
  p99: { on: number; off: number; ratio: number };
  updates: number;
}

const PROTOCOL_ID = 0x7ffe0001;
const median = (xs: number[]) => quantile(xs, 0.5);
function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
}

interface Latency {
  p50Us: number;
  p99Us: number;
}

/** One driver run: sequential updates against the library with traceRingRecords `ring`. */
function latency(bin: string, work: string, ring: number, updates: number): Latency {
  const config = path.join(work, `config-${ring}.json`);
  fs.writeFileSync(config, JSON.stringify({
    protocols: [{
      protocolId: PROTOCOL_ID, name: 'bench', module: path.join(__dirname, 'bench-protocol.js'), nodePath: process.execPath,
      rtmLibrary: paths.mockRtm, logFile: path.join(work, 'protocol.log'), validateRoutes: 0,
      adminDirectory: path.join(work, 'run'), traceRingRecords: ring,
    }],
  }));
  const args = ['latency', '--library', paths.protocolLibrary, '--protocol-id', String(PROTOCOL_ID), '--rtm', paths.mockRtm,
    '--dir', work, '--updates', String(updates), '--block', '500', '--only', 'bridge'];
  const r = spawnSync(bin, args, { env: { ...process.env, RRAS_BRIDGE_CONFIG: config }, encoding: 'utf8', timeout: 10 * 60_000 });
  const last = (r.stdout ?? '').trim().split('\n').pop() ?? '';
  try {
    const out = JSON.parse(last) as { bridge?: Latency; error?: string };
    if (out.bridge && r.status === 0) return out.bridge;
    throw new Error(out.error ?? `exit ${r.status}`);
  } catch (err) {
    throw new Error(`the latency driver (traceRingRecords ${ring}): ${(err as Error).message}: ${last}${r.stderr ?? ''}`);
  }
}

export function benchTraceRing(options: { rounds?: number; updates?: number } = {}): TraceRingCost {
  const rounds = options.rounds ?? 8, updates = options.updates ?? 4000;
  const built = spawnSync('bash', [path.join(packageRoot, 'scripts', 'build-bench.sh')], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (built.status !== 0) throw new Error('building the benchmark driver (scripts/build-bench.sh) failed');
  const bin = path.join(packageRoot, 'build-bench', 'rras_bridge_bench');
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'rras-bridge-bench-ring-'));
  try {
    const on: Latency[] = [], off: Latency[] = [], ratios: number[] = [];
    for (let r = 0; r < rounds; r++) {
      const first = r % 2 === 0 ? 4096 : 0;
      const a = latency(bin, work, first, updates), b = latency(bin, work, 4096 - first, updates);
      const [withRing, without] = first ? [a, b] : [b, a];
      on.push(withRing);
      off.push(without);
      ratios.push(withRing.p50Us / without.p50Us);
      process.stderr.write(`bench:trace-ring: round ${r + 1}: p50 ${withRing.p50Us} µs with the ring, ${without.p50Us} µs without\n`);
    }
    const ratio = median(ratios), target = 1.05;
    const p99 = { on: median(on.map((x) => x.p99Us)), off: median(off.map((x) => x.p99Us)) };
    return {
      name: 'trace-ring-cost', ratio, rounds: { low: quantile(ratios, 0.25), high: quantile(ratios, 0.75) },
      value: median(on.map((x) => x.p50Us)), baseline: median(off.map((x) => x.p50Us)), unit: 'µs', target, met: ratio < target,
      p99: { ...p99, ratio: p99.on / p99.off }, updates: rounds * 2 * updates,
    };
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

function main(): void {
  const { values } = parseArgs({ options: { rounds: { type: 'string' }, updates: { type: 'string' }, json: { type: 'string' } } });
  const r = benchTraceRing({
    ...(values.rounds ? { rounds: Number(values.rounds) } : {}),
    ...(values.updates ? { updates: Number(values.updates) } : {}),
  });
  const f = (n: number) => n.toFixed(1);
  console.log(`trace ring, nobody attached: update-latency (DoUpdateRoutes to UPDATE_COMPLETE, timed natively; ${r.updates} updates)`);
  console.log(`  p50  with ${f(r.value)} µs  without ${f(r.baseline)} µs  ratio ${r.ratio.toFixed(3)} (rounds' quartiles ${r.rounds.low.toFixed(3)}..${r.rounds.high.toFixed(3)}; target < ${r.target}: ${r.met ? 'met' : 'NOT met'})`);
  console.log(`  p99  with ${f(r.p99.on)} µs  without ${f(r.p99.off)} µs  ratio ${r.p99.ratio.toFixed(3)}`);
  if (values.json) fs.writeFileSync(values.json, JSON.stringify(r, null, 2) + '\n');
}

if (require.main === module) {
  try {
    main();
  } catch (err) {
    console.error(err);
    process.exit(1);
  }
}
