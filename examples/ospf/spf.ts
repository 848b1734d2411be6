// The routing table calculation of RFC 2328 16 for one area: Dijkstra over the router and
// network LSAs from a root router (16.1), next hops with equal-cost paths kept together
// (16.1.1), stub networks (16.1 stage 2), inter-area routes from the summary-LSAs of the
// area's border routers (16.2; this router is never a border router itself), then
// AS-external routes with metric types 1 and 2 and forwarding addresses (16.4), through
// ASBRs in the area or, by ASBR-summary-LSAs, beyond it. A pure function of the LSAs: the
// engine runs it from its own router id, the tests and interop suites from any router's.
//
// Next hops are described by LSA data alone: `address` is the neighbour's interface address
// (0 for a directly attached destination) and `via` is the root's interface address on that
// link (the Link Data of the root's link), which the engine maps to an RRAS interface.
import { LinkType, LS_INFINITY, LsaType, MAX_AGE, ROUTER_B, ROUTER_E } from './constants.js';
import type { ExternalLsaBody, Lsa, NetworkLsaBody, RouterLsaBody, SummaryLsaBody } from './lsa.js';

export interface NextHop {
  address: number;
  via: number;
}

export type PathType = 'intra' | 'inter' | 'external1' | 'external2';

export interface SpfRoute {
  /** Network address (host bits clear) and prefix length. */
  prefix: number;
  prefixLength: number;
  pathType: PathType;
  /** Intra-area, inter-area and type-1 cost; for type 2 the cost to the ASBR or forwarding address. */
  cost: number;
  /** The external metric of a type-2 route. */
  type2Cost?: number;
  tag?: number;
  /** The router whose LSA gave the route (the ASBR for externals). */
  advertisingRouter: number;
  /** True when the root is attached to it (a connected network of the root). */
  direct: boolean;
  nextHops: NextHop[];
}

export interface SpfRouter {
  routerId: number;
  cost: number;
  asbr: boolean;
  /** An area border router (its summary-LSAs give inter-area routes). */
  abr: boolean;
  /** Reached through an ASBR-summary-LSA of a border router, not inside the area. */
  interArea?: boolean;
  nextHops: NextHop[];
}

export interface SpfResult {
  root: number;
  routes: SpfRoute[];
  routers: SpfRouter[];
  /** Vertices in the shortest-path tree (routers and transit networks). */
  vertices: number;
}

type VertexKind = 'router' | 'network';

interface Vertex {
  kind: VertexKind;
  id: number;
  lsa: Lsa;
  cost: number;
  nextHops: NextHop[];
  inTree: boolean;
}

export const prefixLengthOfMask = (mask: number): number => {
  const inv = ~mask >>> 0;
  return (inv & (inv + 1)) === 0 ? Math.clz32(inv) : -1;
};

const maskOfLength = (len: number): number => (len <= 0 ? 0 : (0xffffffff << (32 - len)) >>> 0);
const routeKey = (prefix: number, len: number) => `${prefix >>> 0}/${len}`;
const hopKey = (h: NextHop) => `${h.address >>> 0}@${h.via >>> 0}`;

function mergeHops(into: NextHop[], more: NextHop[]): NextHop[] {
  const seen = new Set(into.map(hopKey));
  const out = [...into];
  for (const h of more) if (!seen.has(hopKey(h))) {
    seen.add(hopKey(h));
    out.push(h);
  }
  return out;
}

const usable = (l: Lsa) => l.header.age < MAX_AGE;

