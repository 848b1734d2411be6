// Raw IP sockets (lib/rawip, the rras_bridge_rawip addon) on loopback: a datagram of an
// experimental protocol (253, RFC 3692) sent by one socket reaches another with its source,
// destination and TTL; bad arguments and missing privileges give errors that say what is wrong.
import test from 'ava';
import koffi from '../lib/koffi.js';
import { openRawIpSocket, type RawIpMessage } from '../lib/index.js';

const EXPERIMENTAL = 253;
const privileged = process.platform === 'win32' || process.getuid?.() === 0;
const noop = () => undefined;

/** Wine's ntdll exports wine_get_version; Windows' does not. Wine 8 has no raw sockets for other protocols than ICMP. */
const wine: string | undefined = (() => {
  if (process.platform !== 'win32') return undefined;
  try {
    return koffi.load('ntdll.dll').func('const char *wine_get_version(void)')() as string;
  } catch {
    return undefined;
  }
})();
const NOT_UNDER_WINE = wine ? ' [not under Wine: no raw sockets for protocol 253; the Windows runners run it]' : '';

test(privileged ? `loopback: a datagram sent by one socket is received by another, with source, destination and TTL${NOT_UNDER_WINE}` : 'unprivileged: opening a raw socket says it needs CAP_NET_RAW', async (t) => {
  if (wine) {
    // What can be checked here: the Windows code path fails with Winsock's reason, not a crash.
    const err = t.throws(() => openRawIpSocket({ protocol: EXPERIMENTAL, localAddress: '127.0.0.1', onMessage: noop, onError: noop }));
    t.regex(err!.message, /socket\(AF_INET, SOCK_RAW\): Winsock error 100\d\d/);
    t.log(`Wine ${wine}: ${err!.message}`);
    return;
  }
  if (!privileged) {
    const err = t.throws(() => openRawIpSocket({ protocol: EXPERIMENTAL, localAddress: '127.0.0.1', onMessage: noop, onError: noop }));
    t.regex(err!.message, /CAP_NET_RAW/);
    return;
  }
  const got: RawIpMessage[] = [];
  const rx = openRawIpSocket({ protocol: EXPERIMENTAL, localAddress: '127.0.0.1', onMessage: (m) => got.push(m), onError: (e) => t.fail(e.message) });
  const tx = openRawIpSocket({ protocol: EXPERIMENTAL, localAddress: '127.0.0.1', ttl: 7, tos: 0xc0, onMessage: noop, onError: (e) => t.fail(e.message) });
  t.teardown(() => { rx.close(); tx.close(); });
  t.true(rx.mtu > 0, `the interface's MTU (${rx.mtu})`);
  t.true(rx.deviceName.length > 0);
  const tag = Buffer.from(`rras-bridge rawip test ${process.pid} ${Date.now()}`);
  tx.send(tag, '127.0.0.1');
  const until = Date.now() + 5000;
  let hit: RawIpMessage | undefined;
  while (!hit && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 20));
    hit = got.find((m) => m.data.equals(tag));
  }
  t.truthy(hit, 'received');
  t.like(hit, { source: '127.0.0.1', destination: '127.0.0.1', ttl: 7 });
  t.true(tx.stats().sent >= 1);
  t.true(rx.stats().received >= 1);
  rx.close();
  rx.close(); // idempotent
  t.throws(() => rx.send(tag, '127.0.0.1'), { message: /closed/ });
});

test(`bad arguments are refused with what is wrong${!privileged ? ' (unprivileged)' : NOT_UNDER_WINE ? ' (addresses not on this system: not under Wine)' : ''}`, (t) => {
  t.throws(() => openRawIpSocket({ protocol: 0, localAddress: '127.0.0.1', onMessage: noop, onError: noop }), { message: /protocol must be an IP protocol number 1\.\.254/ });
  t.throws(() => openRawIpSocket({ protocol: EXPERIMENTAL, localAddress: '127.0.0', onMessage: noop, onError: noop }), { message: /dotted-quad/ });
  t.throws(() => openRawIpSocket({ protocol: EXPERIMENTAL, localAddress: '127.0.0.1', onMessage: noop } as never), { message: /onMessage and onError/ });
  if (!privileged || wine) return;
  t.throws(() => openRawIpSocket({ protocol: EXPERIMENTAL, localAddress: '192.0.2.77', onMessage: noop, onError: noop }), { message: /192\.0\.2\.77/ });
  const s = openRawIpSocket({ protocol: EXPERIMENTAL, localAddress: '127.0.0.1', onMessage: noop, onError: noop });
  t.teardown(() => s.close());
  t.throws(() => s.send(Buffer.from('x'), 'nowhere'), { message: /destination must be a dotted-quad/ });
});
