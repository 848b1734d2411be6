// The host's channel (native/addon/channel.cc) as the host uses it.
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import test from 'ava';
import { loadAddon } from '../lib/addon/index.js';
import { encodeFrame, fakeLibrary } from './fixtures/fake-library.js';

// An address nobody listens on: the connector keeps retrying it until its deadline.
const nowhere = () =>
  process.platform === 'win32'
    ? `\\\\.\\pipe\\rras-bridge-test-nowhere-${process.pid}-${Date.now()}`
    : path.join(os.tmpdir(), `rras-bridge-nowhere-${process.pid}-${Date.now()}`, 'host.sock');

test('close() while connecting returns at once instead of after the connect timeout, and the connect is rejected as closed', async (t) => {
  const { Channel } = loadAddon();
  const channel = new Channel({ onEvent: () => t.fail('no event: the channel never connected') });
  const connectTimeoutMs = 60_000;
  const connecting = channel.connect({ address: nowhere(), token: Buffer.alloc(32), pid: process.pid, timeoutMs: connectTimeoutMs });
  await new Promise((r) => setTimeout(r, 200)); // the connector is retrying by now
  const t0 = Date.now();
  channel.close(); // joins the connector: without the cancel this blocked the JS thread ~60 s
  const closeMs = Date.now() - t0;
  t.true(closeMs < connectTimeoutMs / 6, `close() took ${closeMs} ms`);
  await t.throwsAsync(connecting, { message: /closed while connecting/ });
});

test('connect() refuses a wire version this build does not speak, naming the range', (t) => {
  const { Channel, schema } = loadAddon();
  const channel = new Channel({ onEvent: () => undefined });
  t.teardown(() => channel.close());
  t.throws(() => channel.connect({ address: nowhere(), token: Buffer.alloc(32), pid: process.pid, maxVersion: schema.version + 1 }), {
    message: `connect(): maxVersion must be from ${schema.minVersion} to ${schema.version}`,
  });
});

// A host in a worker thread that ends without close(), after reading from the channel on its
// own event loop: the environment's cleanup stops the channel's threads and closes its
// handles without bringing the process down, and the library sees the channel closed. The
// worker ends from outside (terminate), on a message (exit), or from inside a handler with
// messages of the same read still to deliver (handler: no JS can run for them any more).
type Ending = 'exit' | 'terminate' | 'handler';
const workerHost = (address: string, ending: Ending) => `
  const { parentPort } = require('node:worker_threads');
  const { Channel } = require(${JSON.stringify(path.join(__dirname, '..', 'lib', 'addon', 'index.js'))}).loadAddon();
  let seen = 0;
  const channel = new Channel({ onEvent(e) {
    if (e.event !== 'message') return;
    ++seen;
    if (${JSON.stringify(ending)} === 'handler' && seen === 50) process.exit(0);
    if (seen === 100) parentPort.postMessage('read');
  } });
  parentPort.on('message', () => process.exit(0));
  void channel.connect({ address: ${JSON.stringify(address)}, token: Buffer.alloc(32), pid: process.pid });
`;

for (const ending of ['exit', 'terminate', 'handler'] as const) {
  test(`a channel left open in a worker thread that ends (${ending}) is closed with it, and the process goes on`, async (t) => {
    const lib = await fakeLibrary();
    t.teardown(() => lib.close());
    const worker = new Worker(workerHost(lib.address, ending), { eval: true });
    const exited = new Promise<number>((resolve) => worker.once('exit', resolve));
    const socket = await lib.connected;
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.write(Buffer.concat(Array.from({ length: 100 }, (_, i) => encodeFrame('saveConfig', i + 1, {}, { reply: true }))));
    if (ending !== 'handler') {
      await new Promise<void>((resolve) => worker.once('message', () => resolve()));
      if (ending === 'terminate') await worker.terminate();
      else worker.postMessage('exit');
    }
    t.is(await exited, ending === 'terminate' ? 1 : 0); // terminate() ends a worker with 1
    await closed;
    t.pass();
  });
}

// The same, terminated while the channel's I/O thread reads and thread-safe function calls
// deliver (always so on Windows; on POSIX while a debugger pauses the host, set here), with
// frames still streaming in: a call that finds the environment ending must not escape as a
// C++ exception (Wine saw the process end so). Serial: the pause is process-wide.
test.serial('a worker terminated while its channel delivers from the I/O thread ends alone, the process goes on', async (t) => {
  const addonIndex = path.join(__dirname, '..', 'lib', 'addon', 'index.js');
  t.teardown(() => loadAddon().setDebuggerPaused(false));
  for (let round = 0; round < 5; round++) {
    const lib = await fakeLibrary();
    const worker = new Worker(`
      const { parentPort } = require('node:worker_threads');
      const addon = require(${JSON.stringify(addonIndex)}).loadAddon();
      let seen = 0;
      const channel = new addon.Channel({ onEvent(e) { if (e.event === 'message' && ++seen === 100) parentPort.postMessage('read'); } });
      void channel.connect({ address: ${JSON.stringify(lib.address)}, token: Buffer.alloc(32), pid: process.pid })
        .then(() => addon.setDebuggerPaused(true));
    `, { eval: true });
    const exited = new Promise<number>((resolve) => worker.once('exit', resolve));
    const socket = await lib.connected;
    socket.on('error', () => undefined); // the worker's end resets the connection
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    let id = 1;
    const pump = (): void => {
      if (socket.destroyed) return;
      const more = socket.write(Buffer.concat(Array.from({ length: 200 }, () => encodeFrame('saveConfig', id++, {}, { reply: true }))));
      if (more) setImmediate(pump);
      else socket.once('drain', pump);
    };
    pump();
    await new Promise<void>((resolve) => worker.once('message', () => resolve()));
    await new Promise((resolve) => setTimeout(resolve, round * 3)); // ends at different points of a delivery
    await worker.terminate();
    t.is(await exited, 1);
    await closed;
    lib.close();
  }
  t.pass();
});
