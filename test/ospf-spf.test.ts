// SPF (RFC 2328 16) on hand-made topologies whose answers are worked out in the comments:
// a LAN with its network-LSA, point-to-point links, stub networks, equal-cost paths, the
// two-way check, AS-external routes of types 1 and 2 with forwarding addresses.
import test from 'ava';
import { LinkType } from '../examples/ospf/constants.js';
import { encodeLsa, type Lsa, type RouterLink } from '../examples/ospf/lsa.js';
import { computeSpf } from '../examples/ospf/spf.js';
import { ipToU32, u32ToIp } from '../examples/rip/ip.js';

const ip = ipToU32;
const mask = (len: number) => (len ? (0xffffffff << (32 - len)) >>> 0 : 0);
let seq = 0;
const lsa = (type: number, id: string, adv: string, body: Lsa['body'], age = 1): Lsa =>
  encodeLsa({ age, options: 2, type, id: ip(id), advertisingRouter: ip(adv), sequence: -0x7fffffff + seq++ }, body);
const router = (id: string, links: RouterLink[], flags = 0) => lsa(1, id, id, { kind: 'router', flags, links });
const transit = (dr: string, own: string, metric: number): RouterLink => ({ type: LinkType.Transit, id: ip(dr), data: ip(own), metric });
const p2p = (nbr: string, own: string, metric: number): RouterLink => ({ type: LinkType.PointToPoint, id: ip(nbr), data: ip(own), metric });
const stub = (net: string, len: number, metric: number): RouterLink => ({ type: LinkType.Stub, id: ip(net), data: mask(len), metric });
const network = (dr: string, adv: string, len: number, routers: string[]) => lsa(2, dr, adv, { kind: 'network', mask: mask(len), routers: routers.map(ip) });
const external = (id: string, adv: string, len: number, type2: boolean, metric: number, fa = '0.0.0.0', tag = 0) =>
  lsa(5, id, adv, { kind: 'external', mask: mask(len), type2, metric, forwardingAddress: ip(fa), tag });

/**
 *   R1 ─┐                        10.1.0.0/24 LAN (DR R2 at .2): R1 .1, R2 .2, R3 .3, cost 10 each
 *   R2 ─┼─ LAN ── R2 ─5─ R4      R2–R4 10.24.0.0/30 cost 5 (or `r2r4` given)
 *   R3 ─┘         R3 ─3─ R4      R3–R4 10.34.0.0/30 cost 3
 *                 R4 ─1─ R5      R4–R5 10.45.0.0/30 cost 1; R4 stub 10.4.0.0/24 cost 1
 * ASBRs: R3 (172.16/16 E2 100; 172.18/16 E2 10 forwarding to 10.1.0.99), R5 (172.16/16 E2 100; 172.17/16 E1 50).
 */
function topology(r2r4 = 5): Lsa[] {
  return [
    router('1.1.1.1', [transit('10.1.0.2', '10.1.0.1', 10)]),
    router('2.2.2.2', [transit('10.1.0.2', '10.1.0.2', 10), p2p('4.4.4.4', '10.24.0.1', r2r4), stub('10.24.0.0', 30, r2r4)]),
    router('3.3.3.3', [transit('10.1.0.2', '10.1.0.3', 10), p2p('4.4.4.4', '10.34.0.1', 3), stub('10.34.0.0', 30, 3)], 2),
    router('4.4.4.4', [p2p('2.2.2.2', '10.24.0.2', r2r4), stub('10.24.0.0', 30, r2r4), p2p('3.3.3.3', '10.34.0.2', 3), stub('10.34.0.0', 30, 3),
      p2p('5.5.5.5', '10.45.0.1', 1), stub('10.45.0.0', 30, 1), stub('10.4.0.0', 24, 1)]),
    router('5.5.5.5', [p2p('4.4.4.4', '10.45.0.2', 1), stub('10.45.0.0', 30, 1)], 2),
    network('10.1.0.2', '2.2.2.2', 24, ['2.2.2.2', '1.1.1.1', '3.3.3.3']),
    external('172.16.0.0', '3.3.3.3', 16, true, 100),
    external('172.16.0.0', '5.5.5.5', 16, true, 100),
    external('172.17.0.0', '5.5.5.5', 16, false, 50),
    external('172.18.0.0', '3.3.3.3', 16, true, 10, '10.1.0.99'),
  ];
}

