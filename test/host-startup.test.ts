// What a protocol host loads to start: the public API through the user's module, never the
// test harness (lib/mock, MockRouter) or koffi, which only a test process needs (issue 12's
// cold start); and the harness is still there, through the same index, for whoever uses it.
import test from 'ava';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { MockRouter, NO_ERROR } from '../lib/index.js';
import { fixture, uniqueId } from './helpers.js';

const dist = path.resolve(__dirname, '..', 'lib');
const harness = (file: string) => file.startsWith(path.join(dist, 'mock') + path.sep) || /[\\/]koffi[\\/]/.test(file);

test('a host loads the public API without the test harness or koffi, from its bundle', async (t) => {
  const router = new MockRouter();
  t.teardown(() => router.close());
  const proto = router.register({ protocolId: uniqueId(0x75000000), module: fixture('loaded-modules'), heartbeatMs: 0 });
  t.is(await proto.start(), NO_ERROR, router.log());
  const r = await proto.mib('get', Buffer.alloc(4), 1 << 20);
  t.is(r.code, NO_ERROR);
  const loaded: string[] = JSON.parse(r.output.toString());
  t.true(loaded.includes(path.join(dist, 'index.js')), 'the protocol module loaded the package index');
  t.true(loaded.includes(path.join(dist, 'host', 'runtime.js')), 'the list is the host process\'s');
  t.deepEqual(loaded.filter(harness), [], 'no harness module in the host');
  // The host ran from its bundle, and the index the module imported (whose hostInfo() gave the
  // fixture its protocol id) is the host's own.
  t.true(loaded.includes(path.join(dist, 'host', 'bundle.js')), 'the host ran from the bundle (tsc alone leaves it stale: npm run build:ts)');
});

test('the index loads the harness when one of its values is first used, from CommonJS and ES modules', (t) => {
  const index = path.join(dist, 'index.js');
  const cjs = spawnSync(process.execPath, ['-e', `
    const api = require(${JSON.stringify(index)});
    const before = Object.keys(require.cache).filter((f) => /[\\\\/]mock[\\\\/]|koffi/.test(f)).length;
    console.log(JSON.stringify({ before, router: typeof api.MockRouter, rtm: typeof api.MockRtm, v: api.MS_ROUTER_VERSION_MPR60,
      walk: typeof api.walkMib, after: Object.keys(require.cache).some((f) => /koffi/.test(f)), keys: Object.keys(api).includes('MockRouter') }));
  `], { encoding: 'utf8' });
  t.is(cjs.status, 0, cjs.stderr);
  t.deepEqual(JSON.parse(cjs.stdout), { before: 0, router: 'function', rtm: 'function', v: 0x600, walk: 'function', after: true, keys: true });
  const esm = spawnSync(process.execPath, ['--input-type=module', '-e', `
    import { MockRouter, RoutingCallError, codeOf, INSPECT_DEADLINE_MS, defineProtocol } from ${JSON.stringify(pathToFileURL(index).href)};
    console.log(JSON.stringify([typeof MockRouter, typeof RoutingCallError, typeof codeOf, INSPECT_DEADLINE_MS, typeof defineProtocol]));
  `], { encoding: 'utf8' });
  t.is(esm.status, 0, esm.stderr);
  t.deepEqual(JSON.parse(esm.stdout), ['function', 'function', 'function', 10 * 60 * 1000, 'function']);
});

// The host's code runs from dist/lib/host/bundle.js (scripts/bundle-host.js), one file instead
// of about thirty; a protocol still shares the host's modules, and a bundle that no longer holds
// what its files hold is never run.

