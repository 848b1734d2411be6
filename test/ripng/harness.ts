// Unit-test harness for the RIPng engine: engines on a FakeClock joined by MemoryNetwork6
// links, routes into MemoryRoutes('ipv6'). No sockets, no RTM, no wall time.
import { MemoryRoutes } from '../../examples/distance-vector/rtm.js';
import { FakeClock } from '../../examples/distance-vector/timers.js';
import { GlobalConfig, InterfaceConfig, type GlobalConfigInput, type InterfaceConfigInput } from '../../examples/ripng/config.js';
import { RipngEngine } from '../../examples/ripng/engine.js';
import { MemoryNetwork6 } from '../../examples/ripng/transport.js';
import { quietLog } from '../rip/harness.js';

export interface Node6 {
  engine: RipngEngine;
  routes: MemoryRoutes<'ipv6'>;
  log: string[];
}

export function makeNode6(clock: FakeClock, net: MemoryNetwork6, global: GlobalConfigInput = {}, protocolId = 0x2b1d0003): Node6 {
  const routes = new MemoryRoutes('ipv6');
  const log: string[] = [];
  const engine = new RipngEngine({ clock, transport: net, routes, log: quietLog(log), protocolId }, GlobalConfig.validate(global));
  engine.start();
  return { engine, routes, log };
}

/** An operational interface with a link-local and optionally global addresses. */
export async function addIf6(n: Node6, index: number, linkLocal: string, globals: { address: string; prefixLength: number }[] = [], config: InterfaceConfigInput = {}, mtu = 1500): Promise<void> {
  await n.engine.addInterface({ index, name: `if${index}`, type: config.demand ? 'demandDial' : 'permanent' }, InterfaceConfig.validate(config));
  await n.engine.setInterfaceState(index, { operational: true, addresses: [{ address: linkLocal, prefixLength: 64 }, ...globals], mtu });
}

/** Links by link-local: fe80::1:* on 'lan1', fe80::2:* on 'lan2', anything else on 'lan'. */
export const linkByAddress = (ll: string) => (/^fe80::1:/.test(ll) ? 'lan1' : /^fe80::2:/.test(ll) ? 'lan2' : 'lan');

export { FakeClock, MemoryNetwork6 };
export { flush, run } from '../rip/harness.js';
