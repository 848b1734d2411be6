// The installer: plans (contents, validation, rendering, the CLI's --dry-run), the IP global
// info edits, and the transactional, idempotent execution. The execution is tested everywhere
// with in-memory backends; the Windows-only tests at the end (advapi32 registry writes under
// HKCU\Software\rras-bridge-test\..., the protocol DLL reading what was written, the real
// mprapi.dll under Wine) are registered only when process.platform is win32: they run in the
// Wine suite (npm run test:windows) and on the GitHub Windows runners.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test, { type ExecutionContext } from 'ava';
import koffi from '../lib/koffi.js';
import { capabilitiesOf } from '../lib/api/defineProtocol.js';
import { decodeInfoBlock, encodeInfoBlock, findEntry, type InfoBlockEntry } from '../lib/config/infoBlock.js';
import { PROTOCOL_ID, PROTO_TYPE_UCAST, RF_ADD_ALL_INTERFACES, RF_DEMAND_UPDATE_ROUTES, RF_MULTICAST, RF_POWER, RF_ROUTING } from '../lib/constants.js';
import { paths } from '../lib/paths.js';
import {
  ApplyError, ConflictError, GlobalInfoError, IP_PROT_PRIORITY_INFO, InstallError, Win32Error, applyPlan, desiredState,
  formatPlan, hasPriorityBlock, planInstall, planUninstall, readOurs, routerManagersIpKey, writeOurs,
  type ApplyOptions, type FileBackend, type InstallErrorCode, type InstallOptions, type Plan, type RegistryBackend,
  type RegistryValue, type TransportStore,
} from '../lib/installer/index.js';
import staticRoutes, { GlobalConfig } from '../examples/static-routes/index.js';

const STATIC_ROUTES = path.join(__dirname, '..', 'examples', 'static-routes', 'index.js');
const STATIC_ID = PROTOCOL_ID(PROTO_TYPE_UCAST, 0x2b1d, 1);
const RAW_ID = PROTOCOL_ID(PROTO_TYPE_UCAST, 0x2b1d, 0x77);
const IP_KEY = 'HKLM\\SOFTWARE\\Microsoft\\Router\\CurrentVersion\\RouterManagers\\Ip';
const TRACING_KEY = 'HKLM\\SOFTWARE\\Microsoft\\Tracing';
const IP_GLOBAL_INFO = 0xffff0003;
const cli = path.join(__dirname, '..', 'lib', 'cli.js');

// ---- fixtures written at run time: modules, a stand-in DLL ---------------------------------

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rras-bridge-installer-'));
process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));
const lib = JSON.stringify(path.join(__dirname, '..', 'lib', 'index.js'));
function moduleFile(name: string, body: string): string {
  const file = path.join(tmp, `${name}.js`);
  fs.writeFileSync(file, body);
  return file;
}
/** A protocol without schemas (its global block is raw bytes). */
const RAW_MODULE = moduleFile('raw', `module.exports = require(${lib}).defineProtocol({ protocolId: ${RAW_ID}, name: 'raw-proto', connectClient() {} });`);
const NOT_PROTOCOL = moduleFile('not-protocol', 'module.exports = { protocolId: 1 };');
const THROWS = moduleFile('throws', "throw new Error('boom at load');");
/** A file with a PE signature: planning checks the DLL exists and is a PE image, nothing more. */
const FAKE_DLL = path.join(tmp, 'fake_protocol.dll');
fs.writeFileSync(FAKE_DLL, Buffer.concat([Buffer.from('MZ'), Buffer.alloc(126, 7)]));
/** On Windows --node-path must name an existing file. */
const FAKE_NODE = path.join(tmp, 'node.exe');
fs.writeFileSync(FAKE_NODE, 'MZ');
const NOT_PE = path.join(tmp, 'not_pe.dll');
fs.writeFileSync(NOT_PE, '\x7fELF not a dll');

const base = (o: Partial<InstallOptions> = {}): InstallOptions => ({
  module: STATIC_ROUTES, name: 'StaticRoutes', protocolId: STATIC_ID, dllPath: FAKE_DLL, nodePath: FAKE_NODE, ...o,
});

/** The static-routes install plan, for tests that only need some plan. */
let planSync: Plan;
test.before(async () => {
  planSync = await planInstall(base());
});

type SetValue = Extract<Plan['steps'][number], { kind: 'set-value' }>;
type GlobalStep = Extract<Plan['steps'][number], { kind: 'ip-global-info' }>;
const values = (plan: Plan, key: string) =>
  Object.fromEntries(plan.steps.filter((s): s is SetValue => s.kind === 'set-value' && s.key === key).map((s) => [s.name, s.value]));
const globalSteps = (plan: Plan) => plan.steps.filter((s): s is GlobalStep => s.kind === 'ip-global-info');

// ---- plans ---------------------------------------------------------------------------------

test('install plan for a typed-config protocol: the key, RRAS and library values, tracing, then the IP global block (config, live)', async (t) => {
  const plan = await planInstall(base());
  t.is(plan.action, 'install');
  t.is(plan.protocolId, STATIC_ID);
  const key = `${IP_KEY}\\StaticRoutes`;
  const trace = `${TRACING_KEY}\\StaticRoutes`;
  t.deepEqual(plan.steps.map((s) => `${s.kind} ${'key' in s ? s.key : ''}${'name' in s ? `\\${s.name}` : ''}${'store' in s ? s.store : ''}`), [
    `check ${key}`,
    `create-key ${key}`,
    ...['InstalledBy', 'DllName', 'ProtocolId', 'Title', 'VendorName', 'Module', 'NodePath', 'HostEntry', 'SupportedFunctionality', 'ClientCalls']
      .map((n) => `set-value ${key}\\${n}`),
    `create-key ${trace}`,
    ...['EnableFileTracing', 'EnableConsoleTracing', 'FileTracingMask', 'ConsoleTracingMask', 'MaxFileSize', 'FileDirectory'].map((n) => `set-value ${trace}\\${n}`),
    'ip-global-info config',
    'ip-global-info live',
  ]);
  const caps = capabilitiesOf(staticRoutes);
  t.deepEqual(values(plan, key), {
    InstalledBy: { type: 'REG_SZ', data: `rras-bridge ${JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')).version}` },
    DllName: { type: 'REG_SZ', data: FAKE_DLL },
    ProtocolId: { type: 'REG_DWORD', data: 0x2b1d0001 },
    Title: { type: 'REG_SZ', data: 'static-routes' },
    VendorName: { type: 'REG_SZ', data: 'vendor 0x2B1D' },
    Module: { type: 'REG_SZ', data: STATIC_ROUTES },
    NodePath: { type: 'REG_SZ', data: FAKE_NODE },
    HostEntry: { type: 'REG_SZ', data: paths.host },
    SupportedFunctionality: { type: 'REG_DWORD', data: caps.supportedFunctionality },
    ClientCalls: { type: 'REG_DWORD', data: 0 },
  });
  t.is(caps.supportedFunctionality, RF_ROUTING | RF_DEMAND_UPDATE_ROUTES, 'static-routes has updateRoutes');
  // RRAS's own values are overwritten on re-install, tracing values only filled in.
  t.true(plan.steps.filter((s): s is SetValue => s.kind === 'set-value' && s.key === key).every((s) => !s.onlyIfAbsent));
  t.deepEqual(values(plan, trace), {
    EnableFileTracing: { type: 'REG_DWORD', data: 0 },
    EnableConsoleTracing: { type: 'REG_DWORD', data: 0 },
    FileTracingMask: { type: 'REG_DWORD', data: 0xffff0000 },
    ConsoleTracingMask: { type: 'REG_DWORD', data: 0xffff0000 },
    MaxFileSize: { type: 'REG_DWORD', data: 0x100000 },
    FileDirectory: { type: 'REG_EXPAND_SZ', data: '%windir%\\tracing' },
  });
  t.true(plan.steps.filter((s): s is SetValue => s.kind === 'set-value' && s.key === trace).every((s) => s.onlyIfAbsent));
  // The global block: the schema's defaults, one item of sizeof(STATIC_ROUTES_GLOBAL_CONFIG).
  const [config, live] = globalSteps(plan);
  t.is(config!.store, 'config');
  t.is(live!.store, 'live');
  for (const s of [config!, live!]) {
    t.is(s.transportId, 0x21);
    t.deepEqual(s.change, { action: 'set', block: { infoSize: GlobalConfig.size, count: 1, data: GlobalConfig.encode({}).toString('hex'), mode: 'keep-compatible' } });
  }
  t.is(GlobalConfig.decode(Buffer.from((config!.change as { block: { data: string } }).block.data, 'hex')).loggingLevel, 2);
  t.regex(live!.unverified ?? '', /loads the protocol at once/);
  t.regex(plan.steps[3]!.unverified ?? '', /full path/, 'DllName as a full path is [U]');
});

