// What `rras-bridge install` / `uninstall` change, as an ordered list of typed steps. Planning
// is pure (no registry, no mprapi), so it runs on any OS: --dry-run prints a plan, the tests
// assert plans on Linux, and apply-win32.ts executes the same plan on Windows.
//
// Install, in order (reference §4.1, §4.2):
//   1. check      the protocol key is absent or ours (InstalledBy), no other key claims the id
//   2. copy-file  (--copy-dll) the library to %SystemRoot%\System32, as the public samples deploy
//   3. the key    HKLM\SOFTWARE\Microsoft\Router\CurrentVersion\RouterManagers\Ip\<Name> (a
//                 protocol with addressFamily 'ipv6': ...\RouterManagers\Ipv6\<Name>) and its
//                 values: RRAS's (DllName, ProtocolId, Title, VendorName) and the library's
//                 (native/protocol/config_win.cc: Module, NodePath, HostEntry, ...)
//   4. tracing    HKLM\SOFTWARE\Microsoft\Tracing\<Name>, values only where absent (an
//                 administrator's `netsh ras set tracing <Name> enabled` survives a re-install)
//   5. the protocol's block in the IP (PID_IP) or IPv6 (PID_IPV6) transport global info: the
//      registry config (MprConfig*),
//      then the running router (MprAdmin*; skipped when it is not running). The block is what
//      makes the router manager load the DLL; registry keys alone do not.
// Uninstall undoes this in reverse: live block, config block, tracing key, copied DLL, key.
import fs from 'node:fs';
import path from 'node:path';
import { capabilitiesOf } from '../api/defineProtocol.js';
import type { Protocol } from '../api/types.js';
import { ConfigError } from '../config/schema.js';
import { VENDOR_FROM_PROTO_ID } from '../constants.js';
import { packageRoot, paths } from '../paths.js';
import type { BlockSpec, GlobalInfoChange } from './globalInfo.js';
import {
  InstallError, checkDll, checkName, checkProtocolId, checkText, hex32, loadProtocolForInstall, parseProtocolId,
} from './validate.js';

export const ROUTER_MANAGERS_IP = 'HKLM\\SOFTWARE\\Microsoft\\Router\\CurrentVersion\\RouterManagers\\Ip';
export const TRACING = 'HKLM\\SOFTWARE\\Microsoft\\Tracing';
/** Marks a protocol key as written by this installer: uninstall deletes only such keys. */
export const INSTALLED_BY = 'InstalledBy';
export const INSTALLED_BY_PREFIX = 'rras-bridge';
/** The IPv6 router manager's protocols (reference §4.1). */
export const ROUTER_MANAGERS_IPV6 = `${ROUTER_MANAGERS_IP}v6`;
/** PID_IP (mprapi.h): the IP transport. */
export const PID_IP = 0x21;
/** PID_IPV6 (mprapi.h): the IPv6 transport, whose global info loads IPv6 protocols. */
export const PID_IPV6 = 0x57;

/** The router manager's key and transport for a protocol of this family. */
export function routerManager(family: 'ipv4' | 'ipv6' = 'ipv4'): { key: string; transportId: number; transport: string } {
  return family === 'ipv6'
    ? { key: ROUTER_MANAGERS_IPV6, transportId: PID_IPV6, transport: 'IPv6 transport (PID_IPV6)' }
    : { key: ROUTER_MANAGERS_IP, transportId: PID_IP, transport: 'IP transport (PID_IP)' };
}

export type RegistryValue =
  | { type: 'REG_SZ'; data: string }
  | { type: 'REG_EXPAND_SZ'; data: string }
  | { type: 'REG_MULTI_SZ'; data: string[] }
  | { type: 'REG_DWORD'; data: number }
  /** Any other type, as read back (only to restore a deleted key exactly). */
  | { type: 'RAW'; regType: number; data: string };

interface StepBase {
  /** What the step does, in one line. */
  title: string;
  /** Why this step may not behave as described on a real RRAS server ([U] in the reference). */
  unverified?: string;
}

export type Step = StepBase &
  (
    | {
        kind: 'check';
        /** install: the key must be absent or ours, and no other key may have our ProtocolId;
         *  uninstall: absent means nothing to do, present must be ours (it also yields the id). */
        mode: 'install' | 'uninstall';
        key: string;
      }
    | { kind: 'copy-file'; from: string; directory: 'System32'; file: string }
    | { kind: 'create-key'; key: string }
    | { kind: 'set-value'; key: string; name: string; value: RegistryValue; onlyIfAbsent: boolean }
    | {
        kind: 'ip-global-info';
        /** 'config': the registry copy (MprConfig*); 'live': the running router (MprAdmin*). */
        store: 'config' | 'live';
        transportId: number;
        change: GlobalInfoChange;
      }
    | { kind: 'delete-key'; key: string }
    | { kind: 'delete-file'; directory: 'System32'; file: string }
  );

