// The Windows implementations of the installer's backends: advapi32 Reg* and mprapi.dll through
// koffi (no reg.exe or PowerShell round trips: every call returns its own Win32 code, which
// the error of a failed step names), and fs for files.
//
// mprapi under Wine 8: MprAdminIsServiceRunning answers FALSE and MprConfigServerConnect
// returns ERROR_NOT_SUPPORTED (50); everything else there is a stub that aborts the process
// when called. The order of calls below never reaches a stub on Wine: the running router is
// asked for only after MprAdminIsServiceRunning says it runs, and MprConfig* stops at connect.
import fs from 'node:fs';
import path from 'node:path';
import koffi, { type KoffiFunction } from '../koffi.js';
import { Win32Error, type FileBackend, type RegistryBackend, type TransportStore } from './backends.js';
import { advapi32 } from '../win32/advapi32.js';
import type { RegistryValue } from './plan.js';

// Predefined keys are sign-extended 32-bit values (koffi passes intptr_t).
const ROOTS: Record<string, number> = { HKLM: -0x7ffffffe, HKEY_LOCAL_MACHINE: -0x7ffffffe, HKCU: -0x7fffffff, HKEY_CURRENT_USER: -0x7fffffff };
// The 64-bit view always: RRAS and the protocol DLL are x64 even if a 32-bit node ran this.
const KEY_WOW64_64KEY = 0x0100;
const KEY_READ = 0x20019 | KEY_WOW64_64KEY;
const KEY_ALL_ACCESS = 0xf003f | KEY_WOW64_64KEY;
const REG_CREATED_NEW_KEY = 1;
const REG_TYPES = { REG_SZ: 1, REG_EXPAND_SZ: 2, REG_DWORD: 4, REG_MULTI_SZ: 7 } as const;
const ERROR_SUCCESS = 0;
const ERROR_FILE_NOT_FOUND = 2;
const ERROR_MORE_DATA = 234;
const ERROR_NO_MORE_ITEMS = 259;


function split(key: string): { root: number; sub: string } {
  const i = key.indexOf('\\');
  const root = ROOTS[(i < 0 ? key : key.slice(0, i)).toUpperCase()];
  if (root === undefined) throw new Error(`registry key ${key}: must start with HKLM\\ or HKCU\\`);
  return { root, sub: i < 0 ? '' : key.slice(i + 1) };
}

const parentOf = (key: string) => key.slice(0, key.lastIndexOf('\\'));
const leafOf = (key: string) => key.slice(key.lastIndexOf('\\') + 1);

function encodeValue(v: RegistryValue): { type: number; data: Buffer } {
  switch (v.type) {
    case 'REG_DWORD': {
      const data = Buffer.alloc(4);
      data.writeUInt32LE(v.data >>> 0);
      return { type: REG_TYPES.REG_DWORD, data };
    }
    case 'REG_SZ':
    case 'REG_EXPAND_SZ':
      return { type: REG_TYPES[v.type], data: Buffer.from(`${v.data}\0`, 'utf16le') };
    case 'REG_MULTI_SZ':
      return { type: REG_TYPES.REG_MULTI_SZ, data: Buffer.from(`${v.data.map((s) => `${s}\0`).join('')}\0`, 'utf16le') };
    case 'RAW':
      return { type: v.regType, data: Buffer.from(v.data, 'hex') };
  }
}

function decodeValue(type: number, data: Buffer): RegistryValue {
  const text = () => data.toString('utf16le').replace(/\0+$/, '');
  if (type === REG_TYPES.REG_DWORD && data.length === 4) return { type: 'REG_DWORD', data: data.readUInt32LE(0) };
  if (type === REG_TYPES.REG_SZ) return { type: 'REG_SZ', data: text() };
  if (type === REG_TYPES.REG_EXPAND_SZ) return { type: 'REG_EXPAND_SZ', data: text() };
  if (type === REG_TYPES.REG_MULTI_SZ) {
    const s = data.toString('utf16le').replace(/\0\0?$/, '').replace(/\0$/, '');
    return { type: 'REG_MULTI_SZ', data: s === '' ? [] : s.split('\0') };
  }
  return { type: 'RAW', regType: type, data: data.toString('hex') };
}

