// Drives an OSPF driver.ts process (one mock router hosting OSPF) for the interop labs and
// people's scripts: typed wrappers over the driver's commands.
import path from 'node:path';
import { RouterProcess } from '../rip/client.js';
import type { GlobalJson, InterfaceJson } from './jsonConfig.js';
import type { MibRecord } from './mib.js';
import type { config } from '../../lib/index.js';

type BindingInput = config.BindingInput;

export { waitFor } from '../rip/client.js';

export type Mib<T extends MibRecord['table']> = Extract<MibRecord, { table: T }>;

export interface SpfRouteView {
  prefix: string;
  pathType: 'intra' | 'inter' | 'external1' | 'external2';
  cost: number;
  type2Cost: number | null;
  tag: number | null;
  direct: boolean;
  nextHops: string[];
}

export interface LsaView {
  type: number;
  id: string;
  advertisingRouter: string;
  sequence: number;
  checksum: number;
  age: number;
  body: Record<string, unknown>;
}

export class OspfProcess extends RouterProcess {
  constructor(name: string, opts: { prefix?: string[]; env?: NodeJS.ProcessEnv } = {}) {
    super(name, { ...opts, script: path.join(__dirname, 'driver.js') });
  }

  startOspf(global: GlobalJson, extra: { routerId?: string; workDir?: string; protocolId?: number; settings?: object } = {}): Promise<{ protocolId: number; workDir: string }> {
    return this.call('start', { global, ...extra });
  }

  addOspfInterface(index: number, name: string, config: InterfaceJson, binding: BindingInput, type: 'permanent' | 'demandDial' = 'permanent'): Promise<null> {
    return this.call('addInterface', { index, name, config, binding, type });
  }

  global(): Promise<Mib<'global'>> {
    return this.call<Mib<'global'>[]>('mib', { table: 1 }).then((r) => r[0]!);
  }
  interfaces(): Promise<Mib<'interface'>[]> {
    return this.call('mib', { table: 2 });
  }
  neighbors(): Promise<Mib<'neighbor'>[]> {
    return this.call('mib', { table: 3 });
  }
  lsdbSummary(): Promise<Mib<'lsdbSummary'>[]> {
    return this.call('mib', { table: 4 });
  }
  ospfRoutes(): Promise<Mib<'route'>[]> {
    return this.call('mib', { table: 6 });
  }
  spfRuns(): Promise<Mib<'spfRun'>[]> {
    return this.call('mib', { table: 7 });
  }
  drops(): Promise<Mib<'drop'>[]> {
    return this.call('mib', { table: 8 });
  }
  lsdb(): Promise<LsaView[]> {
    return this.call('lsdb');
  }
  /** SPF over our database from `root`'s point of view. */
  spf(root: string): Promise<SpfRouteView[]> {
    return this.call('spf', { root });
  }
}
