#!/usr/bin/env node
// npm run test:package: the package as a user gets it. Packs the tarball (prepack reuses the
// prebuilds this run already built), checks what it holds, installs it into an empty project
// with no C/C++ compiler, make or python on PATH, runs `rras-bridge install --dry-run` and
// `rras-bridge init`, and passes the generated project's tests under ava with its defaults.
// Then, from the installed package without its prebuilds, the install script must say in one
// message what to install. Needs the npm registry (the project's devDependencies); fails
// without it.
'use strict';
const { execFileSync, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const started = Date.now();
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'rras-bridge-package-'));
const failures = [];
const step = (what) => console.log(`\n=== test:package: ${what} (${((Date.now() - started) / 1000).toFixed(0)} s)`);
const check = (ok, what) => {
  console.log(`  ${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) failures.push(what);
};

// A PATH with node, npm and a shell only: what a Windows Server or a slim container has.
function bareBin() {
  const bin = path.join(work, 'bin');
  fs.mkdirSync(bin);
  fs.symlinkSync(process.execPath, path.join(bin, 'node'));
  fs.symlinkSync('/bin/sh', path.join(bin, 'sh'));
  // npm itself: the one running this script, or the first on the caller's PATH.
  const onPath = (process.env.PATH ?? '').split(path.delimiter).map((d) => path.join(d, 'npm')).find((f) => fs.existsSync(f));
  const npmCli = process.env.npm_execpath && /npm-cli\.js$/.test(process.env.npm_execpath) ? process.env.npm_execpath : onPath && fs.realpathSync(onPath);
  if (!npmCli || !/npm-cli\.js$/.test(npmCli)) throw new Error(`cannot find npm-cli.js (npm on PATH: ${onPath})`);
  for (const [name, cli] of [['npm', npmCli], ['npx', path.join(path.dirname(npmCli), 'npx-cli.js')]]) {
    fs.writeFileSync(path.join(bin, name), `#!/bin/sh\nexec "${process.execPath}" "${cli}" "$@"\n`, { mode: 0o755 });
  }
  return bin;
}

function sh(cwd, bin, cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, {
    cwd, encoding: 'utf8', timeout: opts.timeout ?? 600000,
    env: { ...process.env, PATH: bin, npm_config_fund: 'false', npm_config_audit: 'false', npm_config_update_notifier: 'false', NO_COLOR: '1' },
  });
  if (opts.quiet !== true || r.status !== 0) process.stdout.write((r.stdout ?? '') + (r.stderr ?? ''));
  return r;
}