test('install plan: --global-config is encoded with the schema and replaces the block; out-of-range or unknown fields are refused', async (t) => {
  const plan = await planInstall(base({ globalConfig: { loggingLevel: 3 } }));
  const change = globalSteps(plan)[0]!.change;
  t.deepEqual(change, { action: 'set', block: { infoSize: 4, count: 1, data: '03000000', mode: 'replace' } });
  await expectInstallError(t, base({ globalConfig: { loggingLevel: 9 } }), 'BAD_GLOBAL_CONFIG', 'loggingLevel');
  await expectInstallError(t, base({ globalConfig: { nope: 1 } }), 'BAD_GLOBAL_CONFIG', 'nope');
  await expectInstallError(t, base({ globalInfo: 'ff' }), 'BAD_OPTION', '--global-config');
});

test('install plan for a protocol without schema: a zero DWORD block kept if one exists, or the given bytes; capabilities from its handlers', async (t) => {
  const plan = await planInstall(base({ module: RAW_MODULE, name: 'raw', protocolId: RAW_ID }));
  t.deepEqual(globalSteps(plan)[0]!.change, { action: 'set', block: { infoSize: 4, count: 1, data: '00000000', mode: 'keep-any' } });
  const v = values(plan, `${IP_KEY}\\raw`);
  t.deepEqual(v.ProtocolId, { type: 'REG_DWORD', data: RAW_ID });
  t.deepEqual(v.Title, { type: 'REG_SZ', data: 'raw-proto' });
  t.deepEqual(v.SupportedFunctionality, { type: 'REG_DWORD', data: RF_ROUTING }, 'no updateRoutes: no RF_DEMAND_UPDATE_ROUTES');
  t.deepEqual(v.ClientCalls, { type: 'REG_DWORD', data: 1 }, 'connectClient declared');
  const given = await planInstall(base({ module: RAW_MODULE, name: 'raw', protocolId: RAW_ID, globalInfo: '0x01 02:03' }));
  t.deepEqual(globalSteps(given)[0]!.change, { action: 'set', block: { infoSize: 3, count: 1, data: '010203', mode: 'replace' } });
  await expectInstallError(t, base({ module: RAW_MODULE, name: 'raw', protocolId: RAW_ID, globalInfo: '' }), 'BAD_GLOBAL_CONFIG', 'empty');
  await expectInstallError(t, base({ module: RAW_MODULE, name: 'raw', protocolId: RAW_ID, globalInfo: 'abc' }), 'BAD_GLOBAL_CONFIG', 'hex');
  await expectInstallError(t, base({ module: RAW_MODULE, name: 'raw', protocolId: RAW_ID, globalConfig: {} }), 'BAD_OPTION', 'no globalConfig schema');
});

test('install plan options: --copy-dll registers a bare name in System32, node args, log file, title, vendor, priority', async (t) => {
  const plan = await planInstall(base({
    copyDll: true, nodeArgs: ['--max-old-space-size=256'], logFile: 'C:/logs/sr.log', title: 'Static routes', vendor: 'example.net', priority: 110,
  }));
  const copy = plan.steps.find((s) => s.kind === 'copy-file');
  t.like(copy, { kind: 'copy-file', from: FAKE_DLL, directory: 'System32', file: 'rras_bridge_StaticRoutes.dll' });
  t.true(plan.steps.indexOf(copy!) < plan.steps.findIndex((s) => s.kind === 'create-key'), 'the DLL is in place before RRAS can find the key');
  const v = values(plan, `${IP_KEY}\\StaticRoutes`);
  t.deepEqual(v.DllName, { type: 'REG_SZ', data: 'rras_bridge_StaticRoutes.dll' });
  t.deepEqual(v.NodeArgs, { type: 'REG_MULTI_SZ', data: ['--max-old-space-size=256'] });
  t.deepEqual(v.LogFile, { type: 'REG_SZ', data: path.resolve('C:/logs/sr.log') });
  t.deepEqual(v.Title, { type: 'REG_SZ', data: 'Static routes' });
  t.deepEqual(v.VendorName, { type: 'REG_SZ', data: 'example.net' });
  t.is(plan.steps.find((s) => s.kind === 'set-value' && s.name === 'DllName')!.unverified, undefined, 'a bare name in System32 is what the samples do');
  for (const s of globalSteps(plan)) {
    t.is((s.change as { priority?: number }).priority, 110);
    t.regex(s.unverified ?? '', /IP_PROT_PRIORITY_INFO/);
  }
});

test('uninstall plan: live block, config block, tracing key, copied DLL, then the key; the id from the key unless given', (t) => {
  const plan = planUninstall({ name: 'StaticRoutes' });
  t.is(plan.protocolId, null);
  t.deepEqual(plan.steps.map((s) => [s.kind, 'store' in s ? s.store : 'key' in s ? s.key : 'file' in s ? s.file : '']), [
    ['check', `${IP_KEY}\\StaticRoutes`],
    ['ip-global-info', 'live'],
    ['ip-global-info', 'config'],
    ['delete-key', `${TRACING_KEY}\\StaticRoutes`],
    ['delete-file', 'rras_bridge_StaticRoutes.dll'],
    ['delete-key', `${IP_KEY}\\StaticRoutes`],
  ]);
  for (const s of globalSteps(plan)) t.deepEqual(s.change, { action: 'remove' });
  t.is(planUninstall({ name: 'StaticRoutes', protocolId: '0x2b1d0001' }).protocolId, STATIC_ID);
  t.is(t.throws(() => planUninstall({ name: 'no spaces' }), { instanceOf: InstallError })!.code, 'BAD_NAME');
  t.is(t.throws(() => planUninstall({ name: 'x', protocolId: 8 }), { instanceOf: InstallError })!.code, 'MICROSOFT_VENDOR');
});

// ---- validation ----------------------------------------------------------------------------