/** advapi32 registry, 64-bit view. */
export class Win32Registry implements RegistryBackend {
  private open(key: string, access: number): number | undefined {
    const { root, sub } = split(key);
    const out = [0];
    const r = advapi32().RegOpenKeyExW(root, sub, 0, access, out) as number;
    if (r === ERROR_FILE_NOT_FOUND) return undefined;
    if (r !== ERROR_SUCCESS) throw new Win32Error(r, 'RegOpenKeyExW', key);
    return Number(out[0]);
  }

  private with<T>(key: string, access: number, absent: T, fn: (h: number) => T): T {
    const h = this.open(key, access);
    if (h === undefined) return absent;
    try {
      return fn(h);
    } finally {
      advapi32().RegCloseKey(h);
    }
  }

  keyExists(key: string): boolean {
    return this.with(key, KEY_READ, false, () => true);
  }

  createKey(key: string): boolean {
    const { root, sub } = split(key);
    const out = [0];
    const disposition = [0];
    const r = advapi32().RegCreateKeyExW(root, sub, 0, null, 0, KEY_ALL_ACCESS, null, out, disposition) as number;
    if (r !== ERROR_SUCCESS) throw new Win32Error(r, 'RegCreateKeyExW', key);
    advapi32().RegCloseKey(Number(out[0]));
    return disposition[0] === REG_CREATED_NEW_KEY;
  }

  deleteTree(key: string): boolean {
    return this.with(parentOf(key), KEY_ALL_ACCESS, false, (h) => {
      const r = advapi32().RegDeleteTreeW(h, leafOf(key)) as number;
      if (r === ERROR_FILE_NOT_FOUND) return false;
      if (r !== ERROR_SUCCESS) throw new Win32Error(r, 'RegDeleteTreeW', key);
      return true;
    });
  }

  getValue(key: string, name: string): RegistryValue | undefined {
    return this.with<RegistryValue | undefined>(key, KEY_READ, undefined, (h) => {
      for (let size = 256; ; ) {
        const type = [0];
        const cb = [size];
        const data = Buffer.alloc(size);
        const r = advapi32().RegQueryValueExW(h, name, null, type, data, cb) as number;
        if (r === ERROR_FILE_NOT_FOUND) return undefined;
        if (r === ERROR_MORE_DATA) {
          size = Math.max(cb[0]!, size * 2);
          continue;
        }
        if (r !== ERROR_SUCCESS) throw new Win32Error(r, 'RegQueryValueExW', `${key}\\${name}`);
        return decodeValue(type[0]!, data.subarray(0, cb[0]));
      }
    });
  }

  setValue(key: string, name: string, value: RegistryValue): void {
    const h = this.open(key, KEY_ALL_ACCESS);
    if (h === undefined) throw new Win32Error(ERROR_FILE_NOT_FOUND, 'RegOpenKeyExW', key);
    try {
      const { type, data } = encodeValue(value);
      const r = advapi32().RegSetValueExW(h, name, 0, type, data, data.length) as number;
      if (r !== ERROR_SUCCESS) throw new Win32Error(r, 'RegSetValueExW', `${key}\\${name}`);
    } finally {
      advapi32().RegCloseKey(h);
    }
  }

  deleteValue(key: string, name: string): boolean {
    return this.with(key, KEY_ALL_ACCESS, false, (h) => {
      const r = advapi32().RegDeleteValueW(h, name) as number;
      if (r === ERROR_FILE_NOT_FOUND) return false;
      if (r !== ERROR_SUCCESS) throw new Win32Error(r, 'RegDeleteValueW', `${key}\\${name}`);
      return true;
    });
  }

  private enumerate(key: string, call: 'RegEnumKeyExW' | 'RegEnumValueW'): string[] {
    return this.with<string[]>(key, KEY_READ, [], (h) => {
      const names: string[] = [];
      for (let i = 0; ; i++) {
        // Key names are at most 255 characters, value names 16383.
        const buf = Buffer.alloc(2 * 16384);
        const len = [16384];
        const r = advapi32()[call](h, i, buf, len, null, null, null, null) as number;
        if (r === ERROR_NO_MORE_ITEMS) return names;
        if (r !== ERROR_SUCCESS) throw new Win32Error(r, call, key);
        names.push(buf.subarray(0, len[0]! * 2).toString('utf16le'));
      }
    });
  }

