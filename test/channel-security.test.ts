// The channel admits only the host the library spawned, with its token and a wire version
// both speak; a broken or hostile peer is dropped (and the host restarted), never a crash.
import { fork } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import test from 'ava';
import { MockRouter, ERROR_CAN_NOT_COMPLETE, NO_ERROR, type RoutingProtocol } from '../lib/index.js';
import { addInterfaces, fixture, sleep, startProbed, uniqueId, until, codeOf } from './helpers.js';
import { WIRE_MIN_VERSION, WIRE_VERSION } from '../lib/addon/wire.js';

function hostile(t: any, mode: string, settings: object = {}): { router: MockRouter; proto: RoutingProtocol } {
  const router = new MockRouter();
  t.teardown(() => router.close());
  const proto = router.register({
    protocolId: uniqueId(0x76000000), module: path.join(__dirname, 'fixtures', `hostile-${mode}`),
    hostEntry: fixture('hostile-host'), heartbeatMs: 0, backoffInitialMs: 50, startTimeoutMs: 8000, ...settings,
  });
  return { router, proto };
}

/**
 * The socket a (slow) host of this protocol was told to connect to, from its command line
 * (Linux: /proc), while it delays its connection.
 */
async function hostAddress(proto: RoutingProtocol): Promise<string | undefined> {
  for (const end = Date.now() + 5000; Date.now() < end; await sleep(10)) {
    for (const pid of fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
      try {
        const argv = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
        const ours = argv[argv.indexOf('--protocol-id') + 1] === String(proto.protocolId) &&
          fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(' ')[3] === String(process.pid);
        if (ours) return argv[argv.indexOf('--address') + 1];
      } catch { /* gone */ }
    }
  }
  return undefined;
}


for (const [mode, reason] of [
  ['wrong-token', /handshake refused: wrong token/],
  // The hostile host asks for a version after this build's newest (fixtures/hostile-host.ts).
  ['bad-version', new RegExp(`handshake refused: no common wire version \\(host speaks ${WIRE_VERSION + 7}\\.\\.${WIRE_VERSION + 7}, library ${WIRE_MIN_VERSION}\\.\\.${WIRE_VERSION}\\)`)],
  ['bad-magic', /handshake refused: bad magic/],
  ['garbage', /handshake: frame of \d+ bytes exceeds the cap|handshake: .*unknown/],
] as const) {
  test(`handshake: ${mode} is refused and logged; StartProtocol fails, and a later start succeeds`, async (t) => {
    const { router, proto } = hostile(t, mode);
    t.is(await codeOf(proto.start()), ERROR_CAN_NOT_COMPLETE);
    t.regex(router.log(), reason);
    t.is(await codeOf(proto.doUpdateRoutes(1)), 87, 'the library still answers');
    t.is(await proto.start(), NO_ERROR, 'the next host (a well-behaved one) is admitted');
  });
}

for (const [mode, reason] of [
  ['oversize', /malformed frame: frame of 67108864 bytes exceeds the cap of 4194304/],
  ['unknown-type', /malformed frame: unknown message type 999/],
  ['bad-flags', /malformed frame: unknown frame flags 128/],
  ['truncated-field', /malformed frame: log: field 'text' is truncated or too long/],
] as const) {
  test(`after the handshake: ${mode} drops the connection and restarts the host; the library stays up`, async (t) => {
    const { router, proto } = hostile(t, mode);
    t.is(await proto.start(), NO_ERROR);
    await until('the restart', () => router.log().includes('host restarted (generation 2)'));
    t.regex(router.log(), reason);
    await addInterfaces(proto, [1]);
    const { complete } = await proto.updateRoutes(1);
    t.is(complete?.updateStatus, NO_ERROR, 'the restarted host serves');
  });
}

test('a request only the library may send is refused with an error reply, the connection kept', async (t) => {
  const { router, proto } = hostile(t, 'wrong-direction');
  t.is(await proto.start(), NO_ERROR);
  await sleep(500);
  t.notRegex(router.log(), /lost/, 'the host was not dropped');
  t.is(await proto.startComplete(), NO_ERROR);
});

