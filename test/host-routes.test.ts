// ctx.routes' batching in the host, against a scripted library end: a large call goes as
// several batches with a few in flight at once, and every route's result, the mirror and the
// failure of a call with batches in flight come out as if the batches had gone one by one.
import test from 'ava';
import { ERROR_CAN_NOT_COMPLETE, ERROR_NOT_FOUND, NO_ERROR } from '../lib/constants.js';
import { ProtocolError } from '../lib/api/errors.js';
import { RoutesOpsLayout as L, type Transport } from '../lib/addon/index.js';
import { Requester } from '../lib/host/requests.js';
import { HostRoutes } from '../lib/host/routes.js';
import type { RouteSpec } from '../lib/api/routes.js';
import { RouteBatch } from '../lib/api/routeBatch.js';

/** A library end that holds each routes request until the test answers it. */
class ScriptedLibrary implements Transport {
  readonly pending: { id: number; ops: Uint32Array }[] = [];
  mostInFlight = 0;
  readonly requester = new Requester(this);

  send(type: string, id: number, fields: unknown): void {
    if (type !== 'routes') throw new Error(`unexpected ${type}`);
    // The addon encodes at once: what the host reuses after send() is not the library's.
    this.pending.push({ id, ops: new Uint32Array((fields as { ops: Uint32Array }).ops) });
    this.mostInFlight = Math.max(this.mostInFlight, this.pending.length);
  }

  reply(): void {}

  /** Answers the oldest request: each record's status from refuse (NO_ERROR when it gives none). */
  answerOne(refuse: (destinationWire: number) => number | undefined = () => undefined): boolean {
    const p = this.pending.shift();
    if (!p) return false;
    const results = new Uint32Array(p.ops.length / L.stride);
    for (let k = 0; k < results.length; k++) results[k] = refuse(p.ops[k * L.stride + L.destination]!) ?? NO_ERROR;
    this.requester.settle({ type: 'routes', id: p.id, reply: true, status: NO_ERROR, error: '', fields: { results } });
    return true;
  }

  /** Answers every request as it comes, until the call settles. */
  async serve<T>(call: Promise<T>, refuse?: (destinationWire: number) => number | undefined): Promise<T> {
    let done = false;
    void call.finally(() => (done = true)).catch(() => undefined);
    while (!done) {
      if (!this.answerOne(refuse)) await new Promise((r) => setImmediate(r));
    }
    return call;
  }
}

const route = (i: number): RouteSpec => ({
  destination: `10.${(i >>> 8) & 255}.${i & 255}.0`, prefixLength: 24, interfaceIndex: 3, nextHop: '192.0.2.1', metric: 1 + (i % 7),
});
/** 10.a.b.0 as the wire's u32 (network-order bytes, little-endian). */
const wireOf = (i: number) => (10 | (((i >>> 8) & 255) << 8) | ((i & 255) << 16)) >>> 0;

test('a call of many batches answers every route in order, with a few batches in flight at once', async (t) => {
  const lib = new ScriptedLibrary();
  const routes = new HostRoutes(lib.requester, () => undefined, 7);
  const specs = Array.from({ length: 30000 }, (_, i) => route(i));
  const refused = new Set([wireOf(5), wireOf(20000), wireOf(29999)]);
  const results = await lib.serve(routes.add(specs), (d) => (refused.has(d) ? ERROR_NOT_FOUND : undefined));
  t.is(results.length, specs.length);
  t.true(results.every((r, i) => r.route === specs[i]), 'each result is its own route, in the order given');
  t.deepEqual(results.flatMap((r, i) => (r.status === NO_ERROR ? [] : [i])), [5, 20000, 29999]);
  t.is(results[20000]!.status, ERROR_NOT_FOUND);
  t.is(routes.list().length, specs.length - 3, 'the mirror has what RTM accepted, nothing it refused');
  t.true(lib.mostInFlight > 1, 'batches overlap: the host encodes one while the library applies another');
  t.true(lib.mostInFlight <= 4, `at most 4 batches wait for an answer (saw ${lib.mostInFlight}): a big table is not encoded all ahead`);
});

