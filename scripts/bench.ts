// `npm run bench`: throughput of the bridge's hot paths, each printed as a ratio against a
// baseline measured in the same run on the same machine (absolute numbers on shared
// machines mean little; ratios travel).
import path from 'node:path';
import { MockRouter, NO_ERROR, UPDATE_COMPLETE } from '../lib/index.js';

const now = () => Number(process.hrtime.bigint()) / 1e6;
const fmt = (n: number) => (n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2));

async function main(): Promise<void> {
  const router = new MockRouter();
  // validateRoutes 0: the mock router's ValidateRoute is a JS callback (a thread hop per route),
  // where RRAS's is native; measure the bridge, not the mock.
  const proto = router.register({ protocolId: 0x7ffe0001, name: 'bench', module: path.join(__dirname, 'bench-protocol.js'), heartbeatMs: 0, validateRoutes: 0 });
  if ((await proto.start()) !== NO_ERROR) throw new Error(router.log());
  await proto.addEnabledInterface({ index: 1 }, { addresses: [{ address: '192.0.2.1', prefixLength: 24 }] });
  const rows: [string, string, string][] = [];

  // Baseline: an entry point the library answers itself (GetEventMessage, empty queue).
  const N0 = 20000;
  let t0 = now();
  for (let i = 0; i < N0; i++) proto.getEventMessage();
  const nativeCall = (now() - t0) / N0;

  // One DoUpdateRoutes at a time, to its UPDATE_COMPLETE (native -> JS -> native).
  const N1 = 500;
  t0 = now();
  for (let i = 0; i < N1; i++) {
    const { complete } = await proto.updateRoutes(1);
    if (complete?.updateStatus !== NO_ERROR) throw new Error('update failed');
  }
  const serial = (now() - t0) / N1;
  rows.push(['DoUpdateRoutes round trip, one at a time', `${fmt(serial * 1000)} µs`, `${fmt(serial / nativeCall)}x a native-only entry point`]);

  // Many in flight: the channel batches wake-ups.
  const N2 = 2000;
  const seen = proto.events.length;
  t0 = now();
  for (let i = 0; i < N2; i++) if ((await proto.doUpdateRoutes(1)) !== NO_ERROR) throw new Error('refused');
  await proto.waitForEvent(() => proto.events.length - seen >= N2, 60000);
  const pipelined = (now() - t0) / N2;
  if (proto.events.slice(seen).some((e) => e.event !== UPDATE_COMPLETE || e.updateStatus !== NO_ERROR)) throw new Error('bad completion');
  rows.push(['DoUpdateRoutes pipelined (2000 in flight)', `${fmt(pipelined * 1000)} µs each`, `${fmt(serial / pipelined)}x the one-at-a-time rate`]);

  // Routes into RTM: batches of 1000 against one route per request.
  const routeRun = async (count: number, batch: number) => {
    const input = Buffer.alloc(8);
    input.writeUInt32LE(count, 0);
    input.writeUInt32LE(batch, 4);
    if ((await proto.mib('set', input)).code !== NO_ERROR) throw new Error(`route run failed: ${router.log()}`);
    const r = await proto.mib('get', Buffer.alloc(0), 4);
    return r.output.readUInt32LE(0) / 1000 / (2 * count); // ms per route operation
  };
  const single = await routeRun(1000, 1);
  const batched = await routeRun(20000, 1000);
  rows.push(['route add+delete, one per request', `${fmt(single * 1000)} µs per route`, 'baseline']);
  rows.push(['route add+delete, batches of 1000', `${fmt(batched * 1000)} µs per route`, `${fmt(single / batched)}x faster than one per request`]);
  const mem = process.memoryUsage();

  await proto.stop();
  await router.close();
  console.log('rras-bridge benchmarks (ratios are against a baseline of the same run)\n');
  console.log(`  ${'native-only entry point (GetEventMessage)'.padEnd(44)} ${`${fmt(nativeCall * 1000)} µs`.padEnd(18)} baseline`);
  for (const [name, value, ratio] of rows) console.log(`  ${name.padEnd(44)} ${value.padEnd(18)} ${ratio}`);
  console.log(`\n  mock router process RSS ${fmt(mem.rss / 1048576)} MiB after the runs`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
