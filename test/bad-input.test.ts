// Bad input from the router manager gets a clear code and loses nothing; the rows of the
// README's bad-input table not covered by the other suites.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import test from 'ava';
import {
  ERROR_CAN_NOT_COMPLETE, ERROR_INVALID_PARAMETER, ERROR_NOT_SUPPORTED, NO_ERROR, RIS_INTERFACE_ADDRESS_CHANGE, ROUTER_STOPPED, MockRouter,
} from '../lib/index.js';
import { addInterfaces, fixture, scriptedCalls, startScripted, uniqueId, codeOf } from './helpers.js';

test('NULL config pointers with a non-zero size: ERROR_INVALID_PARAMETER, nothing started or added', async (t) => {
  const router = new MockRouter();
  t.teardown(() => router.close());
  const proto = router.register({ protocolId: uniqueId(0x77000000), module: fixture('scripted'), heartbeatMs: 0 });
  t.is(await proto.call('pfnStartProtocol', 0, null, null, 1, 16, 1), ERROR_INVALID_PARAMETER);
  t.is(await proto.start(), NO_ERROR, 'then a proper start works');
  t.is(await proto.call('pfnAddInterface', '{x}', 3, 0, 0, 0, 0, null, 1, 8, 1), ERROR_INVALID_PARAMETER);
  t.is(await codeOf(proto.doUpdateRoutes(3)), ERROR_INVALID_PARAMETER, 'the interface was not added');
});

test('StartProtocol while running, StopProtocol while stopped: ERROR_CAN_NOT_COMPLETE', async (t) => {
  const { proto } = await startScripted(t);
  t.is(await codeOf(proto.start()), ERROR_CAN_NOT_COMPLETE);
  const { stopped } = await proto.stop();
  t.is(stopped?.event, ROUTER_STOPPED);
  t.is(await proto.call('pfnStopProtocol'), ERROR_CAN_NOT_COMPLETE);
  t.is(await proto.call('pfnStartComplete'), ERROR_CAN_NOT_COMPLETE);
});

test('a binding claiming an absurd address count is refused, not read past its end', async (t) => {
  const { proto } = await startScripted(t);
  await addInterfaces(proto, [4]);
  const lie = Buffer.alloc(32);
  lie.writeUInt32LE(1_000_000, 0); // AddressCount far beyond the 32 bytes given
  t.is(await codeOf(proto.interfaceStatus(4, true, RIS_INTERFACE_ADDRESS_CHANGE, lie)), ERROR_INVALID_PARAMETER);
  const { complete } = await proto.updateRoutes(4);
  t.is(complete?.updateStatus, NO_ERROR, 'the interface keeps its previous binding');
});

test('a handler returning the wrong type: the call fails with ERROR_CAN_NOT_COMPLETE and a message naming it', async (t) => {
  const { router, proto } = await startScripted(t);
  const r = await proto.mib('getFirst', Buffer.alloc(4), 64);
  t.is(r.code, ERROR_CAN_NOT_COMPLETE);
  t.regex(router.log(), /mib\(getFirst\) must return a Buffer, Uint8Array or nothing, got number/);
  t.is((await proto.mib('get', Buffer.alloc(0), 1 << 16)).code, NO_ERROR, 'and the protocol keeps answering');
});

/** RegisterProtocol in a child process (fixtures/register-child): its codes and what the library wrote to stderr. */
function registerInChild(settings: object[]): { codes: number[]; stderr: string } {
  const child = spawnSync(process.execPath, [fixture('register-child'), JSON.stringify(settings)], { encoding: 'utf8', timeout: 30_000 });
  return { codes: child.status === 0 ? JSON.parse(child.stdout) : [], stderr: child.stderr };
}

