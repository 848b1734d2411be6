// What the host's channel writes (native/addon/convert.cc, FieldsFromJs): every kind of field
// a host sends reaches the wire as the catalogue lays it out, whichever form JS gave it in
// (numbers, booleans, bigints, Buffers, lists of records or packed records), and a bad field
// is refused with an error naming it exactly, the channel writing nothing of that message and
// carrying on with the next.
import type net from 'node:net';
import test, { type ExecutionContext } from 'ava';
import { Routes6OpsLayout, RoutesOpsLayout, type Channel } from '../lib/addon/index.js';
import { connectedChannel, encodeFrame, type Fields } from './fixtures/fake-library.js';

/** The frames a host writes, split by their length prefix. */
function frames(socket: net.Socket): { next(): Promise<Buffer> } {
  let held = Buffer.alloc(0);
  const waiting: ((b: Buffer) => void)[] = [];
  const ready: Buffer[] = [];
  socket.on('data', (d: Buffer) => {
    held = Buffer.concat([held, d]);
    while (held.length >= 4 && held.length >= 4 + held.readUInt32LE(0)) {
      const frame = held.subarray(0, 4 + held.readUInt32LE(0));
      held = held.subarray(frame.length);
      const w = waiting.shift();
      if (w) w(frame);
      else ready.push(frame);
    }
  });
  return { next: () => (ready.length ? Promise.resolve(ready.shift()!) : new Promise((r) => waiting.push(r))) };
}

async function connected(t: ExecutionContext): Promise<{ channel: Channel; next(): Promise<Buffer> }> {
  const { channel, socket } = await connectedChannel((fn) => t.teardown(fn));
  return { channel, ...frames(socket) };
}

/** Packed records as the list of records they stand for (blob fields: their 16 bytes). */
function unpack(packed: Uint32Array, layout: Record<string, number>, blobs: readonly string[] = []): Fields[] {
  const out: Fields[] = [];
  const bytes = Buffer.from(packed.buffer, packed.byteOffset, packed.byteLength);
  for (let at = 0; at < packed.length; at += layout.stride!) {
    const r: Fields = {};
    for (const [name, slot] of Object.entries(layout)) {
      if (name === 'stride') continue;
      r[name] = blobs.includes(name) ? Buffer.from(bytes.subarray((at + slot) * 4, (at + slot + 4) * 4)) : packed[at + slot]!;
    }
    out.push(r);
  }
  return out;
}

const routes = (n: number) => {
  const l = RoutesOpsLayout;
  const rec = new Uint32Array(n * l.stride);
  for (let i = 0; i < n; i++) {
    const at = i * l.stride;
    rec[at + l.op] = 1 + (i % 2);
    rec[at + l.destination] = 0x0000000a + (i << 16);
    rec[at + l.prefixLength] = 24;
    rec[at + l.nextHop] = 0x020200c0;
    rec[at + l.interfaceIndex] = 7;
    rec[at + l.metric] = i;
    rec[at + l.preference] = 0xffffffff;
    rec[at + l.ttlMs] = i % 3 ? 0 : 1000;
  }
  return rec;
};

