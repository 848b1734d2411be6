#!/usr/bin/env node
// The layering rules of lib/, checked on its import graph (type-only imports included: they
// tie files together as much as the others):
//   - no cycle;
//   - nothing imports lib/mock (the test harness) but lib/mock itself and the package's entry
//     points (package.json main, bin and exports: the public index and the CLI, whose `mock`
//     subcommand is the harness's);
//   - lib/host (what runs in production) imports neither lib/mock nor lib/installer;
//   - what a protocol host loads at start (lib/host/main.ts and lib/host/start.ts, which it
//     runs from the bundle or the file, and the package index, which the user's module imports), following the imports that load code (not type-only ones, not a
//     require() inside a function), reaches neither lib/mock nor koffi (lib/koffi.ts): both
//     are the test harness's, and loading them cost every host start (issue 12).
// npm run test:imports; exits 1 naming each violation.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const lib = path.join(root, 'lib');

function files(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? files(p) : e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

// import ... from 'x', export ... from 'x', import('x'), import 'x'
const SPECIFIER = /(?:^|[^\w.])(?:import|export)\s[^'"`;]*?from\s*['"]([^'"]+)['"]|import\s*\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s*['"]([^'"]+)['"]/gm;

// A statement that loads nothing at run time: `import type`, `export type`, or braces whose
// every name is marked `type` (TypeScript drops these imports from the JavaScript).
const TYPE_ONLY = /^(?:import|export)\s+type\s|^(?:import|export)\s*\{\s*(?:type\s+[\w$]+(?:\s+as\s+[\w$]+)?\s*,?\s*)+\}\s*from/;

/** The lib/ files a file imports: all of them, and those whose code it loads at start. */
function importsOf(file) {
  const text = fs.readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const all = new Set();
  const loaded = new Set();
  for (const m of text.matchAll(SPECIFIER)) {
    const spec = m[1] ?? m[2] ?? m[3];
    if (!spec.startsWith('.')) continue;
    const target = path.resolve(path.dirname(file), spec.replace(/\.js$/, '.ts'));
    if (!target.startsWith(lib + path.sep)) continue;
    all.add(target);
    // import() loads later, when called; a static statement loads at start unless type-only.
    if (m[2] === undefined && !TYPE_ONLY.test(m[0].replace(/^[^ie]*/, ''))) loaded.add(target);
  }
  return { all: [...all], loaded: [...loaded] };
}

const rel = (p) => path.relative(root, p).split(path.sep).join('/');
const imports = new Map(files(lib).map((f) => [f, importsOf(f)]));
const graph = new Map([...imports].map(([f, i]) => [f, i.all]));
const problems = [];

// Entry points: what package.json publishes, mapped back from dist/ to the sources.
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const published = [pkg.main, ...Object.values(pkg.bin ?? {}), ...JSON.stringify(pkg.exports ?? {}).match(/"\.\/dist\/lib\/[^"]+\.js"/g) ?? []]
  .map((p) => p.replace(/"/g, '').replace(/^\.\//, ''))
  .filter((p) => p.startsWith('dist/lib/'))
  .map((p) => path.join(root, p.replace(/^dist\//, '').replace(/\.js$/, '.ts')));
const entries = new Set(published);

const within = (file, dir) => file.startsWith(path.join(lib, dir) + path.sep);
for (const [file, deps] of graph) {
  for (const dep of deps) {
    if (!graph.has(dep)) problems.push(`${rel(file)} imports ${rel(dep)}, which does not exist`);
    if (within(dep, 'mock') && !within(file, 'mock') && !entries.has(file))
      problems.push(`${rel(file)} imports the test harness (${rel(dep)}): only lib/mock and the entry points may`);
    if (within(file, 'host') && (within(dep, 'mock') || within(dep, 'installer')))
      problems.push(`${rel(file)} (the host) imports ${rel(dep)}`);
  }
}

// The host's start: a breadth-first walk of the loading imports, so each finding names the
// shortest chain that reaches the harness.
const hostStart = [path.join(lib, 'host', 'main.ts'), path.join(lib, 'host', 'start.ts'), path.join(lib, 'index.ts')];
const via = new Map(hostStart.map((f) => [f, null]));
for (const queue = [...hostStart]; queue.length; ) {
  const file = queue.shift();
  if (within(file, 'mock') || file === path.join(lib, 'koffi.ts')) {
    const chain = [];
    for (let f = file; f; f = via.get(f)) chain.unshift(rel(f));
    problems.push(`a protocol host loads the test harness at start: ${chain.join(' -> ')} (import it type-only, or require it where it is used)`);
    continue;
  }
  for (const dep of imports.get(file)?.loaded ?? []) {
    if (via.has(dep)) continue;
    via.set(dep, file);
    queue.push(dep);
  }
}

// Cycles: the strongly connected components with more than one file (or a self-import).
let index = 0;
const stack = [];
const meta = new Map();
function connect(v) {
  const m = { index, low: index, onStack: true };
  index++;
  meta.set(v, m);
  stack.push(v);
  for (const w of graph.get(v) ?? []) {
    if (!graph.has(w)) continue;
    const n = meta.get(w);
    if (!n) {
      connect(w);
      m.low = Math.min(m.low, meta.get(w).low);
    } else if (n.onStack) {
      m.low = Math.min(m.low, n.index);
    }
  }
  if (m.low !== m.index) return;
  const component = [];
  let w;
  do {
    w = stack.pop();
    meta.get(w).onStack = false;
    component.push(w);
  } while (w !== v);
  if (component.length > 1 || (graph.get(v) ?? []).includes(v))
    problems.push(`import cycle: ${component.map(rel).sort().join(' <-> ')}`);
}
for (const v of graph.keys()) if (!meta.has(v)) connect(v);

if (problems.length) {
  for (const p of problems) console.error(`check-imports: ${p}`);
  process.exit(1);
}
console.log(`check-imports: ${graph.size} files of lib/, no cycle, the harness imported only by lib/mock and ${[...entries].map(rel).join(', ')}; ` +
  `a host's start loads ${via.size} of them, none of the harness`);