export type StepKind = Step['kind'];

export interface Plan {
  action: 'install' | 'uninstall';
  name: string;
  /** null for an uninstall told only the name: apply reads it from the key's ProtocolId. */
  protocolId: number | null;
  steps: Step[];
  /** Things to know about this plan as a whole (placeholders, [U] items). */
  notes: string[];
}

export interface InstallOptions {
  /** The protocol module (its default export: defineProtocol({...})). */
  module: string;
  /** The registry key name, the tracing name. */
  name: string;
  /** Must equal the module's protocolId. Numbers or strings (decimal, 0x hex). */
  protocolId: number | string;
  title?: string;
  vendor?: string;
  /** The built protocol library; default: this package's win32-x64 DLL. */
  dllPath?: string;
  /** Copy the DLL to %SystemRoot%\System32 as rras_bridge_<Name>.dll and register that bare name. */
  copyDll?: boolean;
  /** node.exe for the host; default: the node running the installer (Windows). */
  nodePath?: string;
  nodeArgs?: string[];
  /** Default: this package's dist/lib/host/main.js. */
  hostEntry?: string;
  logFile?: string;
  /** The initial global configuration, for a protocol with a globalConfig schema. */
  globalConfig?: Record<string, unknown>;
  /** The initial global block as raw bytes (or hex), for a protocol without a schema. */
  globalInfo?: Buffer | string;
  /** A PROTOCOL_METRIC for IP_PROT_PRIORITY_INFO (lower is preferred) [U]. */
  priority?: number;
}

export interface UninstallOptions {
  name: string;
  /** Which router manager the protocol was installed for; default 'ipv4'. */
  addressFamily?: 'ipv4' | 'ipv6';
  /** Optional: otherwise read from the key at apply time. */
  protocolId?: number | string;
}

const sz = (data: string): RegistryValue => ({ type: 'REG_SZ', data });
const dword = (data: number): RegistryValue => ({ type: 'REG_DWORD', data: data >>> 0 });

export const protocolKey = (name: string, family: 'ipv4' | 'ipv6' = 'ipv4') => `${routerManager(family).key}\\${name}`;
export const tracingKey = (name: string) => `${TRACING}\\${name}`;
export const copiedDllName = (name: string) => `rras_bridge_${name}.dll`;

/** The package's own Windows DLL: the local build on Windows, else the win32-x64 prebuild. */
export function defaultDllPath(): string {
  return process.platform === 'win32' ? paths.protocolLibrary : path.join(packageRoot, 'prebuilds', 'win32-x64', 'rras_bridge_protocol.dll');
}

function packageVersion(): string {
  try {
    return (JSON.parse(fs.readFileSync(path.join(packageRoot, 'package.json'), 'utf8')) as { version?: string }).version ?? '0';
  } catch {
    return '0';
  }
}

/**
 * The initial global block. With a schema: its encoded defaults (or the given configuration),
 * kept on re-install when a block of the same size is already there. Without a schema: the
 * given bytes, or one zero DWORD, the shape the public loadprotocol sample installs; any
 * existing block is kept. Not an empty block: a zero-length block elsewhere in RRAS means
 * "delete", and whether the router manager loads a protocol whose block is empty is unknown.
 */
function globalBlock(protocol: Protocol, opts: InstallOptions): BlockSpec {
  const schema = protocol.globalConfig;
  if (schema) {
    if (opts.globalInfo !== undefined) {
      throw new InstallError('BAD_OPTION', `the module has a globalConfig schema (${schema.name}): give the configuration as JSON (--global-config), not raw bytes`);
    }
    let data: Buffer;
    try {
      data = schema.encode(opts.globalConfig ?? {});
    } catch (err) {
      if (err instanceof ConfigError) throw new InstallError('BAD_GLOBAL_CONFIG', `global configuration: ${err.message}`);
      throw err;
    }
    return { infoSize: data.length, count: 1, data: data.toString('hex'), mode: opts.globalConfig ? 'replace' : 'keep-compatible' };
  }
  if (opts.globalConfig !== undefined) {
    throw new InstallError('BAD_OPTION', 'the module declares no globalConfig schema: give its global block as raw bytes (--global-info-hex)');
  }
  if (opts.globalInfo !== undefined) {
    const data = typeof opts.globalInfo === 'string' ? hexBytes(opts.globalInfo) : Buffer.from(opts.globalInfo);
    if (data.length === 0) throw new InstallError('BAD_GLOBAL_CONFIG', 'the global block must not be empty (an empty block means "delete" to RRAS)');
    return { infoSize: data.length, count: 1, data: data.toString('hex'), mode: 'replace' };
  }
  return { infoSize: 4, count: 1, data: '00000000', mode: 'keep-any' };
}

