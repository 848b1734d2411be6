// How the host answers the library's requests (lib/host/runtime.ts), against a scripted
// transport: a handler that answers synchronously is replied to within the delivery of the
// request (no microtask turns: one per pipelined DoUpdateRoutes), one that returns a promise
// once it settles, and a failure either way is a reply with its status, never a lost one.
import test from 'ava';
import { ERROR_CAN_NOT_COMPLETE, ERROR_INVALID_PARAMETER, NO_ERROR } from '../lib/constants.js';
import { ProtocolError } from '../lib/api/errors.js';
import { defineProtocol, type Protocol } from '../lib/index.js';
import type { Transport, WireMessage } from '../lib/addon/index.js';
import { HostRuntime } from '../lib/host/runtime.js';

class ScriptedLibrary implements Transport {
  readonly replies: { type: string; id: number; status: number; error: string }[] = [];
  send(): void {}
  reply(type: string, id: number, status: number, error: string): void {
    this.replies.push({ type, id, status, error });
  }
}

const request = (type: string, id: number, fields: Record<string, unknown>) => ({ type, id, reply: false, fields }) as unknown as WireMessage;
const turn = () => new Promise((r) => setImmediate(r));

async function runtimeWith(updateRoutes: Protocol['updateRoutes']): Promise<{ host: HostRuntime; lib: ScriptedLibrary }> {
  const lib = new ScriptedLibrary();
  const protocol = defineProtocol({ protocolId: 0x7ffe0009, name: 'answers', updateRoutes });
  const host = new HostRuntime(Promise.resolve(protocol as Protocol), lib, { protocolId: 0x7ffe0009, name: 'answers', generation: 1, logLevel: 0 });
  host.handle(request('addInterface', 1, {
    interfaceIndex: 3, name: 'eth0', interfaceType: 1, mediaType: 0, accessType: 0, connectionType: 0,
    info: Buffer.alloc(0), structureVersion: 0, structureSize: 0, structureCount: 0,
  }));
  for (let i = 0; i < 10 && lib.replies.length === 0; i++) await turn();
  lib.replies.length = 0;
  return { host, lib };
}

test('a synchronous updateRoutes is answered within the delivery of its request, once', async (t) => {
  let calls = 0;
  const { host, lib } = await runtimeWith(() => void calls++);
  host.handle(request('updateRoutes', 7, { interfaceIndex: 3 }));
  t.deepEqual(lib.replies, [{ type: 'updateRoutes', id: 7, status: NO_ERROR, error: '' }]);
  await turn();
  t.is(lib.replies.length, 1);
  t.is(calls, 1);
});

test('an updateRoutes that returns a promise is answered when it settles, with its failure if it rejects', async (t) => {
  let finish!: () => void;
  const { host, lib } = await runtimeWith((_ctx, iface) => (iface.index === 3 ? new Promise<void>((r) => (finish = r)) : undefined));
  host.handle(request('updateRoutes', 8, { interfaceIndex: 3 }));
  await turn();
  t.deepEqual(lib.replies, [], 'answered before the handler finished');
  finish();
  await turn();
  t.deepEqual(lib.replies, [{ type: 'updateRoutes', id: 8, status: NO_ERROR, error: '' }]);

  const failing = await runtimeWith(async () => { throw new ProtocolError(ERROR_CAN_NOT_COMPLETE, 'no routes today'); });
  failing.host.handle(request('updateRoutes', 9, { interfaceIndex: 3 }));
  await turn();
  t.is(failing.lib.replies.length, 1);
  t.is(failing.lib.replies[0]!.status, ERROR_CAN_NOT_COMPLETE);
  t.regex(failing.lib.replies[0]!.error, /no routes today/);
});

test('an updateRoutes that throws synchronously, or of an unknown interface, is answered at once with its status', async (t) => {
  const { host, lib } = await runtimeWith(() => { throw new ProtocolError(ERROR_CAN_NOT_COMPLETE, 'refused'); });
  host.handle(request('updateRoutes', 10, { interfaceIndex: 3 }));
  host.handle(request('updateRoutes', 11, { interfaceIndex: 99 }));
  t.deepEqual(lib.replies.map((r) => [r.id, r.status]), [[10, ERROR_CAN_NOT_COMPLETE], [11, ERROR_INVALID_PARAMETER]]);
});

test('ctx.signal aborts when the protocol stops, after its stop handler; asked for only after the stop, it is already aborted', async (t) => {
  const seen: string[] = [];
  const lib = new ScriptedLibrary();
  let ctxOf: { signal: AbortSignal } | undefined;
  const protocol = defineProtocol({
    protocolId: 0x7ffe0009, name: 'signal',
    start(ctx) {
      ctxOf = ctx;
      ctx.signal.addEventListener('abort', () => seen.push(`aborted: ${(ctx.signal.reason as Error).message}`));
    },
    stop(ctx) {
      seen.push(`stop handler, aborted ${ctx.signal.aborted}`);
    },
  });
  const host = new HostRuntime(Promise.resolve(protocol as Protocol), lib, { protocolId: 0x7ffe0009, name: 'signal', generation: 1, logLevel: 0 });
  host.handle(request('start', 1, { restart: 0, info: Buffer.alloc(0), structureVersion: 0, structureSize: 0, structureCount: 0, addressFamily: 0 }));
  host.handle(request('stop', 2, { reason: 0 }));
  for (let i = 0; i < 20 && lib.replies.length < 2; i++) await turn();
  t.deepEqual(lib.replies.map((r) => [r.type, r.status]), [['start', NO_ERROR], ['stop', NO_ERROR]]);
  t.deepEqual(seen, ['stop handler, aborted false', 'aborted: protocol stopped']);

  const late = new HostRuntime(Promise.resolve(defineProtocol({ protocolId: 0x7ffe0009, name: 'late' }) as Protocol), new ScriptedLibrary(), { protocolId: 0x7ffe0009, name: 'late', generation: 1, logLevel: 0 });
  late.handle(request('stop', 1, { reason: 0 }));
  for (let i = 0; i < 10; i++) await turn();
  t.true(late.ctx.signal.aborted, 'a signal first asked for after the stop');
  t.true(ctxOf!.signal === ctxOf!.signal, 'one signal');
});