test('every kind of field reaches the wire as the catalogue lays it out, in each form JS may give it', async (t) => {
  const { channel, next } = await connected(t);
  const ops = routes(5);
  const ops6 = new Uint32Array(3 * Routes6OpsLayout.stride).map((_, i) => (i * 2654435761) >>> 0);
  const info = Buffer.from('interface config');
  const cases: { type: string; send: Record<string, unknown>; wire: Fields }[] = [
    { type: 'saveConfig', send: { scope: 1, interfaceIndex: 0xffffffff, info, structureVersion: 1, structureSize: info.length, structureCount: 1 },
      wire: { scope: 1, interfaceIndex: 0xffffffff, info, structureVersion: 1, structureSize: info.length, structureCount: 1 } },
    // A Uint8Array for a Buffer, a boolean for a u32, an absent blob as empty, -0 as 0.
    { type: 'saveConfig', send: { scope: true, interfaceIndex: -0, info: new Uint8Array([1, 2, 3]), structureVersion: false, structureSize: 3, structureCount: 0 },
      wire: { scope: 1, interfaceIndex: 0, info: Buffer.from([1, 2, 3]), structureVersion: 0, structureSize: 3, structureCount: 0 } },
    { type: 'saveConfig', send: { scope: 0, interfaceIndex: 2, structureVersion: 1, structureSize: 0, structureCount: 0 },
      wire: { scope: 0, interfaceIndex: 2, info: Buffer.alloc(0), structureVersion: 1, structureSize: 0, structureCount: 0 } },
    { type: 'log', send: { level: 3, text: 'ünïcode ✓ text' }, wire: { level: 3, text: 'ünïcode ✓ text' } },
    { type: 'log', send: { level: 1, text: 'x'.repeat(70000) }, wire: { level: 1, text: 'x'.repeat(70000) } },
    { type: 'log', send: { level: 1, text: '' }, wire: { level: 1, text: '' } },
    { type: 'support', send: { fn: 2, args: [{ value: 9 }, { value: 0xffffffff }], input: Buffer.alloc(0), outputSize: 4 },
      wire: { fn: 2, args: [{ value: 9 }, { value: 0xffffffff }], input: Buffer.alloc(0), outputSize: 4 } },
    { type: 'support', send: { fn: 2, args: new Uint32Array([4, 5, 6]), input: Buffer.from('in'), outputSize: 0 },
      wire: { fn: 2, args: [{ value: 4 }, { value: 5 }, { value: 6 }], input: Buffer.from('in'), outputSize: 0 } },
    { type: 'routes', send: { ops }, wire: { ops: unpack(ops, RoutesOpsLayout) } },
    { type: 'routes', send: { ops: unpack(ops, RoutesOpsLayout) }, wire: { ops: unpack(ops, RoutesOpsLayout) } },
    { type: 'routes', send: { ops: ops.subarray(RoutesOpsLayout.stride * 2) }, wire: { ops: unpack(ops.subarray(RoutesOpsLayout.stride * 2), RoutesOpsLayout) } },
    { type: 'routes6', send: { ops: ops6 }, wire: { ops: unpack(ops6, Routes6OpsLayout, ['destination', 'nextHop']) } },
    { type: 'restart', send: { reason: 'asked' }, wire: { reason: 'asked' } },
    { type: 'synced', send: {}, wire: {} },
  ];
  let id = 100;
  for (const c of cases) {
    channel.send(c.type as 'log', ++id, c.send as never);
    t.deepEqual(await next(), encodeFrame(c.type, id, c.wire), c.type);
  }
  // Replies: a blob, a u64 as a number and as a BigInt, a failed reply without fields.
  channel.reply('mib', 7, 0, '', { output: Buffer.from('{"ok":true}') });
  t.deepEqual(await next(), encodeFrame('mib', 7, { output: Buffer.from('{"ok":true}') }, { reply: true }));
  channel.reply('heartbeat', 8, 0, '', { seq: 3, rssBytes: 2 ** 40 + 5 });
  t.deepEqual(await next(), encodeFrame('heartbeat', 8, { seq: 3, rssBytes: 2 ** 40 + 5 }, { reply: true }));
  channel.reply('heartbeat', 9, 0, '', { seq: 4, rssBytes: 2n ** 63n + 1n });
  t.deepEqual(await next(), encodeFrame('heartbeat', 9, { seq: 4, rssBytes: 2n ** 63n + 1n }, { reply: true }));
  channel.reply('mib', 10, 87, 'no such object', {} as never);
  t.deepEqual(await next(), encodeFrame('mib', 10, {}, { reply: true, status: 87, error: 'no such object' }));
});

