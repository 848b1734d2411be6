#!/usr/bin/env node
// `npm install` runs this: builds the native targets with node-gyp against the local Node
// headers (no download), unless usable binaries are already there.
//   --force   rebuild even when the binaries exist
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const release = path.join(root, 'build', 'Release');
const lib = process.platform === 'win32' ? '.dll' : '.so';
const products = ['rras_bridge.node', `rras_bridge_protocol${lib}`, `rras_bridge_mock_rtm${lib}`, 'rras_bridge_rawip.node'];
const force = process.argv.includes('--force');

if (!force && products.every((p) => fs.existsSync(path.join(release, p)))) {
  console.log('rras-bridge: native binaries present (build/Release); use --force to rebuild');
  process.exit(0);
}
// An installed package ships prebuilds (npm run prebuilds): no compiler needed.
const prebuilt = path.join(root, 'prebuilds', `${process.platform}-${process.arch}`);
const shipped = ['rras_bridge.napi.node', ...products.slice(1)];
if (!force && shipped.every((p) => fs.existsSync(path.join(prebuilt, p)))) {
  console.log(`rras-bridge: using the prebuilt binaries in ${path.relative(root, prebuilt)}; npm run build builds from source`);
  process.exit(0);
}

// Local headers: the prefix Node was installed to, when it ships include/node.
const args = ['rebuild'];
const prefix = path.resolve(path.dirname(process.execPath), '..');
if (!process.env.npm_config_nodedir && fs.existsSync(path.join(prefix, 'include', 'node', 'node_api.h'))) {
  args.push(`--nodedir=${prefix}`);
}

function nodeGypCommand() {
  try {
    return [process.execPath, require.resolve('node-gyp/bin/node-gyp.js', { paths: [root] })];
  } catch {
    if (process.env.npm_config_node_gyp) return [process.execPath, process.env.npm_config_node_gyp];
    return ['node-gyp'];
  }
}

const [cmd, ...pre] = nodeGypCommand();
const jobs = process.env.JOBS || String(Math.max(1, require('node:os').availableParallelism?.() ?? 2));
const r = spawnSync(cmd, [...pre, ...args, `--jobs=${jobs}`], { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' && cmd === 'node-gyp' });
if (r.status !== 0) {
  console.error(`rras-bridge: native build failed (node-gyp exited with ${r.status ?? r.signal})`);
  process.exit(r.status || 1);
}