  subkeys(key: string): string[] {
    return this.enumerate(key, 'RegEnumKeyExW');
  }

  valueNames(key: string): string[] {
    return this.enumerate(key, 'RegEnumValueW');
  }
}

interface Mprapi {
  MprAdminIsServiceRunning: KoffiFunction;
  MprAdminServerConnect: KoffiFunction;
  MprAdminServerDisconnect: KoffiFunction;
  MprAdminTransportGetInfo: KoffiFunction;
  MprAdminTransportSetInfo: KoffiFunction;
  MprAdminBufferFree: KoffiFunction;
  MprConfigServerConnect: KoffiFunction;
  MprConfigServerDisconnect: KoffiFunction;
  MprConfigTransportGetHandle: KoffiFunction;
  MprConfigTransportGetInfo: KoffiFunction;
  MprConfigTransportSetInfo: KoffiFunction;
  MprConfigBufferFree: KoffiFunction;
}
let mpr: Mprapi | undefined;

function mprapi(): Mprapi {
  if (mpr) return mpr;
  const lib = koffi.load('mprapi.dll');
  // Declarations after mingw-w64's mprapi.h; handles are opaque pointers.
  mpr = {
    MprAdminIsServiceRunning: lib.func('int32_t __stdcall MprAdminIsServiceRunning(const char16_t *lpwsServerName)'),
    MprAdminServerConnect: lib.func('uint32_t __stdcall MprAdminServerConnect(const char16_t *lpwsServerName, _Out_ void **phMprServer)'),
    MprAdminServerDisconnect: lib.func('void __stdcall MprAdminServerDisconnect(void *hMprServer)'),
    MprAdminTransportGetInfo: lib.func('uint32_t __stdcall MprAdminTransportGetInfo(void *hMprServer, uint32_t dwTransportId, _Out_ void **ppGlobalInfo, _Out_ uint32_t *lpdwGlobalInfoSize, void *ppClientInterfaceInfo, void *lpdwClientInterfaceInfoSize)'),
    MprAdminTransportSetInfo: lib.func('uint32_t __stdcall MprAdminTransportSetInfo(void *hMprServer, uint32_t dwTransportId, const uint8_t *pGlobalInfo, uint32_t dwGlobalInfoSize, void *pClientInterfaceInfo, uint32_t dwClientInterfaceInfoSize)'),
    MprAdminBufferFree: lib.func('uint32_t __stdcall MprAdminBufferFree(void *pBuffer)'),
    MprConfigServerConnect: lib.func('uint32_t __stdcall MprConfigServerConnect(const char16_t *lpwsServerName, _Out_ void **phMprConfig)'),
    MprConfigServerDisconnect: lib.func('void __stdcall MprConfigServerDisconnect(void *hMprConfig)'),
    MprConfigTransportGetHandle: lib.func('uint32_t __stdcall MprConfigTransportGetHandle(void *hMprConfig, uint32_t dwTransportId, _Out_ void **phRouterTransport)'),
    MprConfigTransportGetInfo: lib.func('uint32_t __stdcall MprConfigTransportGetInfo(void *hMprConfig, void *hRouterTransport, _Out_ void **ppGlobalInfo, _Out_ uint32_t *lpdwGlobalInfoSize, void *ppClientInterfaceInfo, void *lpdwClientInterfaceInfoSize, void *lplpwsDLLPath)'),
    MprConfigTransportSetInfo: lib.func('uint32_t __stdcall MprConfigTransportSetInfo(void *hMprConfig, void *hRouterTransport, const uint8_t *pGlobalInfo, uint32_t dwGlobalInfoSize, void *pClientInterfaceInfo, uint32_t dwClientInterfaceInfoSize, const char16_t *lpwsDLLPath)'),
    MprConfigBufferFree: lib.func('uint32_t __stdcall MprConfigBufferFree(void *pBuffer)'),
  };
  return mpr;
}

function check(code: number, call: string): void {
  if (code !== 0) throw new Win32Error(code, call);
}

