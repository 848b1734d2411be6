// Checks the installer runs before it plans anything, each failing with its own code and a
// message that says which rule was broken and what to do instead. The rules come from
// routprot.h's protocol-id scheme (docs/reference/rras-protocol-interface.md §4.9) and
// from what the registry, the tracing files and the protocol library accept.
import fs from 'node:fs';
import path from 'node:path';
import type { Protocol } from '../api/types.js';
import { CodedError } from '../codedError.js';
import { ModuleLoadError, importProtocol } from '../protocolModule.js';
import {
  IP_GENERAL_INFO_BASE, PROTO_TYPE_MS0, PROTO_TYPE_MS1, PROTO_VENDOR_MS0, PROTO_VENDOR_MS1, PROTO_VENDOR_MS2,
  PROTO_FROM_PROTO_ID, TYPE_FROM_PROTO_ID, VENDOR_FROM_PROTO_ID, protocolIdText,
} from '../constants.js';

export type InstallErrorCode =
  | 'BAD_NAME'
  | 'BAD_PROTOCOL_ID'
  | 'RESERVED_PROTOCOL_ID'
  | 'MICROSOFT_PROTOCOL_TYPE'
  | 'MICROSOFT_VENDOR'
  | 'MODULE_NOT_LOADED'
  | 'NOT_A_PROTOCOL'
  | 'PROTOCOL_ID_MISMATCH'
  | 'DLL_MISSING'
  | 'DLL_NOT_PE'
  | 'DLL_REDIRECTED'
  | 'BAD_OPTION'
  | 'BAD_GLOBAL_CONFIG';

export class InstallError extends CodedError<InstallErrorCode> {}

export const hex32 = (n: number): string => '0x' + (n >>> 0).toString(16).toUpperCase().padStart(8, '0');

/**
 * The registry key name under RouterManagers\Ip, the tracing key and %windir%\tracing\<name>.LOG,
 * and (with --copy-dll) part of a file name: so only characters that are safe in all three.
 */
export const NAME_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;

export function checkName(name: unknown): string {
  if (typeof name !== 'string' || !NAME_PATTERN.test(name)) {
    throw new InstallError(
      'BAD_NAME',
      `--name ${JSON.stringify(name)}: a protocol name is 1 to 64 characters from A-Z a-z 0-9 _ . - ` +
        '(it names a registry key, the tracing key and the trace file)',
    );
  }
  // "." and ".." are valid by the pattern but mean something else in file paths.
  if (/^\.+$/.test(name)) throw new InstallError('BAD_NAME', `--name ${JSON.stringify(name)}: a name made only of dots is not allowed`);
  return name;
}

/** Parses a protocol id given on the command line: decimal or 0x-hexadecimal. */
export function parseProtocolId(text: string): number {
  const t = text.trim();
  const n = /^0x[0-9a-f]+$/i.test(t) ? parseInt(t.slice(2), 16) : /^[0-9]+$/.test(t) ? Number(t) : NaN;
  if (!Number.isSafeInteger(n)) {
    throw new InstallError('BAD_PROTOCOL_ID', `--protocol-id ${JSON.stringify(text)}: expected a number (decimal or 0x hex)`);
  }
  return n;
}

/**
 * A protocol id the installer accepts: a u32 below the IP router manager's own InfoTypes, of a
 * non-Microsoft type and vendor. The id doubles as the TOC InfoType of the protocol's block in
 * the IP global info, so a clash there would hand our block to someone else (or theirs to us).
 */
