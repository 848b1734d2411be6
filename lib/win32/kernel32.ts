// kernel32 through koffi, for the operator tools (lib/ops/endpoints.ts): the running
// processes, and whether a named pipe exists (without connecting to it).
import koffi, { type KoffiFunction } from '../koffi.js';

let fns: { K32EnumProcesses: KoffiFunction; WaitNamedPipeW: KoffiFunction } | undefined;

function kernel32() {
  if (fns) return fns;
  const lib = koffi.load('kernel32.dll');
  fns = {
    K32EnumProcesses: lib.func('int32_t __stdcall K32EnumProcesses(_Out_ uint32_t *lpidProcess, uint32_t cb, _Out_ uint32_t *lpcbNeeded)'),
    WaitNamedPipeW: lib.func('int32_t __stdcall WaitNamedPipeW(const char16_t *lpNamedPipeName, uint32_t nTimeOut)'),
  };
  return fns;
}

/** The ids of the processes running now. */
export function processIds(): number[] {
  for (let size = 1024; ; size *= 4) {
    const ids = new Uint32Array(size);
    const needed = [0];
    if (!kernel32().K32EnumProcesses(ids, ids.byteLength, needed)) throw new Error('K32EnumProcesses failed');
    if (needed[0]! < ids.byteLength) return Array.from(ids.subarray(0, needed[0]! / 4)).filter((p) => p !== 0);
  }
}

/**
 * Whether a pipe of that name has an instance waiting for a client. The admin endpoint always
 * keeps one waiting, so for its pipes this is whether they exist.
 */
export function pipeExists(name: string): boolean {
  return kernel32().WaitNamedPipeW(name, 1) !== 0;
}
