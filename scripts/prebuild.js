#!/usr/bin/env node
// `npm run prebuilds`: the binaries the npm package ships, in prebuildify's layout, so a
// Windows Server (or Linux) user installs without a compiler:
//   prebuilds/linux-x64/  rras_bridge.napi.node  rras_bridge_protocol.so   rras_bridge_mock_rtm.so   rras_bridge_rawip.node
//   prebuilds/win32-x64/  rras_bridge.napi.node  rras_bridge_protocol.dll  rras_bridge_mock_rtm.dll  rras_bridge_rawip.node
// linux-x64 comes from the node-gyp build, win32-x64 from the mingw-w64 cross build (which
// needs mingw-w64 and cmake: scripts/test-windows.sh installs them).
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const only = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const want = (p) => only.length === 0 || only.includes(p);
const run = (cmd, args) => execFileSync(cmd, args, { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });

function publish(platform, from, ext) {
  const dir = path.join(root, 'prebuilds', platform);
  fs.mkdirSync(dir, { recursive: true });
  const copies = [['rras_bridge.node', 'rras_bridge.napi.node'], [`rras_bridge_protocol${ext}`], [`rras_bridge_mock_rtm${ext}`], ['rras_bridge_rawip.node']];
  for (const [src, dst = src] of copies) {
    const file = path.join(from, src);
    if (!fs.existsSync(file)) throw new Error(`prebuild ${platform}: ${file} was not built`);
    fs.copyFileSync(file, path.join(dir, dst));
  }
  console.log(`prebuild: ${platform} -> ${path.relative(root, dir)}`);
}

if (want('linux-x64') && process.platform === 'linux' && process.arch === 'x64') {
  run(process.execPath, [path.join(__dirname, 'build-native.js'), '--force']);
  publish('linux-x64', path.join(root, 'build', 'Release'), '.so');
}
if (want('win32-x64')) {
  run('npm', ['run', 'build:win32']); // lands in prebuilds/win32-x64 as rras_bridge.node
  publish('win32-x64', path.join(root, 'prebuilds', 'win32-x64'), '.dll');
}
