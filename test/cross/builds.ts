// The native and the mingw-w64 builds side by side (scripts/test-windows.sh builds both and
// passes their paths): struct layouts equal line by line, and the Windows binaries export and
// import what RRAS and node.exe expect.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';

function required(name: string): string {
  const v = process.env[name];
  if (!v || !fs.existsSync(v)) throw new Error(`${name} must name a built file (run npm run test:windows): ${v ?? 'unset'}`);
  return v;
}

/** Runs a Windows program under Wine; its stdout goes to a file (never a pipe). */
function wineOutput(exe: string): string {
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'rras-bridge-wine-')), 'stdout.txt');
  const fd = fs.openSync(out, 'w');
  const r = spawnSync('wine', [exe], { stdio: ['ignore', fd, fd], timeout: 60_000 });
  fs.closeSync(fd);
  const text = fs.readFileSync(out, 'utf8');
  if (r.status !== 0) throw new Error(`wine ${exe} exited with ${r.status ?? r.signal}: ${text}`);
  return text.replace(/\r\n/g, '\n');
}

function objdump(file: string): string {
  const r = spawnSync('x86_64-w64-mingw32-objdump', ['-p', file], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`objdump ${file}: ${r.stderr}`);
  return r.stdout;
}

const exportsOf = (dump: string) =>
  [...dump.slice(dump.indexOf('[Ordinal/Name Pointer] Table')).matchAll(/^\s+\[\s*\d+\] (\S+)$/gm)].map((m) => m[1]!);
const importsOf = (dump: string) => [...dump.matchAll(/DLL Name: (\S+)/g)].map((m) => m[1]!.toLowerCase());

test('layouts: layout_dump built natively (compat.h) and with mingw-w64 (the real headers, run under Wine) print the same lines', (t) => {
  const native = spawnSync(required('RRAS_BRIDGE_LAYOUT_NATIVE'), { encoding: 'utf8' });
  t.is(native.status, 0, native.stderr);
  const a = native.stdout.split('\n').filter(Boolean);
  const b = wineOutput(required('RRAS_BRIDGE_LAYOUT_WIN32')).split('\n').filter(Boolean);
  t.true(a.length > 100, `the dump has ${a.length} lines`);
  const differences: string[] = [];
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] !== b[i]) differences.push(`line ${i + 1}: native '${a[i] ?? '(none)'}' vs mingw '${b[i] ?? '(none)'}'`);
  }
  t.deepEqual(differences, [], 'every type, member and constant agrees');
});

const runtimeDlls = ['libstdc++-6.dll', 'libgcc_s_seh-1.dll', 'libwinpthread-1.dll'];

test('the protocol DLL exports exactly RegisterProtocol (undecorated) and needs no mingw runtime DLL', (t) => {
  const dump = objdump(path.join(required('RRAS_BRIDGE_WIN32_DIR'), 'rras_bridge_protocol.dll'));
  t.deepEqual(exportsOf(dump), ['RegisterProtocol']);
  const imports = importsOf(dump);
  for (const dll of runtimeDlls) t.false(imports.includes(dll), dll);
  t.true(imports.includes('rtutils.dll'), 'RRAS tracing');
});

test('the addon loads into node.exe: Node-API from NODE.EXE, napi_register_module_v1 exported, no mingw runtime DLL', (t) => {
  const dump = objdump(path.join(required('RRAS_BRIDGE_WIN32_DIR'), 'rras_bridge.node'));
  t.true(exportsOf(dump).includes('napi_register_module_v1'));
  const imports = importsOf(dump);
  t.true(imports.includes('node.exe'));
  for (const dll of runtimeDlls) t.false(imports.includes(dll), dll);
});

test('the mock RTM DLL needs no mingw runtime DLL', (t) => {
  const file = path.join(required('RRAS_BRIDGE_WIN32_DIR'), 'rras_bridge_mock_rtm.dll');
  const imports = importsOf(objdump(file));
  for (const dll of runtimeDlls) t.false(imports.includes(dll), dll);
});
