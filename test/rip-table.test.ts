// The RIP table on a fake clock: timeout and garbage collection (RFC 2453 §3.8), route
// selection (§3.9.2), demand routes that never time out (RFC 2091), split horizon and
// poisoned reverse (§3.4.3), triggered-update flags (§3.10.1), local routes.
import test from 'ava';
import { RipTable, type HeardRoute, type OutputOptions, type RipRoute } from '../examples/distance-vector/table.js';
import { FakeClock } from '../examples/distance-vector/timers.js';
import { IPV4_TABLE } from '../examples/rip/ip.js';

function makeTable(clock = new FakeClock()) {
  const changes: { key: string; reachable: boolean; metric: number; nextHop: string }[] = [];
  let triggers = 0;
  const table = new RipTable({
    ...IPV4_TABLE, clock, timeoutMs: 180_000, garbageMs: 120_000,
    onLearnedChange: (r: RipRoute) => changes.push({ key: r.key, reachable: r.garbageAt === null, metric: r.metric, nextHop: r.nextHop }),
    onTriggered: () => triggers++,
  });
  return { clock, table, changes, triggers: () => triggers };
}

const heard = (over: Partial<HeardRoute> = {}): HeardRoute => ({
  interfaceIndex: 1, neighbor: '10.0.0.2', destination: '10.9.0.0', prefixLength: 16, metric: 2, tag: 0, nextHop: '10.0.0.2', demand: false, ...over,
});

const out = (table: RipTable, over: Partial<OutputOptions> = {}) => table.output({
  interfaceIndex: 1, splitHorizon: 'poisonReverse', changedOnly: false, allow: () => true, onLink: (a) => a.startsWith('10.0.0.'), localTag: 0, ...over,
});

test('a learned route times out after 180 s, is advertised with metric 16 for 120 s, then removed', (t) => {
  const { clock, table, changes } = makeTable();
  t.is(table.heard(heard()), 'added');
  clock.advance(179_999);
  t.is(table.learnedRoutes()[0]!.metric, 2, 'still valid just before the timeout');
  clock.advance(1);
  t.is(table.learnedRoutes()[0]!.metric, 16);
  t.deepEqual(changes.at(-1), { key: '10.9.0.0/16', reachable: false, metric: 16, nextHop: '10.0.0.2' }, 'RTM is told at once');
  t.deepEqual(out(table, { interfaceIndex: 2 }), [{ destination: '10.9.0.0', prefixLength: 16, metric: 16, nextHop: '0.0.0.0', tag: 0 }]);
  clock.advance(119_999);
  t.is(table.learnedRoutes().length, 1);
  clock.advance(1);
  t.is(table.learnedRoutes().length, 0, 'garbage-collected');
  t.deepEqual(out(table, { interfaceIndex: 2 }), []);
});

test('updates from the same neighbour refresh the timeout; metric 16 from it withdraws at once', (t) => {
  const { clock, table } = makeTable();
  table.heard(heard());
  clock.advance(170_000);
  t.is(table.heard(heard()), 'refreshed');
  clock.advance(170_000);
  t.is(table.learnedRoutes()[0]!.metric, 2, 'alive 340 s after it was first heard');
  t.is(table.heard(heard({ metric: 16 })), 'withdrawn');
  t.is(table.learnedRoutes()[0]!.metric, 16);
  t.is(table.learnedVia(1).length, 0);
});

test('a better metric from another neighbour wins; a worse one is ignored; an equal one only when the route is aging', (t) => {
  const { clock, table } = makeTable();
  table.heard(heard({ metric: 5 }));
  t.is(table.heard(heard({ neighbor: '10.0.0.3', nextHop: '10.0.0.3', metric: 6 })), 'ignored');
  t.is(table.heard(heard({ neighbor: '10.0.0.3', nextHop: '10.0.0.3', metric: 5 })), 'ignored', 'equal, fresh route');
  clock.advance(91_000);
  t.is(table.heard(heard({ neighbor: '10.0.0.3', nextHop: '10.0.0.3', metric: 5 })), 'updated', 'equal, past half the timeout');
  t.is(table.heard(heard({ neighbor: '10.0.0.4', nextHop: '10.0.0.4', metric: 3 })), 'updated');
  t.like(table.learnedRoutes()[0], { neighbor: '10.0.0.4', nextHop: '10.0.0.4', metric: 3 });
});