/** SPF from `root` over `lsas` (the area's LSAs and the AS-external ones). */
export function computeSpf(root: number, lsas: Iterable<Lsa>): SpfResult {
  root >>>= 0;
  const routersById = new Map<number, Lsa>();
  const networksById = new Map<number, Lsa[]>();
  const externals: Lsa[] = [];
  const summaries: Lsa[] = [];
  for (const l of lsas) {
    if (!usable(l)) continue;
    const h = l.header;
    if (h.type === LsaType.Router && h.id >>> 0 === h.advertisingRouter >>> 0) routersById.set(h.id >>> 0, l);
    else if (h.type === LsaType.Network) {
      const list = networksById.get(h.id >>> 0) ?? [];
      list.push(l);
      networksById.set(h.id >>> 0, list);
    } else if (h.type === LsaType.AsExternal) externals.push(l);
    else if (h.type === LsaType.SummaryNetwork || h.type === LsaType.SummaryAsbr) summaries.push(l);
  }
  const result: SpfResult = { root, routes: [], routers: [], vertices: 0 };
  const rootLsa = routersById.get(root);
  if (!rootLsa) return result;

  const vertices = new Map<string, Vertex>();
  const vkey = (kind: VertexKind, id: number) => `${kind}:${id >>> 0}`;
  const rootVertex: Vertex = { kind: 'router', id: root, lsa: rootLsa, cost: 0, nextHops: [], inTree: false };
  vertices.set(vkey('router', root), rootVertex);
  const candidates = new Set<Vertex>([rootVertex]);

  // Does W's LSA link back to V (16.1 step 2b)?
  const linksBack = (w: Vertex, v: Vertex): boolean => {
    if (w.kind === 'network') return v.kind === 'router' && (w.lsa.body as NetworkLsaBody).routers.some((r) => r >>> 0 === v.id);
    const links = (w.lsa.body as RouterLsaBody).links;
    return v.kind === 'router'
      ? links.some((l) => l.type === LinkType.PointToPoint && l.id >>> 0 === v.id)
      : links.some((l) => l.type === LinkType.Transit && l.id >>> 0 === v.id);
  };

  // 16.1.1: next hops of W reached from V.
  const hopsFrom = (v: Vertex, w: Vertex, viaLinkData: number): NextHop[] => {
    if (v === rootVertex) {
      if (w.kind === 'network') return [{ address: 0, via: viaLinkData >>> 0 }];
      // A router on a point-to-point link: its interface address is the Link Data of its link
      // back to us; with parallel links, the one on the same subnet as ours (the longest common prefix).
      const back = (w.lsa.body as RouterLsaBody).links.filter((l) => l.type === LinkType.PointToPoint && l.id >>> 0 === root);
      const common = (l: { data: number }) => Math.clz32(((l.data ^ viaLinkData) >>> 0) || 0) + (((l.data ^ viaLinkData) >>> 0) === 0 ? 1 : 0);
      const best = back.reduce<(typeof back)[number] | undefined>((a, l) => (!a || common(l) > common(a) ? l : a), undefined);
      return [{ address: (best?.data ?? 0) >>> 0, via: viaLinkData >>> 0 }];
    }
    if (v.kind === 'network' && w.kind === 'router' && v.nextHops.some((h) => h.address === 0)) {
      // V is a network the root is attached to: W's address on it is its transit link's data.
      const own = (w.lsa.body as RouterLsaBody).links.find((l) => l.type === LinkType.Transit && l.id >>> 0 === v.id);
      return v.nextHops.map((h) => (h.address === 0 && own ? { address: own.data >>> 0, via: h.via } : h));
    }
    return v.nextHops;
  };

  const consider = (v: Vertex, kind: VertexKind, id: number, lsa: Lsa | undefined, linkCost: number, viaLinkData: number) => {
    if (!lsa) return;
    const k = vkey(kind, id);
    let w = vertices.get(k);
    if (w?.inTree) return;
    const probe: Vertex = w ?? { kind, id: id >>> 0, lsa, cost: Infinity, nextHops: [], inTree: false };
    if (!linksBack(probe, v)) return;
    const cost = v.cost + linkCost;
    if (cost > probe.cost) return;
    const hops = hopsFrom(v, probe, viaLinkData);
    if (cost === probe.cost) {
      probe.nextHops = mergeHops(probe.nextHops, hops);
      return;
    }
    probe.cost = cost;
    probe.nextHops = hops;
    if (!w) {
      w = probe;
      vertices.set(k, w);
    }
    candidates.add(w);
  };

  for (;;) {
    // The closest candidate; networks before routers at equal cost (16.1 step 3).
    let best: Vertex | undefined;
    for (const c of candidates) {
      if (!best || c.cost < best.cost || (c.cost === best.cost && c.kind === 'network' && best.kind === 'router')) best = c;
    }
    if (!best) break;
    candidates.delete(best);
    best.inTree = true;
    result.vertices++;
    if (best.kind === 'router') {
      for (const link of (best.lsa.body as RouterLsaBody).links) {
        if (link.type === LinkType.PointToPoint) {
          consider(best, 'router', link.id >>> 0, routersById.get(link.id >>> 0), link.metric, link.data);
        } else if (link.type === LinkType.Transit) {
          const nets = networksById.get(link.id >>> 0) ?? [];
          // Normally one; a stale one of an earlier DR fails the check that it links back.
          const net = nets.find((n) => (n.body as NetworkLsaBody).routers.some((r) => r >>> 0 === best!.id)) ?? nets[0];
          consider(best, 'network', link.id >>> 0, net, link.metric, link.data);
        }
      }
    } else {
      for (const r of (best.lsa.body as NetworkLsaBody).routers) consider(best, 'router', r >>> 0, routersById.get(r >>> 0), 0, 0);
    }
  }

  const routes = new Map<string, SpfRoute>();
  const addIntra = (prefix: number, len: number, cost: number, nextHops: NextHop[], adv: number, direct: boolean) => {
    if (len < 0) return;
    prefix = (prefix & maskOfLength(len)) >>> 0;
    const k = routeKey(prefix, len);
    const cur = routes.get(k);
    if (cur && cur.cost < cost) return;
    if (cur && cur.cost === cost) {
      cur.nextHops = mergeHops(cur.nextHops, nextHops);
      cur.direct ||= direct;
      return;
    }
    routes.set(k, { prefix, prefixLength: len, pathType: 'intra', cost, advertisingRouter: adv, direct, nextHops: [...nextHops] });
  };

  const tree = [...vertices.values()].filter((v) => v.inTree);
  for (const v of tree) {
    if (v.kind === 'network') {
      const body = v.lsa.body as NetworkLsaBody;
      addIntra(v.id & body.mask, prefixLengthOfMask(body.mask), v.cost, v.nextHops, v.lsa.header.advertisingRouter >>> 0,
        v.nextHops.some((h) => h.address === 0));
      continue;
    }
    const body = v.lsa.body as RouterLsaBody;
    if (v !== rootVertex) result.routers.push({ routerId: v.id, cost: v.cost, asbr: (body.flags & ROUTER_E) !== 0, abr: (body.flags & ROUTER_B) !== 0, nextHops: v.nextHops });
    // Stage 2: stub networks, reached through their router.
    for (const link of body.links) {
      if (link.type !== LinkType.Stub) continue;
      addIntra(link.id & link.data, prefixLengthOfMask(link.data), v.cost + link.metric, v === rootVertex ? [] : v.nextHops, v.id, v === rootVertex);
    }
  }

  // 16.2: inter-area routes, through the area's border routers (their summary-LSAs). Intra-area
  // routes win; among the summaries of one destination the cheapest, equal ones together.
  const borders = new Map(result.routers.filter((r) => r.abr).map((r) => [r.routerId >>> 0, r]));
  const asbrSummaries = new Map<number, SpfRouter>();
  for (const l of summaries) {
    const body = l.body as SummaryLsaBody;
    const adv = l.header.advertisingRouter >>> 0;
    const br = borders.get(adv);
    if (!br || adv === root || body.metric >= LS_INFINITY) continue;
    const cost = br.cost + body.metric;
    if (l.header.type === LsaType.SummaryAsbr) {
      const id = l.header.id >>> 0;
      if (id === root) continue;
      const cur = asbrSummaries.get(id);
      if (!cur || cost < cur.cost) asbrSummaries.set(id, { routerId: id, cost, asbr: true, abr: false, interArea: true, nextHops: br.nextHops });
      else if (cost === cur.cost) cur.nextHops = mergeHops(cur.nextHops, br.nextHops);
      continue;
    }
    const len = prefixLengthOfMask(body.mask);
    if (len < 0) continue;
    const prefix = (l.header.id & body.mask) >>> 0;
    const k = routeKey(prefix, len);
    const cur = routes.get(k);
    if (cur && (cur.pathType === 'intra' || cur.cost < cost)) continue;
    if (cur && cur.cost === cost) {
      cur.nextHops = mergeHops(cur.nextHops, br.nextHops);
      continue;
    }
    routes.set(k, { prefix, prefixLength: len, pathType: 'inter', cost, advertisingRouter: adv, direct: false, nextHops: br.nextHops });
  }
  for (const r of asbrSummaries.values()) if (!result.routers.some((x) => x.routerId === r.routerId)) result.routers.push(r);

  // 16.4: AS-external routes, through an ASBR of the area, or one an ASBR-summary-LSA names.
  const asbrs = new Map(result.routers.filter((r) => r.asbr).map((r) => [r.routerId >>> 0, r]));
  const intra = [...routes.values()].filter((r) => r.pathType === 'intra' || r.pathType === 'inter');
  const bestIntraFor = (address: number): SpfRoute | undefined => {
    let found: SpfRoute | undefined;
    for (const r of intra) {
      if (((address & maskOfLength(r.prefixLength)) >>> 0) !== r.prefix) continue;
      if (!found || r.prefixLength > found.prefixLength) found = r;
    }
    return found;
  };
  for (const l of externals) {
    const body = l.body as ExternalLsaBody;
    const adv = l.header.advertisingRouter >>> 0;
    if (body.metric >= LS_INFINITY || adv === root) continue;
    const asbr = asbrs.get(adv);
    if (!asbr) continue;
    let toForward = asbr.cost;
    let hops = asbr.nextHops;
    if (body.forwardingAddress >>> 0 !== 0) {
      const via = bestIntraFor(body.forwardingAddress >>> 0);
      if (!via) continue;
      toForward = via.cost;
      hops = via.nextHops;
      if (via.direct) {
        // On a network the root is attached to: the forwarding address is the next hop. (A stub
        // of the root carries no interface address: via 0, the engine finds it by subnet.)
        const fa = body.forwardingAddress >>> 0;
        const direct = via.nextHops.filter((h) => h.address === 0);
        hops = direct.length ? direct.map((h) => ({ address: fa, via: h.via })) : [{ address: fa, via: 0 }];
      }
    }
    const len = prefixLengthOfMask(body.mask);
    if (len < 0) continue;
    const prefix = (l.header.id & body.mask) >>> 0;
    const k = routeKey(prefix, len);
    const candidate: SpfRoute = body.type2
      ? { prefix, prefixLength: len, pathType: 'external2', cost: toForward, type2Cost: body.metric, tag: body.tag, advertisingRouter: adv, direct: false, nextHops: hops }
      : { prefix, prefixLength: len, pathType: 'external1', cost: toForward + body.metric, tag: body.tag, advertisingRouter: adv, direct: false, nextHops: hops };
    const cur = routes.get(k);
    if (!cur) {
      routes.set(k, candidate);
      continue;
    }
    if (cur.pathType === 'intra' || cur.pathType === 'inter') continue; // intra- and inter-area routes win (16.4 step 6)
    const order = compareExternal(candidate, cur);
    if (order < 0) routes.set(k, candidate);
    else if (order === 0) cur.nextHops = mergeHops(cur.nextHops, candidate.nextHops);
  }

  result.routes = [...routes.values()].sort((a, b) => a.prefix - b.prefix || a.prefixLength - b.prefixLength);
  result.routers.sort((a, b) => a.routerId - b.routerId);
  return result;
}

/** < 0 when a is better: type 1 beats type 2; then type-2 cost, then cost. */
function compareExternal(a: SpfRoute, b: SpfRoute): number {
  if (a.pathType !== b.pathType) return a.pathType === 'external1' ? -1 : 1;
  if (a.pathType === 'external2' && a.type2Cost !== b.type2Cost) return a.type2Cost! - b.type2Cost!;
  return a.cost - b.cost;
}
