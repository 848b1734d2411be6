#!/usr/bin/env node
// `npm install` runs this (npm 11 runs a dependency's install script only where the project
// allows it: allowScripts, or npm install-scripts approve rras-bridge). It uses the prebuilt
// binaries of the package when they fit this platform; otherwise it builds the native targets
// with node-gyp against the local Node headers (nothing is downloaded), showing its progress,
// after checking that the tools are there: when they are not, one message says which to install.
//   --force   rebuild even when binaries exist
'use strict';
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const release = path.join(root, 'build', 'Release');
const lib = process.platform === 'win32' ? '.dll' : '.so';
const products = ['rras_bridge.node', `rras_bridge_protocol${lib}`, `rras_bridge_mock_rtm${lib}`, 'rras_bridge_rawip.node'];
const force = process.argv.includes('--force');
const platform = `${process.platform}-${process.arch}`;

if (!force && products.every((p) => fs.existsSync(path.join(release, p)))) {
  console.log('rras-bridge: native binaries present (build/Release); use --force to rebuild');
  process.exit(0);
}
// An installed package ships prebuilds (npm run prebuilds): no compiler needed.
const prebuilt = path.join(root, 'prebuilds', platform);
const shipped = ['rras_bridge.napi.node', ...products.slice(1)];
if (!force && shipped.every((p) => fs.existsSync(path.join(prebuilt, p)))) {
  console.log(`rras-bridge: using the prebuilt binaries in ${path.relative(root, prebuilt)}; npm run build builds from source`);
  process.exit(0);
}

/** Progress goes to the terminal itself: npm keeps a dependency's script output until it fails. */
function progressStream() {
  try {
    return fs.createWriteStream(process.platform === 'win32' ? '\\\\.\\CONOUT$' : '/dev/tty');
  } catch {
    return process.stderr;
  }
}
const progress = process.stdout.isTTY ? process.stdout : progressStream();
progress.on?.('error', () => undefined); // no terminal (CI): the captured output still has it
const say = (text) => {
  progress.write(`${text}\n`);
  if (progress !== process.stdout) process.stdout.write(`${text}\n`);
};

function onPath(tool) {
  const exts = process.platform === 'win32' ? (process.env.PATHEXT ?? '.EXE;.CMD;.BAT').split(';') : [''];
  return (process.env.PATH ?? '').split(path.delimiter).some((d) => d && exts.some((e) => fs.existsSync(path.join(d, tool + e))));
}

/** What the build needs that this machine lacks, as the names to install. */
function missingToolchain() {
  const missing = [];
  const python = process.env.npm_config_python || process.env.PYTHON;
  if (!(python && fs.existsSync(python)) && !onPath('python3') && !(process.platform === 'win32' && (onPath('python') || onPath('py')))) missing.push('python3');
  if (process.platform === 'win32') {
    const vswhere = path.join(process.env['ProgramFiles(x86)'] ?? 'C:\\Program Files (x86)', 'Microsoft Visual Studio', 'Installer', 'vswhere.exe');
    const hasMsvc = fs.existsSync(vswhere) && require('node:child_process')
      .spawnSync(vswhere, ['-products', '*', '-requires', 'Microsoft.VisualStudio.Component.VC.Tools.x86.x64', '-property', 'installationPath'], { encoding: 'utf8' })
      .stdout?.trim();
    if (!hasMsvc) missing.push('Visual Studio Build Tools with "Desktop development with C++" (MSVC)');
  } else {
    if (!onPath('make')) missing.push('make');
    const cxx = process.env.CXX?.split(' ')[0];
    if (!(cxx ? onPath(cxx) || fs.existsSync(cxx) : onPath('g++') || onPath('c++') || onPath('clang++'))) missing.push('g++ (a C++17 compiler)');
  }
  return missing;
}

const missing = missingToolchain();
if (missing.length) {
  const how = process.platform === 'win32'
    ? 'winget install Microsoft.VisualStudio.2022.BuildTools (with the C++ workload) and Python 3'
    : 'e.g. apt-get install build-essential python3, or dnf install gcc-c++ make python3';
  const why = force ? 'building the native code' : `there are no prebuilt binaries for ${platform} here (the package has them for linux-x64 and win32-x64), and building them`;
  console.error(`rras-bridge: ${why} needs ${missing.join(', ')}, which ${missing.length === 1 ? 'is' : 'are'} not installed ` +
    `(${how}). Install ${missing.length === 1 ? 'it' : 'them'}, then run npm rebuild rras-bridge.`);
  process.exit(1);
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

// The number of sources, for "[n/total]": each compiled source is one line of make or MSBuild.
const { sources, targetNames } = require('./targets.js');
const all = targetNames().reduce((n, t) => n + sources(t).length, 0);
const [cmd, ...pre] = nodeGypCommand();
const jobs = process.env.JOBS || String(Math.max(1, require('node:os').availableParallelism?.() ?? 2));
say(`rras-bridge: ${force ? 'building' : `no prebuilt binaries for ${platform}: building`} the native code (${all} compilations, ${jobs} jobs)`);
const started = Date.now();
const child = spawn(cmd, [...pre, ...args, `--jobs=${jobs}`], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], shell: process.platform === 'win32' && cmd === 'node-gyp' });
let done = 0;
let output = '';
const seen = new Set();
const onData = (chunk) => {
  const text = chunk.toString();
  output = (output + text).slice(-64 * 1024);
  // make: "  CXX(target) Release/obj.target/<target>/native/x/y.o"; MSBuild: "  y.cc".
  for (const m of text.matchAll(/(?:CXX\(target\)\s+\S*?(native\/\S+?)\.o\b|^\s+([\w-]+\.cc)\r?$)/gm)) {
    const file = m[1] ?? m[2];
    if (seen.has(m[0])) continue; // a source of two targets is compiled twice, and counted so
    seen.add(m[0]);
    done++;
    say(`rras-bridge: [${Math.min(done, all)}/${all}] ${file}${m[1] ? '.cc' : ''}`);
  }
};
child.stdout.on('data', onData);
child.stderr.on('data', onData);
child.on('exit', (code, signal) => {
  if (code === 0) {
    say(`rras-bridge: native code built in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    return;
  }
  process.stderr.write(output);
  console.error(`rras-bridge: native build failed (node-gyp exited with ${code ?? signal}); its output is above`);
  process.exit(code || 1);
});
