// The protocol module the benchmarks host (scripts/bench.ts, through the native driver in
// native/bench): a no-op updateRoutes, and commands that the driver sends as JSON in a MIB Get
// and that are answered with JSON. Work that takes long (routes, events) starts at once and
// is followed through `info`, so no command waits past the library's call deadline.
//   info                      {pid, phase, failure?, timings of the last run}
//   echo {path}               a raw echo server on a Unix socket (the channel baselines)
//   inject {count, batch}     adds `count` routes through ctx.routes.applyBatch, `batch` per call
//   withdraw                  deletes them again, the same way
//   raise {count, inFlight}   raises `count` SAVE_INTERFACE_CONFIG_INFO events, `inFlight` at once
// A restarted host (failover) re-announces the routes its global info names, then declares
// itself synced (gracefulRestart 'manual': the protocol decides when it has relearned).
import fs from 'node:fs';
import type * as Net from 'node:net';
import { defineProtocol, hostInfo, NO_ERROR, RouteBatch, type ProtocolContext } from '../lib/index.js';

const INTERFACE = 1;
const NEXT_HOP = 0xc0000202; // 192.0.2.2
const now = () => Number(process.hrtime.bigint()); // CLOCK_MONOTONIC ns, as the driver's clock
const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined); // --expose-gc in the bench config

/** Route i: the /24 (16 + i / 65536).(i / 256 % 256).(i % 256).0, as native/bench/rtm_loop.h (a host-order number). */
const destination = (i: number) => ((16 + (i >>> 16)) * 2 ** 24 + ((i & 0xffff) << 8)) >>> 0;
// A table load as a protocol that learns routes in binary (BGP NLRI) would write it: numbers
// into a RouteBatch, no object or address string per route.
const add = (b: RouteBatch, i: number) => b.add(destination(i), 24, INTERFACE, NEXT_HOP, 1);
const remove = (b: RouteBatch, i: number) => b.delete(destination(i), 24, INTERFACE, NEXT_HOP);

/** VmRSS and VmHWM of this process, in bytes. */
function memory(): { resident: number; peak: number } {
  const status = fs.readFileSync('/proc/self/status', 'utf8');
  const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? 0) * 1024;
  return { resident: kb('VmRSS'), peak: kb('VmHWM') };
}
const cpuNs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) * 1000;
};

const state: { phase: string; failure?: string; [k: string]: unknown } = { phase: 'idle' };
let injected = 0;
let batchSize = 16384;
let echo: Net.Server | undefined;

/**
 * Calls of ctx.routes.add/delete kept in flight at once, as a protocol loading a large table
 * would (it hands on routes as they arrive, not after RTM took the last ones): the host builds
 * and encodes one call's routes while the library applies the other's.
 */
const CALLS_IN_FLIGHT = 2;

/** Applies write(i) for i in [0, count) in calls of `batch` routes, CALLS_IN_FLIGHT at once, checking every route's status. */
async function inBatches(ctx: ProtocolContext, count: number, batch: number, write: (b: RouteBatch, i: number) => void): Promise<void> {
  let next = 0;
  const worker = async () => {
    const routes = new RouteBatch(batch);
    while (next < count) {
      const from = next;
      next = Math.min(count, from + batch);
      routes.clear();
      for (let i = from; i < next; i++) write(routes, i);
      const statuses = await ctx.routes.applyBatch(routes);
      const bad = statuses.findIndex((s) => s !== NO_ERROR);
      if (bad >= 0) throw new Error(`route ${from + bad} was refused (${statuses[bad]})`);
    }
  };
  await Promise.all(Array.from({ length: CALLS_IN_FLIGHT }, worker));
}

function run(phase: string, done: string, work: () => Promise<void>): void {
  state.phase = phase;
  delete state.failure;
  work().then(() => { state.phase = done; }, (err: unknown) => {
    state.phase = 'failed';
    state.failure = err instanceof Error ? err.message : String(err);
  });
}