test(`another process (same user, other pid) is refused and logged; the spawned host is still admitted${process.platform === 'linux' ? '' : ' [Linux only: reads /proc; Windows: windows.test.ts]'}`, async (t) => {
  if (process.platform !== 'linux') return void t.pass();
  const { router, proto } = hostile(t, 'slow');
  const started = proto.start();
  const address = await hostAddress(proto);
  t.truthy(address, 'found the host socket');
  t.is((fs.statSync(address!).mode & 0o777), 0o600, 'socket is 0600');
  t.is((fs.statSync(path.dirname(address!)).mode & 0o777), 0o700, 'in a 0700 directory');
  const intruder = net.createConnection(address!);
  const closed = new Promise<void>((resolve) => intruder.on('close', () => resolve()).on('error', () => resolve()));
  await closed;
  t.is(await started, NO_ERROR);
  t.regex(router.log(), new RegExp(`refused a connection from pid ${process.pid}`));
});

test('back-pressure: a host that stops reading is restarted; RRAS calls never block on the full channel', async (t) => {
  const { router, proto } = hostile(t, 'no-read', { queueHighWaterBytes: 256 * 1024 });
  t.is(await proto.start(), NO_ERROR);
  t.is(await proto.addInterface({ index: 1 }), NO_ERROR);
  t.is(await proto.startComplete(), NO_ERROR);
  const { encodeBinding } = await import('../lib/config/binding.js');
  const big = encodeBinding({ addresses: Array.from({ length: 4000 }, (_, i) => ({ address: `10.${i >> 8}.${i & 255}.1`, prefixLength: 24 })) });
  let slowest = 0;
  for (let i = 0; i < 60 && !router.log().includes('stopped reading'); i++) {
    const t0 = Date.now();
    t.is(await proto.interfaceStatus(1, true, 0, big), NO_ERROR, 'the state change is recorded whatever the host does');
    slowest = Math.max(slowest, Date.now() - t0);
  }
  await until('the restart', () => router.log().includes('host restarted (generation 2)'));
  t.regex(router.log(), /the host stopped reading: peer is not reading: \d+ bytes queued/);
  t.true(slowest < 5000, `each call returned promptly (slowest ${slowest} ms)`);
  const { complete } = await proto.updateRoutes(1);
  t.is(complete?.updateStatus, NO_ERROR, 'the restarted host has the interface (replayed) and serves');
});

test('a flood of connections from another process is refused without flooding the log: one line a second, then a count', async (t) => {
  const t0 = Date.now();
  // The host is held back until the flood has been refused for a while: under load, starting
  // the flooding process can take longer than any fixed window.
  const { router, started, probe, release } = startProbed(t, { hold: true });
  const { address } = await probe;
  const flooder = fork(fixture('flood-child'), [address], { stdio: ['ignore', 'ignore', 'ignore', 'ipc'] });
  let attempts = 0;
  flooder.on('message', (m: { attempts: number }) => { attempts = m.attempts; });
  t.teardown(() => { flooder.kill('SIGKILL'); });
  const flooding = Date.now();
  await until('the flood to reach 50 attempts', () => attempts >= 50 || undefined, 45_000);
  // Then at least one more second of it, so the once-a-second log has something to hold back.
  await new Promise((r) => setTimeout(r, Math.max(0, 1500 - (Date.now() - flooding))));
  release();
  t.is(await started, NO_ERROR, 'the spawned host is still admitted, the flood notwithstanding');
  flooder.kill('SIGKILL');
  const log = router.log();
  const lines = log.split('\n').filter((l) => l.includes(`refused a connection from pid ${flooder.pid}`)).length;
  const held = [...log.matchAll(/(\d+) more refused (?:before it, not logged|connection\(s\) not logged)/g)].reduce((n, m) => n + Number(m[1]), 0);
  t.log(`${attempts} connection attempts, ${lines} lines logged, ${held} counted without a line`);
  t.true(lines >= 1, 'the refusals are logged, naming the process');
  t.true(lines <= 2 + (Date.now() - t0) / 1000, `at most one line a second (${lines})`);
  t.true(held > 0, `the others are counted (${held})`);
});
