// A host whose JS is slower than its library keeps reading the channel (native/addon/
// channel.cc: past a short backlog the I/O thread reads meanwhile), so what the library sends
// does not wait in its own queue, which past its high-water mark restarts the host as one
// that stopped reading; every message is still handled once, in order.
import { fork } from 'node:child_process';
import path from 'node:path';
import test from 'ava';
import { encodeFrame, fakeLibrary } from './fixtures/fake-library.js';

const MESSAGES = 2000;
const BINDING_BYTES = 4096; // 8 MB in all: far past the socket's buffers
const COST_MS = 2; // 4 s of handling in all

test('a host slower than its library still reads what it sends; each message is handled once, in order', async (t) => {
  const lib = await fakeLibrary();
  t.teardown(() => lib.close());
  const child = fork(path.join(__dirname, 'fixtures', 'slow-host.js'), [lib.address, String(COST_MS), String(MESSAGES)], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  t.teardown(() => child.kill());
  let halfAt = 0;
  const connected = new Promise<void>((resolve) => child.on('message', (m) => m === 'connected' && resolve()));
  const report = new Promise<number[]>((resolve, reject) => {
    child.on('message', (m) => {
      if (typeof m !== 'object' || !m) return;
      if ('halfAt' in m) halfAt = (m as { halfAt: number }).halfAt;
      if ('ids' in m) resolve((m as { ids: number[] }).ids);
    });
    child.once('exit', (code) => reject(new Error(`the host exited (${code}) before reporting`)));
  });
  const socket = await lib.connected;
  await connected;
  const frames = Buffer.concat(Array.from({ length: MESSAGES }, (_, i) =>
    encodeFrame('interfaceStatus', i + 1, { interfaceIndex: 7, statusType: 0, active: 1, binding: Buffer.alloc(BINDING_BYTES, i) })));
  const flushed = new Promise<number>((resolve) => socket.write(frames, () => resolve(Date.now())));
  const ids = await report;
  t.deepEqual(ids, Array.from({ length: MESSAGES }, (_, i) => i + 1));
  const flushedAt = await flushed;
  t.true(flushedAt < halfAt, `the host read everything ${flushedAt - halfAt} ms after it had handled half of it: before, it should have`);
});
