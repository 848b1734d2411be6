// Loads a protocol module as the host will (the host itself, the installer's check, the mock
// CLI), and turns a failure into a message that says where and what to do: a syntax error
// names file:line:col (Node's ES module loader gives no location at all), a TypeScript file
// says how to build or load it, a missing file says so.
import fs from 'node:fs';
import path from 'node:path';
import { isProtocol } from './api/defineProtocol.js';
import type { Protocol } from './api/types.js';
import { CodedError } from './codedError.js';
import { protocolIdText } from './constants.js';

/** Why a module is refused: it does not load, or its default export is not a protocol. */
export type ModuleLoadFailure = 'MODULE_NOT_LOADED' | 'NOT_A_PROTOCOL';

/** A module that could not be used; the message is meant for the protocol's author. */
export class ModuleLoadError extends CodedError<ModuleLoadFailure> {
  constructor(code: ModuleLoadFailure, message: string, options?: ErrorOptions) {
    super(code, message);
    if (options?.cause !== undefined) this.cause = options.cause;
    this.stack = `${this.name}: ${message}`; // the loader's own frames would only hide the point
  }
}

/**
 * Loads a module by path. A CommonJS file (Node's rule: .cjs, or .js in a package scope that
 * is not "type": "module") is required: import() of one costs the host about 5 ms more, for
 * starting Node's ES module loader, and gives the same exports (on .default). Everything else
 * goes through import(), which takes a file URL; on POSIX a path with a backslash has no file
 * URL Node accepts (it refuses an encoded "\\"), so such a path is required too: an ES module
 * where Node can require one (process.features.require_module), else an error naming the path.
 * With ES module hooks or a changed default type in the host's flags, import() loads every
 * module, so the hooks see it as they would in plain Node.
 */
async function importPath(modulePath: string): Promise<{ default?: unknown }> {
  const backslash = process.platform !== 'win32' && modulePath.includes('\\');
  if (!backslash && !(isCommonJs(modulePath) && !esmFlags())) return importFile(modulePath);
  try {
    // This module's own require (not node:module's createRequire: loading node:module costs a
    // host start about 2 ms, for the SourceMap class it exports).
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod: unknown = require(path.resolve(modulePath));
    // Presented as import() would: an ES module's namespace as is, CommonJS exports as default.
    return mod && (mod as { [Symbol.toStringTag]?: string })[Symbol.toStringTag] === 'Module' ? (mod as { default?: unknown }) : { default: mod };
  } catch (err) {
    if ((err as { code?: string }).code === 'ERR_REQUIRE_ESM') {
      if (!backslash) return importFile(modulePath);
      throw new Error(`${modulePath}: an ES module cannot be loaded from a path with a backslash by this Node (it refuses such file URLs and cannot require an ES module); move it, build it as CommonJS, or use Node >= 20.19`);
    }
    throw err;
  }
}

/** import() of the module, from lib/importModule.ts (required when first needed, never bundled: see there). */
function importFile(modulePath: string): Promise<{ default?: unknown }> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- see above
  return (require('./importModule.js') as typeof import('./importModule.js')).importFile(modulePath);
}

/** Whether Node loads this file as CommonJS: .cjs, or .js whose nearest package.json is not "type": "module". */
function isCommonJs(file: string): boolean {
  const ext = path.extname(file);
  if (ext === '.cjs') return true;
  if (ext !== '.js') return false;
  for (let dir = path.dirname(path.resolve(file)); ; dir = path.dirname(dir)) {
    const pkg = path.join(dir, 'package.json');
    let text: string;
    try {
      text = fs.readFileSync(pkg, 'utf8');
    } catch {
      if (path.dirname(dir) === dir || path.basename(dir) === 'node_modules') return true;
      continue;
    }
    try {
      return (JSON.parse(text) as { type?: unknown }).type !== 'module';
    } catch {
      return false; // Node refuses to load it; import() says why
    }
  }
}

/** Flags under which Node's ES module loader decides how files load (hooks, default type, detection). */
function esmFlags(): boolean {
  const flags = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)];
  return flags.some((f) => /^--(?:import|(?:experimental-)?loader|experimental-default-type|experimental-detect-module)\b/.test(f));
}

/** The protocol a module exports (default export, or a CommonJS module.exports.default). */
export async function importProtocol(modulePath: string): Promise<Protocol> {
  let mod: { default?: unknown };
  try {
    mod = await importPath(modulePath);
  } catch (err) {
    throw new ModuleLoadError('MODULE_NOT_LOADED', explainLoadFailure(modulePath, err), { cause: err });
  }
  let p: unknown = mod.default;
  if (!isProtocol(p) && isProtocol((p as { default?: unknown } | undefined)?.default)) p = (p as { default: unknown }).default;
  if (!isProtocol(p)) {
    throw new ModuleLoadError('NOT_A_PROTOCOL', `${modulePath}: the default export is not a protocol (write export default defineProtocol({...}))`);
  }
  return p;
}