function hexBytes(text: string): Buffer {
  const t = text.replace(/^0x/i, '').replace(/[\s:]/g, '');
  if (!/^([0-9a-f]{2})*$/i.test(t)) throw new InstallError('BAD_GLOBAL_CONFIG', `--global-info-hex: not an even number of hex digits: ${text}`);
  return Buffer.from(t, 'hex');
}

function checkMetric(v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 0xffffffff) {
    throw new InstallError('BAD_OPTION', `--priority ${String(v)}: expected a metric from 0 to 4294967295`);
  }
  return v;
}

export async function planInstall(opts: InstallOptions): Promise<Plan> {
  const name = checkName(opts.name);
  const protocolId = checkProtocolId(typeof opts.protocolId === 'string' ? parseProtocolId(opts.protocolId) : opts.protocolId);
  if (typeof opts.module !== 'string' || opts.module === '') throw new InstallError('BAD_OPTION', 'the protocol module path is required');
  const modulePath = path.resolve(opts.module);
  const protocol = await loadProtocolForInstall(modulePath, protocolId);
  const dllPath = checkDll(path.resolve(opts.dllPath ?? defaultDllPath()));
  const windows = process.platform === 'win32';
  const nodePath = opts.nodePath ?? (windows ? process.execPath : 'node.exe');
  if (opts.nodePath !== undefined) checkText('--node-path', opts.nodePath, 1024);
  if (opts.nodePath !== undefined && windows && path.isAbsolute(opts.nodePath) && !fs.existsSync(opts.nodePath)) {
    throw new InstallError('BAD_OPTION', `--node-path ${opts.nodePath}: no such file`);
  }
  const title = checkText('--title', opts.title ?? protocol.name);
  const vendor = checkText('--vendor', opts.vendor ?? `vendor 0x${VENDOR_FROM_PROTO_ID(protocolId).toString(16).toUpperCase().padStart(4, '0')}`);
  const hostEntry = path.resolve(opts.hostEntry ?? paths.host);
  const block = globalBlock(protocol, opts);
  const priority = opts.priority === undefined ? undefined : checkMetric(opts.priority);
  const caps = capabilitiesOf(protocol);
  const rm = routerManager(protocol.addressFamily ?? 'ipv4');
  const key = protocolKey(name, protocol.addressFamily ?? 'ipv4');
  const trace = tracingKey(name);

  const steps: Step[] = [];
  steps.push({
    kind: 'check',
    mode: 'install',
    key,
    title: `${key} is absent or was written by rras-bridge (${INSTALLED_BY}), and no other key under ${rm.key} has ProtocolId ${hex32(protocolId)}`,
  });
  const dllName = opts.copyDll ? copiedDllName(name) : dllPath;
  if (opts.copyDll) {
    steps.push({ kind: 'copy-file', from: dllPath, directory: 'System32', file: copiedDllName(name), title: `copy ${dllPath} to %SystemRoot%\\System32\\${copiedDllName(name)}` });
  }
  steps.push({ kind: 'create-key', key, title: `create ${key}` });
  const value = (valueName: string, v: RegistryValue, unverified?: string) =>
    steps.push({ kind: 'set-value', key, name: valueName, value: v, onlyIfAbsent: false, title: `set ${valueName}`, ...(unverified ? { unverified } : {}) });
  // InstalledBy first: a key left half-written by an interrupted run is still recognised as ours.
  value(INSTALLED_BY, sz(`${INSTALLED_BY_PREFIX} ${packageVersion()}`));
  value('DllName', sz(dllName), opts.copyDll ? undefined : 'RRAS loading DllName as a full path (the samples register a bare name in System32; use --copy-dll for that)');
  value('ProtocolId', dword(protocolId));
  value('Title', sz(title));
  value('VendorName', sz(vendor));
  value('Module', sz(modulePath));
  value('NodePath', sz(nodePath));
  // Always explicit: the library's default (beside the DLL) is wrong for a copied DLL.
  value('HostEntry', sz(hostEntry));
  if (opts.nodeArgs?.length) value('NodeArgs', { type: 'REG_MULTI_SZ', data: opts.nodeArgs.map((a) => checkText('--node-arg', a, 1024)) });
  if (opts.logFile !== undefined) value('LogFile', sz(checkText('--log-file', path.resolve(opts.logFile), 1024)));
  // What RegisterProtocol announces before the host runs (capabilitiesOf).
  value('SupportedFunctionality', dword(caps.supportedFunctionality));
  value('ClientCalls', dword(caps.clientCalls));
  // The key's place already says it; the value keeps the library's reading explicit.
  if (caps.ipv6) value('Ipv6', dword(1));

  steps.push({ kind: 'create-key', key: trace, title: `create ${trace} (RRAS tracing of ${name}, rtutils)` });
  const traceValue = (valueName: string, v: RegistryValue) =>
    steps.push({ kind: 'set-value', key: trace, name: valueName, value: v, onlyIfAbsent: true, title: `set ${valueName} if absent` });
  // Off until `netsh ras set tracing <Name> enabled`; masks select the library's ERROR..DEBUG bits.
  traceValue('EnableFileTracing', dword(0));
  traceValue('EnableConsoleTracing', dword(0));
  traceValue('FileTracingMask', dword(0xffff0000));
  traceValue('ConsoleTracingMask', dword(0xffff0000));
  traceValue('MaxFileSize', dword(0x100000));
  traceValue('FileDirectory', { type: 'REG_EXPAND_SZ', data: '%windir%\\tracing' });

  const change: GlobalInfoChange = { action: 'set', block, ...(priority !== undefined ? { priority } : {}) };
  const what = `the ${hex32(protocolId)} block (${block.infoSize} bytes, ${block.mode})${priority !== undefined ? ` and priority metric ${priority}` : ''}`;
  const priorityNote = priority !== undefined ? 'the effect of an IP_PROT_PRIORITY_INFO entry for a new protocol id on route preference' : undefined;
  steps.push({
    kind: 'ip-global-info',
    store: 'config',
    transportId: rm.transportId,
    change,
    title: `add ${what} to the ${rm.transport} global info in the router configuration (MprConfigTransportSetInfo)`,
    ...(priorityNote ? { unverified: priorityNote } : {}),
  });
  steps.push({
    kind: 'ip-global-info',
    store: 'live',
    transportId: rm.transportId,
    change,
    title: `add ${what} to the running router (MprAdminTransportSetInfo; skipped when RemoteAccess is not running)`,
    unverified: 'that the running router manager loads the protocol at once (XORP restarts RemoteAccess instead)' + (priorityNote ? `; ${priorityNote}` : ''),
  });

  const notes: string[] = [];
  if (!windows) {
    notes.push(`planned on ${process.platform}: file paths are this machine's and NodePath is a placeholder; run on Windows to apply`);
  }
  if (priority !== undefined) notes.push('the metric goes only into an existing IP_PROT_PRIORITY_INFO block; none is created');
  return { action: 'install', name, protocolId, steps, notes };
}

