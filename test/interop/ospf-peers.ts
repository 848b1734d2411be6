// BIRD 2 and FRR ospfd seen from the OSPF interop suites: their configurations (hello 1,
// dead 4, retransmit 2, the BIRD minimum) and readers for what birdc and vtysh print:
// neighbours, the database, the routes.
import type { ExecutionContext } from 'ava';
import fs from 'node:fs';
import { requireRoot, waitFor, type Bird, type Frr } from './lab.js';
import type { LsaView, OspfProcess, SpfRouteView } from '../../examples/ospf/client.js';

export function requireOspfPeers(): void {
  requireRoot();
  if (!fs.existsSync('/usr/lib/frr/ospfd')) throw new Error('/usr/lib/frr/ospfd is missing: run scripts/interop.sh (it installs frr)');
}

export const HELLO = 1;
export const DEAD = 4;
export const RXMT = 2;
export const SPF_DELAY = 200;

/** Our fast timers, matching the daemons'. */
export const OUR_IF = { helloIntervalS: HELLO, deadIntervalS: DEAD, retransmitIntervalS: RXMT, ackDelayMs: 300 };
/** MinLSInterval 1 s: BIRD refuses newer instances sooner than its MinLSArrival of 1 s. */
export const OUR_GLOBAL = { spfDelayMs: SPF_DELAY, spfHoldMs: 1000, spfMaxHoldMs: 5000, minLsIntervalMs: 1000, loggingLevel: 2 };

export interface BirdIface {
  name: string;
  type: 'broadcast' | 'ptp';
  priority?: number;
  md5?: { id: number; key: string };
}

export function birdConf(routerId: string, ifaces: BirdIface[], statics: string[] = []): string {
  const ifs = ifaces.map((i) => `    interface "${i.name}" { type ${i.type}; hello ${HELLO}; dead ${DEAD}; retransmit ${RXMT};${i.priority !== undefined ? ` priority ${i.priority};` : ''}` +
    `${i.md5 ? ` authentication cryptographic; password "${i.md5.key}" { id ${i.md5.id}; algorithm keyed md5; };` : ''} };`).join('\n');
  return `log "$DIR/bird.log" all;
timeformat log "%F %T.%3f";
router id ${routerId};
protocol device { scan time 10; }
protocol static st { ipv4; ${statics.map((s) => `route ${s} blackhole;`).join(' ')} }
protocol kernel { ipv4 { import none; export where source ~ [RTS_OSPF, RTS_OSPF_IA, RTS_OSPF_EXT1, RTS_OSPF_EXT2]; }; }
protocol ospf v2 ospf1 {
  debug { states };
  ipv4 { import all; export where proto = "st"; };
  area 0 {
${ifs}
    interface "lo" { stub; };
  };
}
`;
}

export interface FrrIface {
  name: string;
  pointToPoint?: boolean;
  priority?: number;
  md5?: { id: number; key: string };
}

/** `loArea`: the area of FRR's loopback; another than 0 makes FRR an area border router. */
export function ospfdConf(routerId: string, ifaces: FrrIface[], extra = '', loArea = '0.0.0.0'): string {
  const ifs = ifaces.map((i) => `interface ${i.name}
 ip ospf area 0.0.0.0
 ip ospf hello-interval ${HELLO}
 ip ospf dead-interval ${DEAD}
 ip ospf retransmit-interval ${RXMT}
${i.pointToPoint ? ' ip ospf network point-to-point\n' : ''}${i.priority !== undefined ? ` ip ospf priority ${i.priority}\n` : ''}${i.md5 ? ` ip ospf authentication message-digest\n ip ospf message-digest-key ${i.md5.id} md5 ${i.md5.key}\n` : ''}!`).join('\n');
  return `hostname ospfd
log file $DIR/ospfd.log informational
log timestamp precision 3
!
${ifs}
interface lo
 ip ospf area ${loArea}
!
router ospf
 ospf router-id ${routerId}
 log-adjacency-changes detail
${extra}!
`;
}

// ---- neighbours ----

export interface PeerNeighbor {
  routerId: string;
  state: string;
  role: string;
}

export async function birdNeighbors(b: Bird): Promise<PeerNeighbor[]> {
  const text = await b.birdc('show', 'ospf', 'neighbors');
  const out: PeerNeighbor[] = [];
  for (const line of text.split('\n')) {
    const m = /^(\d+\.\d+\.\d+\.\d+)\s+\d+\s+(\w+)\/(\S+)/.exec(line.trim());
    if (m) out.push({ routerId: m[1]!, state: m[2]!, role: m[3]! });
  }
  return out;
}

