// import() of a protocol's ES module, from a file of its own that Node's loader loads: the host
// compiles its bundle with vm (lib/host/main.ts), and in Node 20 an import() in a script whose
// code came from V8's code cache has lost its loader (ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING).
// lib/protocolModule.ts requires this file when it first needs it, so it is never bundled.
import { pathToFileURL } from 'node:url';

/** The module at a path, as import() gives it. */
export function importFile(modulePath: string): Promise<{ default?: unknown }> {
  return import(pathToFileURL(modulePath).href) as Promise<{ default?: unknown }>;
}
