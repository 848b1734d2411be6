// RouteBatch (ctx.routes.applyBatch's IPv4 operations as numbers): what a protocol writes is
// what ctx.routes sends, each value checked as it is written, and a batch being applied is
// not changed under the library.
import test from 'ava';
import { RouteBatch } from '../lib/index.js';
import { RouteOperation, RoutesOpsLayout as L } from '../lib/addon/wire.js';

const ip = (a: number, b: number, c: number, d: number) => ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;

test('operations read back as the values written, in order, past the first capacity', (t) => {
  const b = new RouteBatch(2);
  b.add(ip(10, 0, 1, 0), 24, 3, ip(192, 0, 2, 1), 5)
    .add(ip(10, 0, 2, 0), 24, 3, ip(192, 0, 2, 1), 6, 120, 30000)
    .delete(ip(10, 0, 3, 0), 24, 3, ip(192, 0, 2, 9))
    .add(ip(0, 0, 0, 0), 0, 4, ip(0, 0, 0, 0), 1);
  t.is(b.length, 4);
  t.deepEqual(b.at(0), { op: 'add', route: { destination: '10.0.1.0', prefixLength: 24, interfaceIndex: 3, nextHop: '192.0.2.1', metric: 5 } });
  t.deepEqual(b.at(1), { op: 'add', route: { destination: '10.0.2.0', prefixLength: 24, interfaceIndex: 3, nextHop: '192.0.2.1', metric: 6, preference: 120, ttlMs: 30000 } });
  t.deepEqual(b.at(2), { op: 'delete', route: { destination: '10.0.3.0', prefixLength: 24, interfaceIndex: 3, nextHop: '192.0.2.9' } });
  t.deepEqual(b.at(3).route, { destination: '0.0.0.0', prefixLength: 0, interfaceIndex: 4, nextHop: '0.0.0.0', metric: 1 });
  t.throws(() => b.at(4), { instanceOf: RangeError });
  b.clear();
  t.is(b.length, 0);
  b.add(ip(172, 16, 0, 0), 12, 1, ip(192, 0, 2, 2), 1);
  t.is(b.at(0).route.destination, '172.16.0.0');
});

test('the packed records are the wire\'s routes records (network-order addresses)', (t) => {
  const b = new RouteBatch().add(ip(10, 1, 2, 0), 24, 7, ip(192, 0, 2, 1), 9);
  const held = RouteBatch.hold(b);
  t.is(held.count, 1);
  t.is(held.records.length, L.stride);
  t.is(held.records[L.op], RouteOperation.Add);
  t.is(held.records[L.destination], (10 | (1 << 8) | (2 << 16)) >>> 0);
  t.is(held.records[L.nextHop], (192 | (2 << 16) | (1 << 24)) >>> 0);
  t.is(held.records[L.interfaceIndex], 7);
  t.is(held.records[L.metric], 9);
  held.release();
});

test('an invalid value is refused as it is written, by name, and the batch is unchanged', (t) => {
  const b = new RouteBatch();
  const bad: [() => unknown, RegExp][] = [
    [() => b.add(ip(10, 0, 1, 1), 24, 1, 1, 1), /10\.0\.1\.1\/24 has host bits set/],
    [() => b.add(ip(10, 0, 1, 0), 33, 1, 1, 1), /prefixLength 33 is not 0\.\.32/],
    [() => b.add(-1, 24, 1, 1, 1), /destination -1 is not a u32/],
    [() => b.add(0, 0, 1.5, 1, 1), /interfaceIndex 1.5/],
    [() => b.add(0, 0, 1, 2 ** 32, 1), /nextHop 4294967296/],
    [() => b.add(0, 0, 1, 1, -2), /metric -2/],
    [() => b.add(0, 0, 1, 1, 1, 1.5), /preference 1.5/],
    [() => b.add(0, 0, 1, 1, 1, undefined, 0), /ttlMs 0/],
    [() => b.delete(ip(10, 0, 0, 1), 8, 1, 1), /host bits set/],
  ];
  for (const [f, message] of bad) t.throws(f, { instanceOf: RangeError, message });
  t.is(b.length, 0);
});

test('a batch being applied cannot be changed until the call settles', (t) => {
  const b = new RouteBatch().add(ip(10, 0, 0, 0), 8, 1, 1, 1);
  const held = RouteBatch.hold(b);
  t.throws(() => b.add(ip(11, 0, 0, 0), 8, 1, 1, 1), { message: /being applied/ });
  t.throws(() => b.clear(), { message: /being applied/ });
  held.release();
  held.release(); // once is what counts
  b.clear().add(ip(11, 0, 0, 0), 8, 1, 1, 1);
  t.is(b.length, 1);
});
