// The protocol the benchmarks drive: a no-op updateRoutes, and a MIB "set" that adds and
// deletes routes in RTM in batches of a given size and reports how long that took.
//   set input: u32 routes, u32 batch size; get output: u32 microseconds of the last run.
import { defineProtocol, hostInfo, NO_ERROR, type RouteSpec } from '../lib/index.js';

let lastMicros = 0;

function routes(n: number, salt: number): RouteSpec[] {
  return Array.from({ length: n }, (_, i) => ({
    destination: `10.${(salt + (i >> 16)) & 255}.${(i >> 8) & 255}.${i & 255}`, prefixLength: 32,
    nextHop: '192.0.2.2', interfaceIndex: 1, metric: 1,
  }));
}

let salt = 0;
export default defineProtocol({
  protocolId: hostInfo()?.protocolId ?? 0x7ffe0001,
  name: 'bench',
  updateRoutes() {},
  async mib(ctx, req) {
    if (req.op === 'get') {
      const out = Buffer.alloc(4);
      out.writeUInt32LE(lastMicros >>> 0);
      return out;
    }
    const count = req.input.readUInt32LE(0);
    const batch = req.input.readUInt32LE(4);
    const set = routes(count, salt++);
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < set.length; i += batch) {
      const results = await ctx.routes.add(set.slice(i, i + batch));
      if (results.some((r) => r.status !== NO_ERROR)) throw new Error('RTM refused a route');
    }
    for (let i = 0; i < set.length; i += batch) await ctx.routes.delete(set.slice(i, i + batch));
    lastMicros = Number((process.hrtime.bigint() - t0) / 1000n);
    return;
  },
});
