// Keeps a loaded library mapped until the process ends. koffi unloads a library when its JS
// objects are finalized, which a worker thread's teardown or the process's exit does while
// the protocol library's threads (supervisor, channel I/O) may still run its code, during a
// stop or in a router that was never closed: its code must not be unmapped under them.
// POSIX: dlopen(RTLD_NOLOAD | RTLD_NODELETE) on the loaded copy; Windows: GetModuleHandleExW
// with GET_MODULE_HANDLE_EX_FLAG_PIN.
import koffi, { type KoffiFunction } from './koffi.js';

const RTLD_NOW = 0x2;
const RTLD_NOLOAD = 0x4;
const RTLD_NODELETE = 0x1000; // glibc
const GET_MODULE_HANDLE_EX_FLAG_PIN = 0x1;

let pinner: ((file: string) => boolean) | undefined;

function load(): (file: string) => boolean {
  if (process.platform === 'win32') {
    const k = koffi.load('kernel32.dll');
    const get: KoffiFunction = k.func('int __stdcall GetModuleHandleExW(uint32_t dwFlags, const char16_t *lpModuleName, _Out_ intptr_t *phModule)');
    return (file) => (get(GET_MODULE_HANDLE_EX_FLAG_PIN, file, [0]) as number) !== 0;
  }
  let libc;
  try {
    libc = koffi.load('libc.so.6');
    libc.func('void *dlopen(const char *file, int mode)');
  } catch {
    libc = koffi.load('libdl.so.2'); // glibc before 2.34
  }
  const dlopen: KoffiFunction = libc.func('void *dlopen(const char *file, int mode)');
  return (file) => dlopen(file, RTLD_NOW | RTLD_NOLOAD | RTLD_NODELETE) !== null;
}

/** Pins an already loaded library; false when it was not loaded (nothing to keep). */
export function pinLoadedLibrary(file: string): boolean {
  try {
    pinner ??= load();
    return pinner(file);
  } catch {
    return false; // no dlopen to call: nothing better to do at exit
  }
}