const table = (lsas: Lsa[], root = '1.1.1.1') =>
  computeSpf(ip(root), lsas).routes.map((r) =>
    `${u32ToIp(r.prefix)}/${r.prefixLength} ${r.pathType} ${r.cost}${r.type2Cost !== undefined ? `/${r.type2Cost}` : ''} ${r.direct ? 'direct' : r.nextHops.map((h) => u32ToIp(h.address)).sort().join(',')}`);

test('a LAN, point-to-point links and stubs: costs and next hops from R1', (t) => {
  t.deepEqual(table(topology()), [
    '10.1.0.0/24 intra 10 direct',
    '10.4.0.0/24 intra 14 10.1.0.3', // R1 -10-> LAN -> R3 -3-> R4, +1
    '10.24.0.0/30 intra 15 10.1.0.2', // R2's stub (10 + 5) beats R4's (13 + 5)
    '10.34.0.0/30 intra 13 10.1.0.3',
    '10.45.0.0/30 intra 14 10.1.0.3',
    '172.16.0.0/16 external2 10/100 10.1.0.3', // equal type-2 metrics: the nearer ASBR, R3 (10 < 14)
    '172.17.0.0/16 external1 64 10.1.0.3', // type 1: 14 to R5 + 50
    '172.18.0.0/16 external2 10/10 10.1.0.99', // forwarding address on our LAN: the next hop itself
  ]);
});

test('from another root the same database gives that router\'s view (R4: point-to-point next hops)', (t) => {
  t.deepEqual(table(topology(), '4.4.4.4'), [
    '10.1.0.0/24 intra 13 10.34.0.1', // through R3 (3 + 10) rather than R2 (5 + 10)
    '10.4.0.0/24 intra 1 direct',
    '10.24.0.0/30 intra 5 direct',
    '10.34.0.0/30 intra 3 direct',
    '10.45.0.0/30 intra 1 direct',
    '172.16.0.0/16 external2 1/100 10.45.0.2', // R5 is 1 away, R3 3
    '172.17.0.0/16 external1 51 10.45.0.2',
    '172.18.0.0/16 external2 13/10 10.34.0.1', // to the forwarding address through R3's LAN
  ]);
});

test('equal-cost paths: both next hops are kept, and inherited downstream', (t) => {
  const rows = table(topology(3)); // R2–R4 now costs 3 as well: R4 is 13 away through R2 and R3
  t.true(rows.includes('10.4.0.0/24 intra 14 10.1.0.2,10.1.0.3'));
  t.true(rows.includes('10.45.0.0/30 intra 14 10.1.0.2,10.1.0.3'));
  t.true(rows.includes('172.17.0.0/16 external1 64 10.1.0.2,10.1.0.3'));
});

test('the two-way check: a link that is not reported back is not used', (t) => {
  const lsas = [...topology(), router('6.6.6.6', [p2p('1.1.1.1', '10.16.0.2', 1), stub('10.66.0.0', 24, 1)])];
  t.false(table(lsas).some((r) => r.startsWith('10.66.')), 'R6 says it links to R1; R1 does not: R6 is not reachable');
  // A router that leaves the LAN's network-LSA is unreachable through it, even if its own LSA still lists the LAN.
  const lsas2 = topology().map((l) => (l.header.type === 2 ? network('10.1.0.2', '2.2.2.2', 24, ['2.2.2.2', '1.1.1.1']) : l));
  t.false(table(lsas2).some((r) => r.endsWith('10.1.0.3')), 'R3 is no longer attached');
});

test('LSAs at MaxAge, and ASBRs that are not reachable or not flagged as such, give no routes', (t) => {
  const flushed = topology().map((l) => (l.header.advertisingRouter === ip('5.5.5.5') && l.header.type === 1 ? { ...l, header: { ...l.header, age: 3600 } } : l));
  const rows = table(flushed);
  t.false(rows.some((r) => r.startsWith('172.17.')), 'R5 (the only ASBR for 172.17/16) is gone');
  const notAsbr = topology().map((l) => (l.header.type === 1 && l.header.id === ip('5.5.5.5') ? router('5.5.5.5', [p2p('4.4.4.4', '10.45.0.2', 1)], 0) : l));
  t.false(table(notAsbr).some((r) => r.startsWith('172.17.')), 'without the E bit R5 is not an ASBR');
  t.true(table(notAsbr).includes('172.16.0.0/16 external2 10/100 10.1.0.3'));
});

