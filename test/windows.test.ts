// The Win32 code paths (named pipe, job object, registry configuration) as RRAS meets them, and
// their POSIX counterparts where there is one. Titles say where a check does not apply: on POSIX
// (the Windows-only checks) and under Wine, which ignores FILE_FLAG_FIRST_PIPE_INSTANCE (those
// run on the GitHub Windows runners, .github/workflows/windows.yml).
import { fork } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import test, { type ExecutionContext } from 'ava';
import koffi from '../lib/koffi.js';
import { MockRouter, ERROR_NOT_SUPPORTED, NO_ERROR, protocolIdText } from '../lib/index.js';
import { alive, fixture, startProbed, uniqueId, until } from './helpers.js';
import { PROBE_DELAY_MS } from './fixtures/probe-host.js';

const windows = process.platform === 'win32';

/** Wine's ntdll exports wine_get_version; Windows' does not. */
const wine: string | undefined = (() => {
  if (!windows) return undefined;
  try {
    return koffi.load('ntdll.dll').func('const char *wine_get_version(void)')() as string;
  } catch {
    return undefined;
  }
})();

/** A Windows-only test; elsewhere it only says why it does not apply. */
function windowsTest(title: string, fn: (t: ExecutionContext) => Promise<void>, serial = false): void {
  const run = async (t: ExecutionContext) => {
    if (!windows) {
      t.log(`Windows only; this is ${process.platform}`);
      t.pass();
      return;
    }
    await fn(t);
  };
  (serial ? test.serial : test)(`${title}${windows ? '' : ' [Windows only]'}`, run);
}


test('each start gets its own channel: \\\\.\\pipe\\rras-bridge-<128-bit random> on Windows, a socket in a fresh directory on POSIX', async (t) => {
  const a = startProbed(t);
  const b = startProbed(t);
  const [pa, pb] = [await a.probe, await b.probe];
  t.is(await a.started, NO_ERROR);
  t.is(await b.started, NO_ERROR);
  if (windows) {
    t.regex(pa.address, /^\\\\\.\\pipe\\rras-bridge-[0-9a-f]{32}$/);
  } else {
    t.regex(pa.address, /\/rras-bridge-[^/]+\/host\.sock$/);
  }
  t.not(pa.address, pb.address);
});

windowsTest('another process connecting to the pipe first is refused (GetNamedPipeClientProcessId); the spawned host is still admitted', async (t) => {
  const { router, started, probe } = startProbed(t);
  const { address } = await probe; // the host now waits PROBE_DELAY_MS before connecting
  const intruder = net.createConnection(address);
  const outcome = await new Promise<string>((resolve) => {
    intruder.on('error', (err: NodeJS.ErrnoException) => resolve(`error ${err.code}`));
    intruder.on('close', () => resolve('closed'));
    setTimeout(() => resolve('still open'), PROBE_DELAY_MS * 3);
  });
  intruder.destroy();
  t.not(outcome, 'still open', 'the library dropped the stranger');
  t.is(await started, NO_ERROR, 'and admitted its own host afterwards');
  t.regex(router.log(), new RegExp(`refused a connection from pid ${process.pid}`));
});

windowsTest(`nobody can open a second instance of the pipe (FILE_FLAG_FIRST_PIPE_INSTANCE, one instance)${wine ? ' [not under Wine: it ignores FILE_FLAG_FIRST_PIPE_INSTANCE]' : ''}`, async (t) => {
  const { started, probe } = startProbed(t);
  const { address } = await probe;
  t.is(await started, NO_ERROR);
  if (wine) {
    t.log(`Wine ${wine} lets a second server create the pipe; checked on the GitHub Windows runners`);
    t.pass();
    return;
  }
  const squatter = net.createServer();
  const err = await new Promise<NodeJS.ErrnoException | undefined>((resolve) => {
    squatter.once('error', resolve);
    squatter.listen(address, () => resolve(undefined));
  });
  squatter.close();
  t.truthy(err, 'listen on the protocol library\'s pipe name failed');
  t.log(`listen failed with ${err?.code}`); // EADDRINUSE from libuv's own FIRST_PIPE_INSTANCE
});

