// Unit-test harness for the RIP engine: engines on a FakeClock joined by a MemoryNetwork,
// routes into MemoryRoutes. No sockets, no RTM, no wall time.
import { GlobalConfig, InterfaceConfig, type GlobalConfigInput, type InterfaceConfigInput } from '../../examples/rip/config.js';
import { RipEngine } from '../../examples/rip/engine.js';
import { MemoryRoutes } from '../../examples/distance-vector/rtm.js';
import { MemorySequence } from '../../examples/rip/state.js';
import { FakeClock } from '../../examples/distance-vector/timers.js';
import { MemoryNetwork } from '../../examples/rip/transport.js';
import type { Logger } from '../../lib/api/types.js';

export const quietLog = (lines: string[] = []): Logger => ({
  error: (m) => lines.push(`E ${m}`),
  warn: (m) => lines.push(`W ${m}`),
  info: (m) => lines.push(`I ${m}`),
  debug: (m) => lines.push(`D ${m}`),
});

export interface Node {
  engine: RipEngine;
  routes: MemoryRoutes;
  log: string[];
}

export function makeNode(clock: FakeClock, net: MemoryNetwork, global: GlobalConfigInput = {}, protocolId = 0x2b1d0002, seq = 1000): Node {
  const routes = new MemoryRoutes();
  const log: string[] = [];
  const engine = new RipEngine(
    { clock, transport: net, routes, log: quietLog(log), sequence: new MemorySequence(seq), protocolId },
    GlobalConfig.validate(global),
  );
  engine.start();
  return { engine, routes, log };
}

export async function addIf(n: Node, index: number, address: string, prefixLength: number, config: InterfaceConfigInput = {}, type: 'permanent' | 'demandDial' = 'permanent'): Promise<void> {
  await n.engine.addInterface({ index, name: `if${index}`, type }, InterfaceConfig.validate(config));
  await n.engine.setInterfaceState(index, { operational: true, addresses: [{ address, prefixLength }] });
}

/** Lets queued setImmediate deliveries and promise chains run (no clock movement). */
export async function flush(rounds = 6): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((r) => setImmediate(r));
}

/** Advances the fake clock in steps, letting deliveries run between steps. */
export async function run(clock: FakeClock, ms: number, step = 100): Promise<void> {
  for (let t = 0; t < ms; t += step) {
    clock.advance(Math.min(step, ms - t));
    await flush();
  }
}

/**
 * Router a (10.1.0.1/24 on interface 1, and a silent 10.2.0.1/24 on 2) and router b
 * (10.1.0.2/24 on 5) on one segment: b learns 10.2.0.0/24 from a.
 */
export async function twoRouters(): Promise<{ clock: FakeClock; net: MemoryNetwork; a: Node; b: Node }> {
  const clock = new FakeClock();
  const net = new MemoryNetwork();
  const a = makeNode(clock, net);
  const b = makeNode(clock, net);
  await addIf(a, 1, '10.1.0.1', 24);
  await addIf(a, 2, '10.2.0.1', 24, { mode: 'silent' });
  await addIf(b, 5, '10.1.0.2', 24);
  return { clock, net, a, b };
}
