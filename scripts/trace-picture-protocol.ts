// The protocol scripts/trace-picture.ts traces: updates that take a few milliseconds, and a
// host that dies in the update of interface 9.
import { defineProtocol, hostInfo } from '../lib/index.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export default defineProtocol({
  protocolId: hostInfo()?.protocolId ?? 0x7ffe0021,
  name: 'picture',
  async updateRoutes(ctx, iface) {
    await sleep(iface.index === 9 ? 5 : 12 + 4 * iface.index);
    if (iface.index === 9) process.exit(70);
    await ctx.routes.replace(iface.index, [{ destination: `10.${iface.index}.0.0`, prefixLength: 16, nextHop: `192.0.2.${iface.index + 1}`, interfaceIndex: iface.index, metric: 2 }]);
  },
});