async function expectInstallError(t: ExecutionContext, opts: InstallOptions, code: InstallErrorCode, ...fragments: string[]): Promise<void> {
  const err = await t.throwsAsync(planInstall(opts), { instanceOf: InstallError }, `${code} expected`);
  t.is(err?.code, code, err?.message);
  for (const f of fragments) t.true(err!.message.includes(f), `"${err!.message}" lacks "${f}"`);
}

test('validation: names are 1-64 characters of [A-Za-z0-9_.-], not only dots', async (t) => {
  for (const name of ['', 'a'.repeat(65), 'has space', 'back\\slash', 'semi;colon', 'ümlaut', '..']) {
    await expectInstallError(t, base({ name }), 'BAD_NAME');
  }
  await expectInstallError(t, base({ name: 'x y' }), 'BAD_NAME', 'A-Z a-z 0-9 _ . -', '1 to 64');
  const ok = await planInstall(base({ name: 'a'.repeat(64) }));
  t.is(ok.name.length, 64);
  t.truthy(await planInstall(base({ name: 'Static_Routes-2.0' })));
});

test('validation: protocol ids below 0xFFFF0000, of a non-Microsoft type and vendor; each message says which rule', async (t) => {
  await expectInstallError(t, base({ protocolId: 'seven' }), 'BAD_PROTOCOL_ID', 'decimal or 0x hex');
  await expectInstallError(t, base({ protocolId: -1 }), 'BAD_PROTOCOL_ID', '32-bit');
  await expectInstallError(t, base({ protocolId: 2 ** 32 }), 'BAD_PROTOCOL_ID');
  await expectInstallError(t, base({ protocolId: 1.5 }), 'BAD_PROTOCOL_ID');
  await expectInstallError(t, base({ protocolId: 0xffff0003 }), 'RESERVED_PROTOCOL_ID', '0xFFFF0000', 'router manager');
  await expectInstallError(t, base({ protocolId: 0x81372715 }), 'MICROSOFT_PROTOCOL_TYPE', 'type 2', 'PROTO_TYPE_MS0', 'reserved for Microsoft'); // MS_IP_NAT
  await expectInstallError(t, base({ protocolId: 0xc0010001 }), 'MICROSOFT_PROTOCOL_TYPE', 'type 3', 'PROTO_TYPE_MS1');
  await expectInstallError(t, base({ protocolId: 8 }), 'MICROSOFT_VENDOR', 'PROTO_VENDOR_MS0', 'RIP 8'); // MS_IP_RIP
  await expectInstallError(t, base({ protocolId: 200 }), 'MICROSOFT_VENDOR', 'PROTO_VENDOR_MS0'); // the IPSample id
  await expectInstallError(t, base({ protocolId: 0x0137000e }), 'MICROSOFT_VENDOR', 'PROTO_VENDOR_MS1', '0x137'); // MS_IP_BGP
  await expectInstallError(t, base({ protocolId: 0x4137000a }), 'MICROSOFT_VENDOR', 'PROTO_VENDOR_MS1'); // MS_IP_IGMP (MCAST type)
  await expectInstallError(t, base({ protocolId: PROTOCOL_ID(0, 0x3fff, 1) }), 'MICROSOFT_VENDOR', 'PROTO_VENDOR_MS2', '0x2B1D0001');
  // The checks come before the module is loaded: a Microsoft id fails as such even for our module.
  t.truthy(await planInstall(base({ protocolId: '0x2B1D0001' })));
  t.truthy(await planInstall(base({ protocolId: String(STATIC_ID) })));
});

test('validation: the module must load, export a protocol by default, and define the same protocol id', async (t) => {
  await expectInstallError(t, base({ module: path.join(tmp, 'absent.js') }), 'MODULE_NOT_LOADED', 'no such file');
  await expectInstallError(t, base({ module: THROWS }), 'MODULE_NOT_LOADED', 'boom at load');
  await expectInstallError(t, base({ module: NOT_PROTOCOL }), 'NOT_A_PROTOCOL', 'defineProtocol');
  await expectInstallError(t, base({ protocolId: STATIC_ID + 1 }), 'PROTOCOL_ID_MISMATCH', '0x2B1D0001', '0x2B1D0002', 'must be equal');
  await expectInstallError(t, base({ module: '' }), 'BAD_OPTION');
});

test('validation: the DLL must exist and be a PE image; other options', async (t) => {
  await expectInstallError(t, base({ dllPath: path.join(tmp, 'missing.dll') }), 'DLL_MISSING', 'missing.dll', 'does not exist');
  await expectInstallError(t, base({ dllPath: NOT_PE }), 'DLL_NOT_PE', 'MZ');
  const redirected = fs.mkdtempSync(path.join(tmp, 'redirected-'));
  fs.copyFileSync(base({}).dllPath!, path.join(redirected, 'rras_bridge_protocol.dll'));
  fs.writeFileSync(path.join(redirected, 'rras-bridge.json'), '{"registryKey": "HKCU\\\\Software\\\\x"}');
  await expectInstallError(t, base({ dllPath: path.join(redirected, 'rras_bridge_protocol.dll') }), 'DLL_REDIRECTED', 'rras-bridge.json', 'another registry key');
  await expectInstallError(t, base({ title: '' }), 'BAD_OPTION', '--title');
  await expectInstallError(t, base({ vendor: 'a\0b' }), 'BAD_OPTION', '--vendor');
  await expectInstallError(t, base({ priority: -1 }), 'BAD_OPTION', '--priority');
});

// ---- the IP transport global info ----------------------------------------------------------

const RIP = 8;
const OSPF = 13;
/** An IP global info as a configured router has it: RM blocks, priorities, other protocols' blocks (odd sizes). */
function routerGlobalInfo(extra: InfoBlockEntry[] = []): Buffer {
  const prio = Buffer.alloc(4 + 8 * 2);
  prio.writeUInt32LE(2, 0);
  prio.writeUInt32LE(RIP, 4);
  prio.writeUInt32LE(120, 8);
  prio.writeUInt32LE(10006, 12);
  prio.writeUInt32LE(3, 16);
  return encodeInfoBlock([
    { infoType: IP_GLOBAL_INFO, infoSize: 8, count: 1, data: Buffer.from([0, 0, 0, 0, 1, 0, 0, 0]) },
    { infoType: IP_PROT_PRIORITY_INFO, infoSize: prio.length, count: 1, data: prio },
    { infoType: RIP, infoSize: 5, count: 1, data: Buffer.from([1, 2, 3, 4, 5]) },
    { infoType: OSPF, infoSize: 6, count: 2, data: Buffer.from('0102030405060708090a0b0c', 'hex') },
    ...extra,
  ]);
}

function priorities(blob: Buffer): [number, number][] {
  const d = findEntry(decodeInfoBlock(blob), IP_PROT_PRIORITY_INFO)!.data;
  return Array.from({ length: d.readUInt32LE(0) }, (_, i) => [d.readUInt32LE(4 + 8 * i), d.readUInt32LE(8 + 8 * i)]);
}

/** Every entry of `before` except `ignore` is byte-identical in `after`. */
function othersIntact(t: ExecutionContext, before: Buffer, after: Buffer, ignore: number[]): void {
  const a = decodeInfoBlock(after);
  for (const e of decodeInfoBlock(before).entries) {
    if (ignore.includes(e.infoType)) continue;
    t.deepEqual(findEntry(a, e.infoType), e, `entry 0x${e.infoType.toString(16)} intact`);
  }
}