export async function frrNeighbors(f: Frr): Promise<PeerNeighbor[]> {
  const text = await f.vtysh('show ip ospf neighbor');
  const out: PeerNeighbor[] = [];
  for (const line of text.split('\n')) {
    const m = /^(\d+\.\d+\.\d+\.\d+)\s+\d+\s+(\w+)\/(\S+)/.exec(line.trim());
    if (m) out.push({ routerId: m[1]!, state: m[2]!, role: m[3]! });
  }
  return out;
}

export const fullWith = (ns: PeerNeighbor[], ids: string[]) => ids.every((id) => ns.some((n) => n.routerId === id && n.state === 'Full'));

/** DR and BDR router ids on an interface, as the daemon sees them. */
export async function birdDr(b: Bird, ifName: string): Promise<{ dr: string; bdr: string; state: string }> {
  const text = await b.birdc('show', 'ospf', 'interface', 'ospf1', `"${ifName}"`);
  return {
    state: /State: (\S+)/.exec(text)?.[1] ?? '',
    dr: /Designated router \(ID\): (\S+)/.exec(text)?.[1] ?? '',
    bdr: /Backup designated router \(ID\): (\S+)/.exec(text)?.[1] ?? '',
  };
}

export async function frrDr(f: Frr, ifName: string): Promise<{ dr: string; bdr: string; state: string }> {
  const j = JSON.parse(await f.vtysh(`show ip ospf interface ${ifName} json`));
  const i = j.interfaces?.[ifName] ?? j[ifName] ?? {};
  return { state: i.state ?? '', dr: i.drId ?? '', bdr: i.bdrId ?? '' };
}

// ---- the database: "type id adv seq checksum", MaxAge LSAs left out ----

export async function birdLsdb(b: Bird): Promise<string[]> {
  const text = await b.birdc('show', 'ospf', 'lsadb');
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*(\d{4})\s+(\d+\.\d+\.\d+\.\d+)\s+(\d+\.\d+\.\d+\.\d+)\s+([0-9a-f]{8})\s+(\d+)\s+([0-9a-f]{4})/.exec(line);
    if (m && Number(m[5]) < 3600) out.push(`${Number(m[1])} ${m[2]} ${m[3]} ${m[4]} ${m[6]}`);
  }
  return out.sort();
}

export async function frrLsdb(f: Frr): Promise<string[]> {
  const text = await f.vtysh('show ip ospf database');
  const out: string[] = [];
  let type = 0;
  for (const line of text.split('\n')) {
    // Sections: "Router Link States (Area 0.0.0.0)" ...; only the backbone's and the AS's.
    const section = /(Router|Net|ASBR-Summary|Summary|AS External) Link States(?: \(Area (\S+)\))?/.exec(line);
    if (section) {
      const area = section[2];
      type = area !== undefined && area !== '0.0.0.0' ? 0 : { Router: 1, Net: 2, Summary: 3, 'ASBR-Summary': 4, 'AS External': 5 }[section[1]!]!;
    }
    const m = /^(\d+\.\d+\.\d+\.\d+)\s+(\d+\.\d+\.\d+\.\d+)\s+(\d+)\s+0x([0-9a-f]{8})\s+0x([0-9a-f]{4})/.exec(line.trim());
    if (m && type && Number(m[3]) < 3600) out.push(`${type} ${m[1]} ${m[2]} ${m[4]} ${m[5]}`);
  }
  return out.sort();
}

export async function ourLsdb(r: OspfProcess): Promise<string[]> {
  const all: LsaView[] = await r.lsdb();
  return all.filter((l) => l.age < 3600).map((l) => `${l.type} ${l.id} ${l.advertisingRouter} ${l.sequence.toString(16).padStart(8, '0')} ${l.checksum.toString(16).padStart(4, '0')}`).sort();
}

// ---- routes: "prefix type cost[/type2] nexthops|direct" ----

const routeLine = (prefix: string, type: string, cost: string, hops: string[]) => `${prefix} ${type} ${cost} ${hops.length ? hops.sort().join(',') : 'direct'}`;

/** What our SPF from `root` over our database says (the same LSAs the daemons hold). */
export async function spfView(r: OspfProcess, root: string): Promise<string[]> {
  const routes: SpfRouteView[] = await r.spf(root);
  const kinds = { intra: 'I', inter: 'IA', external1: 'E1', external2: 'E2' } as const;
  return routes.map((x) => routeLine(x.prefix, kinds[x.pathType],
    x.pathType === 'external2' ? `${x.cost}/${x.type2Cost}` : `${x.cost}`, x.direct ? [] : x.nextHops)).sort();
}

