// ctx.events in the host, against a scripted library end: a save settles with the library's
// reply (applied first, rejected by name when refused), and Requester.requestThen, which it
// is built on, settles its one promise with what its `then` made of the reply, or threw.
import test from 'ava';
import { ERROR_INVALID_PARAMETER, NO_ERROR } from '../lib/constants.js';
import { ProtocolError } from '../lib/api/errors.js';
import type { Transport } from '../lib/addon/index.js';
import { Requester } from '../lib/host/requests.js';
import { makeEvents } from '../lib/host/services.js';

/** A library end that holds each request until the test answers it. */
class ScriptedLibrary implements Transport {
  readonly sent: { type: string; id: number }[] = [];
  readonly requester = new Requester(this);
  send(type: string, id: number): void {
    this.sent.push({ type, id });
  }
  reply(): void {}
  answer(status: number, error = ''): void {
    const s = this.sent.shift()!;
    this.requester.settle({ type: s.type as 'saveConfig', id: s.id, reply: true, status, error, fields: {} });
  }
}

const noSchema = () => undefined;

test('a saved interface config resolves once the library answers, after it is applied', async (t) => {
  const lib = new ScriptedLibrary();
  const applied: number[] = [];
  const events = makeEvents(lib.requester, noSchema, noSchema, { global: () => undefined, iface: (i) => applied.push(i) });
  let settled = false;
  const saved = events.saveInterfaceConfig(3, Buffer.alloc(4)).then(() => (settled = true));
  await new Promise((r) => setImmediate(r));
  t.false(settled, 'resolved before the library held the event');
  t.deepEqual(applied, []);
  lib.answer(NO_ERROR);
  t.deepEqual(applied, [3]);
  await saved;
  t.true(settled);
});

test('a save the library refuses rejects with its status, naming the call, and is not applied', async (t) => {
  const lib = new ScriptedLibrary();
  const applied: number[] = [];
  const events = makeEvents(lib.requester, noSchema, noSchema, { global: () => undefined, iface: (i) => applied.push(i) });
  const saved = events.saveInterfaceConfig(7, Buffer.alloc(4));
  lib.answer(ERROR_INVALID_PARAMETER, 'no such interface');
  const err = await t.throwsAsync(saved, { instanceOf: ProtocolError });
  t.is(err?.code, ERROR_INVALID_PARAMETER);
  t.regex(err?.message ?? '', /saveInterfaceConfig\(7\).*no such interface/);
  t.deepEqual(applied, []);
});

test('requestThen settles with what its then made of the reply, or rejects with what it threw', async (t) => {
  const lib = new ScriptedLibrary();
  const made = lib.requester.requestThen('saveConfig', {} as never, (r) => r.status + 1);
  const thrown = lib.requester.requestThen('saveConfig', {} as never, () => {
    throw new Error('bad reply');
  });
  lib.answer(41);
  lib.answer(NO_ERROR);
  t.is(await made, 42);
  await t.throwsAsync(thrown, { message: 'bad reply' });
});

test('requestThen of a closed channel rejects without sending', async (t) => {
  const lib = new ScriptedLibrary();
  lib.requester.close('gone');
  await t.throwsAsync(lib.requester.requestThen('saveConfig', {} as never, () => 1), { message: /channel closed: gone/ });
  t.is(lib.sent.length, 0);
});