export function checkProtocolId(id: unknown): number {
  if (typeof id !== 'number' || !Number.isInteger(id) || id < 0 || id > 0xffffffff) {
    throw new InstallError('BAD_PROTOCOL_ID', `protocol id ${String(id)} is not a 32-bit unsigned integer`);
  }
  const how = 'use PROTOCOL_ID(PROTO_TYPE_UCAST or PROTO_TYPE_MCAST, <your 14-bit vendor id>, <protocol number>)';
  if (id >= IP_GENERAL_INFO_BASE) {
    throw new InstallError(
      'RESERVED_PROTOCOL_ID',
      `protocol id ${hex32(id)} is not below 0xFFFF0000: ids from IP_GENERAL_INFO_BASE up are the IP router manager's own ` +
        `InfoTypes (filters, routes, priorities, ...) in the same info blocks; ${how}`,
    );
  }
  const type = TYPE_FROM_PROTO_ID(id);
  if (type === PROTO_TYPE_MS0 || type === PROTO_TYPE_MS1) {
    throw new InstallError(
      'MICROSOFT_PROTOCOL_TYPE',
      `protocol id ${hex32(id)} has type ${type} (${type === PROTO_TYPE_MS0 ? 'PROTO_TYPE_MS0' : 'PROTO_TYPE_MS1'}, ` +
        `the top two bits): types 2 and 3 are reserved for Microsoft; ${how}`,
    );
  }
  const vendor = VENDOR_FROM_PROTO_ID(id);
  const msVendor: Record<number, string> = {
    [PROTO_VENDOR_MS0]: 'PROTO_VENDOR_MS0 (0x0000: also every id below 0x10000, such as RIP 8 and OSPF 13)',
    [PROTO_VENDOR_MS1]: 'PROTO_VENDOR_MS1 (0x137)',
    [PROTO_VENDOR_MS2]: 'PROTO_VENDOR_MS2 (0x3FFF)',
  };
  if (msVendor[vendor] !== undefined) {
    throw new InstallError(
      'MICROSOFT_VENDOR',
      `protocol id ${hex32(id)} has vendor ${msVendor[vendor]} (bits 16-29): that is Microsoft's vendor space; ` +
        `${how}. E.g. PROTOCOL_ID(PROTO_TYPE_UCAST, 0x2b1d, ${PROTO_FROM_PROTO_ID(id)}) = ` +
        hex32(((0x2b1d << 16) | PROTO_FROM_PROTO_ID(id)) >>> 0),
    );
  }
  return id;
}

/** Loads the module the way the host will (protocolModule.ts) and checks its id. */
export async function loadProtocolForInstall(modulePath: string, protocolId: number): Promise<Protocol> {
  if (!fs.existsSync(modulePath)) {
    throw new InstallError('MODULE_NOT_LOADED', `module ${modulePath}: no such file`);
  }
  let p: Protocol;
  try {
    p = await importProtocol(modulePath);
  } catch (err) {
    if (err instanceof ModuleLoadError) throw new InstallError(err.code, `module ${err.message}`);
    throw err;
  }
  if (p.protocolId !== protocolId) {
    throw new InstallError(
      'PROTOCOL_ID_MISMATCH',
      `module ${modulePath} defines protocol ${protocolIdText(p.protocolId)}, but --protocol-id is ${protocolIdText(protocolId)}: ` +
        'the host refuses to run a module for another id, so the two must be equal',
    );
  }
  return p;
}

/** The protocol library must exist and be a PE image (a Linux .so would load nowhere on Windows). */
export function checkDll(dllPath: string): string {
  let head: Buffer;
  try {
    const fd = fs.openSync(dllPath, 'r');
    try {
      head = Buffer.alloc(2);
      fs.readSync(fd, head, 0, 2, 0);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    throw new InstallError(
      'DLL_MISSING',
      `the protocol library ${dllPath} does not exist (build it with npm install / npm run build:win32, or pass --dll)`,
    );
  }
  if (head.toString('latin1') !== 'MZ') {
    throw new InstallError('DLL_NOT_PE', `${dllPath} is not a Windows DLL (no MZ header): RRAS can only load the win32-x64 build`);
  }
  // A copy of the DLL reads a rras-bridge.json beside it before RRAS's key (MockRouter's
  // private copies do): the DLL RRAS loads must have none.
  const beside = path.join(path.dirname(dllPath), 'rras-bridge.json');
  if (fs.existsSync(beside)) {
    throw new InstallError('DLL_REDIRECTED', `${beside} would make the DLL read another registry key than RRAS's: remove it, or install another copy of the DLL (--dll)`);
  }
  return dllPath;
}

/** Registry strings: no NUL (it would end the value early), and short enough to display. */
export function checkText(option: string, value: string, max = 256): string {
  if (value.length === 0 || value.length > max || value.includes('\0')) {
    throw new InstallError('BAD_OPTION', `${option}: expected 1 to ${max} characters without NUL`);
  }
  return value;
}