const ours = (hexData: string, mode: 'replace' | 'keep-compatible' | 'keep-any' = 'replace', priority?: number) =>
  ({ action: 'set' as const, block: { infoSize: hexData.length / 2, count: 1, data: hexData, mode }, ...(priority !== undefined ? { priority } : {}) });

test('global info: our block is added, replaced and removed; every other block stays byte for byte', (t) => {
  const before = routerGlobalInfo();
  t.deepEqual(readOurs(before, STATIC_ID), {});
  const added = writeOurs(before, STATIC_ID, desiredState({}, STATIC_ID, ours('02000000'), true));
  const a = decodeInfoBlock(added);
  t.deepEqual(findEntry(a, STATIC_ID), { infoType: STATIC_ID, infoSize: 4, count: 1, data: Buffer.from('02000000', 'hex') });
  t.is(a.entries.length, 5);
  othersIntact(t, before, added, [STATIC_ID]);
  t.is(added.readUInt32LE(4), added.length, 'Size header is the blob length');

  const replaced = writeOurs(added, STATIC_ID, desiredState(readOurs(added, STATIC_ID), STATIC_ID, ours('0300000000000000'), true));
  t.deepEqual(findEntry(decodeInfoBlock(replaced), STATIC_ID)!.data, Buffer.from('0300000000000000', 'hex'));
  t.is(decodeInfoBlock(replaced).entries.length, 5, 'replaced, not duplicated');
  othersIntact(t, before, replaced, [STATIC_ID]);

  const removed = writeOurs(replaced, STATIC_ID, desiredState(readOurs(replaced, STATIC_ID), STATIC_ID, { action: 'remove' }, true));
  t.deepEqual(decodeInfoBlock(removed).entries, decodeInfoBlock(before).entries);
  // Unchanged: the very same buffer comes back (nothing rewritten).
  t.is(writeOurs(added, STATIC_ID, readOurs(added, STATIC_ID)), added);
});

test('global info: keep-compatible keeps a saved block of the same size, replaces one of another size; keep-any keeps any', (t) => {
  const saved = routerGlobalInfo([{ infoType: STATIC_ID, infoSize: 4, count: 1, data: Buffer.from('01000000', 'hex') }]);
  const cur = readOurs(saved, STATIC_ID);
  t.deepEqual(desiredState(cur, STATIC_ID, ours('02000000', 'keep-compatible'), true), cur);
  t.deepEqual(desiredState(cur, STATIC_ID, ours('0200000000000000', 'keep-compatible'), true).block!.data, Buffer.from('0200000000000000', 'hex'));
  t.deepEqual(desiredState(cur, STATIC_ID, ours('0200000000000000', 'keep-any'), true), cur);
  t.deepEqual(desiredState(cur, STATIC_ID, ours('02000000', 'replace'), true).block!.data, Buffer.from('02000000', 'hex'));
});

test('global info: the priority metric is set in and removed from IP_PROT_PRIORITY_INFO, never creating that block', (t) => {
  const before = routerGlobalInfo();
  t.true(hasPriorityBlock(before));
  const withPrio = writeOurs(before, STATIC_ID, desiredState({}, STATIC_ID, ours('02000000', 'replace', 110), true));
  t.deepEqual(priorities(withPrio), [[RIP, 120], [10006, 3], [STATIC_ID, 110]]);
  const p = findEntry(decodeInfoBlock(withPrio), IP_PROT_PRIORITY_INFO)!;
  t.is(p.infoSize, 4 + 8 * 3);
  t.is(p.count, 1);
  othersIntact(t, before, withPrio, [STATIC_ID, IP_PROT_PRIORITY_INFO]);
  const changed = writeOurs(withPrio, STATIC_ID, { ...readOurs(withPrio, STATIC_ID), metric: 90 });
  t.deepEqual(priorities(changed), [[RIP, 120], [10006, 3], [STATIC_ID, 90]], 'replaced in place');
  const removed = writeOurs(changed, STATIC_ID, {});
  t.deepEqual(priorities(removed), [[RIP, 120], [10006, 3]]);
  t.deepEqual(decodeInfoBlock(removed).entries, decodeInfoBlock(before).entries);

  const noPrio = encodeInfoBlock([{ infoType: IP_GLOBAL_INFO, infoSize: 8, count: 1, data: Buffer.alloc(8) }]);
  t.false(hasPriorityBlock(noPrio));
  const d = desiredState({}, STATIC_ID, ours('02000000', 'replace', 110), false);
  t.is(d.metric, undefined, 'no metric without a priority block');
  const out = writeOurs(noPrio, STATIC_ID, d);
  t.falsy(findEntry(decodeInfoBlock(out), IP_PROT_PRIORITY_INFO));
  t.throws(() => writeOurs(noPrio, STATIC_ID, { metric: 5 }), { instanceOf: GlobalInfoError });
});

test('global info: an empty or absent blob starts empty; a corrupt one is refused, not rewritten', (t) => {
  const out = writeOurs(null, STATIC_ID, { block: { infoType: STATIC_ID, infoSize: 4, count: 1, data: Buffer.alloc(4) } });
  t.deepEqual(decodeInfoBlock(out).entries.map((e) => e.infoType), [STATIC_ID]);
  t.deepEqual(readOurs(Buffer.alloc(0), STATIC_ID), {});
  const corrupt = routerGlobalInfo();
  corrupt.writeUInt32LE(99, 8); // TocEntriesCount
  t.throws(() => readOurs(corrupt, STATIC_ID), { instanceOf: GlobalInfoError, message: /not a valid info block/ });
  const badPrio = encodeInfoBlock([{ infoType: IP_PROT_PRIORITY_INFO, infoSize: 4, count: 1, data: Buffer.from([9, 0, 0, 0]) }]);
  t.throws(() => readOurs(badPrio, STATIC_ID), { instanceOf: GlobalInfoError, message: /unexpected layout/ });
});

// ---- execution with in-memory backends (every OS) ------------------------------------------

type Op = 'createKey' | 'setValue' | 'deleteTree' | 'deleteValue';

