// The mock RTM (native/mock-rtm) as the mock router sees it: the in-memory RTMv2 that the
// protocol library loads instead of rtm.dll, read and fed through its inspection API.
// One per loaded copy of the library: each MockRouter has its own (see workdir.ts).
import koffi, { type KoffiFunction } from '../koffi.js';
import { paths } from '../paths.js';

/** A route in the mock RTM, as RTMv2 holds it (RTM_ROUTE_INFO). */
export interface RtmRoute {
  /** The route's RTM handle (opaque, hex), stable while the route exists. */
  handle: string;
  /** Destination prefix, "a.b.c.d/len". */
  dest: string;
  /** Owning protocol id (the entity's EntityProtocolId), and its instance. */
  owner: number;
  ownerInstance: number;
  metric: number;
  preference: number;
  /** RTM_VIEW_MASK_* the route belongs to (RTM_VIEW_MASK_UCAST = 1, RTM_VIEW_MASK_MCAST = 2). */
  views: number;
  /** RTM_ROUTE_FLAGS_* as the owner set them. */
  flags: number;
  /** The neighbour it was learned from, if the owner said. */
  neighbour: string | null;
  nextHops: { address: string; interfaceIndex: number }[];
  /** The best route to its destination in one of its views. */
  best: boolean;
  /** Lifetime left (RtmAddRouteToDest's TimeToLive), or null for none. */
  ttlMs: number | null;
}

export interface RtmDump {
  generation: number;
  /** addressFamily: 2 (AF_INET) or 23 (AF_INET6): which RTM instance the entity is in. */
  entities: { protocolId: number; instanceId: number; synthetic: boolean; addressFamily: number }[];
  routes: RtmRoute[];
  nextHops: { address: string; interfaceIndex: number; owner: number; routes: number; deleted: boolean }[];
  notifications: { owner: number; queued: number }[];
  handles: { routes: number; dests: number; nextHops: number; enums: number; overReleases: number };
}

interface Api {
  dump: KoffiFunction;
  lookup: KoffiFunction;
  add: KoffiFunction;
  del: KoffiFunction;
  count: KoffiFunction;
  generation: KoffiFunction;
  counters: KoffiFunction;
}
const apis = new Map<string, Api>();

export interface RtmCounters {
  routes: number;
  added: number;
  updated: number;
  deleted: number;
  generation: number;
}

export class MockRtm {
  private readonly api: Api;

  constructor(readonly library: string = paths.mockRtm) {
    let api = apis.get(library);
    if (!api) {
      const lib = koffi.load(library);
      api = {
        dump: lib.func('uint32_t MockRtmDumpJson(_Out_ uint8_t *buf, uint32_t size)'),
        lookup: lib.func('uint32_t MockRtmLookupJson(const char *address, _Out_ uint8_t *buf, uint32_t size)'),
        add: lib.func('uint32_t MockRtmAddRoute(uint32_t owner, const char *prefix, const char *nextHop, uint32_t ifIndex, uint32_t metric, uint32_t preference)'),
        del: lib.func('uint32_t MockRtmDeleteRoute(uint32_t owner, const char *prefix)'),
        count: lib.func('uint32_t MockRtmRouteCount(void)'),
        generation: lib.func('uint32_t MockRtmGeneration(void)'),
        counters: lib.func('uint32_t MockRtmCountersJson(_Out_ uint8_t *buf, uint32_t size)'),
      };
      apis.set(library, api);
    }
    this.api = api;
  }

  private json(call: (buf: Buffer | null, size: number) => number): unknown {
    let size = call(null, 0);
    for (let i = 0; i < 4 && size > 0; i++) {
      const buf = Buffer.alloc(size + 4096); // the table may grow between the two calls
      const needed = call(buf, buf.length);
      if (needed <= buf.length) return JSON.parse(buf.toString('utf8', 0, needed - 1));
      size = needed;
    }
    throw new Error('mock RTM: could not read its JSON');
  }

  dump(): RtmDump {
    return this.json((b, n) => this.api.dump(b, n) as number) as RtmDump;
  }

  /** Routes of one protocol (or all), best first per destination. */
  routes(owner?: number): RtmRoute[] {
    return this.dump().routes.filter((r) => owner === undefined || r.owner === owner);
  }

  /** Longest-prefix match: the best route for an address, or null. */
  lookup(address: string): RtmRoute | null {
    return this.json((b, n) => this.api.lookup(address, b, n) as number) as RtmRoute | null;
  }

  /** A route of another protocol (e.g. a static route), as RRAS's static routes would be. */
  addRoute(owner: number, prefix: string, nextHop: string, interfaceIndex: number, metric = 1, preference = 1): number {
    return this.api.add(owner, prefix, nextHop, interfaceIndex, metric, preference) as number;
  }

  deleteRoute(owner: number, prefix: string): number {
    return this.api.del(owner, prefix) as number;
  }

  /** Routes now, and routes added, updated and deleted since the mock RTM was loaded (or reset). */
  counters(): RtmCounters {
    return this.json((b, n) => this.api.counters(b, n) as number) as RtmCounters;
  }

  get routeCount(): number {
    return this.api.count() as number;
  }

  get generation(): number {
    return this.api.generation() as number;
  }
}
