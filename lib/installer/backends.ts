// The three things an installer plan touches, as interfaces: the registry, the IP transport's
// global info (registry config and running router) and files. win32.ts implements them with
// advapi32 / mprapi / fs on Windows; tests supply in-memory ones to exercise the transaction
// logic on every OS, and to keep a real Windows machine's RRAS configuration untouched.
import { errorName } from '../constants.js';
import type { RegistryValue } from './plan.js';

/** A failed Win32 call, with the code it returned. */
export class Win32Error extends Error {
  constructor(readonly code: number, readonly call: string, target?: string) {
    super(`${call}${target ? `(${target})` : ''} failed with Win32 error ${code} (${win32ErrorName(code)})`);
    this.name = 'Win32Error';
  }
}

const NAMES: Record<number, string> = {
  2: 'ERROR_FILE_NOT_FOUND',
  3: 'ERROR_PATH_NOT_FOUND',
  5: 'ERROR_ACCESS_DENIED',
  6: 'ERROR_INVALID_HANDLE',
  13: 'ERROR_INVALID_DATA',
  32: 'ERROR_SHARING_VIOLATION',
  87: 'ERROR_INVALID_PARAMETER',
  112: 'ERROR_DISK_FULL',
  183: 'ERROR_ALREADY_EXISTS',
  1062: 'ERROR_SERVICE_NOT_ACTIVE',
  1717: 'RPC_S_UNKNOWN_IF',
  1722: 'RPC_S_SERVER_UNAVAILABLE',
  1753: 'EPT_S_NOT_REGISTERED',
};

export function win32ErrorName(code: number): string {
  const generic = errorName(code);
  return NAMES[code] ?? (generic.startsWith('error ') ? 'unnamed' : generic);
}

/** Keys are full paths starting with HKLM\ or HKCU\ (already retargeted). */
export interface RegistryBackend {
  keyExists(key: string): boolean;
  /** Creates the key (and missing parents); true when it did not exist. */
  createKey(key: string): boolean;
  /** Deletes the key and everything below it; false when it did not exist. */
  deleteTree(key: string): boolean;
  /** undefined when the key or the value is absent. */
  getValue(key: string, name: string): RegistryValue | undefined;
  setValue(key: string, name: string, value: RegistryValue): void;
  /** false when it did not exist. */
  deleteValue(key: string, name: string): boolean;
  /** [] when the key is absent. */
  subkeys(key: string): string[];
  /** [] when the key is absent. */
  valueNames(key: string): string[];
}

/** The global info of one transport, in the registry config or in the running router. */
export interface TransportStore {
  /** undefined when usable; otherwise why the step is skipped (the router is not running). */
  unavailable(): string | undefined;
  /** The RTR_INFO_BLOCK_HEADER blob (null when the transport has none). */
  get(transportId: number): Buffer | null;
  set(transportId: number, blob: Buffer): void;
}

export interface FileBackend {
  /** undefined when absent. */
  read(file: string): Buffer | undefined;
  write(file: string, data: Buffer): void;
  /** false when absent. */
  remove(file: string): boolean;
}