test('type 1 beats type 2; among type 2 the metric, then the cost to the ASBR; intra-area beats external', (t) => {
  const base = topology().filter((l) => l.header.type !== 5);
  t.true(table([...base, external('172.20.0.0', '5.5.5.5', 16, false, 900), external('172.20.0.0', '3.3.3.3', 16, true, 1)]).includes('172.20.0.0/16 external1 914 10.1.0.3'));
  t.true(table([...base, external('172.20.0.0', '3.3.3.3', 16, true, 50), external('172.20.0.0', '5.5.5.5', 16, true, 40)]).includes('172.20.0.0/16 external2 14/40 10.1.0.3'));
  t.true(table([...base, external('10.4.0.0', '5.5.5.5', 24, false, 1)]).includes('10.4.0.0/24 intra 14 10.1.0.3'));
  // A link state id with host bits set (BIRD, appendix E): the prefix comes from the mask.
  t.true(table([...base, external('192.168.7.255', '5.5.5.5', 24, true, 5)]).includes('192.168.7.0/24 external2 14/5 10.1.0.3'));
});

test('no router-LSA of the root: no routes (SPF before our own LSA exists)', (t) => {
  t.deepEqual(computeSpf(ip('9.9.9.9'), topology()).routes, []);
});

const summary = (type: 3 | 4, id: string, adv: string, len: number, metric: number) => lsa(type, id, adv, { kind: 'summary', mask: mask(len), metric });

test('inter-area routes from the summary-LSAs of the area\'s border routers; externals through an ASBR beyond the area', (t) => {
  // R2 becomes an ABR (B bit): it summarises 10.50.0.0/16 (metric 7) and ASBR 9.9.9.9 (metric 3) of another area.
  const lsas = topology().map((l) => (l.header.type === 1 && l.header.id === ip('2.2.2.2')
    ? router('2.2.2.2', [transit('10.1.0.2', '10.1.0.2', 10), p2p('4.4.4.4', '10.24.0.1', 5), stub('10.24.0.0', 30, 5)], 1) : l));
  lsas.push(summary(3, '10.50.0.0', '2.2.2.2', 16, 7), summary(3, '10.4.0.0', '2.2.2.2', 24, 1), summary(4, '9.9.9.9', '2.2.2.2', 32, 3),
    external('172.30.0.0', '9.9.9.9', 16, false, 5), summary(3, '10.60.0.0', '3.3.3.3', 16, 1));
  const rows = table(lsas);
  t.true(rows.includes('10.50.0.0/16 inter 17 10.1.0.2'), 'cost to the ABR (10) + 7');
  t.true(rows.includes('10.4.0.0/24 intra 14 10.1.0.3'), 'an intra-area route beats a summary');
  t.true(rows.includes('172.30.0.0/16 external1 18 10.1.0.2'), 'to ASBR 9.9.9.9 through the ABR: 10 + 3, + 5');
  t.false(rows.some((r) => r.startsWith('10.60.')), 'R3 is no border router: its summary is not used');
});

test('parallel point-to-point links between two routers: one next hop per link, each the neighbour\'s address on that link', (t) => {
  const lsas = [
    router('1.1.1.1', [p2p('2.2.2.2', '10.12.0.1', 5), stub('10.12.0.0', 30, 5), p2p('2.2.2.2', '10.12.1.1', 5), stub('10.12.1.0', 30, 5)]),
    router('2.2.2.2', [p2p('1.1.1.1', '10.12.1.2', 5), stub('10.12.1.0', 30, 5), p2p('1.1.1.1', '10.12.0.2', 5), stub('10.12.0.0', 30, 5), stub('10.22.0.0', 24, 1)]),
  ];
  const r = computeSpf(ip('1.1.1.1'), lsas).routes.find((x) => x.prefix === ip('10.22.0.0'))!;
  t.deepEqual(r.nextHops.map((h) => [u32ToIp(h.address), u32ToIp(h.via)]).sort(), [['10.12.0.2', '10.12.0.1'], ['10.12.1.2', '10.12.1.1']]);
});