/** A registry tree; keys compare case-insensitively like the real one. */
class MemoryRegistry implements RegistryBackend {
  readonly keys = new Map<string, { path: string; values: Map<string, [string, RegistryValue]> }>();
  failOn?: (op: Op, key: string, name?: string) => number | undefined;
  private fail(op: Op, key: string, name?: string): void {
    const code = this.failOn?.(op, key, name);
    if (code !== undefined) throw new Win32Error(code, `Mem${op}`, key);
  }
  keyExists(key: string): boolean {
    return this.keys.has(key.toLowerCase());
  }
  createKey(key: string): boolean {
    this.fail('createKey', key);
    if (this.keyExists(key)) return false;
    const parts = key.split('\\');
    for (let i = 1; i <= parts.length; i++) {
      const p = parts.slice(0, i).join('\\');
      if (!this.keyExists(p)) this.keys.set(p.toLowerCase(), { path: p, values: new Map() });
    }
    return true;
  }
  deleteTree(key: string): boolean {
    this.fail('deleteTree', key);
    const k = key.toLowerCase();
    if (!this.keys.has(k)) return false;
    for (const x of [...this.keys.keys()]) if (x === k || x.startsWith(`${k}\\`)) this.keys.delete(x);
    return true;
  }
  getValue(key: string, name: string): RegistryValue | undefined {
    return this.keys.get(key.toLowerCase())?.values.get(name.toLowerCase())?.[1];
  }
  setValue(key: string, name: string, value: RegistryValue): void {
    this.fail('setValue', key, name);
    const k = this.keys.get(key.toLowerCase());
    if (!k) throw new Win32Error(2, 'MemsetValue', key);
    k.values.set(name.toLowerCase(), [name, structuredClone(value)]);
  }
  deleteValue(key: string, name: string): boolean {
    this.fail('deleteValue', key, name);
    return this.keys.get(key.toLowerCase())?.values.delete(name.toLowerCase()) ?? false;
  }
  subkeys(key: string): string[] {
    const k = key.toLowerCase();
    return [...this.keys.values()].filter((x) => x.path.toLowerCase().startsWith(`${k}\\`) && !x.path.slice(k.length + 1).includes('\\'))
      .map((x) => x.path.slice(k.length + 1));
  }
  valueNames(key: string): string[] {
    return [...(this.keys.get(key.toLowerCase())?.values.values() ?? [])].map(([n]) => n);
  }
  /** Everything, for before/after comparisons. */
  dump(): Record<string, Record<string, RegistryValue>> {
    return Object.fromEntries([...this.keys.values()].map((k) => [k.path, Object.fromEntries([...k.values.values()])]).sort());
  }
}

class MemoryStore implements TransportStore {
  sets = 0;
  failSet?: number;
  /** The IPv6 transport's global info (PID_IPV6), kept apart from the IP one. */
  ipv6: Buffer | null = null;
  constructor(public blob: Buffer | null, public running = true) {}
  unavailable(): string | undefined {
    return this.running ? undefined : 'the router (RemoteAccess) is not running';
  }
  get(transportId: number): Buffer | null {
    if (transportId === 0x57) return this.ipv6 && Buffer.from(this.ipv6);
    if (transportId !== 0x21) throw new Win32Error(902, 'MemGet');
    return this.blob && Buffer.from(this.blob);
  }
  set(transportId: number, blob: Buffer): void {
    if (transportId === 0x57) {
      decodeInfoBlock(blob);
      this.ipv6 = Buffer.from(blob);
      this.sets++;
      return;
    }
    if (transportId !== 0x21) throw new Win32Error(902, 'MemSet');
    if (this.failSet !== undefined) throw new Win32Error(this.failSet, 'MemTransportSetInfo');
    decodeInfoBlock(blob); // the router would refuse garbage
    this.blob = Buffer.from(blob);
    this.sets++;
  }
}

class MemoryFiles implements FileBackend {
  readonly files = new Map<string, Buffer>();
  read(file: string) {
    return this.files.get(file);
  }
  write(file: string, data: Buffer) {
    this.files.set(file, Buffer.from(data));
  }
  remove(file: string) {
    return this.files.delete(file);
  }
}

function world(o: { running?: boolean } = {}) {
  const registry = new MemoryRegistry();
  // What a router has: RRAS's own protocols under the key, the Tracing key.
  registry.createKey(`${IP_KEY}\\IPRIP2`);
  registry.setValue(`${IP_KEY}\\IPRIP2`, 'ProtocolId', { type: 'REG_DWORD', data: RIP });
  registry.setValue(`${IP_KEY}\\IPRIP2`, 'DllName', { type: 'REG_SZ', data: 'iprip2.dll' });
  registry.createKey(`${TRACING_KEY}\\IPRIP2`);
  const config = new MemoryStore(routerGlobalInfo());
  const live = new MemoryStore(routerGlobalInfo(), o.running ?? true);
  const files = new MemoryFiles();
  files.write(FAKE_DLL, fs.readFileSync(FAKE_DLL));
  const opts: ApplyOptions = { registry, files, transports: { config, live }, systemDirectory: 'C:\\Windows\\System32' };
  return { registry, config, live, files, opts };
}

const ourBlock = (blob: Buffer | null) => findEntry(decodeInfoBlock(blob!), STATIC_ID);

test('apply: a fresh install writes every value, adds the block to the config and the running router; a second run changes nothing', async (t) => {
  const w = world();
  const plan = await planInstall(base({ copyDll: true }));
  const r = applyPlan(plan, w.opts);
  t.true(r.changed);
  t.regex(r.summary, /^installed StaticRoutes \(protocol 0x2B1D0001\)/);
  t.is(r.results.filter((s) => s.outcome !== 'changed').map((s) => s.step).join(), '1', 'everything but the check changed');
  const key = `${IP_KEY}\\StaticRoutes`;
  for (const [name, value] of Object.entries(values(plan, key))) t.deepEqual(w.registry.getValue(key, name), value, name);
  t.deepEqual(w.registry.getValue(`${TRACING_KEY}\\StaticRoutes`, 'FileDirectory'), { type: 'REG_EXPAND_SZ', data: '%windir%\\tracing' });
  t.deepEqual(w.files.read('C:\\Windows\\System32\\rras_bridge_StaticRoutes.dll'), fs.readFileSync(FAKE_DLL));
  for (const store of [w.config, w.live]) {
    t.deepEqual(ourBlock(store.blob)!.data, GlobalConfig.encode({}));
    othersIntact(t, routerGlobalInfo(), store.blob!, [STATIC_ID]);
  }

  const again = applyPlan(plan, w.opts);
  t.false(again.changed);
  t.is(again.summary, 'StaticRoutes is already installed as planned; nothing changed');
  t.true(again.results.every((s) => s.outcome === 'unchanged'));
  t.is(w.config.sets, 1, 'an unchanged blob is not written again');
  t.is(w.live.sets, 1);
});

test('apply: re-running after a partial install completes only what is missing; saved configuration and tracing settings survive', async (t) => {
  const w = world({ running: false });
  const plan = await planInstall(base());
  applyPlan(plan, w.opts);
  t.falsy(ourBlock(w.live.blob), 'router not running: live step skipped');
  // An administrator enabled tracing and the protocol saved its own configuration...
  w.registry.setValue(`${TRACING_KEY}\\StaticRoutes`, 'EnableFileTracing', { type: 'REG_DWORD', data: 1 });
  w.config.blob = writeOurs(w.config.blob, STATIC_ID, { block: { infoType: STATIC_ID, infoSize: 4, count: 1, data: GlobalConfig.encode({ loggingLevel: 3 }) } });
  // ...then a partial state: a value lost, the router now running.
  w.registry.deleteValue(`${IP_KEY}\\StaticRoutes`, 'Module');
  w.live.running = true;
  const r = applyPlan(plan, w.opts);
  t.deepEqual(r.results.filter((s) => s.outcome === 'changed').map((s) => s.title), ['set Module', plan.steps.at(-1)!.title]);
  t.deepEqual(w.registry.getValue(`${TRACING_KEY}\\StaticRoutes`, 'EnableFileTracing'), { type: 'REG_DWORD', data: 1 });
  t.is(GlobalConfig.decode(ourBlock(w.config.blob)!.data).loggingLevel, 3, 'kept: same size as the schema');
  t.deepEqual(ourBlock(w.live.blob)!.data, GlobalConfig.encode({}), 'live had none: the defaults');
  t.regex(r.results.find((s) => s.title.startsWith('set EnableFileTracing'))!.detail, /^kept/);
});