test('routes learned by RFC 2091 (demand) never time out', (t) => {
  const { clock, table } = makeTable();
  table.heard(heard({ demand: true }));
  clock.advance(24 * 3600_000);
  t.like(table.learnedRoutes()[0], { metric: 2, expiresAt: null, garbageAt: null, demand: true });
  t.is(table.interfaceDown(1), 0, 'not even when the demand-dial link goes down');
});

test('split horizon: simple omits, poisoned reverse sends 16, none points at the real gateway', (t) => {
  const { table } = makeTable();
  table.heard(heard({ nextHop: '10.0.0.9' }));
  t.deepEqual(out(table, { splitHorizon: 'simple' }), []);
  t.deepEqual(out(table, { splitHorizon: 'poisonReverse' }), [{ destination: '10.9.0.0', prefixLength: 16, metric: 16, nextHop: '0.0.0.0', tag: 0 }]);
  t.deepEqual(out(table, { splitHorizon: 'none' }), [{ destination: '10.9.0.0', prefixLength: 16, metric: 2, nextHop: '10.0.0.9', tag: 0 }]);
  t.deepEqual(out(table, { interfaceIndex: 2 }), [{ destination: '10.9.0.0', prefixLength: 16, metric: 2, nextHop: '0.0.0.0', tag: 0 }], 'other interfaces get it as usual');
});

test('triggered updates carry only changed routes, and the flags clear after sending', (t) => {
  const { table, triggers } = makeTable();
  table.heard(heard());
  table.heard(heard({ destination: '10.8.0.0' }));
  t.is(triggers(), 1, 'one trigger for a burst of changes');
  table.clearChanges();
  table.heard(heard({ destination: '10.8.0.0', metric: 4 }));
  t.is(triggers(), 2);
  t.deepEqual(out(table, { interfaceIndex: 2, changedOnly: true }).map((e) => `${e.destination} ${e.metric}`), ['10.8.0.0 4']);
  table.clearChanges();
  t.deepEqual(out(table, { interfaceIndex: 2, changedOnly: true }), []);
});

test('local routes: connected beats redistributed, announced with the local tag, withdrawn with 16 then removed', (t) => {
  const { clock, table } = makeTable();
  table.setLocal({ destination: '10.5.0.0', prefixLength: 24, source: 'redistributed', metric: 3, nextHop: '0.0.0.0', interfaceIndex: 4 });
  table.setLocal({ destination: '10.5.0.0', prefixLength: 24, source: 'connected', metric: 1, nextHop: '0.0.0.0', interfaceIndex: 4 });
  t.deepEqual(out(table, { localTag: 7 }), [{ destination: '10.5.0.0', prefixLength: 24, metric: 1, nextHop: '0.0.0.0', tag: 7 }]);
  table.removeLocal('10.5.0.0', 24, 'connected');
  t.is(out(table)[0]!.metric, 16);
  clock.advance(120_000);
  t.deepEqual(out(table), []);
});

test('an unreachable route is replaced by any reachable one, and the accept filter can withdraw', (t) => {
  const { table } = makeTable();
  table.heard(heard());
  table.heard(heard({ metric: 16 }));
  t.is(table.heard(heard({ neighbor: '10.0.0.5', nextHop: '10.0.0.5', metric: 9 })), 'added');
  t.is(table.refilter(1, (d) => d !== '10.9.0.0'), 1);
  t.is(table.learnedVia(1).length, 0);
});

test('RFC 2091 flush: routes not repeated by the new session are withdrawn by the sweep', (t) => {
  const { table } = makeTable();
  table.heard(heard({ demand: true }));
  table.heard(heard({ destination: '10.8.0.0', demand: true }));
  table.markStale(1, '10.0.0.2');
  table.heard(heard({ demand: true }));
  t.is(table.sweepStale(1, '10.0.0.2'), 1);
  t.deepEqual(table.learnedVia(1).map((r) => r.destination), ['10.9.0.0']);
});