test('the host dies with the router manager\'s process (Windows: kill-on-close job object; Linux: PR_SET_PDEATHSIG)', async (t) => {
  const child = fork(fixture('router-child'), [String(uniqueId(0x7b000000))], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  t.teardown(() => child.kill('SIGKILL'));
  const msg = await new Promise<{ hostPid?: number; error?: string }>((resolve, reject) => {
    child.once('message', (m) => resolve(m as { hostPid?: number; error?: string }));
    child.once('exit', (code) => reject(new Error(`the router process exited with ${code} before starting its host`)));
  });
  t.falsy(msg.error);
  const hostPid = msg.hostPid!;
  t.true(alive(hostPid), 'the host runs');
  child.removeAllListeners('exit');
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL'); // TerminateProcess on Windows: no chance to clean up
  await exited;
  await until('the host to die', () => (alive(hostPid) ? undefined : true), 10000);
  t.false(alive(hostPid));
});

windowsTest('the library reads RRAS\'s own key, HKLM\\SOFTWARE\\Microsoft\\Router\\CurrentVersion\\RouterManagers\\Ip\\<Name>', async (t) => {
  process.env.RRAS_BRIDGE_MOCK_REGISTRY = 'rras';
  try {
    const router = new MockRouter();
    t.teardown(() => router.close());
    const protocolId = uniqueId(0x7c000000) + (process.pid % 4096) * 256;
    const proto = router.register({ protocolId, name: `rras-bridge-test-${process.pid}`, module: fixture('scripted'), heartbeatMs: 0 });
    t.is(proto.registerCode, NO_ERROR, router.log());
    t.is(process.env.RRAS_BRIDGE_REGISTRY_KEY, undefined, 'no override: the default location');
    t.is(await proto.start({ globalInfo: Buffer.from('{}') }), NO_ERROR);
    t.regex(router.log(), new RegExp(`\\[rras-bridge-test-${process.pid}\\] registered protocol ${protocolIdText(protocolId).replace(/[()]/g, '\\$&')}`), 'the key name is the protocol name');
  } finally {
    delete process.env.RRAS_BRIDGE_MOCK_REGISTRY;
  }
}, true);

windowsTest('a registry value of the wrong type refuses the protocol: RegisterProtocol answers ERROR_NOT_SUPPORTED', async (t) => {
  // MockRouter refuses such a setting itself (a TypeError at register()), so the key is written
  // here, beside a copy of the DLL that names it, as MockRouter would.
  const { WorkFolder } = await import('../lib/mock/workdir.js');
  const { routerRegistryParent, writeRegistryConfig, removeRegistryConfig } = await import('../lib/mock/config-win32.js');
  const { paths } = await import('../lib/paths.js');
  const work = WorkFolder.create();
  const dll = work.copy(paths.protocolLibrary);
  const parent = routerRegistryParent();
  const protocolId = uniqueId(0x7d000000);
  // A REG_SZ where config_win.cc expects a REG_DWORD.
  const keys = writeRegistryConfig(dll, [{ protocolId, name: `wrong-type-${protocolId}`, module: fixture('scripted'), heartbeatMs: '0' }], parent);
  t.teardown(() => removeRegistryConfig(keys, parent));
  fs.writeFileSync(work.besideConfig, JSON.stringify({ registryKey: parent.text }));
  const register = koffi.load(dll).func('uint32_t __stdcall RegisterProtocol(_Inout_ uint8_t *rc, _Inout_ uint8_t *sc)');
  const rc = Buffer.alloc(224);
  rc.writeUInt32LE(0x500, 0);
  rc.writeUInt32LE(protocolId, 4);
  t.is(register(rc, Buffer.alloc(112)), ERROR_NOT_SUPPORTED);
});
