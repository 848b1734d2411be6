// RIP timers on a fake clock: periodic updates with jitter (RFC 2453 §3.8) and the 1–5 s
// rate limit of triggered updates (§3.10.1).
import test from 'ava';
import { FakeClock, PeriodicTimer, TriggeredUpdateLimiter } from '../examples/distance-vector/timers.js';

test('periodic updates come every 30 s ± the jitter, at the extremes of the random draw', (t) => {
  for (const r of [0, 0.999999]) {
    const clock = new FakeClock({ random: () => r });
    const fired: number[] = [];
    const timer = new PeriodicTimer(clock, 30_000, 1 / 6, () => fired.push(clock.now()));
    timer.start();
    clock.advance(200_000);
    const gaps = fired.map((at, i) => at - (fired[i - 1] ?? 0));
    t.true(gaps.length >= 5);
    for (const g of gaps) t.true(g >= 25_000 && g <= 35_000, `gap ${g} within 30 s ± 5 s`);
    t.is(new Set(gaps.map(Math.round)).size, 1, 'a fixed draw gives fixed gaps');
  }
});

test('jitter spreads the updates: different draws give different intervals', (t) => {
  let k = 0;
  const draws = [0.1, 0.9, 0.5, 0.3];
  const clock = new FakeClock({ random: () => draws[k++ % draws.length]! });
  const fired: number[] = [];
  new PeriodicTimer(clock, 30_000, 0.15, () => fired.push(clock.now())).start();
  clock.advance(130_000);
  const gaps = fired.map((at, i) => at - (fired[i - 1] ?? 0));
  t.deepEqual(gaps.map(Math.round), [26_400, 33_600, 30_000, 28_200]);
});

test('triggered updates: the first goes out at once, later ones wait out a 1–5 s hold-down, bursts coalesce', (t) => {
  const clock = new FakeClock({ random: () => 0.5 });
  const sent: number[] = [];
  const lim = new TriggeredUpdateLimiter(clock, 1_000, 5_000, () => sent.push(clock.now()));
  lim.request();
  clock.advance(0);
  t.deepEqual(sent, [0], 'immediately (same turn)');
  lim.request();
  lim.request();
  lim.request();
  clock.advance(2_999);
  t.deepEqual(sent, [0], 'held down: 1 s + 0.5·4 s = 3 s');
  clock.advance(1);
  t.deepEqual(sent, [0, 3_000], 'three requests, one update');
  clock.advance(10_000);
  lim.request();
  clock.advance(0);
  t.deepEqual(sent, [0, 3_000, 13_000], 'after the hold-down, at once again');
});

test('a regular update cancels a pending triggered one', (t) => {
  const clock = new FakeClock({ random: () => 0 });
  const sent: number[] = [];
  const lim = new TriggeredUpdateLimiter(clock, 1_000, 5_000, () => sent.push(clock.now()));
  lim.request();
  clock.advance(0);
  lim.request();
  t.true(lim.pending);
  lim.cancelPending();
  clock.advance(10_000);
  t.deepEqual(sent, [0]);
});
