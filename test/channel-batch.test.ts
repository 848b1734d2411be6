// The host's channel delivers what one read brings in batches (native/addon/channel.cc): the
// messages a library writes at once all reach the host, in order, whatever their mix, and
// one that makes the handler throw costs none of the others.
import { fork } from 'node:child_process';
import path from 'node:path';
import test from 'ava';
import { loadAddon, type ChannelEvent } from '../lib/addon/index.js';
import { connectedChannel, encodeFrame, fakeLibrary, mixedFrames } from './fixtures/fake-library.js';

const SAVE_REPLIES = 3000; // well past one batch (256) and one read (16 KiB)

test('messages written at once all reach onEvent once each, in the order sent, with their fields', async (t) => {
  const lib = await fakeLibrary();
  t.teardown(() => lib.close());
  const { frames, sent } = mixedFrames(1, SAVE_REPLIES);
  const seen: string[] = [];
  let refused = 0;
  let done!: () => void;
  const all = new Promise<void>((r) => (done = r));
  const { Channel } = loadAddon();
  const channel = new Channel({
    onEvent(e: ChannelEvent) {
      if (e.event !== 'message') return;
      const m = e.message;
      seen.push(`${m.type} ${m.id}`);
      if (m.reply && m.status !== 0) {
        refused++;
        t.is(m.error, 'refused');
      }
      if (m.type === 'updateRoutes') t.is(m.fields.interfaceIndex, 7);
      if (seen.length === sent.length) done();
    },
  });
  t.teardown(() => channel.close());
  await channel.connect({ address: lib.address, token: Buffer.alloc(32), pid: process.pid });
  (await lib.connected).write(frames); // one write: the host reads many frames per read
  await all;
  t.deepEqual(seen, sent);
  t.is(refused, sent.filter((s, i) => s.startsWith('saveConfig') && (i + 1) % 11 === 0).length);
});

test('a handler that throws on one message is reported as an uncaught exception, and the messages after it are still delivered', async (t) => {
  const lib = await fakeLibrary();
  t.teardown(() => lib.close());
  const count = 600;
  const throwAt = 300; // in the middle of a batch of replies
  const child = fork(path.join(__dirname, 'fixtures', 'throwing-host.js'), [lib.address, String(throwAt), String(count)], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  t.teardown(() => child.kill());
  const report = new Promise<{ ids: number[]; uncaught: string[] }>((resolve, reject) => {
    child.on('message', (m) => resolve(m as { ids: number[]; uncaught: string[] }));
    child.on('exit', (code) => reject(new Error(`the host exited (${code}) before reporting`)));
  });
  const frames = Buffer.concat(Array.from({ length: count }, (_, i) => encodeFrame('saveConfig', i + 1, {}, { reply: true })));
  (await lib.connected).write(frames);
  const { ids, uncaught } = await report;
  t.deepEqual(ids, Array.from({ length: count }, (_, i) => i + 1));
  t.deepEqual(uncaught, [`handler failed on ${throwAt}`]);
});

test('what the host sends is written even when timers are faked after the addon loaded (a protocol test with fake timers)', async (t) => {
  const { channel, socket } = await connectedChannel((fn) => t.teardown(fn));
  const received = new Promise<Buffer>((resolve) => socket.once('data', resolve));
  const real = globalThis.setImmediate;
  globalThis.setImmediate = (() => undefined) as unknown as typeof setImmediate; // never runs its callback
  try {
    channel.send('log', 0, { level: 2, text: 'written' });
  } finally {
    globalThis.setImmediate = real;
  }
  const frame = await received;
  t.true(frame.includes(Buffer.from('written')));
});

test('requests are written as soon as 64 are held, not at the end of the turn (the library starts on them while JS makes more); replies and notifications wait for the turn', async (t) => {
  const { channel } = await connectedChannel((fn) => t.teardown(fn));
  const save = (id: number) => channel.send('saveConfig', id, { scope: 2, interfaceIndex: 1, info: Buffer.alloc(4), structureVersion: 1, structureSize: 4, structureCount: 1 });
  for (let id = 1; id <= 100; id++) channel.reply('updateRoutes', id, 0, '', {});
  for (let i = 0; i < 100; i++) channel.send('log', 0, { level: 2, text: 'held' });
  t.is(channel.stats().framesOut, 0, 'replies and notifications are held for the turn');
  for (let id = 1; id < 64; id++) save(id);
  t.is(channel.stats().framesOut, 0, 'fewer than 64 requests are held');
  save(64);
  t.is(channel.stats().framesOut, 264, 'the 64th request writes everything held, in order');
  save(65);
  t.is(channel.stats().framesOut, 264);
  await new Promise((r) => setImmediate(r));
  t.is(channel.stats().framesOut, 265, 'the rest is written at the end of the turn');
});
