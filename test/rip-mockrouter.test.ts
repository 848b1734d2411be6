// The RIP module under the mock router manager (protocol library, Node host, mock RTM), with a
// hand-driven RIP neighbour on loopback: learned routes reach RTM, the autostatic update runs
// RFC 2091 end to end, invalid config blocks are refused. Unprivileged: a high port on 127/8.
import dgram from 'node:dgram';
import path from 'node:path';
import test from 'ava';
import { MockRouter, NO_ERROR, ERROR_INVALID_PARAMETER, DEMAND_DIAL, ERROR_CAN_NOT_COMPLETE } from '../lib/index.js';
import { GlobalConfig, InterfaceConfig } from '../examples/rip/config.js';
import { Command, decodePacket, encodePacket, type RipPacket } from '../examples/rip/packet.js';
import { uniqueId, codeOf } from './helpers.js';

const ripModule = path.join(__dirname, '..', 'examples', 'rip', 'index.js');

async function peer(address: string, port: number) {
  const s = dgram.createSocket({ type: 'udp4', reuseAddr: true });
  const got: { p: RipPacket; from: string }[] = [];
  s.on('message', (m, r) => got.push({ p: decodePacket(m), from: `${r.address}:${r.port}` }));
  await new Promise<void>((res) => s.bind(port, address, () => res()));
  return {
    got,
    send: (buf: Buffer, to: string) => new Promise<void>((res, rej) => s.send(buf, port, to, (e) => (e ? rej(e) : res()))),
    close: () => { try { s.close(); } catch { /* already closed */ } },
    waitFor: async (pred: (p: RipPacket) => boolean, ms = 10_000) => {
      const until = Date.now() + ms;
      while (Date.now() < until) {
        const hit = got.find((g) => pred(g.p));
        if (hit) return hit;
        await new Promise((r) => setTimeout(r, 20));
      }
      throw new Error('no such packet');
    },
  };
}

async function until<T>(probe: () => T | undefined, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 25));
  }
}

test('learned routes reach the mock RTM; DoUpdateRoutes runs RFC 2091 against a peer; bad config is refused', async (t) => {
  const port = 20_000 + (process.pid % 20_000);
  const router = new MockRouter();
  t.teardown(() => router.close());
  const protocolId = uniqueId(0x2b1d0100);
  const proto = router.register({ protocolId, name: 'rip', module: ripModule, heartbeatMs: 0 });
  t.is(await proto.start({ globalInfo: GlobalConfig.encode({ updateIntervalMs: 60_000, triggeredMinMs: 100, triggeredMaxMs: 200, stateDirectory: Buffer.from(router.workDir) }) }), NO_ERROR, router.log());
  const nb = await peer('127.0.0.62', port);
  const nbDemand = await peer('127.0.0.64', port);
  t.teardown(() => { nb.close(); nbDemand.close(); });
  await proto.addEnabledInterface({ index: 1, name: '{lan}', info: InterfaceConfig.encode({ destination: 'peersOnly', peers: ['127.0.0.62'], port }) },
    { addresses: [{ address: '127.0.0.61', prefixLength: 8 }] });
  await proto.addEnabledInterface({ index: 2, name: '{dial}', type: DEMAND_DIAL, info: InterfaceConfig.encode({ destination: 'peersOnly', peers: ['127.0.0.64'], port, demand: true, demandUpdateTimeoutMs: 3000 }) },
    { addresses: [{ address: '127.0.0.63', prefixLength: 8 }] });

  // RFC 2453 §3.9.1: the protocol asks for the whole table when the interface comes up.
  await nb.waitFor((p) => p.command === Command.Request);
  await nb.send(encodePacket({ command: Command.Response, entries: [{ destination: '10.77.0.0', prefixLength: 16, metric: 1, tag: 9 }] }), '127.0.0.61');
  const mine = await until(() => router.rtm.routes(protocolId).find((r) => r.dest === '10.77.0.0/16'));
  t.like(mine, { metric: 2, nextHops: [{ address: '127.0.0.62', interfaceIndex: 1 }] });

  // The autostatic update: our peer answers the Update Request with a flushed Update Response.
  nbDemand.got.length = 0;
  const update = proto.updateRoutes(2);
  const req = await nbDemand.waitFor((p) => p.command === Command.UpdateRequest);
  t.deepEqual(req.p.entries.map((e) => [e.afi, e.metric]), [[0, 16]]);
  await nbDemand.send(encodePacket({ command: Command.UpdateResponse, update: { flush: true, sequence: 41 }, entries: [{ destination: '10.88.0.0', prefixLength: 16, metric: 3 }] }), '127.0.0.63');
  const ack = await nbDemand.waitFor((p) => p.command === Command.UpdateAck);
  t.deepEqual(ack.p.update, { version: 1, flush: true, sequence: 41 });
  const { code, complete } = await update;
  t.is(code, NO_ERROR);
  t.is(complete?.updateStatus, NO_ERROR);
  t.like(router.rtm.routes(protocolId).find((r) => r.dest === '10.88.0.0/16'), { metric: 4, nextHops: [{ address: '127.0.0.64', interfaceIndex: 2 }] });

  // A peer that never answers: UPDATE_COMPLETE carries ERROR_CAN_NOT_COMPLETE.
  nbDemand.close();
  const failed = await proto.updateRoutes(2);
  t.is(failed.complete?.updateStatus, ERROR_CAN_NOT_COMPLETE);
  t.truthy(router.rtm.routes(protocolId).find((r) => r.dest === '10.88.0.0/16'), 'autostatic routes stay');

  // An inconsistent block (MD5 without a key) is refused; the old config stays in force.
  t.is(await codeOf(proto.setInterfaceInfo(1, InterfaceConfig.encode({ auth: 'md5', destination: 'peersOnly', peers: ['127.0.0.62'], port }))), ERROR_INVALID_PARAMETER);
  const info = await proto.getInterfaceInfo(1);
  t.is(InterfaceConfig.decode(info.data).auth, 'none');
  await proto.stop();
  t.deepEqual(router.rtm.routes(protocolId), [], 'a planned stop removes the routes');
});