function copyOfDist(t: { teardown(fn: () => void): void }): string {
  // Inside dist/, so that the copy's require of a package (koffi, for the harness) finds node_modules.
  const dir = fs.mkdtempSync(path.join(dist, '..', '.bundle-test-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  // The package's layout (dist/lib), the package root (where a checkout has tsconfig.json) above.
  const lib = path.join(dir, 'dist', 'lib');
  fs.cpSync(dist, lib, { recursive: true, preserveTimestamps: true, filter: (f) => !f.endsWith('.d.ts') });
  return lib;
}

test('the bundle registers each module under its file: one copy of each class and state, the harness still lazy', (t) => {
  const lib = copyOfDist(t);
  const r = spawnSync(process.execPath, ['-e', `
    const lib = ${JSON.stringify(lib)};
    const bundle = require(lib + '/host/bundle.js');
    const api = bundle.load('index.js');
    const mocks = () => Object.keys(require.cache).filter((f) => f.split(require('path').sep).includes('mock')).length;
    const before = mocks();
    console.log(JSON.stringify({
      fresh: bundle.fresh(),
      index: require(lib + '/index.js') === api,
      error: require(lib + '/api/errors.js').ProtocolError === api.ProtocolError,
      info: require(lib + '/host/info.js').hostInfo === api.hostInfo,
      fromFile: Object.keys(require.cache).filter((f) => f.endsWith('index.js')).every((f) => require.cache[f].loaded),
      before, harness: typeof api.MockRouter, after: mocks() > 0,
    }));
  `], { encoding: 'utf8' });
  t.is(r.status, 0, r.stderr);
  t.deepEqual(JSON.parse(r.stdout), { fresh: true, index: true, error: true, info: true, fromFile: true, before: 0, harness: 'function', after: true });
});

test('a bundle that does not hold what its files hold is not run: the host loads the files', (t) => {
  const lib = copyOfDist(t);
  const start = path.join(lib, 'host', 'start.js');
  const runtime = path.join(lib, 'host', 'runtime.js');
  // Which copy of start.js ran: the bundle's module has the bundle as parent, the file main.js.
  const probe = path.join(lib, '..', 'probe.js');
  fs.writeFileSync(probe, `process.on('exit', () => process.stdout.write(require('path').basename(require.cache[${JSON.stringify(start)}].parent.filename)));\n`);
  const ran = () => {
    const host = spawnSync(process.execPath, ['-r', probe, path.join(lib, 'host', 'main.js'), '--bogus'], { encoding: 'utf8' });
    t.is(host.status, 2, host.stderr); // the argument check, the first thing the host does
    return host.stdout;
  };
  t.is(ran(), 'bundle.js', 'a copy of a built package runs the bundle');
  const later = new Date(Date.now() + 60_000);
  fs.utimesSync(runtime, later, later);
  t.is(ran(), 'bundle.js', 'an installed package whose files npm wrote after the bundle');
  fs.writeFileSync(path.join(lib, '..', '..', 'tsconfig.json'), '{}\n');
  t.is(ran(), 'main.js', 'a checkout where tsc wrote a file after the bundle');
  fs.rmSync(path.join(lib, '..', '..', 'tsconfig.json'));
  fs.appendFileSync(path.join(lib, 'constants.js'), '\n// patched\n');
  t.is(ran(), 'main.js', 'a file patched by hand');
});

// The host compiles the bundle itself (lib/host/main.ts): with V8's code of it (bundle.cache,
// which a host leaves as it exits) when that cache is of the same build and place, and with
// the bundle's source map registered for stack traces.

/** The code caches in a copy's host folder (one per set of node options: the probe's own). */
function caches(lib: string): string[] {
  const dir = path.join(lib, 'host');
  return fs.readdirSync(dir).filter((f) => /^bundle.*\.cache$/.test(f)).map((f) => path.join(dir, f));
}

/** Runs the copy's host to its argument check; what the probe wrote at exit. */
function hostProbe(t: { is(a: unknown, b: unknown, m?: string): void }, lib: string, atExit: string): string {
  const probe = path.join(lib, '..', 'probe.js');
  fs.writeFileSync(probe, `process.on('exit', () => { ${atExit} });\n`);
  const host = spawnSync(process.execPath, ['-r', probe, path.join(lib, 'host', 'main.js'), '--bogus'], { encoding: 'utf8' });
  t.is(host.status, 2, host.stderr);
  return host.stdout;
}

test('a stack trace through the bundle names the library\'s .ts lines, compiled or from the code cache', (t) => {
  const lib = copyOfDist(t);
  const errors = path.join(lib, 'api', 'errors.js');
  for (const f of caches(lib)) fs.rmSync(f); // a copy's build has none (its path is not the copy's)
  const trace = () => JSON.parse(hostProbe(t, lib, `const m = require.cache[${JSON.stringify(errors)}];
    process.stdout.write(JSON.stringify({ parent: require('path').basename(m.parent.filename), stack: new m.exports.ProtocolError(87, 'x').stack }));`)) as { parent: string; stack: string };
  for (const how of ['compiled', 'from the cache']) {
    const { parent, stack } = trace();
    t.is(parent, 'bundle.js', `the module ran from the bundle (${how})`);
    // The host's main, where its argument check exits, then the bundle's loader (no map there).
    t.regex(stack, /\n {4}at main \(.*lib[\\/]host[\\/]start\.ts:\d+:\d+\)\n.*\n {4}at load \(.*[\\/]bundle\.js:/, how);
    t.is(caches(lib).length, 1, 'the host left its code cache');
  }
});

test('the bundle\'s code cache is used only for its own build and place; a cut or foreign cache still starts the host', (t) => {
  const lib = copyOfDist(t);
  const bundle = path.join(lib, 'host', 'bundle.js');
  const start = path.join(lib, 'host', 'start.js');
  const ran = () => hostProbe(t, lib, `process.stdout.write(require('path').basename(require.cache[${JSON.stringify(start)}].parent.filename));`);
  for (const f of caches(lib)) fs.rmSync(f);
  t.is(ran(), 'bundle.js', 'no cache');
  const [cache] = caches(lib) as [string];
  const good = fs.readFileSync(cache);
  t.true(good.includes(`\n${bundle}\n`), 'the host left a cache for its bundle');
  t.is(ran(), 'bundle.js', 'with the cache');
  fs.writeFileSync(cache, good.subarray(0, good.length >> 1));
  t.is(ran(), 'bundle.js', 'a cache cut short');
  const header = good.subarray(0, good.indexOf(`${bundle}\n`) + bundle.length + 1);
  fs.writeFileSync(cache, Buffer.concat([header, Buffer.alloc(good.length - header.length, 0x5a)]));
  t.is(ran(), 'bundle.js', 'a cache of garbage');
  // Another build of the same length: its recorded size of constants.js one byte more, so
  // that it is stale (the files run). V8 would take the old cache (it checks the source's
  // length only), whose code still has the old sizes and would run this bundle.
  fs.writeFileSync(cache, good);
  const code = fs.readFileSync(bundle, 'utf8');
  const size = fs.statSync(path.join(lib, 'constants.js')).size;
  const sizes = `"constants.js":${size}`;
  t.true(code.includes(sizes) && String(size + 1).length === String(size).length, 'the bundle records the size of constants.js');
  const rebuilt = code.replace(sizes, `"constants.js":${size + 1}`).replace(/code-cache:([0-9a-f]+)/, (_, tag: string) => `code-cache:${[...tag].reverse().join('')}`);
  t.is(rebuilt.length, code.length);
  const mtime = fs.statSync(bundle).mtime;
  fs.writeFileSync(bundle, rebuilt);
  fs.utimesSync(bundle, mtime, mtime);
  t.is(ran(), 'main.js', 'the other build\'s own code ran (its stale sizes)');
});
