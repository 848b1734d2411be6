// ctx.routes: the protocol's routes in the Routing Table Manager (RTMv2). The protocol
// library owns the RTM registration (entity = protocol id), next hops and route handles;
// TypeScript sees routes as plain values. Every operation is batched and reports a status
// per route: nothing is dropped silently. A protocol's routes are of its router manager's
// family: IPv4 (dotted quads) or IPv6 (RFC 4291 text in, RFC 5952 text out). Bulk IPv4 work
// may instead go as numbers in a RouteBatch (routeBatch.ts), with no object per route.
import type { RouteBatch } from './routeBatch.js';
import type { RouteKey, RouteSpec } from './routeSpec.js';

export type { RouteKey, RouteSpec } from './routeSpec.js';

/** Which router manager a protocol serves, and so which addresses its routes carry. */
export type AddressFamily = 'ipv4' | 'ipv6';

export interface RouteResult<R = RouteSpec | RouteKey> {
  route: R;
  /** NO_ERROR, or the Win32/RTM error code for this route. */
  status: number;
  error?: string;
}

/** A change of the best route to a destination, as RTM reports it. */
export interface BestRouteChange {
  destination: string;
  prefixLength: number;
  /** Protocol id owning the new best route; 0 when the destination has no route left. */
  owner: number;
  nextHop: string;
  interfaceIndex: number;
  metric: number;
  preference: number;
  withdrawn: boolean;
}

export interface Routes<AF extends AddressFamily = AddressFamily> {
  /** The family of every address this protocol's routes carry. */
  readonly addressFamily: AF;
  /** Adds or updates routes (same destination, next hop and interface = same route). */
  add(routes: readonly RouteSpec[]): Promise<RouteResult<RouteSpec>[]>;
  delete(routes: readonly RouteKey[]): Promise<RouteResult<RouteKey>[]>;
  /**
   * Applies a RouteBatch's IPv4 adds and deletes in order (the bulk form of add and delete: a
   * full table without an object or an address string per route). Resolves to one status per
   * operation, in the batch's order: NO_ERROR, or the Win32/RTM error code RTM gave that route.
   * Rejects, with nothing applied, for an IPv6 protocol; rejects if the channel to the library
   * is lost (routes of batches already answered are applied, as with add).
   */
  applyBatch(batch: RouteBatch): Promise<Uint32Array>;
  /**
   * Makes the protocol's routes through interfaceIndex exactly `routes` (an autostatic update):
   * adds and updates those given, deletes the others.
   */
  replace(interfaceIndex: number, routes: readonly RouteSpec[]): Promise<RouteResult<RouteSpec | RouteKey>[]>;
  /** The protocol's own routes, as RTM accepted them. */
  list(): RouteSpec[];
  /** Best-route changes of other protocols (for redistribution); returns an unsubscribe function. */
  onBestRouteChange(listener: (changes: BestRouteChange[]) => void): () => void;
  /** The current best routes of other protocols, as learned from change notifications. */
  bestRoutes(): BestRouteChange[];
  /**
   * After a restart, declares that the protocol has re-announced its routes: the library then
   * deletes the previous host's routes that were not re-announced (graceful restart). With
   * `gracefulRestart: 'auto'` (the default) the host does this once the replayed startComplete
   * handler has finished.
   */
  synced(): Promise<void>;
}
