#!/usr/bin/env node
// The protocol host: the process the protocol library spawns for one protocol id.
//   node main.js --protocol-id N --name NAME --module PATH --address SOCKET --generation G
//                [--log-level L]   (the library's logLevel: lines above it are not even sent)
// (exactly these, each once, each followed by its value).
// The handshake token arrives on stdin (hex, one line), never on the command line.
// RRAS_BRIDGE_WIRE_VERSION, when set, is the newest wire version the host offers (a pin; how
// the tests play a host of an earlier release against a newer library).
//
// This file only picks how the host's code loads: from bundle.js (scripts/bundle-host.js:
// start.ts, the public API and what they import, as one file that registers each module under
// its own path) while the bundle holds what those files hold (bundle.js fresh()), else from them.
import fs from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';

// Source maps on in the host before any of its own modules loads: stack traces from the library
// and from the protocol's compiled TypeScript point at .ts lines (the maps carry their
// sources). `nodeArgs: ['--no-enable-source-maps']` turns it off. Here, not in a module of its
// own: one file fewer to find, read and compile at every start.
const sourceMapsOn = !process.execArgv.includes('--no-enable-source-maps');
if (sourceMapsOn) process.setSourceMapsEnabled(true);

interface Bundle { fresh(): boolean; start(): void }

/** Node's CommonJS module class, with the members a loader uses that @types/node leaves out. */
interface CjsModule extends NodeJS.Module {
  paths: string[];
  _compile(content: string, filename: string): void;
}
interface CjsModuleClass {
  new (id: string, parent?: NodeJS.Module | null): CjsModule;
  _nodeModulePaths(dir: string): string[];
}
// The class without require('node:module'), whose load costs about 2 ms (it loads SourceMap).
const CjsModule = module.constructor as unknown as CjsModuleClass & { createRequire(file: string): NodeJS.Require };

const bundleFile = path.join(__dirname, 'bundle.js');
/**
 * V8 takes a cache only from a process with the same V8 flags: one file per set of the host's
 * node options (bundle.cache without any, else bundle-<hash of them>.cache), so hosts of
 * different options do not take turns rewriting one.
 */
const cacheFile = path.join(__dirname, process.execArgv.length ? `bundle-${optionsHash(process.execArgv.join('\0'))}.cache` : 'bundle.cache');

/** FNV-1a of the host's node options, in hex (a name, not a check). */
function optionsHash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(16).padStart(8, '0');
}
/** The bundle as a CommonJS wrapper, all on its first line (a comment: no column moves). */
const WRAPPER = '(function (exports, require, module, __filename, __dirname) {';
/** The bundle's map for stack traces: mappings and source names, no sources. */
const STACK_MAP = 'bundle.stack.map';
/** The module that holds the bundle's source map for Node's stack traces (kept alive here). */
let bundleMapHolder: CjsModule | undefined;

type Wrapper = (this: unknown, ...args: unknown[]) => void;

/**
 * Runs bundle.js as require() would (a module registered under its path), but compiled by vm:
 * - Node's loader, with source maps on, also scans the whole file's text as it loads it (line
 *   lengths for coverage, its sourceURL comment) and parses its map. The map is registered
 *   for stack traces by compiling only a sourceMappingURL comment under the bundle's name,
 *   which costs just the map's parse: Node looks a frame's map up by its file's name. The
 *   comment names bundle.stack.map, the map without the sources (scripts/bundle-host.js).
 * - V8's code cache (bundle.cache) spares compiling what the last host ran; a host that found
 *   none it could use leaves one as it exits (see keepCodeCache).
 * Together a third of a host start (issue 12's cold start). The bundle has no import(): Node
 * 20 gives none to a script from a code cache (lib/importModule.ts, required, does them).
 */
function run(code: string): Bundle {
  const m = new CjsModule(bundleFile, module);
  m.filename = bundleFile;
  m.paths = CjsModule._nodeModulePaths(__dirname);
  require.cache[bundleFile] = m;
  try {
    const header = cacheHeader(code);
    const cachedData = header === undefined ? undefined : readCodeCache(header);
    const script = new vm.Script(`${WRAPPER}${code}\n})`, {
      filename: bundleFile,
      cachedData,
    });
    if (header !== undefined && (cachedData === undefined || script.cachedDataRejected)) keepCodeCache(script, header);
    if (sourceMapsOn) {
      bundleMapHolder = new CjsModule(bundleFile, null);
      bundleMapHolder._compile(`//# sourceMappingURL=${STACK_MAP}`, bundleFile);
    }
    (script.runInThisContext() as Wrapper).call(m.exports, m.exports, CjsModule.createRequire(bundleFile), m, bundleFile, __dirname);
  } catch (err) {
    delete require.cache[bundleFile];
    throw err;
  }
  m.loaded = true;
  return m.exports as Bundle;
}

/**
 * What bundle.cache starts with when it holds V8's code of this bundle, here: the tag on the
 * bundle's first line (scripts/bundle-host.js, new at every build; V8 itself checks only the
 * source's length) and the bundle's path (V8's code keeps the file name it was compiled under,
 * which stack traces show). V8 rejects a cache of another V8, other flags, or cut short.
 */
function cacheHeader(code: string): string | undefined {
  const tag = /^[^\n]* code-cache:([0-9a-f]+)\n/.exec(code)?.[1];
  return tag && `${tag}\n${bundleFile}\n`;
}

function readCodeCache(header: string): Buffer | undefined {
  let cache: Buffer;
  try {
    cache = fs.readFileSync(cacheFile);
  } catch {
    return undefined; // none yet
  }
  const head = Buffer.from(header);
  return cache.length > head.length && head.equals(cache.subarray(0, head.length)) ? cache.subarray(head.length) : undefined;
}

/**
 * Leaves V8's code of the bundle, as compiled by this host's run, in bundle.cache as the host
 * exits (off its start; once per build, flags and Node): written aside and renamed, so a host
 * starting meanwhile reads the old cache or the new one whole. A package it may not write to
 * keeps no cache.
 */
function keepCodeCache(script: vm.Script, header: string): void {
  process.once('exit', () => {
    const aside = `${cacheFile}.${process.pid}`;
    try {
      fs.writeFileSync(aside, Buffer.concat([Buffer.from(header), script.createCachedData()]));
      fs.renameSync(aside, cacheFile);
    } catch {
      fs.rmSync(aside, { force: true });
    }
  });
}

function bundle(): Bundle | undefined {
  let code: string;
  try {
    code = fs.readFileSync(bundleFile, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  const b = run(code);
  return b.fresh() ? b : undefined;
}

const b = bundle();
if (b) b.start();
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the same code, file by file
else require('./start.js');