test('apply: a failing step undoes the done steps in reverse order and names the step and the Win32 error', async (t) => {
  const w = world();
  const before = w.registry.dump();
  const configBefore = w.config.blob;
  w.live.failSet = 1722; // RPC_S_SERVER_UNAVAILABLE
  const plan = await planInstall(base({ copyDll: true }));
  const err = t.throws(() => applyPlan(plan, w.opts), { instanceOf: ApplyError })!;
  t.is(err.step, plan.steps.length);
  t.is(err.code, 1722);
  t.regex(err.message, new RegExp(`step ${plan.steps.length}/${plan.steps.length} \\(add .* running router`));
  t.regex(err.message, /Win32 error 1722 RPC_S_SERVER_UNAVAILABLE/);
  t.deepEqual(err.undone.map((u) => u.step), Array.from({ length: plan.steps.length - 2 }, (_, i) => plan.steps.length - 1 - i), 'reverse order, all done steps');
  t.deepEqual(err.undoFailures, []);
  t.deepEqual(w.registry.dump(), before, 'registry as before');
  t.deepEqual(w.config.blob, configBefore, 'config blob as before');
  t.false(w.files.files.has('C:\\Windows\\System32\\rras_bridge_StaticRoutes.dll'), 'copied DLL removed');

  // A registry failure half-way (access denied): the key created before it is gone again.
  const w2 = world();
  const before2 = w2.registry.dump();
  w2.registry.failOn = (op, _key, name) => (op === 'setValue' && name === 'HostEntry' ? 5 : undefined);
  const e2 = t.throws(() => applyPlan(plan, w2.opts), { instanceOf: ApplyError })!;
  t.is(e2.code, 5);
  t.regex(e2.message, /set HostEntry.*Win32 error 5 ERROR_ACCESS_DENIED.*Run as Administrator/);
  t.deepEqual(w2.registry.dump(), before2);
  t.is(w2.config.sets, 0);
});

test('apply: a failed undo is reported, not hidden', async (t) => {
  const w = world();
  w.config.failSet = 5;
  w.registry.failOn = (op, key) => (op === 'deleteTree' && key.endsWith('\\Tracing\\StaticRoutes') ? 5 : undefined);
  const plan = await planInstall(base());
  const err = t.throws(() => applyPlan(plan, w.opts), { instanceOf: ApplyError })!;
  t.is(err.undoFailures.length, 1);
  t.regex(err.message, /UNDO FAILED for step \d+ \(create HKLM\\SOFTWARE\\Microsoft\\Tracing\\StaticRoutes/);
});

test('apply: refuses another product\'s key of the same name and a protocol id already registered, changing nothing', async (t) => {
  const w = world();
  w.registry.createKey(`${IP_KEY}\\StaticRoutes`);
  w.registry.setValue(`${IP_KEY}\\StaticRoutes`, 'DllName', { type: 'REG_SZ', data: 'theirs.dll' });
  const before = w.registry.dump();
  const err = t.throws(() => applyPlan(planSync, w.opts), { instanceOf: ApplyError })!;
  t.true(err.failure instanceof ConflictError);
  t.is(err.step, 1);
  t.regex(err.message, /not written by rras-bridge/);
  t.deepEqual(w.registry.dump(), before);

  const w2 = world();
  w2.registry.createKey(`${IP_KEY}\\Other`);
  w2.registry.setValue(`${IP_KEY}\\Other`, 'ProtocolId', { type: 'REG_DWORD', data: STATIC_ID });
  t.regex(t.throws(() => applyPlan(planSync, w2.opts), { instanceOf: ApplyError })!.message, /already registered as .*\\Other/);
  t.is(w2.config.sets, 0);

  // An empty key (an install killed right after creating it) is taken over.
  const w3 = world();
  w3.registry.createKey(`${IP_KEY}\\StaticRoutes`);
  t.true(applyPlan(planSync, w3.opts).changed);
});

test('apply: uninstall removes our key, tracing key, copied DLL, block and metric, nothing else; then says it is not installed', async (t) => {
  const w = world();
  const pristineRegistry = w.registry.dump();
  applyPlan(await planInstall(base({ copyDll: true, priority: 110 })), w.opts);
  t.deepEqual(priorities(w.config.blob!).at(-1), [STATIC_ID, 110]);
  const r = applyPlan(planUninstall({ name: 'StaticRoutes' }), w.opts);
  t.true(r.changed);
  t.is(r.protocolId, STATIC_ID, 'read from the key');
  t.deepEqual(w.registry.dump(), pristineRegistry);
  t.false(w.files.files.has('C:\\Windows\\System32\\rras_bridge_StaticRoutes.dll'));
  for (const s of [w.config, w.live]) t.deepEqual(decodeInfoBlock(s.blob!).entries, decodeInfoBlock(routerGlobalInfo()).entries);

  const again = applyPlan(planUninstall({ name: 'StaticRoutes' }), w.opts);
  t.false(again.changed);
  t.is(again.summary, 'StaticRoutes is not installed; nothing changed');
  // Someone else's key: refused.
  t.regex(t.throws(() => applyPlan(planUninstall({ name: 'IPRIP2' }), w.opts), { instanceOf: ApplyError })!.message, /not removing another product's protocol/);
  t.true(w.registry.keyExists(`${IP_KEY}\\IPRIP2`));
});

test('apply: a failing uninstall restores the removed blocks and keys', async (t) => {
  const w = world();
  applyPlan(await planInstall(base({ priority: 110 })), w.opts);
  const [reg, config, live] = [w.registry.dump(), w.config.blob, w.live.blob];
  w.registry.failOn = (op, key) => (op === 'deleteTree' && key.endsWith('\\Ip\\StaticRoutes') ? 5 : undefined);
  const err = t.throws(() => applyPlan(planUninstall({ name: 'StaticRoutes' }), w.opts), { instanceOf: ApplyError })!;
  t.is(err.step, 6);
  t.deepEqual(err.undone.map((u) => u.step), [4, 3, 2]);
  t.deepEqual(w.registry.dump(), reg);
  t.deepEqual(decodeInfoBlock(w.config.blob!).entries, decodeInfoBlock(config!).entries);
  t.deepEqual(decodeInfoBlock(w.live.blob!).entries, decodeInfoBlock(live!).entries);
  t.is(ourBlock(w.live.blob)!.infoType, STATIC_ID);
});


// ---- the CLI -------------------------------------------------------------------------------

const run = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 60000 });

test('cli: install --dry-run prints every change (keys, typed values, the block bytes) and --json the plan itself', async (t) => {
  const args = ['install', STATIC_ROUTES, '--name', 'StaticRoutes', '--protocol-id', '0x2b1d0001', '--dll', FAKE_DLL, '--node-path', FAKE_NODE];
  const r = run(...args, '--dry-run');
  t.is(r.status, 0, r.stderr);
  const plan = await planInstall(base());
  t.is(r.stdout, formatPlan(plan, { dryRun: true }));
  t.regex(r.stdout, /dry run, nothing is changed/);
  for (const s of plan.steps) {
    if (s.kind === 'set-value') t.true(r.stdout.includes(`${s.key}\\${s.name} = ${s.value.type}`), `${s.name} shown`);
    if (s.kind === 'create-key') t.true(r.stdout.includes(`create-key  ${s.key}`));
  }
  t.regex(r.stdout, /InfoType 0x2B1D0001, InfoSize 4, Count 1/);
  t.regex(r.stdout, /data 02000000/);
  t.regex(r.stdout, /MprConfigServerConnect, MprConfigTransportGetHandle/);
  t.regex(r.stdout, /\[U\] unverified/);
  const j = run(...args, '--dry-run', '--json');
  t.is(j.status, 0, j.stderr);
  t.deepEqual(JSON.parse(j.stdout), JSON.parse(JSON.stringify(plan)));
});

