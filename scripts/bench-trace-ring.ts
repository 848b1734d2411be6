// The cost of the always-on trace ring with nobody attached (`npm run bench:trace-ring`, or
// benchTraceRing() from a suite): sequential DoUpdateRoutes round trips (the call, the host's
// answer, UPDATE_COMPLETE drained) against two protocols served by the same library in the
// same process, one with the ring (traceRingRecords 4096, the default) and one without (0),
// measured in alternation, update by update (each pair in turn starting with the other), so
// that the load of a shared machine falls on both alike; in passes with fresh hosts, the ring
// on each protocol id in turn. The ratio is taken per round (of medians) and the median
// round's is reported.
// The statistics and the log lines are on in both: they are not what the switch turns off.
//   --passes N (4)  --rounds N per pass (10)  --per-round N (250)  --json FILE (the result)
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { MockRouter, NO_ERROR, type RoutingProtocol } from '../lib/index.js';
import { AdminClient } from '../lib/ops/client.js';
import type { StatusReply } from '../lib/ops/documents.js';
import { listEndpoints } from '../lib/ops/endpoints.js';

export interface TraceRingCost {
  name: 'trace-ring-cost';
  /** p50 with the ring over p50 without (1.00: free): the median of the rounds' ratios. */
  ratio: number;
  /** The rounds' ratios: first and third quartile. */
  rounds: { low: number; high: number };
  value: number;
  unit: 'µs';
  baseline: number;
  target: number;
  met: boolean;
  p99: { on: number; off: number; ratio: number };
  mean: { on: number; off: number; ratio: number };
  recordsPerUpdate: number;
  samples: number;
}

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
};
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

async function roundTrip(proto: RoutingProtocol): Promise<number> {
  const t0 = process.hrtime.bigint();
  const { complete } = await proto.updateRoutes(1);
  if (complete?.updateStatus !== NO_ERROR) throw new Error('an update failed');
  return Number(process.hrtime.bigint() - t0) / 1000;
}

export async function benchTraceRing(options: { passes?: number; rounds?: number; perRound?: number } = {}): Promise<TraceRingCost> {
  const passes = options.passes ?? 4, rounds = options.rounds ?? 10, perRound = options.perRound ?? 250;
  const module = path.join(__dirname, 'bench-protocol.js');
  // validateRoutes 0 and no heartbeat: nothing but the updates crosses the channel.
  const base = { module, heartbeatMs: 0, validateRoutes: 0 };
  const ids = [0x7ffe0011, 0x7ffe0012];
  const times = { on: [] as number[], off: [] as number[] };
  const ratios: number[] = [];
  let records = 0;
  for (let pass = 0; pass < passes; pass++) {
    // A router per pass: a router keeps each protocol's event pump until it closes, and the
    // pumps of stopped protocols would hold the thread pool the entry points are called on.
    const router = new MockRouter();
    try {
      // Each pass: fresh hosts, and the ring on the other protocol id (so that whatever one
      // host process or id has that the other lacks falls on both conditions alike).
      const onId = ids[pass % 2]!, offId = ids[(pass + 1) % 2]!;
      const on = router.register({ ...base, protocolId: onId, name: 'ring-on', traceRingRecords: 4096 });
      const off = router.register({ ...base, protocolId: offId, name: 'ring-off', traceRingRecords: 0 });
      for (const p of [on, off]) {
        if ((await p.start()) !== NO_ERROR) throw new Error(router.log());
        await p.addEnabledInterface({ index: 1 }, { addresses: [{ address: '192.0.2.1', prefixLength: 24 }] });
      }
      for (let i = 0; i < 200; i++) await roundTrip(i % 2 ? on : off);  // JIT, caches, first calls
      const recorded = await traceRecords(router, 'ring-on');
      for (let r = 0; r < rounds; r++) {
        const round = { on: [] as number[], off: [] as number[] };
        for (let i = 0; i < perRound; i++) {
          const first = (r + i) % 2 === 0;
          const [a, b] = first ? [on, off] : [off, on];
          const ta = await roundTrip(a), tb = await roundTrip(b);
          round.on.push(first ? ta : tb);
          round.off.push(first ? tb : ta);
        }
        ratios.push(quantile(round.on, 0.5) / quantile(round.off, 0.5));
        times.on.push(...round.on);
        times.off.push(...round.off);
      }
      records += (await traceRecords(router, 'ring-on')) - recorded;
    } finally {
      await router.close();
    }
  }
  {
    const p50 = { on: quantile(times.on, 0.5), off: quantile(times.off, 0.5) };
    const p99 = { on: quantile(times.on, 0.99), off: quantile(times.off, 0.99) };
    const avg = { on: mean(times.on), off: mean(times.off) };
    const target = 1.05;
    const ratio = quantile(ratios, 0.5);
    return {
      name: 'trace-ring-cost', value: p50.on, unit: 'µs', baseline: p50.off, ratio, target, met: ratio < target,
      rounds: { low: quantile(ratios, 0.25), high: quantile(ratios, 0.75) },
      p99: { ...p99, ratio: p99.on / p99.off }, mean: { ...avg, ratio: avg.on / avg.off },
      recordsPerUpdate: records / (passes * rounds * perRound), samples: times.on.length + times.off.length,
    };
  }
}

// How many records the ring has taken so far (through the admin endpoint, as an operator sees it).
async function traceRecords(router: MockRouter, name: string): Promise<number> {
  const endpoint = listEndpoints({ runDir: router.adminDirectory, pid: process.pid })[0];
  if (!endpoint) throw new Error('no admin endpoint for this process');
  const client = await AdminClient.connect(endpoint);
  try {
    const status = JSON.parse(String((await client.request('adminStatus', { protocol: name })).status)) as StatusReply;
    return status.protocols[0]!.trace.recorded;
  } finally {
    client.close();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { passes: { type: 'string' }, rounds: { type: 'string' }, 'per-round': { type: 'string' }, json: { type: 'string' } } });
  const r = await benchTraceRing({
    ...(values.passes ? { passes: Number(values.passes) } : {}),
    ...(values.rounds ? { rounds: Number(values.rounds) } : {}),
    ...(values['per-round'] ? { perRound: Number(values['per-round']) } : {}),
  });
  const f = (n: number) => n.toFixed(1);
  console.log(`trace ring, nobody attached: DoUpdateRoutes round trip (${r.samples} updates, alternating)`);
  console.log(`  p50   on ${f(r.value)} µs   off ${f(r.baseline)} µs   ratio ${r.ratio.toFixed(3)} (rounds' quartiles ${r.rounds.low.toFixed(3)}..${r.rounds.high.toFixed(3)}; target < ${r.target}: ${r.met ? 'met' : 'NOT met'})`);
  console.log(`  p99   on ${f(r.p99.on)} µs   off ${f(r.p99.off)} µs   ratio ${r.p99.ratio.toFixed(3)}`);
  console.log(`  mean  on ${f(r.mean.on)} µs   off ${f(r.mean.off)} µs   ratio ${r.mean.ratio.toFixed(3)}`);
  console.log(`  ${r.recordsPerUpdate.toFixed(1)} trace records per update`);
  if (values.json) fs.writeFileSync(values.json, JSON.stringify(r, null, 2) + '\n');
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
