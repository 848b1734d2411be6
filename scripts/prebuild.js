#!/usr/bin/env node
// `npm run prebuilds` (and `npm pack`, through prepack): the binaries the npm package ships,
// in prebuildify's layout, so a Windows Server (or Linux) user installs without a compiler:
//   prebuilds/linux-x64/  rras_bridge.napi.node  rras_bridge_protocol.so   rras_bridge_mock_rtm.so   rras_bridge_rawip.node
//   prebuilds/win32-x64/  rras_bridge.napi.node  rras_bridge_protocol.dll  rras_bridge_mock_rtm.dll  rras_bridge_rawip.node
// linux-x64 comes from the node-gyp build, win32-x64 from the mingw-w64 cross build (which
// needs mingw-w64, cmake and ninja: scripts/test-windows.sh installs them). Both are needed:
// a package without one of them must not be made.
//   --reuse   keep binaries already built from the current sources (CI packs after building)
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const args = process.argv.slice(2);
const reuse = args.includes('--reuse');
const only = args.filter((a) => !a.startsWith('-'));
const want = (p) => only.length === 0 || only.includes(p);
const run = (cmd, argv) => execFileSync(cmd, argv, { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });

/** The newest modification time of the files the native targets are built from. */
function newestSource() {
  let newest = 0;
  const visit = (p) => {
    const st = fs.statSync(p);
    if (st.isDirectory()) {
      for (const e of fs.readdirSync(p)) if (e !== 'fuzz' && e !== 'tests') visit(path.join(p, e));
    } else if (/\.(cc|h|c|json|gyp|cmake|txt)$/.test(p)) newest = Math.max(newest, st.mtimeMs);
  };
  for (const p of ['native', 'binding.gyp', 'CMakeLists.txt', 'cmake']) if (fs.existsSync(path.join(root, p))) visit(path.join(root, p));
  return newest;
}

/** Whether every file exists and is newer than every source. */
function fresh(files) {
  const newest = newestSource();
  return files.every((f) => fs.existsSync(f) && fs.statSync(f).mtimeMs >= newest);
}

function products(from, ext) {
  return [['rras_bridge.node', 'rras_bridge.napi.node'], [`rras_bridge_protocol${ext}`], [`rras_bridge_mock_rtm${ext}`], ['rras_bridge_rawip.node']]
    .map(([src, dst = src]) => ({ src: path.join(from, src), dst }));
}

function publish(platform, from, ext) {
  const dir = path.join(root, 'prebuilds', platform);
  fs.mkdirSync(dir, { recursive: true });
  for (const { src, dst } of products(from, ext)) {
    if (!fs.existsSync(src)) throw new Error(`prebuild ${platform}: ${src} was not built`);
    fs.copyFileSync(src, path.join(dir, dst));
  }
  console.log(`prebuild: ${platform} -> ${path.relative(root, dir)}`);
}

function missingTools(tools) {
  const dirs = (process.env.PATH ?? '').split(path.delimiter);
  return tools.filter((t) => !dirs.some((d) => fs.existsSync(path.join(d, t))));
}

const linuxOut = path.join(root, 'build', 'Release');
if (want('linux-x64')) {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(`prebuild linux-x64: this is ${process.platform}-${process.arch}; the linux-x64 binaries are built on linux-x64 (npm pack there, or the release workflow)`);
  }
  if (!(reuse && fresh(products(linuxOut, '.so').map((p) => p.src)))) run(process.execPath, [path.join(__dirname, 'build-native.js'), '--force']);
  publish('linux-x64', linuxOut, '.so');
}
if (want('win32-x64')) {
  const winOut = path.join(root, 'prebuilds', 'win32-x64');
  if (!(reuse && fresh(products(winOut, '.dll').map((p) => p.src)))) {
    const missing = missingTools(['x86_64-w64-mingw32-g++', 'cmake', 'ninja']);
    if (missing.length) {
      throw new Error(`prebuild win32-x64: the cross build needs ${missing.join(', ')} ` +
        '(Debian/Ubuntu: apt-get install mingw-w64 cmake ninja-build), or build it with the release workflow (.github/workflows/release.yml)');
    }
    run('npm', ['run', 'build:win32']); // lands in prebuilds/win32-x64 as rras_bridge.node
  }
  publish('win32-x64', winOut, '.dll');
}
