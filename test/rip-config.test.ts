// RIP configuration blocks: byte round trips through the typed schemas, JSON input, prefix
// filters, cross-field checks, and the persisted RFC 2082 sequence numbers.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import { GlobalConfig, InterfaceConfig, decodePath, globalProblems, interfaceProblems, stateDirectoryOf } from '../examples/rip/config.js';
import { filterAllows, lineMatches, parsePrefixLine } from '../examples/rip/filter.js';
import { globalFromJson, interfaceFromJson } from '../examples/rip/jsonConfig.js';
import { PersistentSequence, RESERVATION_BLOCK } from '../examples/rip/state.js';

test('defaults are RFC 2453\'s timers, poisoned reverse, port 520, no auth', (t) => {
  const g = GlobalConfig.decode(GlobalConfig.encode({}));
  t.like(g, { updateIntervalMs: 30_000, routeTimeoutMs: 180_000, garbageMs: 120_000, triggeredMinMs: 1_000, triggeredMaxMs: 5_000, announceConnected: true });
  t.is(stateDirectoryOf(g), os.tmpdir());
  const i = InterfaceConfig.decode(InterfaceConfig.encode({}));
  t.like(i, { mode: 'both', destination: 'multicast', splitHorizon: 'poisonReverse', auth: 'none', port: 520, metric: 1, demand: false, md5AuthDataLength: 'trailer20' });
});

test('block sizes are pinned (the README documents them; RRAS stores these bytes)', (t) => {
  t.deepEqual([GlobalConfig.size, InterfaceConfig.size], [404, 304]);
});

test('every interface field survives encode -> bytes -> decode', (t) => {
  const input = interfaceFromJson({
    mode: 'send', destination: 'peersOnly', acceptVersions: 'v1v2', metric: 3, splitHorizon: 'none', auth: 'md5', md5AuthDataLength: 'rfc16',
    keys: [{ keyId: 7, key: 's3cret' }, { keyId: 8, key: 'next-key' }], demand: true, demandRetransmitMs: 700, demandRetransmitLimit: 4,
    demandUpdateTimeoutMs: 9_000, demandQuietMs: 250, port: 5520, tag: 0xbeef, peers: ['192.0.2.7', '192.0.2.8'],
    acceptFilter: { action: 'deny', entries: ['10.0.0.0/8 ge 24 le 32'] }, announceFilter: { action: 'permit', entries: ['172.16.0.0/12 le 24'] },
  });
  const bytes = InterfaceConfig.encode(input);
  t.is(bytes.length, InterfaceConfig.size);
  const back = InterfaceConfig.decode(bytes);
  t.like(back, { mode: 'send', destination: 'peersOnly', acceptVersions: 'v1v2', metric: 3, splitHorizon: 'none', auth: 'md5', md5AuthDataLength: 'rfc16', demand: true, port: 5520, tag: 0xbeef });
  t.deepEqual(back.peers, ['192.0.2.7', '192.0.2.8']);
  t.deepEqual(back.keys.map((k) => [k.keyId, k.key.toString('utf8').replace(/\0+$/, '')]), [[7, 's3cret'], [8, 'next-key']]);
  t.deepEqual(back.acceptFilter, { action: 'deny', entries: [{ address: '10.0.0.0', prefixLength: 8, ge: 24, le: 32 }] });
  t.deepEqual(InterfaceConfig.encode(back), bytes, 're-encoding gives the same bytes');
});

test('global fields round-trip, including the state directory path', (t) => {
  const bytes = GlobalConfig.encode(globalFromJson({ loggingLevel: 3, preference: 120, redistribute: [10006, 2], redistributeMetric: 0, stateDirectory: '/var/lib/rip' }));
  const g = GlobalConfig.decode(bytes);
  t.like(g, { loggingLevel: 3, preference: 120, redistributeMetric: 0 });
  t.deepEqual(g.redistribute, [10006, 2]);
  t.is(decodePath(g.stateDirectory), '/var/lib/rip');
});

test('out-of-range and inconsistent values are refused with the field named', (t) => {
  t.throws(() => InterfaceConfig.encode({ metric: 16 }), { message: /RIPTS_IF_CONFIG\.metric: 16 is outside \[1, 15\]/ });
  t.throws(() => InterfaceConfig.encode({ peers: Array(9).fill('192.0.2.1') }), { message: /peers: 9 elements, at most 8/ });
  t.throws(() => interfaceFromJson({ keys: [{ key: 'seventeen-bytes!!' }] }), { message: /at most 16/ });
  t.deepEqual(interfaceProblems(InterfaceConfig.validate({ auth: 'md5' })), ['auth md5 needs at least one key']);
  t.deepEqual(interfaceProblems(InterfaceConfig.validate({ destination: 'peersOnly' })), ['destination peersOnly with no peers: nothing would be sent']);
  t.deepEqual(globalProblems(GlobalConfig.validate({ triggeredMinMs: 6_000 })), ['triggeredMinMs 6000 > triggeredMaxMs 5000']);
});

test('prefix lists: exact, ge/le ranges, permit and deny', (t) => {
  const exact = parsePrefixLine('10.1.0.0/16');
  t.true(lineMatches(exact, '10.1.0.0', 16));
  t.false(lineMatches(exact, '10.1.2.0', 24), 'exact: longer prefixes do not match');
  const range = parsePrefixLine('10.0.0.0/8 ge 16 le 24');
  t.true(lineMatches(range, '10.9.0.0', 16));
  t.true(lineMatches(range, '10.9.9.0', 24));
  t.false(lineMatches(range, '10.9.9.128', 25));
  t.false(lineMatches(range, '11.9.0.0', 16));
  const le = parsePrefixLine('172.16.0.0/12 le 32');
  t.true(lineMatches(le, '172.16.0.0', 12) && lineMatches(le, '172.31.255.255', 32));
  t.throws(() => parsePrefixLine('10.0.0.0/8 ge 4'), { message: /shorter than the prefix/ });
  t.throws(() => parsePrefixLine('ten/8'), { message: /not a prefix-list line/ });
  const entries = [range];
  t.true(filterAllows({ action: 'off', entries }, '192.0.2.0', 24));
  t.true(filterAllows({ action: 'permit', entries }, '10.1.0.0', 16));
  t.false(filterAllows({ action: 'permit', entries }, '192.0.2.0', 24));
  t.false(filterAllows({ action: 'deny', entries }, '10.1.0.0', 16));
  t.true(filterAllows({ action: 'deny', entries }, '192.0.2.0', 24));
});

test('auth sequence numbers continue above everything sent before a restart, even after a crash', (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rip-seq-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const clock = () => 1_000; // a machine whose clock says 1000 s
  const a = new PersistentSequence(dir, 'x', clock);
  t.is(a.next(), 1_000, 'starts at the time floor');
  for (let i = 0; i < 10; i++) a.next();
  t.is(a.current, 1_010);
  a.close();
  const b = new PersistentSequence(dir, 'x', clock);
  t.is(b.next(), 1_011, 'a clean stop continues exactly');
  for (let i = 0; i < 5; i++) b.next();
  // Crash: no close(). The reservation on disk is above everything b handed out.
  const c = new PersistentSequence(dir, 'x', clock);
  const first = c.next();
  t.true(first > b.current, `${first} > ${b.current}`);
  t.true(first <= b.current + RESERVATION_BLOCK + 1, 'at most a block is skipped');
  t.is(new PersistentSequence(dir, 'other', () => 5_000).next(), 5_000, 'files are per name; the clock is a floor');
});
