#!/usr/bin/env node
// Builds dist/lib/host/bundle.js (and its source map) from tsc's output: the files a protocol
// host loads to start (lib/host/start.ts and what it imports) and the public API a protocol
// imports (lib/index.ts and what it imports), as one file, so a host start compiles and reads
// one file and one map instead of about thirty (issue 12's cold start).
//
// Each file stays a CommonJS module of its own, registered in require.cache under its real
// path as it runs: when the user's module requires 'rras-bridge' (lib/index.js) it gets the
// instance the host runs, one copy of every class (ProtocolError, for instanceof) and of every
// module's state (hostInfo). Only a file's load-time imports (tsc writes them unindented,
// at the top) are bundled; a require() inside a function (the harness, lib/mock, behind the
// index's getters) stays a real require of the real file. The map maps every line to the
// lib/*.ts it came from, with the sources inside, as tsc's maps do.
// Beside it a host keeps bundle.cache, V8's code of the bundle (lib/host/main.ts), and finds
// bundle.stack.map, the map without the sources, which is all its stack traces need.
//
// main.js (lib/host/main.ts) runs the bundle only while it holds what the files hold (see
// fresh() below): after a plain `tsc -p .` the host loads those files themselves.
// Run after tsc: `npm run build:ts` (tsc -p . && node scripts/bundle-host.js).
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const lib = path.join(root, 'dist', 'lib');
const out = path.join(lib, 'host', 'bundle.js');
/** What the bundle runs, in order: the public API first, so the module's require finds it. */
const ENTRIES = ['index.js', 'host/start.js'];
/** Never bundled: the test harness and koffi (check-imports keeps the host from them too). */
const FORBIDDEN = /^(?:mock\/|koffi\.js$)/;

const DYNAMIC_IMPORT = /(?<![\w$.])import\(/;
const TOP_LEVEL_REQUIRE = /^(?!\s)(?:.*[^\w$.])?require\("(\.{1,2}\/[^"]+\.js)"\)/;

function fail(message) {
  console.error(`bundle-host: ${message}`);
  process.exit(1);
}

/** The modules to bundle, depth-first so each appears after what it requires at load. */
function collect() {
  const modules = new Map(); // id -> { code, map, deps: Map(specifier -> id) }
  const visit = (id, chain) => {
    if (modules.has(id)) return;
    if (FORBIDDEN.test(id)) fail(`a host start would load ${chain.concat(id).join(' -> ')}`);
    const file = path.join(lib, id);
    if (!fs.existsSync(file)) fail(`${path.relative(root, file)} does not exist: run tsc -p . first`);
    const code = fs.readFileSync(file, 'utf8');
    const map = JSON.parse(fs.readFileSync(`${file}.map`, 'utf8'));
    const deps = new Map();
    for (const line of code.split('\n')) {
      const m = TOP_LEVEL_REQUIRE.exec(line);
      if (m) deps.set(m[1], path.posix.join(path.posix.dirname(id), m[1]));
    }
    modules.set(id, null); // a cycle would end here; check-imports refuses cycles
    for (const dep of deps.values()) visit(dep, chain.concat(id));
    modules.delete(id);
    modules.set(id, { code, map, deps, size: fs.statSync(file).size });
  };
  for (const e of ENTRIES) visit(e, []);
  return modules;
}

// ---- source map v3 mappings: base64 VLQ ------------------------------------------------------
const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_INDEX = new Map([...B64].map((c, i) => [c, i]));

/** Lines of segments, each [genColumn, source, line, column(, name)] in absolute values. */
function decodeMappings(mappings) {
  const state = [0, 0, 0, 0, 0];
  return mappings.split(';').map((line) => {
    state[0] = 0;
    return line ? line.split(',').map((seg) => {
      const fields = [];
      for (let i = 0, value = 0, shift = 0; i < seg.length; i++) {
        const digit = B64_INDEX.get(seg[i]);
        if (digit === undefined) fail(`bad source map segment ${seg}`);
        value += (digit & 31) << shift;
        if (digit & 32) shift += 5;
        else {
          fields.push(value & 1 ? -(value >>> 1) : value >>> 1);
          value = shift = 0;
        }
      }
      return fields.map((f, k) => (state[k] += f));
    }) : [];
  });
}

