// A route as ctx.routes takes it (RouteSpec) and names it (RouteKey): the values routes.ts's
// calls and RouteBatch (routeBatch.ts) share, in a module of their own so neither imports the other.

export interface RouteSpec {
  /**
   * Network address (host bits must be zero): a dotted quad for an IPv4 protocol, IPv6 text
   * (e.g. '2001:db8:1::') for an IPv6 one.
   */
  destination: string;
  /** 0..32 (IPv4) or 0..128 (IPv6). */
  prefixLength: number;
  /**
   * Next hop address; '0.0.0.0' (IPv4) or '::' (IPv6) for a directly connected destination.
   * An IPv6 next hop is usually the neighbour's link-local address (fe80::/10), which is
   * why interfaceIndex matters.
   */
  nextHop: string;
  /** RRAS interface index the next hop is reached through. */
  interfaceIndex: number;
  metric: number;
  /** RTM preference (lower wins); default: the protocol's configured preference. */
  preference?: number;
  /** Lifetime in RTM in milliseconds; default: until deleted. */
  ttlMs?: number;
}

/** Identifies one of the protocol's routes. */
export type RouteKey = Pick<RouteSpec, 'destination' | 'prefixLength' | 'interfaceIndex' | 'nextHop'>;