function inject(ctx: ProtocolContext, count: number, batch: number): void {
  injected = count;
  batchSize = batch;
  run('adding', 'added', async () => {
    gc();
    const before = memory();
    try {
      fs.writeFileSync('/proc/self/clear_refs', '5'); // VmHWM := VmRSS, so the peak is this run's
    } catch { /* not allowed here (some containers): the peak is then the process's */ }
    const cpu0 = cpuNs();
    const t0 = now();
    await inBatches(ctx, count, batch, add);
    Object.assign(state, { addNs: now() - t0, addCpuNs: cpuNs() - cpu0, hostPeakResident: memory().peak });
    gc();
    Object.assign(state, { hostResidentBefore: before.resident, hostResidentAdded: memory().resident });
  });
}

function withdraw(ctx: ProtocolContext): void {
  run('withdrawing', 'withdrawn', async () => {
    const cpu0 = cpuNs();
    const t0 = now();
    await inBatches(ctx, injected, batchSize, remove);
    Object.assign(state, { withdrawNs: now() - t0, withdrawCpuNs: cpuNs() - cpu0 });
  });
}

function raise(ctx: ProtocolContext, count: number, inFlight: number): void {
  run('raising', 'raised', async () => {
    const config = Buffer.alloc(4);
    let next = 0;
    const worker = async () => {
      while (next < count) {
        next++;
        await ctx.events.saveInterfaceConfig(INTERFACE, config);
      }
    };
    await Promise.all(Array.from({ length: Math.min(inFlight, count) }, worker));
  });
}

function listen(path: string): Promise<void> {
  echo?.close();
  try { fs.unlinkSync(path); } catch { /* not there */ }
  // Required here, where the raw echo starts: loaded at the top, node:net (and its streams)
  // would be counted in the cold start, which a protocol without sockets does not pay.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const net = require('node:net') as typeof Net;
  echo = net.createServer((s) => s.on('data', (d) => s.write(d)));
  return new Promise((resolve, reject) => echo!.once('error', reject).listen(path, () => resolve()));
}

export default defineProtocol({
  protocolId: hostInfo()?.protocolId ?? 0x7ffe0001,
  name: 'bench',
  gracefulRestart: 'manual',
  start(ctx) {
    const raw = Buffer.isBuffer(ctx.globalConfig) ? ctx.globalConfig.toString('utf8') : '';
    const config = raw ? (JSON.parse(raw) as { routes?: number; batch?: number }) : {};
    if (!ctx.restarted || config.routes === undefined) return;
    // Failover: this host replaces one that was killed. Relearn the table, then sync.
    state.startedAt = now();
    injected = config.routes;
    run('reannouncing', 'synced', async () => {
      const t0 = now();
      await inBatches(ctx, injected, config.batch ?? batchSize, add);
      state.reannounceNs = now() - t0;
      await ctx.routes.synced();
      state.syncedAt = now();
    });
  },
  updateRoutes() {},
  async mib(ctx, req) {
    if (req.op !== 'get') return undefined;
    let answer: Record<string, unknown> = { ok: true };
    try {
      const c = JSON.parse(req.input.toString('utf8')) as Record<string, unknown>;
      const n = (k: string) => {
        const v = c[k];
        if (!Number.isInteger(v) || (v as number) < 0) throw new Error(`'${k}' must be a non-negative integer`);
        return v as number;
      };
      switch (c.cmd) {
        case 'info': answer = { pid: process.pid, ...state }; break;
        case 'echo': await listen(String(c.path)); break;
        case 'inject': inject(ctx, n('count'), Math.max(1, n('batch'))); break;
        case 'withdraw': withdraw(ctx); break;
        case 'raise': raise(ctx, n('count'), Math.max(1, n('inFlight'))); break;
        default: throw new Error(`unknown command ${JSON.stringify(c.cmd)}`);
      }
    } catch (err) {
      answer = { error: err instanceof Error ? err.message : String(err) };
    }
    return Buffer.from(JSON.stringify(answer));
  },
});
