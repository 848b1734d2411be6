// MockRouter on Windows configures the protocol library the way an installation does: one
// registry key per protocol, with RRAS's values (DllName, ProtocolId, Title, VendorName) and
// ours beside them (names as in native/protocol/config_win.cc: the JSON field names,
// capitalised). advapi32 through koffi, no reg.exe round trips.
//
// Where: by default a key of this router (HKCU\Software\rras-bridge\MockRouter\<pid>\<thread>.<n>\Ip,
// deleted when the router closes or the process exits), which the router's private copy of
// the DLL finds named in the rras-bridge.json beside it, because routers run in parallel
// (processes, worker threads, several per process), reuse protocol ids, and HKCU needs no
// administrator. With RRAS_BRIDGE_MOCK_REGISTRY=rras: RRAS's own
// HKLM\SOFTWARE\Microsoft\Router\CurrentVersion\RouterManagers\Ip (administrator; one
// router at a time).
import { isMainThread, threadId } from 'node:worker_threads';
import { advapi32, HKEY_CURRENT_USER, HKEY_LOCAL_MACHINE } from '../win32/advapi32.js';
import { processAlive } from './workdir.js';

export const ROUTER_MANAGERS_IP = 'SOFTWARE\\Microsoft\\Router\\CurrentVersion\\RouterManagers\\Ip';
/** VendorName of the keys MockRouter writes (and may therefore replace or delete). */
export const MOCK_VENDOR = 'rras-bridge MockRouter';

// Predefined keys are sign-extended 32-bit values.
const KEY_ALL_ACCESS = 0xf003f;
const REG_SZ = 1;
const REG_DWORD = 4;
const REG_MULTI_SZ = 7;
const ERROR_SUCCESS = 0;
const ERROR_FILE_NOT_FOUND = 2;
const ERROR_NO_MORE_ITEMS = 259;


class RegistryError extends Error {
  constructor(what: string, readonly code: number) {
    super(`${what} failed with error ${code}`);
  }
}

function check(code: number, what: string): void {
  if (code !== ERROR_SUCCESS) throw new RegistryError(what, code);
}

function openKey(root: number, sub: string, create: boolean): number | undefined {
  const out = [0];
  const r = create
    ? (advapi32().RegCreateKeyExW(root, sub, 0, null, 0, KEY_ALL_ACCESS, null, out, [0]) as number)
    : (advapi32().RegOpenKeyExW(root, sub, 0, KEY_ALL_ACCESS, out) as number);
  if (!create && r === ERROR_FILE_NOT_FOUND) return undefined;
  check(r, `${create ? 'RegCreateKeyExW' : 'RegOpenKeyExW'}(${sub})`);
  return Number(out[0]);
}

function withKey<T>(h: number, fn: (h: number) => T): T {
  try {
    return fn(h);
  } finally {
    advapi32().RegCloseKey(h);
  }
}

function setValue(h: number, name: string, value: string | number | readonly string[]): void {
  let type: number;
  let data: Buffer;
  if (typeof value === 'number') {
    type = REG_DWORD;
    data = Buffer.alloc(4);
    data.writeUInt32LE(value >>> 0);
  } else if (typeof value === 'string') {
    type = REG_SZ;
    data = Buffer.from(`${value}\0`, 'utf16le');
  } else {
    type = REG_MULTI_SZ;
    data = Buffer.from(`${value.map((v) => `${v}\0`).join('')}\0`, 'utf16le');
  }
  check(advapi32().RegSetValueExW(h, name, 0, type, data, data.length) as number, `RegSetValueExW(${name})`);
}

function queryString(h: number, name: string): string | undefined {
  const type = [0];
  const size = [1024];
  const data = Buffer.alloc(1024);
  if ((advapi32().RegQueryValueExW(h, name, null, type, data, size) as number) !== ERROR_SUCCESS || type[0] !== REG_SZ) return undefined;
  return data.subarray(0, size[0]).toString('utf16le').replace(/\0+$/, '');
}

function queryDword(h: number, name: string): number | undefined {
  const type = [0];
  const size = [4];
  const data = Buffer.alloc(4);
  if ((advapi32().RegQueryValueExW(h, name, null, type, data, size) as number) !== ERROR_SUCCESS || type[0] !== REG_DWORD) return undefined;
  return data.readUInt32LE(0);
}

function subkeys(h: number): string[] {
  const names: string[] = [];
  for (let i = 0; ; i++) {
    const buf = Buffer.alloc(512);
    const len = [256];
    const r = advapi32().RegEnumKeyExW(h, i, buf, len, null, null, null, null) as number;
    if (r === ERROR_NO_MORE_ITEMS) return names;
    check(r, 'RegEnumKeyExW');
    names.push(buf.subarray(0, len[0]! * 2).toString('utf16le'));
  }
}

