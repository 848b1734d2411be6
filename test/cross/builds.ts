// The native and the mingw-w64 builds side by side (scripts/test-windows.sh builds both and
// passes their paths): struct layouts equal line by line, and the Windows binaries export and
// import what RRAS and node.exe expect, checked by scripts/check-dll.js (the same check
// .github/workflows/windows.yml runs on the MSVC builds), whose PE reader must agree with
// objdump and which must refuse DLLs that break its rules.
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

interface CheckRun {
  status: number | null;
  output: string;
}

/** scripts/check-dll.js on KIND:FILE arguments, with Wine's system32 as the system's DLLs. */
function checkDll(...targets: string[]): CheckRun {
  const systemDir = path.join(required('WINEPREFIX'), 'drive_c', 'windows', 'system32');
  const r = spawnSync(process.execPath, ['scripts/check-dll.js', '--system-dir', systemDir, '--compare-with', 'objdump', ...targets], { encoding: 'utf8' });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

const built = (name: string) => path.join(required('RRAS_BRIDGE_WIN32_DIR'), name);

test('the mingw DLLs keep the Windows rules: the protocol DLL exports exactly RegisterProtocol; no C++ runtime DLL, no Node outside the addon, only system DLLs', (t) => {
  const r = checkDll(`protocol:${built('rras_bridge_protocol.dll')}`, `mock-rtm:${built('rras_bridge_mock_rtm.dll')}`, `addon:${built('rras_bridge.node')}`,
    `addon:${built('rras_bridge_rawip.node')}`);
  t.is(r.status, 0, r.output);
  t.regex(r.output, /rras_bridge_protocol\.dll \(protocol\): ok: exports RegisterProtocol; imports .*rtutils\.dll/i, 'RRAS tracing');
  t.regex(r.output, /rras_bridge\.node \(addon\): ok: .*imports .*NODE\.EXE/i);
  t.regex(r.output, /rras_bridge_rawip\.node \(addon\): ok: .*imports .*WS2_32/i);
});

test('check-dll refuses the addon as the protocol DLL: its Node-API exports and node.exe', (t) => {
  const r = checkDll(`protocol:${built('rras_bridge.node')}`);
  t.is(r.status, 1, r.output);
  t.regex(r.output, /exports napi_register_module_v1.*RRAS needs exactly RegisterProtocol/);
  t.regex(r.output, /imports NODE\.EXE: no Node in what RRAS loads/i);
});

/** A DLL built with mingw from C source, linking import libraries made from .def files. */
function buildDll(dir: string, name: string, source: string, defs: Record<string, { dll: string; exports: string[]; delay?: boolean }>): string {
  const libs: string[] = [];
  for (const [lib, def] of Object.entries(defs)) {
    const defFile = path.join(dir, `${lib}.def`);
    fs.writeFileSync(defFile, `LIBRARY ${def.dll}\nEXPORTS\n${def.exports.join('\n')}\n`);
    const out = path.join(dir, `lib${lib}.a`);
    const r = spawnSync('x86_64-w64-mingw32-dlltool', ['-d', defFile, def.delay ? '-y' : '-l', out], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`dlltool ${lib}: ${r.stderr}`);
    libs.push(out);
  }
  const src = path.join(dir, `${name}.c`);
  fs.writeFileSync(src, source);
  const dll = path.join(dir, `${name}.dll`);
  const r = spawnSync('x86_64-w64-mingw32-gcc', ['-shared', '-O1', '-o', dll, src, ...libs], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`gcc ${name}: ${r.stderr}`);
  return dll;
}

/**
 * Points the PE's delay-import directory at the descriptor dlltool's delay library linked in:
 * GNU ld 2.40 leaves that directory empty, MSVC's linker (/DELAYLOAD, as node-gyp uses for
 * node.exe) fills it, and the loader and dumpbin read it.
 */
function setDelayImportDirectory(dll: string): void {
  const nm = spawnSync('x86_64-w64-mingw32-nm', [dll], { encoding: 'utf8' });
  const line = nm.stdout.split('\n').find((l) => l.includes('__DELAY_IMPORT_DESCRIPTOR_'));
  if (!line) throw new Error(`${dll} links no delay-import descriptor`);
  const b = fs.readFileSync(dll);
  const opt = b.readUInt32LE(0x3c) + 24;
  const rva = BigInt(`0x${line.split(' ')[0]}`) - b.readBigUInt64LE(opt + 24); // - ImageBase
  const DELAY_IMPORT = 13;
  b.writeUInt32LE(Number(rva), opt + 112 + 8 * DELAY_IMPORT);
  b.writeUInt32LE(32, opt + 112 + 8 * DELAY_IMPORT + 4); // one IMAGE_DELAYLOAD_DESCRIPTOR
  fs.writeFileSync(dll, b);
}

test('check-dll refuses a protocol DLL with an extra export, VCRUNTIME140, a DLL outside the system, and a delay-loaded node.exe', (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rras-bridge-bad-dll-'));
  const dll = buildDll(dir, 'bad_protocol', [
    'int __std_terminate_stub(void); int helper_from_elsewhere(void); int napi_create_object(void *, void *);',
    '__declspec(dllexport) unsigned long RegisterProtocol(void *a, void *b) { (void)b; return __std_terminate_stub() + helper_from_elsewhere() + napi_create_object(a, 0); }',
    '__declspec(dllexport) int StartProtocol(void) { return 0; }',
  ].join('\n'), {
    vcruntime: { dll: 'VCRUNTIME140.dll', exports: ['__std_terminate_stub'] },
    elsewhere: { dll: 'rras_bridge_helper.dll', exports: ['helper_from_elsewhere'] },
    node: { dll: 'node.exe', exports: ['napi_create_object'], delay: true },
  });
  setDelayImportDirectory(dll);
  const r = checkDll(`protocol:${dll}`);
  t.is(r.status, 1, r.output);
  t.regex(r.output, /exports RegisterProtocol, StartProtocol; RRAS needs exactly RegisterProtocol/);
  t.regex(r.output, /imports VCRUNTIME140\.dll: the C\/C\+\+ runtime must be linked statically/);
  t.regex(r.output, /imports rras_bridge_helper\.dll, which is not in /);
  t.regex(r.output, /imports node\.exe: no Node in what RRAS loads/);
  t.notRegex(r.output, /objdump lists/, 'the PE reader and objdump agree');
});