export function planUninstall(opts: UninstallOptions): Plan {
  const name = checkName(opts.name);
  const protocolId =
    opts.protocolId === undefined ? null : checkProtocolId(typeof opts.protocolId === 'string' ? parseProtocolId(opts.protocolId) : opts.protocolId);
  const rm = routerManager(opts.addressFamily ?? 'ipv4');
  const key = protocolKey(name, opts.addressFamily ?? 'ipv4');
  const trace = tracingKey(name);
  const id = protocolId === null ? `the id in ${key}\\ProtocolId` : hex32(protocolId);
  const change: GlobalInfoChange = { action: 'remove' };
  const steps: Step[] = [
    { kind: 'check', mode: 'uninstall', key, title: `${key} was written by rras-bridge (${INSTALLED_BY}; absent: nothing to do)${protocolId === null ? '; read its ProtocolId' : ''}` },
    {
      kind: 'ip-global-info',
      store: 'live',
      transportId: rm.transportId,
      change,
      title: `remove the block and priority metric of ${id} from the running router (MprAdminTransportSetInfo; skipped when RemoteAccess is not running)`,
      unverified: 'that the router manager stops and unloads the protocol at once',
    },
    {
      kind: 'ip-global-info',
      store: 'config',
      transportId: rm.transportId,
      change,
      title: `remove the block and priority metric of ${id} from the router configuration (MprConfigTransportSetInfo)`,
    },
    { kind: 'delete-key', key: trace, title: `delete ${trace}` },
    { kind: 'delete-file', directory: 'System32', file: copiedDllName(name), title: `delete %SystemRoot%\\System32\\${copiedDllName(name)} if present (--copy-dll)` },
    { kind: 'delete-key', key, title: `delete ${key}` },
  ];
  return { action: 'uninstall', name, protocolId, steps, notes: [] };
}