/** The host's load: the module's protocol, which must have the configured id. */
export async function loadProtocolModule(modulePath: string, protocolId: number): Promise<Protocol> {
  const p = await importProtocol(modulePath);
  if (p.protocolId !== protocolId) {
    throw new ModuleLoadError('NOT_A_PROTOCOL',
      `${modulePath} defines protocol ${protocolIdText(p.protocolId)}, but it is configured for protocol ${protocolIdText(protocolId)}`);
  }
  return p;
}

const TS = /\.[cm]?tsx?$/;

export function explainLoadFailure(modulePath: string, err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (e?.code === 'ERR_UNKNOWN_FILE_EXTENSION' && TS.test(modulePath)) return typeScriptHint(modulePath);
  if ((e?.code === 'ERR_MODULE_NOT_FOUND' || e?.code === 'MODULE_NOT_FOUND') && !fs.existsSync(modulePath)) {
    const ts = modulePath.replace(/\.[cm]?js$/, '.ts');
    return `${modulePath} does not exist${ts !== modulePath && fs.existsSync(ts) ? ` (${path.basename(ts)} does: build it first, e.g. npx tsc)` : ''}`;
  }
  if (err instanceof SyntaxError) {
    const where = syntaxLocation(err) ?? findSyntaxError(modulePath);
    if (where) return `${where.file}:${where.line}:${where.column}: SyntaxError: ${err.message}${where.excerpt ? `\n${where.excerpt}` : ''}`;
  }
  return `cannot load ${modulePath}: ${err instanceof Error ? err.stack ?? err.message : String(err)}`;
}

function typeScriptHint(modulePath: string): string {
  const compiled = compiledOutput(modulePath);
  return `${modulePath} is TypeScript, which this Node.js (${process.version}) does not load by itself. Either build it ` +
    `(npx tsc) and configure the .js it produces${compiled ? ` (${compiled})` : ''}, or load it through a TypeScript loader ` +
    `in the host: nodeArgs: ['--import', 'tsx'] after npm install --save-dev tsx` +
    (Number(process.versions.node.split('.')[0]) >= 22 ? `, or nodeArgs: ['--experimental-strip-types']` : '');
}

/** The .js tsc would write for a .ts file, from the nearest tsconfig.json's rootDir/outDir. */
function compiledOutput(tsFile: string): string | undefined {
  for (let dir = path.dirname(tsFile); ; dir = path.dirname(dir)) {
    const config = path.join(dir, 'tsconfig.json');
    if (fs.existsSync(config)) {
      try {
        // tsconfig allows comments; the common case (outDir, rootDir) survives stripping them.
        const text = fs.readFileSync(config, 'utf8').replace(/\/\*[\s\S]*?\*\/|^\s*\/\/.*$/gm, '');
        const options = (JSON.parse(text) as { compilerOptions?: { outDir?: string; rootDir?: string } }).compilerOptions ?? {};
        if (!options.outDir) return undefined;
        const rel = path.relative(path.resolve(dir, options.rootDir ?? '.'), tsFile).replace(TS, '.js');
        return path.join(path.resolve(dir, options.outDir), rel);
      } catch {
        return undefined;
      }
    }
    if (path.dirname(dir) === dir) return undefined;
  }
}

interface Location { file: string; line: number; column: number; excerpt?: string }

/**
 * Node's CommonJS loader puts the place in the stack's head: "file:line", the source line,
 * and a caret under the column.
 */
function syntaxLocation(err: SyntaxError): Location | undefined {
  const lines = (err.stack ?? '').split(/\r?\n/); // node.exe's stderr ends its lines with \r\n
  const head = /^(.*):(\d+)$/.exec(lines[0] ?? '');
  if (!head || !lines[2]?.includes('^')) return undefined;
  const file = head[1]!.startsWith('file://') ? new URL(head[1]!).pathname : head[1]!;
  return { file, line: Number(head[2]), column: lines[2].indexOf('^') + 1, excerpt: `${lines[1]}\n${lines[2]}` };
}

/**
 * For ES modules: `node --check` on the module and the relative imports it names, until one
 * fails; its report has the same head as the CommonJS one.
 */
function findSyntaxError(entry: string): Location | undefined {
  const seen = new Set<string>();
  const queue = [entry];
  while (queue.length && seen.size < 100) {
    const file = queue.shift()!;
    if (seen.has(file) || !fs.existsSync(file)) continue;
    seen.add(file);
    // Required here, on this error path only: child_process (and the dgram it loads) would
    // cost every host start.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { spawnSync } = require('node:child_process') as typeof import('node:child_process');
    const r = spawnSync(process.execPath, ['--check', file], { encoding: 'utf8', timeout: 10000 });
    if (r.status !== 0 && r.stderr) {
      const err = new SyntaxError();
      err.stack = r.stderr.trimStart();
      const found = syntaxLocation(err);
      if (found) return found;
    }
    queue.push(...relativeImports(file));
  }
  return undefined;
}

/** The files a module names by relative specifier (import, export from, import(), require()). */
export function relativeImports(file: string): string[] {
  let source: string;
  try {
    source = fs.readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const m of source.matchAll(/(?:\bfrom|\bimport|\brequire)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g)) {
    const target = path.resolve(path.dirname(file), m[1]!);
    out.push(fs.existsSync(target) || path.extname(target) ? target : `${target}.js`);
  }
  return out;
}