/** Copies an mprapi-allocated buffer into a Buffer and frees it. */
function take(ptr: unknown, size: number, free: KoffiFunction): Buffer | null {
  if (!ptr) return null;
  try {
    return size > 0 ? Buffer.from(new Uint8Array(koffi.view(ptr, size))) : null;
  } finally {
    free(ptr);
  }
}

/** The router configuration in the registry (MprConfig*): what RemoteAccess starts with. */
export class MprConfigStore implements TransportStore {
  unavailable(): string | undefined {
    return undefined;
  }

  private session<T>(transportId: number, fn: (h: unknown, transport: unknown) => T): T {
    const api = mprapi();
    const h: unknown[] = [null];
    check(api.MprConfigServerConnect(null, h) as number, 'MprConfigServerConnect');
    try {
      const t: unknown[] = [null];
      check(api.MprConfigTransportGetHandle(h[0], transportId, t) as number, `MprConfigTransportGetHandle(PID 0x${transportId.toString(16)})`);
      return fn(h[0], t[0]);
    } finally {
      api.MprConfigServerDisconnect(h[0]);
    }
  }

  get(transportId: number): Buffer | null {
    return this.session(transportId, (h, t) => {
      const api = mprapi();
      const buf: unknown[] = [null];
      const size = [0];
      check(api.MprConfigTransportGetInfo(h, t, buf, size, null, null, null) as number, 'MprConfigTransportGetInfo');
      return take(buf[0], size[0]!, api.MprConfigBufferFree);
    });
  }

  set(transportId: number, blob: Buffer): void {
    this.session(transportId, (h, t) =>
      // No client interface info and no DLL path: both stay as they are.
      check(mprapi().MprConfigTransportSetInfo(h, t, blob, blob.length, null, 0, null) as number, 'MprConfigTransportSetInfo'));
  }
}

/** The running router (MprAdmin*): takes effect at once; skipped when RemoteAccess is not running. */
export class MprAdminStore implements TransportStore {
  unavailable(): string | undefined {
    return mprapi().MprAdminIsServiceRunning(null) ? undefined : 'the router (RemoteAccess) is not running: it reads the registry configuration when it starts';
  }

  private session<T>(fn: (h: unknown) => T): T {
    const api = mprapi();
    const h: unknown[] = [null];
    check(api.MprAdminServerConnect(null, h) as number, 'MprAdminServerConnect');
    try {
      return fn(h[0]);
    } finally {
      api.MprAdminServerDisconnect(h[0]);
    }
  }

  get(transportId: number): Buffer | null {
    return this.session((h) => {
      const api = mprapi();
      const buf: unknown[] = [null];
      const size = [0];
      check(api.MprAdminTransportGetInfo(h, transportId, buf, size, null, null) as number, 'MprAdminTransportGetInfo');
      return take(buf[0], size[0]!, api.MprAdminBufferFree);
    });
  }

  set(transportId: number, blob: Buffer): void {
    this.session((h) => check(mprapi().MprAdminTransportSetInfo(h, transportId, blob, blob.length, null, 0) as number, 'MprAdminTransportSetInfo'));
  }
}

// Node reports libuv codes, not the Win32 code it mapped: map the ones a DLL copy can hit back.
const UV_TO_WIN32: Record<string, number> = { ENOENT: 2, EACCES: 5, EPERM: 5, EBUSY: 32, ENOSPC: 112, EEXIST: 183, EISDIR: 5 };

function fsError(err: unknown, call: string, file: string): Error {
  const code = (err as NodeJS.ErrnoException).code ?? '';
  const win32 = UV_TO_WIN32[code];
  return win32 !== undefined ? new Win32Error(win32, `${call} [${code}]`, file) : (err as Error);
}

export class NodeFiles implements FileBackend {
  read(file: string): Buffer | undefined {
    try {
      return fs.readFileSync(file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw fsError(err, 'read', file);
    }
  }

  write(file: string, data: Buffer): void {
    try {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, data);
    } catch (err) {
      throw fsError(err, 'write', file);
    }
  }

  remove(file: string): boolean {
    try {
      fs.unlinkSync(file);
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw fsError(err, 'delete', file);
    }
  }
}

export function systemDirectory(): string {
  return path.win32.join(process.env.SystemRoot ?? process.env.windir ?? 'C:\\Windows', 'System32');
}
