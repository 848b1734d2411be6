// The OSPF configuration blocks (pinned sizes, RFC 2328 defaults, byte round trips, JSON, the
// checks the schema cannot express) and SPF throttling on a fake clock.
import test from 'ava';
import { GlobalConfig, InterfaceConfig, deadIntervalOf, globalProblems, interfaceProblems } from '../examples/ospf/config.js';
import { globalFromJson, interfaceFromJson } from '../examples/ospf/jsonConfig.js';
import { SpfThrottle } from '../examples/ospf/throttle.js';
import { FakeClock } from '../examples/distance-vector/timers.js';

test('block sizes are pinned (the README documents them; RRAS stores these bytes)', (t) => {
  t.deepEqual([GlobalConfig.size, InterfaceConfig.size], [500, 120]);
});

test('defaults: RFC 2328 appendix C timers, cost 10, priority 1, broadcast or point-to-point by the interface, no authentication', (t) => {
  const i = InterfaceConfig.decode(InterfaceConfig.encode({}));
  t.like(i, { networkType: 'auto', passive: false, cost: 10, priority: 1, helloIntervalS: 10, deadIntervalS: 40, retransmitIntervalS: 5, transmitDelayS: 1, auth: 'none', mtu: 0, mtuIgnore: false });
  const g = GlobalConfig.decode(GlobalConfig.encode({}));
  t.like(g, { routerId: '0.0.0.0', areaId: '0.0.0.0', minLsIntervalMs: 5000, minLsArrivalMs: 1000, lsRefreshS: 1800, spfDelayMs: 200 });
  t.is(deadIntervalOf(InterfaceConfig.validate({ helloIntervalS: 3, deadIntervalS: 0 })), 12, '0 = four hello intervals');
});

test('every field survives encode -> bytes -> decode, from JSON', (t) => {
  const g = globalFromJson({
    routerId: '10.0.0.1', areaId: '0.0.0.7', preference: 110, spfDelayMs: 50, spfHoldMs: 500, spfMaxHoldMs: 9000, minLsIntervalMs: 2000,
    redistribute: [{ protocolId: 10006, metricType: 'type1', metric: 30, tag: 77 }, { protocolId: 0xffffffff }],
    redistributeFilter: { action: 'deny', entries: ['10.0.0.0/8 le 32'] }, stateDirectory: '/var/lib/ospf',
  });
  const back = GlobalConfig.decode(GlobalConfig.encode(g));
  t.like(back, { routerId: '10.0.0.1', areaId: '0.0.0.7', preference: 110, spfMaxHoldMs: 9000 });
  t.deepEqual(back.redistribute, [{ protocolId: 10006, metricType: 'type1', metric: 30, tag: 77 }, { protocolId: 0xffffffff, metricType: 'type2', metric: 20, tag: 0 }]);
  t.deepEqual(back.redistributeFilter, { action: 'deny', entries: [{ address: '10.0.0.0', prefixLength: 8, ge: 0, le: 32 }] });
  const i = InterfaceConfig.decode(InterfaceConfig.encode(interfaceFromJson({ networkType: 'pointToPoint', auth: 'md5', keys: [{ keyId: 3, key: 'ospfref' }], mtu: 1400, cost: 65535 })));
  t.like(i, { networkType: 'pointToPoint', auth: 'md5', mtu: 1400, cost: 65535 });
  t.is(i.keys[0]!.key.toString('utf8').replace(/\0+$/, ''), 'ospfref');
});

test('refused: out-of-range fields (by the schema) and inconsistent ones (with the reason)', (t) => {
  t.throws(() => InterfaceConfig.validate({ cost: 0 }), { message: /cost/ });
  t.throws(() => InterfaceConfig.validate({ priority: 256 }), { message: /priority/ });
  t.throws(() => GlobalConfig.validate({ minLsIntervalMs: 500 }), { message: /minLsIntervalMs/ });
  t.throws(() => interfaceFromJson({ keys: [{ key: 'x'.repeat(17) }] }), { message: /at most 16/ });
  t.deepEqual(interfaceProblems(InterfaceConfig.validate({ auth: 'md5' })), ['auth md5 needs a key']);
  t.deepEqual(interfaceProblems(InterfaceConfig.validate({ helloIntervalS: 10, deadIntervalS: 10 })), ['deadIntervalS 10 must exceed helloIntervalS 10']);
  t.deepEqual(interfaceProblems(InterfaceConfig.validate({ auth: 'md5', keys: [{ keyId: 1, key: Buffer.from('a') }, { keyId: 1, key: Buffer.from('b') }] })), ['two keys with the same keyId']);
  t.deepEqual(globalProblems(GlobalConfig.validate({ spfHoldMs: 5000, spfMaxHoldMs: 1000 })), ['spfHoldMs 5000 > spfMaxHoldMs 1000']);
});

test('SPF throttle: the first change waits the delay; changes during the hold wait for it; the hold doubles under churn and resets after quiet', (t) => {
  const clock = new FakeClock();
  const runs: number[] = [];
  const th = new SpfThrottle(clock, { delayMs: 100, holdMs: 1000, maxHoldMs: 4000 }, () => runs.push(clock.now()));
  clock.advance(10_000);
  th.request('a');
  th.request('b'); // folded into the same run
  clock.advance(99);
  t.deepEqual(runs, []);
  clock.advance(1);
  t.deepEqual(runs, [10_100]);
  t.is(th.coalesced, 1);
  th.request('c'); // right after a run: waits out the hold
  clock.advance(1000);
  t.deepEqual(runs, [10_100, 11_100]);
  t.is(th.currentHoldMs, 2000, 'another run within the hold: the hold doubles');
  th.request('d');
  clock.advance(2000);
  t.deepEqual(runs.slice(2), [13_100], 'a hold of 2 s after the last run');
  t.is(th.currentHoldMs, 4000);
  clock.advance(500);
  th.request('e');
  clock.advance(4000);
  t.deepEqual(runs.slice(3), [17_100]);
  t.is(th.currentHoldMs, 4000, 'capped at the maximum');
  clock.advance(20_000); // quiet
  th.request('f');
  clock.advance(100);
  t.is(runs[runs.length - 1], clock.now(), 'after a quiet hold: the delay alone again');
  t.is(th.currentHoldMs, 1000);
});