function encodeMappings(lines) {
  const state = [0, 0, 0, 0, 0];
  const vlq = (n) => {
    let v = n < 0 ? (-n << 1) | 1 : n << 1;
    let s = '';
    do {
      let digit = v & 31;
      v >>>= 5;
      if (v) digit |= 32;
      s += B64[digit];
    } while (v);
    return s;
  };
  return lines.map((segs) => {
    state[0] = 0;
    return segs.map((seg) => seg.map((f, k) => { const d = f - state[k]; state[k] = f; return vlq(d); }).join('')).join(',');
  }).join(';');
}

// ---- the bundle -------------------------------------------------------------------------------
// The loader the bundle starts with: a module runs once, as a Module registered under its
// path before its code runs; a specifier the bundle holds loads from the bundle, any other
// (node: builtins, packages, a require() the bundle left) through the module's own require.
const PRELUDE = `'use strict';
// Generated by scripts/bundle-host.js from tsc's output (see there): do not edit.
// The Module class without require('node:module'), whose load costs about 2 ms (SourceMap).
const Module = module.constructor;
const fs = require('node:fs');
const path = require('node:path');
const lib = path.join(__dirname, '..');
const factories = Object.create(null);
const imports = Object.create(null);
const sizes = SIZES;
// node_modules lookup paths by folder: a handful of folders, computed once each (for every
// module, as Node's loader does, they cost a host start about 1 ms).
const folderPaths = new Map();
function lookupPaths(dir) {
  let paths = folderPaths.get(dir);
  if (!paths) folderPaths.set(dir, (paths = Module._nodeModulePaths(dir)));
  return paths.slice();
}
function load(id) {
  const filename = path.join(lib, id);
  const cached = require.cache[filename];
  if (cached) return cached.exports;
  const m = new Module(filename, module);
  m.filename = filename;
  m.paths = lookupPaths(path.dirname(filename));
  require.cache[filename] = m;
  const deps = imports[id];
  const req = (specifier) => (specifier in deps ? load(deps[specifier]) : m.require(specifier));
  try {
    factories[id].call(m.exports, m.exports, req, m, filename, path.dirname(filename));
  } catch (err) {
    delete require.cache[filename];
    throw err;
  }
  m.loaded = true;
  return m.exports;
}
/**
 * Whether the bundle holds what the files hold: each file has the size it had when bundled
 * (a file patched by hand, in node_modules too, has not) and, in a checkout (tsconfig.json in
 * the package root), is no newer than the bundle (tsc wrote it since). An installed package's
 * times say nothing: npm writes its files in any order.
 */
exports.fresh = () => {
  const checkout = fs.existsSync(path.join(lib, '..', '..', 'tsconfig.json'));
  const built = fs.statSync(__filename).mtimeMs;
  return Object.keys(sizes).every((id) => {
    const s = fs.statSync(path.join(lib, id));
    return s.size === sizes[id] && (!checkout || s.mtimeMs <= built);
  });
};
/** Runs one bundled module (by its path under dist/lib) and returns its exports. */
exports.load = load;
exports.start = () => { for (const id of ENTRIES) load(id); };
`;

// ---- the code cache ---------------------------------------------------------------------------
// A host keeps V8's code of the bundle in bundle.cache beside it (lib/host/main.ts), for its
// own build only: the bundle's first line carries a tag new at every build.
const CACHE_TAG = 'code-cache:';
/** The bundle's map without its sources, for stack traces (lib/host/main.ts registers it). */
const STACK_MAP = 'bundle.stack.map';

