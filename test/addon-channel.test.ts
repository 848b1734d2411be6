// The host's channel (native/addon/channel.cc) as the host uses it.
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import { loadAddon } from '../lib/addon/index.js';

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