test('cli: uninstall --dry-run, validation errors (exit 1) and usage errors (exit 2)', (t) => {
  const u = run('uninstall', '--name', 'StaticRoutes', '--dry-run');
  t.is(u.status, 0, u.stderr);
  t.is(u.stdout, formatPlan(planUninstall({ name: 'StaticRoutes' }), { dryRun: true }));
  const bad = run('install', STATIC_ROUTES, '--name', 'StaticRoutes', '--protocol-id', '8', '--dll', FAKE_DLL, '--dry-run');
  t.is(bad.status, 1);
  t.regex(bad.stderr, /PROTO_VENDOR_MS0/);
  const badJson = run('install', STATIC_ROUTES, '--name', 'x y', '--protocol-id', '0x2b1d0001', '--dry-run', '--json');
  t.is(badJson.status, 1);
  t.is(JSON.parse(badJson.stdout).error, 'BAD_NAME');
  t.is(run('install', STATIC_ROUTES, '--name', 'x').status, 2, '--protocol-id missing');
  t.is(run('install', '--name', 'x', '--protocol-id', '1').status, 2, 'module missing');
  t.regex(run('install', STATIC_ROUTES, '--bogus').stderr, /unknown option --bogus/);
  t.regex(run('install', '--help').stdout, /--dry-run/);
  t.regex(run('--help').stdout, /install <module>/);
});

if (process.platform !== 'win32') {
  // Registered off Windows only: on Windows these would apply the plan to the machine.
  test('apply: without injected backends it needs Windows', (t) => {
    t.throws(() => applyPlan(planSync), { message: /needs Windows \(this is \w+\); use --dry-run/ });
  });

  test('cli: install without --dry-run off Windows says to use --dry-run or run on Windows', (t) => {
    const r = run('install', STATIC_ROUTES, '--name', 'StaticRoutes', '--protocol-id', '0x2b1d0001', '--dll', FAKE_DLL);
    t.is(r.status, 1);
    t.regex(r.stderr, /runs only on Windows \(this is \w+\)\. Use --dry-run/);
    t.is(run('uninstall', '--name', 'StaticRoutes').status, 1);
  });
}

// ---- Windows only: registered when process.platform is win32 ---------------------------------
// They run in the Wine suite (npm run test:windows, scripts/test-windows.sh) and on the GitHub
// Windows runners. Registry writes go to HKCU\Software\rras-bridge-test\<pid>-<n>, never HKLM.
// The real mprapi.dll is called only under Wine: on a real Windows machine it would change the
// router's configuration, so there the IP global info uses the in-memory stores.