function build() {
  const modules = collect();
  const tag = require('node:crypto').randomBytes(8).toString('hex');
  const bundleDir = path.dirname(out);
  const sizes = Object.fromEntries([...modules].map(([id, m]) => [id, m.size]));
  const lines = PRELUDE.replace('ENTRIES', JSON.stringify(ENTRIES)).replace('SIZES', JSON.stringify(sizes)).trimEnd().split('\n');
  const mappings = lines.map(() => []);
  const sources = [];
  const sourcesContent = [];
  for (const [id, { code, map, deps }] of modules) {
    const body = code.replace(/\n?\/\/# sourceMappingURL=.*\s*$/, '').split('\n');
    if (body[0].startsWith('#!')) body[0] = ''; // the shebang, meaningless inside a function
    const importTable = Object.fromEntries(deps);
    lines.push(`imports[${JSON.stringify(id)}] = ${JSON.stringify(importTable)};`, `factories[${JSON.stringify(id)}] = (function (exports, require, module, __filename, __dirname) {`);
    mappings.push([], []);
    const first = lines.length;
    lines.push(...body, '});');
    const index = sources.length;
    const mapDir = path.dirname(path.join(lib, id));
    for (const s of map.sources) sources.push(path.relative(bundleDir, path.resolve(mapDir, map.sourceRoot ?? '', s)).split(path.sep).join('/'));
    sourcesContent.push(...(map.sourcesContent ?? map.sources.map(() => null)));
    if (map.names?.length) fail(`${id}.map has names, which this bundler does not carry`);
    const decoded = decodeMappings(map.mappings);
    for (let i = 0; i < body.length; i++) {
      mappings[first + i] = (decoded[i] ?? []).map(([col, src, line, column]) => [col, index + src, line, column]);
    }
  }
  lines.push(`//# sourceMappingURL=${path.basename(out)}.map`);
  const sourceMap = { version: 3, file: path.basename(out), sources, sourcesContent, names: [], mappings: encodeMappings(mappings.slice(0, lines.length)) };
  fs.writeFileSync(`${out}.map`, JSON.stringify(sourceMap));
  fs.writeFileSync(out, `${lines.join('\n')}\n`);
  // Whitespace and comments out, names and code as they are (esbuild composes the map above
  // into its own, still to the .ts sources): with source maps on, Node scans a file's every
  // character as it loads it (line lengths, the sourceURL comment), a third of the bundle's
  // load; without them compiling is faster too.
  require('esbuild').buildSync({
    entryPoints: [out], outfile: out, allowOverwrite: true, bundle: false, platform: 'node', format: 'cjs',
    target: `node${process.versions.node.split('.')[0]}`, minifyWhitespace: true, legalComments: 'none',
    sourcemap: 'linked', sourcesContent: true, logLevel: 'warning',
    banner: { js: `// Generated by scripts/bundle-host.js from tsc's output (see there): do not edit. ${CACHE_TAG}${tag}` },
  });
  // Node's stack traces need a map's mappings and source names only: the host registers this
  // copy without the sources (a third the size; reading and parsing the whole map cost a host
  // start about 1.5 ms). Debuggers follow the bundle's comment to the whole map.
  const { sourcesContent: _sources, ...forStacks } = JSON.parse(fs.readFileSync(`${out}.map`, 'utf8'));
  fs.writeFileSync(path.join(path.dirname(out), STACK_MAP), JSON.stringify(forStacks));
  for (const f of fs.readdirSync(path.dirname(out))) { // the previous build's code caches
    if (/^bundle(?:-[0-9a-f]+)?\.cache$/.test(f)) fs.rmSync(path.join(path.dirname(out), f), { force: true });
  }
  // The host compiles the bundle with vm and V8's code cache, whose scripts have no import() in
  // Node 20 (lib/importModule.ts does them, required where needed). Comments are gone by now.
  const dynamicImport = DYNAMIC_IMPORT.exec(fs.readFileSync(out, 'utf8'));
  if (dynamicImport) fail(`the bundle has an import() (at ${dynamicImport.index}), which the host cannot run from it: use lib/importModule.ts`);
  console.log(`bundle-host: ${path.relative(root, out)}: ${modules.size} modules of dist/lib`);
}

build();