test('a bad field is refused naming the message and the field, and the channel writes nothing of it', async (t) => {
  const { channel, next } = await connected(t);
  const save = { scope: 1, interfaceIndex: 2, info: Buffer.alloc(1), structureVersion: 1, structureSize: 1, structureCount: 1 };
  const u32 = 'an integer from 0 to 4294967295';
  const refused: [string, unknown, string][] = [
    ['saveConfig', undefined, 'saveConfig must be an object'],
    ['saveConfig', 5, 'saveConfig must be an object'],
    ['saveConfig', { ...save, scope: undefined }, 'saveConfig.scope is missing'],
    ['saveConfig', { interfaceIndex: 2 }, 'saveConfig.scope is missing'],
    ['saveConfig', { ...save, structureCount: undefined }, 'saveConfig.structureCount is missing'],
    ['saveConfig', { ...save, interfaceIndex: -1 }, `saveConfig.interfaceIndex must be ${u32}`],
    ['saveConfig', { ...save, interfaceIndex: 2 ** 32 }, `saveConfig.interfaceIndex must be ${u32}`],
    ['saveConfig', { ...save, interfaceIndex: 1.5 }, `saveConfig.interfaceIndex must be ${u32}`],
    ['saveConfig', { ...save, interfaceIndex: NaN }, `saveConfig.interfaceIndex must be ${u32}`],
    ['saveConfig', { ...save, interfaceIndex: '2' }, `saveConfig.interfaceIndex must be ${u32}`],
    ['saveConfig', { ...save, interfaceIndex: null }, `saveConfig.interfaceIndex must be ${u32}`],
    ['saveConfig', { ...save, structureSize: 2n }, `saveConfig.structureSize must be ${u32}`],
    ['saveConfig', { ...save, info: 'text' }, 'saveConfig.info must be a Buffer or Uint8Array'],
    ['saveConfig', { ...save, info: new Uint16Array(2) }, 'saveConfig.info must be a Buffer or Uint8Array'],
    ['saveConfig', { ...save, info: Object.create(Uint8Array.prototype) }, 'saveConfig.info must be a Buffer or Uint8Array'],
    ['log', { level: 1 }, 'log.text is missing'],
    ['log', { level: 1, text: 5 }, 'log.text must be a string'],
    ['log', { level: 1, text: Buffer.from('x') }, 'log.text must be a string'],
    ['routes', { ops: 3 }, 'routes.ops must be an array or a Uint32Array of packed records'],
    ['routes', { ops: new Uint8Array(36) }, 'routes.ops must be an array or a Uint32Array of packed records'],
    ['routes', { ops: new Uint32Array(RoutesOpsLayout.stride + 1) }, `routes.ops must be packed records of ${RoutesOpsLayout.stride} u32 each`],
    ['routes', { ops: [unpack(routes(1), RoutesOpsLayout)[0], { op: 1 }] }, 'routes.ops[1].destination is missing'],
    ['routes', { ops: [{ ...unpack(routes(1), RoutesOpsLayout)[0], metric: -3 }] }, `routes.ops[0].metric must be ${u32}`],
    ['routes', { ops: [7] }, 'routes.ops[0] must be an object'],
    ['support', { fn: 1, args: [{ value: 'x' }], input: Buffer.alloc(0), outputSize: 0 }, `support.args[0].value must be ${u32}`],
  ];
  let id = 0;
  for (const [type, fields, message] of refused) {
    t.throws(() => channel.send(type as 'log', ++id, fields as never), { instanceOf: TypeError, message }, message);
  }
  t.throws(() => channel.reply('heartbeat', 1, 0, '', { seq: 1, rssBytes: -1 }), { instanceOf: TypeError, message: 'heartbeat reply.rssBytes must be a BigInt or a safe non-negative integer' });
  t.throws(() => channel.reply('heartbeat', 1, 0, '', { seq: 1, rssBytes: 2n ** 64n }), { instanceOf: TypeError, message: 'heartbeat reply.rssBytes must be a BigInt from 0 to 2^64-1' });
  t.throws(() => channel.reply('mib', 1, 0, '', { output: 1 } as never), { instanceOf: TypeError, message: 'mib reply.output must be a Buffer or Uint8Array' });
  // None of those wrote anything: the next frame is the valid message after them.
  channel.send('saveConfig', 99, save as never);
  t.deepEqual(await next(), encodeFrame('saveConfig', 99, save));
});

test('a field read through a getter is read once (even one that sends or throws), and fields the catalogue does not have are ignored', async (t) => {
  const { channel, next } = await connected(t);
  let reads = 0;
  const fields = { text: 'hello', extra: 'not on the wire', get level() { reads++; return 2; } };
  channel.send('log', 0, fields as never);
  t.deepEqual(await next(), encodeFrame('log', 0, { level: 2, text: 'hello' }));
  t.is(reads, 1);
  // A getter that sends a message of its own: both reach the wire whole, the inner one first.
  const outer = { text: 'outer', get level() { channel.send('log', 0, { level: 4, text: 'inner' } as never); return 1; } };
  channel.send('log', 0, outer as never);
  t.deepEqual(await next(), encodeFrame('log', 0, { level: 4, text: 'inner' }));
  t.deepEqual(await next(), encodeFrame('log', 0, { level: 1, text: 'outer' }));
  // A getter that throws: its exception, and nothing written.
  const throwing = { text: 'never', get level(): number { throw new RangeError('getter failed'); } };
  t.throws(() => channel.send('log', 0, throwing as never), { instanceOf: RangeError, message: 'getter failed' });
  channel.send('log', 0, { level: 2, text: 'after' } as never);
  t.deepEqual(await next(), encodeFrame('log', 0, { level: 2, text: 'after' }));
});
