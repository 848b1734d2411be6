// The RIP MIB: record layouts (sizes the README documents), GetFirst/GetNext order, the end
// of a table, and errors for bad input.
import test from 'ava';
import { ProtocolError } from '../lib/api/errors.js';
import { ERROR_INVALID_PARAMETER, ERROR_NO_MORE_ITEMS, ERROR_NOT_FOUND, ERROR_NOT_SUPPORTED } from '../lib/constants.js';
import { answerMib, decodeMibRecord, MibGlobal, MibInput, MibInterface, MibNeighbor, MibRoute } from '../examples/rip/mib.js';
import { run, twoRouters } from './rip/harness.js';

test('record sizes are fixed (README layout)', (t) => {
  t.deepEqual([MibInput.size, MibGlobal.size, MibInterface.size, MibNeighbor.size, MibRoute.size], [20, 76, 88, 44, 44]);
});

test('tables walk in key order with GetFirst/GetNext and end with ERROR_NO_MORE_ITEMS', async (t) => {
  const { clock, b } = await twoRouters();
  await run(clock, 2000);
  const ask = (op: 'get' | 'getFirst' | 'getNext', input: object) => answerMib(b.engine, { op, input: MibInput.encode(input), outputSize: 4096 }, clock.now());
  const routes = [];
  let rec = decodeMibRecord(ask('getFirst', { tableId: 4 })) as any;
  for (;;) {
    routes.push(`${rec.destination}/${rec.prefixLength} ${rec.source} m${rec.metric}`);
    try {
      rec = decodeMibRecord(ask('getNext', { tableId: 4, address: rec.destination, prefixLength: rec.prefixLength, source: { connected: 1, redistributed: 2, learned: 3 }[rec.source as string] }));
    } catch (err) {
      t.is((err as ProtocolError).code, ERROR_NO_MORE_ITEMS);
      break;
    }
  }
  t.deepEqual(routes, ['10.1.0.0/24 connected m1', '10.2.0.0/24 learned m2']);
  const n = decodeMibRecord(ask('get', { tableId: 3, interfaceIndex: 5, address: '10.1.0.1' })) as any;
  t.like(n, { table: 'neighbor', interfaceIndex: 5, address: '10.1.0.1', version: 2, routes: 1, badPackets: 0 });
  const g = decodeMibRecord(ask('get', { tableId: 1 })) as any;
  t.like(g, { table: 'global', learnedRoutes: 1, announcedRoutes: 2 });
  t.true(g.responsesReceived > 0);
  const i = decodeMibRecord(ask('getFirst', { tableId: 2 })) as any;
  t.like(i, { table: 'interface', interfaceIndex: 5, state: 5, mode: 'both', address: '10.1.0.2', prefixLength: 24 });
  const code = (fn: () => unknown) => { try { fn(); return 0; } catch (err) { return (err as ProtocolError).code; } };
  t.is(code(() => ask('get', { tableId: 3, interfaceIndex: 5, address: '10.1.0.99' })), ERROR_NOT_FOUND);
  t.is(code(() => ask('getFirst', { tableId: 9 })), ERROR_INVALID_PARAMETER);
  t.is(code(() => answerMib(b.engine, { op: 'get', input: Buffer.alloc(2), outputSize: 0 }, 0)), ERROR_INVALID_PARAMETER);
  t.is(code(() => answerMib(b.engine, { op: 'set', input: MibInput.encode({ tableId: 1 }), outputSize: 0 }, 0)), ERROR_NOT_SUPPORTED);
});
