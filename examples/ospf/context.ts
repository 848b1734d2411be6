// What the interface, neighbour and flooding modules need of the router that owns them
// (engine.ts implements it): time, the log, the database, the router's identity, and the
// notifications that make it re-originate LSAs or recompute routes.
import type { Logger } from '../../lib/index.js';
import type { Clock } from '../distance-vector/timers.js';
import type { GlobalConfigValue } from './config.js';
import type { Flooding } from './flooding.js';
import type { OspfInterface } from './interface.js';
import type { Lsdb } from './lsdb.js';
import type { Neighbor, NeighborState } from './neighbor.js';
import type { IfState } from './interface.js';

/** Why packets were dropped (RFC 2328 8.2 and the per-type checks), as counters. */
export type DropReason =
  | 'truncated' | 'version' | 'length' | 'checksum' | 'type' | 'body' | 'area' | 'destination' | 'source'
  | 'ownRouterId' | 'authType' | 'authKey' | 'authSequence' | 'networkMask' | 'helloInterval' | 'deadInterval'
  | 'options' | 'noNeighbor' | 'neighborState' | 'mtu' | 'badLsa' | 'internal';

export const DROP_REASONS: readonly DropReason[] = [
  'truncated', 'version', 'length', 'checksum', 'type', 'body', 'area', 'destination', 'source', 'ownRouterId',
  'authType', 'authKey', 'authSequence', 'networkMask', 'helloInterval', 'deadInterval', 'options', 'noNeighbor',
  'neighborState', 'mtu', 'badLsa', 'internal',
];

export interface RouterContext {
  readonly clock: Clock;
  readonly log: Logger;
  readonly lsdb: Lsdb;
  readonly flooding: Flooding;
  readonly routerId: number;
  readonly areaId: number;
  readonly global: GlobalConfigValue;
  /** Options sent in Hellos and DBDs (the E bit: not a stub area). */
  readonly options: number;
  interfaces(): Iterable<OspfInterface>;
  /** A neighbour on any interface is in Exchange or Loading (RFC 2328 13 step 4, 14). */
  anyNeighborExchanging(): boolean;
  interfaceStateChanged(iface: OspfInterface, from: IfState, to: IfState, event: string): void;
  neighborStateChanged(n: Neighbor, from: NeighborState, to: NeighborState, event: string): void;
  /** The next RFC 2328 D.3 cryptographic sequence number to send. */
  nextCryptoSequence(): number;
}