if (process.platform === 'win32') {
  const wine: string | undefined = (() => {
    try {
      return koffi.load('ntdll.dll').func('const char *wine_get_version(void)')() as string;
    } catch {
      return undefined;
    }
  })();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Win32Registry, NodeFiles } = require('../lib/installer/win32.js') as typeof import('../lib/installer/win32.js');
  let n = 0;
  const TEST_PARENT = 'HKCU\\Software\\rras-bridge-test';
  test.after.always(() => {
    // Each test deletes its own tree; the shared parent goes when no other process uses it.
    const reg = new Win32Registry();
    if (reg.subkeys(TEST_PARENT).length === 0 && reg.valueNames(TEST_PARENT).length === 0) reg.deleteTree(TEST_PARENT);
  });
  const testRoot = (t: ExecutionContext) => {
    const root = `${TEST_PARENT}\\${process.pid}-${++n}`;
    t.teardown(() => void new Win32Registry().deleteTree(root));
    return root;
  };

  test.serial('win32: advapi32 registry writes with exact types, idempotent re-run, uninstall (HKCU test key)', async (t) => {
    const registryRoot = testRoot(t);
    const reg = new Win32Registry();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rras-bridge-sys32-'));
    t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
    const config = new MemoryStore(routerGlobalInfo());
    const opts: ApplyOptions = { registryRoot, systemDirectory: dir, files: new NodeFiles(), transports: { config, live: new MemoryStore(routerGlobalInfo(), false) } };
    const plan = await planInstall(base({ copyDll: true, nodeArgs: ['--a', 'b c'], logFile: path.join(dir, 'x.log') }));
    const r = applyPlan(plan, opts);
    t.true(r.changed, JSON.stringify(r.results));
    const key = `${registryRoot}\\SOFTWARE\\Microsoft\\Router\\CurrentVersion\\RouterManagers\\Ip\\StaticRoutes`;
    for (const [name, value] of Object.entries(values(plan, `${IP_KEY}\\StaticRoutes`))) t.deepEqual(reg.getValue(key, name), value, name);
    t.deepEqual(reg.getValue(`${registryRoot}\\SOFTWARE\\Microsoft\\Tracing\\StaticRoutes`, 'FileDirectory'), { type: 'REG_EXPAND_SZ', data: '%windir%\\tracing' });
    t.deepEqual(fs.readFileSync(path.join(dir, 'rras_bridge_StaticRoutes.dll')), fs.readFileSync(FAKE_DLL));
    t.is(r.results.find((s) => s.title.includes('running router'))!.outcome, 'skipped');
    const again = applyPlan(plan, opts);
    t.false(again.changed, JSON.stringify(again.results.filter((s) => s.outcome !== 'unchanged')));
    const u = applyPlan(planUninstall({ name: 'StaticRoutes' }), opts);
    t.true(u.changed);
    t.false(reg.keyExists(key));
    t.false(reg.keyExists(`${registryRoot}\\SOFTWARE\\Microsoft\\Tracing\\StaticRoutes`));
    t.false(fs.existsSync(path.join(dir, 'rras_bridge_StaticRoutes.dll')));
    t.falsy(ourBlock(config.blob));
  });

  test.serial('win32: a registry failure rolls back the advapi32 writes already done', async (t) => {
    const registryRoot = testRoot(t);
    const reg = new Win32Registry();
    const config = new MemoryStore(routerGlobalInfo());
    config.failSet = 5;
    const opts: ApplyOptions = { registryRoot, transports: { config, live: new MemoryStore(routerGlobalInfo(), false) } };
    const err = t.throws(() => applyPlan(planSync, opts), { instanceOf: ApplyError })!;
    t.is(err.code, 5);
    t.false(reg.keyExists(`${registryRoot}\\SOFTWARE\\Microsoft\\Router\\CurrentVersion\\RouterManagers\\Ip\\StaticRoutes`));
    t.false(reg.keyExists(`${registryRoot}\\SOFTWARE\\Microsoft\\Tracing\\StaticRoutes`));
  });

  // The protocol library finds and accepts the key the installer wrote (config_win.cc).
  const dll = [paths.protocolLibrary, path.join(__dirname, '..', '..', 'prebuilds', 'win32-x64', 'rras_bridge_protocol.dll')].find((f) => fs.existsSync(f));
  if (dll) {
    test.serial('win32: RegisterProtocol in the protocol DLL reads the installed key and claims the installed capabilities', async (t) => {
      const registryRoot = testRoot(t);
      const plan = await planInstall(base({ dllPath: dll }));
      applyPlan(plan, { registryRoot, transports: { config: new MemoryStore(routerGlobalInfo()), live: new MemoryStore(null, false) } });
      const previous = process.env.RRAS_BRIDGE_REGISTRY_KEY;
      process.env.RRAS_BRIDGE_REGISTRY_KEY = routerManagersIpKey({ registryRoot });
      t.teardown(() => {
        if (previous === undefined) delete process.env.RRAS_BRIDGE_REGISTRY_KEY;
        else process.env.RRAS_BRIDGE_REGISTRY_KEY = previous;
      });
      const register = koffi.load(dll).func('uint32_t __stdcall RegisterProtocol(_Inout_ uint8_t *rc, _Inout_ uint8_t *sc)');
      const rc = Buffer.alloc(224);
      rc.writeUInt32LE(0x500, 0);
      rc.writeUInt32LE(STATIC_ID, 4);
      rc.writeUInt32LE(RF_ROUTING | RF_DEMAND_UPDATE_ROUTES | RF_ADD_ALL_INTERFACES | RF_MULTICAST | RF_POWER, 8);
      t.is(register(rc, Buffer.alloc(112)), 0);
      t.is(rc.readUInt32LE(8), capabilitiesOf(staticRoutes).supportedFunctionality);
      t.not(rc.readBigUInt64LE(16), 0n, 'pfnStartProtocol filled');
      const other = Buffer.alloc(224);
      other.writeUInt32LE(RAW_ID, 4);
      t.is(register(other, Buffer.alloc(112)), 50, 'an id not installed: ERROR_NOT_SUPPORTED');
    });
  }

  if (wine) {
    // Wine's mprapi: MprAdminIsServiceRunning says FALSE, MprConfigServerConnect returns an error
    // (ERROR_NOT_SUPPORTED in Wine 8), the rest are stubs our call order never reaches.
    test.serial(`win32 (Wine ${wine}): the real mprapi fails the config step cleanly and the registry writes are rolled back`, async (t) => {
      const registryRoot = testRoot(t);
      const reg = new Win32Registry();
      const err = t.throws(() => applyPlan(planSync, { registryRoot }), { instanceOf: ApplyError })!;
      t.log(err.message);
      const configStep = planSync.steps.findIndex((s) => s.kind === 'ip-global-info' && s.store === 'config') + 1;
      t.is(err.step, configStep);
      t.true(typeof err.code === 'number' && err.code !== 0, 'a Win32 code');
      t.regex(err.message, new RegExp(`MprConfigServerConnect failed with Win32 error ${err.code}`));
      t.is(err.undone.length, configStep - 2, 'every change before it undone');
      t.deepEqual(err.undoFailures, []);
      t.false(reg.keyExists(`${registryRoot}\\SOFTWARE\\Microsoft\\Router\\CurrentVersion\\RouterManagers\\Ip\\StaticRoutes`));
      t.false(reg.keyExists(`${registryRoot}\\SOFTWARE\\Microsoft\\Tracing\\StaticRoutes`));

      // Uninstall of a registry-only install: the live step is skipped (not running), the config
      // step fails the same way, and the key stays in place.
      const registryOnly = { ...planSync, steps: planSync.steps.filter((s) => s.kind !== 'ip-global-info') };
      applyPlan(registryOnly, { registryRoot });
      const u = t.throws(() => applyPlan(planUninstall({ name: 'StaticRoutes' }), { registryRoot }), { instanceOf: ApplyError })!;
      t.is(u.step, 3);
      t.regex(u.message, /MprConfigServerConnect/);
      t.true(reg.keyExists(`${registryRoot}\\SOFTWARE\\Microsoft\\Router\\CurrentVersion\\RouterManagers\\Ip\\StaticRoutes`));
    });

    test.serial(`win32 (Wine ${wine}): the CLI applies the plan, and reports the failed step, its Win32 code and the rollback`, (t) => {
      const registryRoot = testRoot(t);
      const r = run('install', STATIC_ROUTES, '--name', 'StaticRoutes', '--protocol-id', '0x2b1d0001', '--dll', FAKE_DLL, '--registry-root', registryRoot, '--json');
      t.is(r.status, 1, r.stdout + r.stderr);
      const out = JSON.parse(r.stdout);
      t.is(out.error, 'STEP_FAILED');
      t.is(out.step, planSync.steps.findIndex((s) => s.kind === 'ip-global-info') + 1);
      t.is(typeof out.win32Error, 'number');
      t.deepEqual(out.undoFailures, []);
      t.regex(r.stderr, /rras-bridge install: install StaticRoutes: step \d+\/\d+ .* failed \[Win32 error \d+/);
      t.false(new Win32Registry().keyExists(`${registryRoot}\\SOFTWARE\\Microsoft\\Router\\CurrentVersion\\RouterManagers\\Ip\\StaticRoutes`));
    });
  }
}

// ---- the IPv6 router manager ---------------------------------------------------------------

const V6_MODULE = path.join(__dirname, 'fixtures', 'v6-install.js');
const V6_ID = PROTOCOL_ID(PROTO_TYPE_UCAST, 0x2b1d, 0x66);
const IPV6_KEY = `${IP_KEY}v6`;

test('install for the IPv6 router manager: the key under RouterManagers\\Ipv6, Ipv6 = 1, the block in the PID_IPV6 global info; uninstall --ipv6 undoes it', async (t) => {
  const plan = await planInstall(base({ module: V6_MODULE, name: 'RipNgTest', protocolId: V6_ID }));
  const key = `${IPV6_KEY}\\RipNgTest`;
  t.is(plan.steps[0]!.kind === 'check' && plan.steps[0]!.key, key);
  t.regex(plan.steps[0]!.title, /no other key under .*RouterManagers\\Ipv6 has ProtocolId 0x2B1D0066/);
  const v = values(plan, key);
  t.deepEqual(v.Ipv6, { type: 'REG_DWORD', data: 1 });
  t.deepEqual(v.SupportedFunctionality, { type: 'REG_DWORD', data: RF_ROUTING }, 'RTM on its family: the library claims RF_ROUTINGV6');
  for (const s of globalSteps(plan)) t.is(s.transportId, 0x57);
  t.regex(formatPlan(plan), /ip-global-info PID_IPV6 \(0x57\)/);

  const w = world();
  const r = applyPlan(plan, w.opts);
  t.true(r.changed, r.summary);
  t.true(w.registry.keyExists(key));
  t.false(w.registry.keyExists(`${IP_KEY}\\RipNgTest`), 'nothing under the IPv4 router manager');
  for (const store of [w.config, w.live]) {
    t.truthy(findEntry(decodeInfoBlock(store.ipv6!), V6_ID), 'the block is in the IPv6 transport');
    t.deepEqual(store.blob, routerGlobalInfo(), 'the IP transport is untouched');
  }
  const un = applyPlan(planUninstall({ name: 'RipNgTest', addressFamily: 'ipv6' }), w.opts);
  t.true(un.changed, un.summary);
  t.false(w.registry.keyExists(key));
  for (const store of [w.config, w.live]) t.falsy(findEntry(decodeInfoBlock(store.ipv6!), V6_ID));
});
