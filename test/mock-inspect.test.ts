// The host under a debugger: `rras-bridge mock --inspect` and register({ inspect }) put the
// inspector on the host (not on the router's process) and print its pid; the watchdog spares
// a host a debugger has paused, and still restarts one whose event loop is blocked otherwise;
// --inspect-brk's start waits for the debugger instead of timing out.
import { execFile, spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import test from 'ava';
import { INSPECT_DEADLINE_MS } from '../lib/mock/router.js';
import { MockRouter, NO_ERROR } from '../lib/index.js';
import { fixture, scriptedCalls, sleep, uniqueId } from './helpers.js';

const cli = path.join(__dirname, '..', 'lib', 'cli.js');

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** Runs CDP steps against the inspector on port, as a debugger (test/fixtures/cdp.ts); one result per step. */
function cdp(port: number, steps: object[]): Promise<unknown[]> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [fixture('cdp'), String(port), JSON.stringify(steps)], { timeout: 60000 }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`${err.message}\n${stderr}`));
      try {
        resolve(stdout.split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { result: unknown }).result));
      } catch (e) {
        reject(e);
      }
    });
  });
}

const evaluated = (r: unknown) => (r as { result: { value: unknown } }).result.value;

test('mock --inspect: the inspector is on the host, whose pid the CLI prints', async (t) => {
  const port = await freePort();
  const child = spawn(process.execPath, [cli, 'mock', fixture('scripted'), '--global', '{}', `--inspect=127.0.0.1:${port}`, '--duration', '60'],
    { env: { ...process.env, NO_COLOR: '1' } });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d));
  child.stderr.on('data', (d: Buffer) => (out += d));
  t.teardown(() => child.kill('SIGKILL'));
  const end = Date.now() + 30000;
  let host: RegExpExecArray | null = null;
  while (!(host = /debugger listening on ws:\/\/127\.0\.0\.1:(\d+)\/\S+ \(host pid (\d+)\)/.exec(out)) && Date.now() < end) await sleep(50);
  t.truthy(host, out);
  t.is(Number(host![1]), port);
  t.regex(out, new RegExp(`● host pid ${host![2]} \\(generation 1\\), node --inspect=127\\.0\\.0\\.1:${port}`));
  const [pid] = await cdp(port, [{ eval: 'process.pid' }]);
  t.is(evaluated(pid), Number(host![2]), 'the debugger sees the host');
  t.not(evaluated(pid), child.pid, 'not the CLI');
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGINT');
  const code = await exited;
  if (process.platform !== 'win32') t.is(code, 0, out); // Windows: kill('SIGINT') terminates
});

test('register({ inspect }): the watchdog spares a host paused in the debugger, and restarts one blocked without it', async (t) => {
  const port = await freePort();
  const router = new MockRouter();
  t.teardown(() => router.close());
  const proto = router.register({ protocolId: uniqueId(0x71400000), module: fixture('scripted'), inspect: `127.0.0.1:${port}`, heartbeatMs: 200, heartbeatMisses: 3 });
  t.is(await proto.start({ globalInfo: Buffer.from('{}') }), NO_ERROR);
  const { pid } = await scriptedCalls(proto);
  // Paused for 3 s: fifteen heartbeat periods, five times the misses that restart a host.
  await cdp(port, [{ call: 'Debugger.enable' }, { call: 'Debugger.pause' }, { sleep: 3000 }, { call: 'Debugger.resume' }]);
  await sleep(500);
  t.notRegex(router.log(), /missed \d+ heartbeats/, 'no restart while paused');
  t.is((await scriptedCalls(proto)).pid, pid, 'the same host answers');
  // The event loop blocked by code, with no debugger pause: the watchdog acts.
  await cdp(port, [{ eval: 'const t0 = Date.now(); while (Date.now() - t0 < 2500) {} 1' }]).catch(() => undefined);
  const end = Date.now() + 15000;
  while (!/host restarted \(generation 2\)/.test(router.log()) && Date.now() < end) await sleep(100);
  t.regex(router.log(), /missed 3 heartbeats: its event loop is blocked; restarting it/);
  t.not((await scriptedCalls(proto)).pid, pid);
});

test('register({ inspect: { break: true } }): the host waits at its first line; StartProtocol waits for the debugger, within a start deadline made for it', async (t) => {
  const port = await freePort();
  const router = new MockRouter();
  t.teardown(() => router.close());
  const proto = router.register({ protocolId: uniqueId(0x71500000), module: fixture('scripted'), inspect: { address: `127.0.0.1:${port}`, break: true }, heartbeatMs: 0 });
  const configured = router.settingsOf(proto.protocolId)!; // what the library was configured with
  t.like(configured, { startTimeoutMs: INSPECT_DEADLINE_MS, callTimeoutMs: INSPECT_DEADLINE_MS });
  t.deepEqual(configured.nodeArgs, [`--inspect-brk=127.0.0.1:${port}`]);
  let settled = false;
  const started = proto.start({ globalInfo: Buffer.from('{}') }).finally(() => (settled = true));
  await sleep(3000);
  t.false(settled, 'still waiting for a debugger');
  await cdp(port, [{ call: 'Runtime.runIfWaitingForDebugger' }]);
  t.is(await started, NO_ERROR);
});