try {
  step('npm pack');
  const packOut = execFileSync('npm', ['pack', '--pack-destination', work, '--json'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 << 20 });
  // prepack's build output comes first on stdout (ninja's "[1/4] ..." lines among it).
  const packed = JSON.parse(packOut.slice(packOut.lastIndexOf('\n[\n') + 1))[0];
  const tarball = path.join(work, packed.filename);
  const files = packed.files.map((f) => f.path);
  console.log(`  ${packed.filename}: ${(packed.size / 1048576).toFixed(1)} MiB packed, ${files.length} files`);
  for (const p of ['linux-x64', 'win32-x64']) {
    const ext = p === 'win32-x64' ? 'dll' : 'so';
    for (const f of ['rras_bridge.napi.node', `rras_bridge_protocol.${ext}`, `rras_bridge_mock_rtm.${ext}`, 'rras_bridge_rawip.node']) check(files.includes(`prebuilds/${p}/${f}`), `ships prebuilds/${p}/${f}`);
  }
  for (const f of ['LICENSE', 'README.md', 'dist/lib/index.js', 'dist/lib/index.d.ts', 'dist/lib/index.js.map', 'templates/init/src/protocol.ts', 'docs/DESIGN.md', 'binding.gyp', 'scripts/build-native.js']) {
    check(files.includes(f), `ships ${f}`);
  }
  for (const bad of [/^native\/fuzz\//, /^native\/tests\//, /^dist\/scripts\//, /^dist\/test\//, /^test\//, /bench/, /prebuilds\/[^/]+\/rras_bridge\.node$/]) {
    check(!files.some((f) => bad.test(f)), `leaves out ${bad}`);
  }
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  check(Boolean(pkg.repository && pkg.homepage && pkg.keywords?.length && pkg.license), 'package.json has repository, homepage, keywords, license');

  step('install the tarball into an empty project, with no compiler on PATH');
  const bin = bareBin();
  const tools = ['cc', 'gcc', 'g++', 'c++', 'clang', 'make', 'python3', 'python'];
  check(tools.every((t) => !fs.existsSync(path.join(bin, t))), `PATH is ${bin}: no ${tools.join(', ')}`);
  const user = path.join(work, 'user');
  fs.mkdirSync(user);
  fs.writeFileSync(path.join(user, 'package.json'), JSON.stringify({ name: 'user', version: '1.0.0', private: true }));
  check(sh(user, bin, 'npm', ['install', tarball], { quiet: true }).status === 0, 'npm install <tarball> succeeds');
  const version = sh(user, bin, 'npx', ['rras-bridge', '--version'], { quiet: true });
  check(version.stdout.trim() === pkg.version, `npx rras-bridge --version says ${pkg.version}`);
  const example = path.join(user, 'node_modules', 'rras-bridge', 'dist', 'examples', 'static-routes', 'index.js');
  const dry = sh(user, bin, 'npx', ['rras-bridge', 'install', example, '--name', 'StaticRoutes', '--protocol-id', '0x2B1D0001', '--dry-run'], { quiet: true });
  check(dry.status === 0 && /DllName = REG_SZ ".*prebuilds[\\/]win32-x64[\\/]rras_bridge_protocol\.dll"/.test(dry.stdout), 'rras-bridge install --dry-run works from the installed package (its win32-x64 DLL)');

  // ava with its defaults (worker threads) is the one "Done when" names; node:test and vitest
  // are the other runners init offers.
  for (const [runner, passed] of [['ava', /2 tests passed/], ['node', /# pass 2\b/], ['vitest', /Tests\s+2 passed/]]) {
    step(`npx rras-bridge init --runner ${runner}, then the generated tests`);
    const name = `my-${runner}-protocol`;
    check(sh(user, bin, 'npx', ['rras-bridge', 'init', name, '--runner', runner], { quiet: true }).status === 0, `init ${name} --runner ${runner}`);
    const project = path.join(user, name);
    // The generated package.json names rras-bridge@^version from the registry: the tarball stands in.
    check(sh(project, bin, 'npm', ['install', tarball], { quiet: true }).status === 0, 'npm install in the project (the tarball, and its devDependencies)');
    const tested = sh(project, bin, 'npm', ['test']);
    check(tested.status === 0 && passed.test(tested.stdout + tested.stderr), `npm test passes under ${runner === 'ava' ? 'ava (worker threads)' : runner}`);
  }

  step('without prebuilds for the platform and without a toolchain: one message naming what to install');
  const bare = path.join(work, 'no-prebuilds');
  fs.cpSync(path.join(user, 'node_modules', 'rras-bridge'), bare, { recursive: true });
  fs.rmSync(path.join(bare, 'prebuilds'), { recursive: true, force: true });
  const build = sh(bare, bin, 'node', ['scripts/build-native.js'], { quiet: true });
  const message = (build.stdout ?? '') + (build.stderr ?? '');
  check(build.status === 1, 'the install script fails');
  check(/there are no prebuilt binaries for \S+ .*building them needs python3, make, g\+\+ \(a C\+\+17 compiler\), which are not installed \(.*apt-get install build-essential python3/.test(message),
    'it names python3, make and g++ and how to install them');
  check(message.trim().split('\n').length === 1, 'in one message');
} catch (err) {
  failures.push(err instanceof Error ? err.message : String(err));
  console.error(err);
} finally {
  fs.rmSync(work, { recursive: true, force: true });
}
console.log(`\ntest:package: ${failures.length ? `${failures.length} FAILED` : 'all passed'} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
process.exit(failures.length ? 1 : 0);