/** Where a router's protocol keys go; `text` is how the DLL is told (HKCU\... or HKLM\...). */
export interface RegistryParent {
  root: number;
  path: string;
  text: string;
}

const mockKey = 'Software\\rras-bridge\\MockRouter';
const processKey = `${mockKey}\\${process.pid}`;
let cleanupRegistered = false;
let routers = 0;


/** The parent key for a new router (and, once per process, the sweep of dead processes' keys). */
export function routerRegistryParent(): RegistryParent {
  if (process.env.RRAS_BRIDGE_MOCK_REGISTRY === 'rras') {
    return { root: HKEY_LOCAL_MACHINE, path: ROUTER_MANAGERS_IP, text: `HKLM\\${ROUTER_MANAGERS_IP}` };
  }
  if (!cleanupRegistered) {
    cleanupRegistered = true;
    // At exit the main thread removes the whole process's tree (routers remove their own at close).
    process.on('exit', () => {
      try {
        if (isMainThread) advapi32().RegDeleteTreeW(HKEY_CURRENT_USER, processKey);
      } catch { /* exiting anyway */ }
    });
    // Keys of test processes that were killed (no exit handler ran).
    const parent = openKey(HKEY_CURRENT_USER, mockKey, false);
    if (parent !== undefined) {
      withKey(parent, (h) => {
        for (const name of subkeys(h)) if (/^\d+$/.test(name) && !processAlive(Number(name))) advapi32().RegDeleteTreeW(h, name);
      });
    }
  }
  const path = `${processKey}\\${threadId}.${++routers}\\Ip`;
  return { root: HKEY_CURRENT_USER, path, text: `HKCU\\${path}` };
}

/** One protocol as the JSON configuration has it (config.h's field names). */
export type ProtocolEntry = { protocolId: number; name?: string; module: string } & Record<string, unknown>;

const capitalise = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/**
 * Writes one key per protocol under the router's parent key (replacing what MockRouter wrote
 * before for the same id). Call before RegisterProtocol.
 */
export function writeRegistryConfig(library: string, protocols: readonly ProtocolEntry[], p: RegistryParent): string[] {
  const written: string[] = [];
  withKey(openKey(p.root, p.path, true)!, (ip) => {
    const ours = new Map<string, number | undefined>();
    for (const name of subkeys(ip)) {
      const vendor = withKey(openKey(ip, name, false)!, (k) => [queryString(k, 'VendorName'), queryDword(k, 'ProtocolId')] as const);
      if (vendor[0] === MOCK_VENDOR) ours.set(name, vendor[1]);
    }
    for (const entry of protocols) {
      const name = entry.name ?? `protocol-${entry.protocolId}`;
      // A stale key for the same id under another name would shadow this one.
      for (const [other, id] of ours) if (id === entry.protocolId || other === name) check(advapi32().RegDeleteTreeW(ip, other) as number, `RegDeleteTreeW(${other})`);
      withKey(openKey(ip, name, true)!, (k) => {
        setValue(k, 'DllName', library);
        setValue(k, 'ProtocolId', entry.protocolId);
        setValue(k, 'Title', name);
        setValue(k, 'VendorName', MOCK_VENDOR);
        for (const [field, value] of Object.entries(entry)) {
          if (field === 'protocolId' || field === 'name' || value === undefined || value === null) continue;
          if (typeof value === 'number' || typeof value === 'string') setValue(k, capitalise(field), value);
          else if (Array.isArray(value)) setValue(k, capitalise(field), value.map(String));
          else throw new TypeError(`registry configuration: unsupported value for '${field}'`);
        }
      });
      written.push(name);
    }
  });
  return written;
}

/** Deletes what writeRegistryConfig wrote under the router's key (only MockRouter's own keys). */
export function removeRegistryConfig(names: readonly string[], parent: RegistryParent): void {
  const ip = openKey(parent.root, parent.path, false);
  if (ip === undefined) return;
  withKey(ip, () => {
    for (const name of names) {
      const k = openKey(ip, name, false);
      if (k === undefined) continue;
      const vendor = withKey(k, () => queryString(k, 'VendorName'));
      if (vendor === MOCK_VENDOR) advapi32().RegDeleteTreeW(ip, name);
    }
  });
  // The router's own key (HKCU\...\<pid>\<thread>.<n>) goes with it; RRAS's key stays.
  if (parent.root === HKEY_CURRENT_USER && parent.path.endsWith('\\Ip')) advapi32().RegDeleteTreeW(HKEY_CURRENT_USER, parent.path.slice(0, -3));
}