/** BIRD's OSPF routes: `show route protocol ospf1`. */
export async function birdRoutes(b: Bird): Promise<string[]> {
  const text = await b.birdc('show', 'route', 'protocol', 'ospf1');
  const out: string[] = [];
  let cur: { prefix: string; type: string; cost: string; hops: string[] } | undefined;
  const push = () => cur && out.push(routeLine(cur.prefix, cur.type, cur.cost, cur.hops));
  for (const line of text.split('\n')) {
    const m = /^(\d+\.\d+\.\d+\.\d+\/\d+)\s+unicast \[ospf1 [^\]]*\] \*? ?(I|IA|E1|E2) \(150\/(\d+)(?:\/(\d+))?\)/.exec(line);
    if (m) {
      push();
      cur = { prefix: m[1]!, type: m[2]!, cost: m[4] !== undefined ? `${m[3]}/${m[4]}` : m[3]!, hops: [] };
      continue;
    }
    const via = /^\s+via (\d+\.\d+\.\d+\.\d+)/.exec(line);
    if (via && cur) cur.hops.push(via[1]!);
  }
  push();
  return out.sort();
}

/** FRR's OSPF routes in the backbone and the AS: `show ip ospf route` (network and external tables). */
export async function frrRoutes(f: Frr): Promise<string[]> {
  const text = await f.vtysh('show ip ospf route');
  const out: string[] = [];
  let section = '';
  let cur: { prefix: string; type: string; cost: string; hops: string[] } | undefined;
  const push = () => cur && out.push(routeLine(cur.prefix, cur.type, cur.cost, cur.hops));
  for (const line of text.split('\n')) {
    if (/network routing table/.test(line)) section = 'net';
    else if (/router routing table/.test(line)) section = 'router';
    else if (/external routing table/.test(line)) section = 'ext';
    if (section === 'router') continue;
    const m = /^N\s+(E1|E2|IA)?\s*(\d+\.\d+\.\d+\.\d+\/\d+)\s+\[(\d+)(?:\/(\d+))?\]/.exec(line);
    if (m) {
      push();
      cur = { prefix: m[2]!, type: m[1] ?? 'I', cost: m[4] !== undefined ? `${m[3]}/${m[4]}` : m[3]!, hops: [] };
      // FRR as a border router also has its other areas' networks: only the backbone's compare.
      const area = /area: (\S+)/.exec(line)?.[1];
      if (area !== undefined && area !== '0.0.0.0') cur = undefined;
      continue;
    }
    const via = /^\s+via (\d+\.\d+\.\d+\.\d+)/.exec(line);
    if (via && cur) cur.hops.push(via[1]!);
  }
  push();
  return out.sort();
}

/** Routes with a next hop: what goes into a forwarding table (connected networks are the system's). */
export const forwarded = (routes: string[]) => routes.filter((r) => !r.endsWith(' direct'));

/** Polls until the three databases hold the same LSAs (sequence numbers and checksums too). */
export async function sameDatabases(what: string, get: () => Promise<string[][]>, timeoutMs = 30_000): Promise<string[]> {
  return waitFor(what, async () => {
    const dbs = await get();
    return dbs.every((d) => JSON.stringify(d) === JSON.stringify(dbs[0])) && dbs[0]!.length ? dbs[0] : undefined;
  }, timeoutMs, 250);
}

/**
 * Routers compute a while after their databases settle (SPF delay and hold): polls until
 * `actual` equals `expected`, then asserts it (so a failure shows the last difference).
 */
export async function eventuallyEqual<T>(t: ExecutionContext, what: string, actual: () => Promise<T>, expected: () => Promise<T>, timeoutMs = 20_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const [a, e] = await Promise.all([actual(), expected()]);
    if (JSON.stringify(a) === JSON.stringify(e) || Date.now() > until) {
      t.deepEqual(a, e, what);
      return a;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * Waits until our SPF throttle is quiet (the last run longer ago than the hold in force), so
 * that the next change is computed after the SPF delay alone: what a timing test measures.
 */
export async function quietSpf(r: OspfProcess): Promise<void> {
  await waitFor('SPF quiet', async () => {
    const g = await r.global();
    return g.lastSpfAgoMs !== 0xffffffff && g.lastSpfAgoMs > g.spfHoldMs + 200;
  }, 30_000, 200);
}
