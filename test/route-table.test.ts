// The host's mirror of an IPv4 protocol's routes (lib/host/routeTable.ts, native/addon/route_mirror.cc) and the
// one-pass dotted-quad parser ctx.routes encodes batches with (lib/host/ip.ts), each against
// the simple model it replaces: a Map of key strings, and the regex the API documents.
import test from 'ava';
import { hostToWire, ipToNumber, ipToWire, isIPv4, parseIPv4, wireToIp } from '../lib/host/ip.js';
import { Ipv4RouteTable } from '../lib/host/routeTable.js';
import { loadAddon, RouteOperation, RoutesOpsLayout as V4 } from '../lib/addon/index.js';
import type { RouteSpec } from '../lib/api/routes.js';

/** A small deterministic generator (xorshift32), so a failure can be replayed. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 0x100000000;
  };
}

test('parseIPv4 accepts exactly the dotted quads isIPv4 accepts, with the same value', (t) => {
  const fixed = ['0.0.0.0', '255.255.255.255', '10.0.0.1', '1.2.3.4', '01.2.3.4', '1.2.3.04', '256.1.1.1', '1.2.3', '1.2.3.4.5', '1..2.3',
    '.1.2.3', '1.2.3.', '1.2.3.4 ', ' 1.2.3.4', '1.2.3.a', '192.168.001.1', '1.2.3.255', '1.2.3.256', '00.0.0.0', '0.0.0.00', ''];
  const r = rng(7);
  const alphabet = '0123456789.0123456789.x ';
  const random = Array.from({ length: 20000 }, () => Array.from({ length: 5 + Math.floor(r() * 12) }, () => alphabet[Math.floor(r() * alphabet.length)]).join(''));
  const quads = Array.from({ length: 5000 }, () => [0, 0, 0, 0].map(() => String(Math.floor(r() * 300))).join('.'));
  let valid = 0;
  for (const s of [...fixed, ...random, ...quads]) {
    const n = parseIPv4(s);
    if (!isIPv4(s)) {
      t.is(n, -1, `${JSON.stringify(s)} is not a dotted quad`);
      continue;
    }
    valid++;
    t.is(n, ipToNumber(s), s);
    t.is(hostToWire(n), ipToWire(s), `${s} on the wire`);
    t.is(wireToIp(hostToWire(n)), s);
  }
  t.true(valid > 1000, `${valid} valid quads among the cases`);
  for (const v of [undefined, null, 7, {}, ['1.2.3.4']]) t.is(parseIPv4(v), -1);
});

test('the packed table holds what a Map of route keys holds, through adds, updates, deletes, lifetimes and growth', (t) => {
  const table = new Ipv4RouteTable();
  const model = new Map<string, RouteSpec>();
  const r = rng(12345);
  const pick = (n: number) => Math.floor(r() * n);
  // Few interfaces, next hops and destinations: many routes share a destination (ECMP, other
  // interfaces) and the same route is added, updated and deleted again and again.
  const route = (): RouteSpec => ({
    destination: `10.${pick(40)}.${pick(64)}.0`, prefixLength: 24, interfaceIndex: 1 + pick(3), nextHop: `192.0.2.${1 + pick(3)}`, metric: pick(16),
  });
  const wire = (s: RouteSpec) => [ipToWire(s.destination), s.prefixLength, s.interfaceIndex, ipToWire(s.nextHop)] as const;
  const keyOf = (s: RouteSpec) => `${s.destination}/${s.prefixLength}|${s.interfaceIndex}|${s.nextHop}`;
  for (let step = 0; step < 60000; step++) {
    const s = route();
    if (r() < 0.6) {
      if (r() < 0.3) s.preference = pick(200);
      const [destination, prefixLength, interfaceIndex, nextHop] = wire(s);
      table.set({ destination, prefixLength, interfaceIndex, nextHop, metric: s.metric, preference: s.preference });
      model.set(keyOf(s), s);
    } else {
      table.delete(...wire(s));
      model.delete(keyOf(s));
    }
    if (table.size !== model.size) t.fail(`step ${step}: ${table.size} routes, the model has ${model.size}`);
  }
  const text = (a: RouteSpec[]) => a.map((s) => JSON.stringify([keyOf(s), s.metric, s.preference])).sort();
  t.true(model.size > 500, `${model.size} routes at the end`);
  t.deepEqual(text(table.list()), text([...model.values()]));
  for (const s of model.values()) t.true(table.has(...wire(s)));
  // replace()'s deletions: the routes of interface 2 that are not kept
  const kept = [...model.values()].filter((s) => s.interfaceIndex === 2).slice(0, 10);
  const keptKeys = new Set(kept.map((s) => wire(s).join()));
  const stale = table.keysOf(2, (d, len, hop) => keptKeys.has([d, len, 2, hop].join())).map((k) => keyOf({ ...k, metric: 0 })).sort();
  t.deepEqual(stale, [...model.values()].filter((s) => s.interfaceIndex === 2 && !kept.includes(s)).map(keyOf).sort());
});

test('the packed table grows past a million routes and frees them again', (t) => {
  const table = new Ipv4RouteTable();
  const n = 1 << 20;
  for (let i = 0; i < n; i++) table.set({ destination: hostToWire(0x10000000 + i * 256), prefixLength: 24, interfaceIndex: 1, nextHop: 0x0202000c, metric: 1 });
  t.is(table.size, n);
  t.true(table.has(hostToWire(0x10000000 + 12345 * 256), 24, 1, 0x0202000c));
  t.false(table.has(hostToWire(0x10000000 + 12345 * 256), 25, 1, 0x0202000c));
  for (let i = 0; i < n; i++) table.delete(hostToWire(0x10000000 + i * 256), 24, 1, 0x0202000c);
  t.is(table.size, 0);
  t.deepEqual(table.list(), []);
});

test('the native mirror says whether a batch it accepted has a lifetime, so the table reads the batch in JS only then', (t) => {
  const mirror = new (loadAddon().RouteMirror)();
  /** A batch of `n` adds (one deletion at the end), record `ttlAt` with a lifetime. */
  const batch = (n: number, ttlAt = -1) => {
    const ops = new Uint32Array((n + 1) * V4.stride);
    for (let k = 0; k <= n; k++) {
      const at = k * V4.stride;
      ops[at + V4.op] = k < n ? RouteOperation.Add : RouteOperation.Delete;
      ops[at + V4.destination] = hostToWire(0x0a000000 + (k % n) * 256);
      ops[at + V4.prefixLength] = 24;
      ops[at + V4.interfaceIndex] = 1;
      ops[at + V4.nextHop] = 0x0202000c;
      ops[at + V4.ttlMs] = k === ttlAt ? 60_000 : 0;
    }
    return ops;
  };
  t.false(mirror.accept(batch(64), 65), 'no lifetime');
  t.is(mirror.size, 63, 'the adds, then the deletion');
  t.true(mirror.accept(batch(64, 40), 65), 'a lifetime on record 40');
  const refused = new Uint32Array(65);
  refused[40] = 5; // ERROR_ACCESS_DENIED: RTM refused the route with the lifetime
  t.false(mirror.accept(batch(64, 40), 65, refused), 'the route with the lifetime was refused');
  t.false(mirror.accept(batch(64, 40), 40), 'the record with the lifetime is past the count');
});

test('a route with a lifetime leaves the table when it ends, unless it was added again without one', async (t) => {
  const table = new Ipv4RouteTable();
  const a = { destination: ipToWire('10.1.0.0'), prefixLength: 16, interfaceIndex: 1, nextHop: ipToWire('192.0.2.1'), metric: 1 };
  const b = { ...a, destination: ipToWire('10.2.0.0') };
  table.set({ ...a, ttlMs: 50 });
  table.set({ ...b, ttlMs: 50 });
  table.set(b); // re-added without a lifetime: stays
  const byDestination = () => table.list().sort((x, y) => x.destination.localeCompare(y.destination));
  t.deepEqual(byDestination().map((s) => s.ttlMs), [50, undefined]);
  await new Promise((r) => setTimeout(r, 200));
  t.deepEqual(byDestination().map((s) => s.destination), ['10.2.0.0']);
});
