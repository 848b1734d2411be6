// While a debugger holds the host's JS thread (setDebuggerPaused, lib/host/debugger.ts), the
// addon's I/O thread reads the channel (native/addon/channel.cc): the library's heartbeats are
// answered during the pause, and every other message that arrived meanwhile reaches the
// host once it resumes, exactly once and in the order sent, before what came after it.
import { fork } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type net from 'node:net';
import test from 'ava';
import { loadAddon } from '../lib/addon/index.js';
import { encodeFrame, fakeLibrary, mixedFrames } from './fixtures/fake-library.js';

const DEADLINE_MS = 60_000; // a host under load can be slow; the JS thread is blocked anyway

/** The header of each frame the host writes (type name, reply flag, id; a heartbeat reply's seq). */
function replies(socket: net.Socket): { frames: Array<{ type: string; reply: boolean; id: number; seq: number }>; next(pred: (f: { type: string; id: number; reply: boolean }) => boolean): Promise<void> } {
  const { schema } = loadAddon();
  const frames: Array<{ type: string; reply: boolean; id: number; seq: number }> = [];
  const waiters: Array<() => void> = [];
  let held = Buffer.alloc(0);
  socket.on('data', (d: Buffer) => {
    held = Buffer.concat([held, d]);
    while (held.length >= 4 && held.length >= 4 + held.readUInt32LE(0)) {
      const frame = held.subarray(0, 4 + held.readUInt32LE(0));
      held = held.subarray(frame.length);
      const type = schema.messages.find((m) => m.type === frame.readUInt16LE(4))?.name ?? `type ${frame.readUInt16LE(4)}`;
      const reply = (frame.readUInt16LE(6) & schema.replyFlag) !== 0;
      const body = schema.headerBytes + 8; // a reply's status and (empty) error first
      frames.push({ type, reply, id: frame.readUInt32LE(8), seq: reply && frame.length >= body + 4 ? frame.readUInt32LE(body) : -1 });
      for (const w of waiters.splice(0)) w();
    }
  });
  return {
    frames,
    next: (pred) => new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no such frame from the host within ${DEADLINE_MS} ms`)), DEADLINE_MS);
      const check = () => {
        if (frames.some(pred)) {
          clearTimeout(timer);
          resolve();
        } else waiters.push(check);
      };
      check();
    }),
  };
}

async function until(what: string, ok: () => boolean): Promise<void> {
  const end = Date.now() + DEADLINE_MS;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

test('while a debugger pauses the host, heartbeats are answered; what arrived meanwhile is handled after the resume, once each and in order', async (t) => {
  const lib = await fakeLibrary();
  t.teardown(() => lib.close());
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rras-bridge-paused-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const blocked = path.join(dir, 'blocked');
  const release = path.join(dir, 'release');
  t.teardown(() => fs.writeFileSync(release, '')); // never leave the child blocked

  // Before the pause (read by JS), during it (read by the I/O thread; one write, then
  // another), after it: replies, DoUpdateRoutes and interfaceStatus (delivered alone) mixed.
  const sent: string[] = [];
  let id = 1;
  const batch = (count: number) => {
    const part = mixedFrames(id, count);
    id += count;
    sent.push(...part.sent);
    return part.frames;
  };
  const heartbeat = (beatId: number, seq: number) => encodeFrame('heartbeat', beatId, { seq });
  const before = batch(40);
  const during1 = batch(300);
  const during2 = batch(300);
  const after = batch(40);
  const total = sent.length + 1; // and the heartbeat after the resume, which JS handles

  const child = fork(path.join(__dirname, 'fixtures', 'paused-host.js'), [lib.address, blocked, release, String(total)], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  t.teardown(() => child.kill());
  const said = (what: string) => new Promise<void>((resolve, reject) => {
    const on = (m: unknown) => {
      if (m === what) resolve();
    };
    child.on('message', on);
    child.once('exit', (code) => reject(new Error(`the host exited (${code}) before saying ${what}`)));
  });
  const report = new Promise<string[]>((resolve, reject) => {
    child.on('message', (m) => {
      if (typeof m === 'object' && m && 'seen' in m) resolve((m as { seen: string[] }).seen);
    });
    child.once('exit', (code) => reject(new Error(`the host exited (${code}) before reporting`)));
  });
  const connected = said('connected');
  const socket = await lib.connected;
  const fromHost = replies(socket);
  await connected;
  socket.write(before);

  const resumed = said('resumed');
  child.send('pause');
  await until('the host to block its JS thread', () => fs.existsSync(blocked));
  socket.write(Buffer.concat([during1, heartbeat(9001, 1)]));
  await fromHost.next((f) => f.type === 'heartbeat' && f.reply && f.id === 9001);
  socket.write(Buffer.concat([heartbeat(9002, 2), during2]));
  await fromHost.next((f) => f.type === 'heartbeat' && f.reply && f.id === 9002);
  t.false(fs.existsSync(release), 'both heartbeats were answered while the JS thread was held');
  t.deepEqual(fromHost.frames.filter((f) => f.type === 'heartbeat').map((f) => f.seq), [1, 2]);

  fs.writeFileSync(release, '');
  await resumed;
  socket.write(Buffer.concat([after, heartbeat(9003, 3)]));
  const seen = await report;
  // The heartbeats of the pause were answered natively; the one after it is the host's again.
  t.deepEqual(seen, [...sent, 'heartbeat 9003']);
});