test(`logFile: a symbolic link, a FIFO, a hard link or another account's file at its path is refused, with a line on stderr; a new file is created 0600${process.platform === 'win32' ? ' [POSIX only: windows.test.ts covers reparse points]' : ''}`, async (t) => {
  if (process.platform === 'win32') return void t.pass();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rras-bridge-logfile-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const target = path.join(dir, 'precious');
  fs.writeFileSync(target, 'precious\n', { mode: 0o644 });
  const link = path.join(dir, 'symlink.log');
  fs.symlinkSync(target, link);
  const hard = path.join(dir, 'hardlink.log');
  fs.linkSync(target, hard);
  const fifo = path.join(dir, 'fifo.log');
  execFileSync('mkfifo', [fifo]);
  const fresh = path.join(dir, 'fresh.log');
  const existing = path.join(dir, 'existing.log');
  fs.writeFileSync(existing, 'earlier line\n', { mode: 0o640 });
  const child = registerInChild([link, hard, fifo, fresh, existing].map((logFile) => ({ logFile })));
  t.deepEqual(child.codes, [0, 0, 0, 0, 0], child.stderr);
  t.regex(child.stderr, new RegExp(`logFile '${link}' refused: it is a symbolic link; the log goes to stderr instead`));
  t.regex(child.stderr, new RegExp(`logFile '${hard}' refused: it has 2 hard links`));
  t.regex(child.stderr, new RegExp(`logFile '${fifo}' refused: it is not a regular file`));
  t.regex(child.stderr, /registered protocol 0x[0-9A-F]{8} \(\d+\) \(slot 0/, 'the refused file\'s lines went to stderr');
  t.is(fs.readFileSync(target, 'utf8'), 'precious\n', 'nothing was written through the links');
  t.true(fs.lstatSync(link).isSymbolicLink());
  t.is(fs.statSync(fresh).mode & 0o777, 0o600, 'a new log file is created owner-only');
  t.regex(fs.readFileSync(fresh, 'utf8'), /registered protocol/);
  t.regex(fs.readFileSync(existing, 'utf8'), /^earlier line\n.*registered protocol/s, 'an existing file of ours is appended to');
  t.is(fs.statSync(existing).mode & 0o777, 0o640, 'and keeps its mode');
});

test('a module path with an unpaired UTF-16 surrogate is refused at RegisterProtocol, naming it: it has no UTF-8 form for Node', (t) => {
  const { codes, stderr } = registerInChild([{ module: path.join(os.tmpdir(), 'lone-\ud800-surrogate.js') }]);
  t.deepEqual(codes, [ERROR_NOT_SUPPORTED]);
  // The registry reader (Windows) and the JSON reader (POSIX: a \ud800 escape) each say why.
  t.regex(stderr, process.platform === 'win32' ? /'Module' holds an unpaired UTF-16 surrogate at character \d+/ : /lone surrogate/);
});

test('AddInterface with an out-of-range NET_INTERFACE_TYPE (99): ERROR_INVALID_PARAMETER naming it, nothing added', async (t) => {
  const { router, proto } = await startScripted(t);
  t.is(await codeOf(proto.addInterface({ index: 9, type: 99 })), ERROR_INVALID_PARAMETER);
  t.is(await codeOf(proto.addInterface({ index: 10, type: 0x80000001 })), ERROR_INVALID_PARAMETER);
  t.regex(router.log(), /AddInterface\(9\): interface type 99 is not a NET_INTERFACE_TYPE \(0 to 3\)/);
  t.is(await codeOf(proto.doUpdateRoutes(9)), ERROR_INVALID_PARAMETER, 'the interface was not added');
  t.is(await proto.addInterface({ index: 9, type: 3 }), NO_ERROR, 'REMOTE_WORKSTATION_DIAL (3) is one');
  t.is((await scriptedCalls(proto)).calls.filter((c) => c.call === 'addInterface').length, 1, 'the host saw only the valid one');
});

for (const name of ['--address', '--module', '--generation']) {
  test(`a protocol named ${name} starts: the host reads its arguments as option/value pairs`, async (t) => {
    const { proto } = await startScripted(t, {}, { name });
    await addInterfaces(proto, [2]);
    const { complete } = await proto.updateRoutes(2);
    t.is(complete?.updateStatus, NO_ERROR);
  });
}

test(`a module path with a backslash loads (CommonJS; an ES module where Node can require one, else an error naming the path)${process.platform === 'win32' ? ' [POSIX only: a backslash is a separator on Windows]' : ''}`, async (t) => {
  if (process.platform === 'win32') return void t.pass();
  const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'rras-bridge-module-')), 'with\\backslash');
  fs.mkdirSync(dir);
  t.teardown(() => fs.rmSync(path.dirname(dir), { recursive: true, force: true }));
  const cjs = path.join(dir, 'protocol.js');
  fs.writeFileSync(cjs, `module.exports = require(${JSON.stringify(fixture('scripted'))});\n`);
  const { proto } = await startScripted(t, {}, { module: cjs });
  await addInterfaces(proto, [2]);
  t.is((await proto.updateRoutes(2)).complete?.updateStatus, NO_ERROR);
  const esm = path.join(dir, 'protocol.mjs');
  fs.writeFileSync(esm, `export { default } from ${JSON.stringify(pathToFileURL(fixture('scripted')).href)};\n`);
  const router = new MockRouter();
  t.teardown(() => router.close());
  const other = router.register({ protocolId: uniqueId(0x77000000), module: esm, heartbeatMs: 0 });
  if ((process.features as { require_module?: boolean }).require_module) {
    t.is(await other.start({ globalInfo: Buffer.from('{}') }), NO_ERROR, router.log());
  } else {
    t.is(await codeOf(other.start()), ERROR_CAN_NOT_COMPLETE);
    t.true(router.log().includes(`${esm}: an ES module cannot be loaded from a path with a backslash by this Node`), router.log());
  }
});