test('a channel that closes with batches in flight fails the call with the reason, and none is left unhandled', async (t) => {
  const lib = new ScriptedLibrary();
  const routes = new HostRoutes(lib.requester, () => undefined, 7);
  const unhandled: unknown[] = [];
  const onUnhandled = (e: unknown) => unhandled.push(e);
  process.on('unhandledRejection', onUnhandled);
  const call = routes.add(Array.from({ length: 20000 }, (_, i) => route(i)));
  await new Promise((r) => setImmediate(r));
  t.true(lib.pending.length > 1, 'several batches are in flight');
  const answered = lib.pending[0]!.ops.length / L.stride;
  t.true(lib.answerOne(), 'the first batch is answered');
  lib.requester.close('host lost');
  const err = await t.throwsAsync(call, { instanceOf: ProtocolError });
  t.is(err?.code, ERROR_CAN_NOT_COMPLETE);
  t.regex(err?.message ?? '', /host lost/);
  await new Promise((r) => setTimeout(r, 50));
  process.off('unhandledRejection', onUnhandled);
  t.deepEqual(unhandled, []);
  t.is(routes.list().length, answered, 'what the library answered before the close is mirrored');
});

test('applyBatch: a batch of many requests answers one status per operation in order, and the mirror has what RTM accepted', async (t) => {
  const lib = new ScriptedLibrary();
  const routes = new HostRoutes(lib.requester, () => undefined, 7);
  const batch = new RouteBatch();
  const dest = (i: number) => ((10 << 24) | (((i >>> 8) & 255) << 16) | ((i & 255) << 8)) >>> 0; // route(i)'s destination
  for (let i = 0; i < 30000; i++) batch.add(dest(i), 24, 3, 0xc0000201, 1 + (i % 7));
  const refused = new Set([wireOf(5), wireOf(20000), wireOf(29999)]);
  const call = routes.applyBatch(batch);
  t.throws(() => batch.clear(), { message: /being applied/ }, 'the batch is the library\'s until the call settles');
  const statuses = await lib.serve(call, (d) => (refused.has(d) ? ERROR_NOT_FOUND : undefined));
  t.is(statuses.length, 30000);
  t.deepEqual([...statuses.keys()].filter((i) => statuses[i] !== NO_ERROR), [5, 20000, 29999]);
  t.is(statuses[20000], ERROR_NOT_FOUND);
  t.true(lib.mostInFlight > 1 && lib.mostInFlight <= 4, `a few requests in flight at once (saw ${lib.mostInFlight})`);
  const listed = routes.list();
  t.is(listed.length, 30000 - 3);
  t.deepEqual(listed.find((r) => r.destination === '10.0.9.0'), route(9), 'a route listed as the object API would have added it');

  batch.clear();
  for (let i = 0; i < 10; i++) batch.delete(dest(i), 24, 3, 0xc0000201);
  t.deepEqual([...await lib.serve(routes.applyBatch(batch))], Array(10).fill(NO_ERROR));
  t.is(routes.list().length, 30000 - 3 - 9, 'deletes leave the mirror (route 5 was never in it)');
});

test('applyBatch: a lost channel fails the call, and the batch can be written again', async (t) => {
  const lib = new ScriptedLibrary();
  const routes = new HostRoutes(lib.requester, () => undefined, 7);
  const batch = new RouteBatch();
  for (let i = 0; i < 10000; i++) batch.add(((10 << 24) | (i << 8)) >>> 0, 24, 3, 1, 1);
  const call = routes.applyBatch(batch);
  await new Promise((r) => setImmediate(r));
  lib.requester.close('host lost');
  const err = await t.throwsAsync(call, { instanceOf: ProtocolError });
  t.regex(err?.message ?? '', /host lost/);
  t.notThrows(() => batch.clear());
});

test('applyBatch: an IPv6 protocol refuses a RouteBatch (IPv4 routes) without sending it', async (t) => {
  const lib = new ScriptedLibrary();
  const routes = new HostRoutes(lib.requester, () => undefined, 7, () => 'ipv6');
  await t.throwsAsync(routes.applyBatch(new RouteBatch().add(0x0a000000, 8, 1, 1, 1)), { message: /IPv6 router manager/ });
  t.is(lib.pending.length, 0);
});
