#!/usr/bin/env node
// Builds the libFuzzer targets (clang, ASan + UBSan; native/tests/CMakeLists.txt with FUZZ=ON)
// into build-fuzz/ and runs each for N seconds over a copy of its seed corpus.
//
//   npm run fuzz -- --seconds 60                 every target, 60 s each
//   npm run fuzz -- --seconds 300 --target fuzz_json
//   node scripts/fuzz.js --write-seeds           regenerate native/fuzz/corpus/ (the only mode
//                                                 that writes there)
//
// The working corpus is build-fuzz/corpus/<target>/ (seeds are copied in; what the fuzzer
// finds accumulates there across runs). Findings go to build-fuzz/artifacts/<target>/, the
// fuzzer's output to build-fuzz/logs/<target>.log. Exits non-zero on any finding, naming the
// crash file and the command that reproduces it.
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const buildDir = path.join(root, 'build-fuzz');
const seedRoot = path.join(root, 'native', 'fuzz', 'corpus');

const TARGETS = {
  fuzz_wire: { maxLen: 4096 },
  fuzz_json: { maxLen: 4096, dict: path.join(root, 'native', 'fuzz', 'json.dict') },
  fuzz_info_block: { maxLen: 2048 },
};

function usage(msg) {
  if (msg) console.error(`fuzz: ${msg}`);
  console.error('usage: node scripts/fuzz.js [--seconds N] [--target NAME]... [--write-seeds]');
  console.error(`targets: ${Object.keys(TARGETS).join(', ')}`);
  process.exit(2);
}

function parseArgs(argv) {
  const o = { seconds: 60, targets: [], writeSeeds: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => (a.includes('=') ? a.slice(a.indexOf('=') + 1) : argv[++i]);
    if (a === '--seconds' || a.startsWith('--seconds=')) {
      const v = value();
      o.seconds = Number(v);
      if (!Number.isInteger(o.seconds) || o.seconds < 1) usage(`--seconds wants a positive integer, got ${v}`);
    } else if (a === '--target' || a.startsWith('--target=')) {
      for (const t of String(value()).split(',')) {
        if (!TARGETS[t]) usage(`unknown target '${t}'`);
        o.targets.push(t);
      }
    } else if (a === '--write-seeds') {
      o.writeSeeds = true;
    } else if (a === '--help' || a === '-h') {
      usage();
    } else {
      usage(`unknown argument '${a}'`);
    }
  }
  if (!o.targets.length) o.targets = Object.keys(TARGETS);
  return o;
}

function have(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: root, ...opts });
  if (r.error) throw r.error;
  if (r.status !== 0) {
    console.error(`fuzz: '${cmd} ${args.join(' ')}' failed (exit ${r.status ?? r.signal})`);
    process.exit(1);
  }
}

// clang (libFuzzer ships with Debian's clang, in libclang-rt-<v>-dev) and cmake.
function ensureTools() {
  const missing = [];
  if (!have('clang++')) missing.push('clang');
  if (!have('cmake')) missing.push('cmake');
  if (!missing.length) return;
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) {
    console.error(`fuzz: missing Debian packages: ${missing.join(' ')} ` +
      `(as root: apt-get install -y ${missing.join(' ')}; clang brings libFuzzer in libclang-rt-*-dev)`);
    process.exit(1);
  }
  console.log(`fuzz: installing ${missing.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  run('apt-get', ['update', '-qq'], { env });
  run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], { env });
}

// Links a trivial fuzz target: libFuzzer's runtime is in libclang-rt-<major>-dev, which some
// distributions do not pull in with clang.
function probeLibFuzzer() {
  const dir = fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'rras-fuzz-probe-'));
  try {
    const src = path.join(dir, 'probe.cc');
    fs.writeFileSync(src, '#include <cstddef>\n#include <cstdint>\n' +
      'extern "C" int LLVMFuzzerTestOneInput(const uint8_t*, size_t) { return 0; }\n');
    const r = spawnSync('clang++', ['-fsanitize=fuzzer,address,undefined', src, '-o', path.join(dir, 'probe')],
      { encoding: 'utf8' });
    return r.status === 0 ? null : (r.stderr || String(r.error)).trim();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function ensureLibFuzzer() {
  let failure = probeLibFuzzer();
  if (!failure) return;
  const major = (spawnSync('clang++', ['--version'], { encoding: 'utf8' }).stdout.match(/version (\d+)/) || [])[1];
  const pkg = major ? `libclang-rt-${major}-dev` : 'libclang-rt-<version>-dev';
  if (major && typeof process.getuid === 'function' && process.getuid() === 0) {
    console.log(`fuzz: -fsanitize=fuzzer does not link; installing ${pkg}`);
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', pkg], { env });
    failure = probeLibFuzzer();
    if (!failure) return;
  }
  console.error(`fuzz: clang++ cannot link -fsanitize=fuzzer (libFuzzer runtime missing: Debian package ${pkg}):\n${failure}`);
  process.exit(1);
}

function build(targets) {
  const generator = have('ninja') ? ['-G', 'Ninja'] : [];
  const cache = path.join(buildDir, 'CMakeCache.txt');
  if (fs.existsSync(cache)) {
    // A cache from another generator or compiler cannot be reused.
    const text = fs.readFileSync(cache, 'utf8');
    const gen = generator.length ? 'Ninja' : 'Unix Makefiles';
    if (!text.includes(`CMAKE_GENERATOR:INTERNAL=${gen}\n`) || !/CMAKE_CXX_COMPILER:\w+=.*clang\+\+/.test(text)) {
      fs.rmSync(buildDir, { recursive: true, force: true });
    }
  }
  run('cmake', ['-S', 'native/tests', '-B', buildDir, ...generator, '--log-level=WARNING',
    '-DCMAKE_CXX_COMPILER=clang++', '-DFUZZ=ON', '-DSANITIZE=OFF']);
  const jobs = String(Math.max(1, require('node:os').availableParallelism?.() ?? 2));
  run('cmake', ['--build', buildDir, '--parallel', jobs, '--target', ...targets]);
}

function writeSeeds() {
  build(['make_seeds']);
  run(path.join(buildDir, 'make_seeds'), [seedRoot]);
}

function lastMatch(text, re) {
  let m;
  let last = null;
  const g = new RegExp(re.source, re.flags.includes('g') ? re.flags : re.flags + 'g');
  while ((m = g.exec(text))) last = m;
  return last;
}

function fuzz(target, seconds) {
  const spec = TARGETS[target];
  const work = path.join(buildDir, 'corpus', target);
  const artifacts = path.join(buildDir, 'artifacts', target) + path.sep;
  const logs = path.join(buildDir, 'logs');
  fs.mkdirSync(work, { recursive: true });
  fs.mkdirSync(artifacts, { recursive: true });
  fs.mkdirSync(logs, { recursive: true });
  const seeds = path.join(seedRoot, target);
  const seedFiles = fs.existsSync(seeds) ? fs.readdirSync(seeds) : [];
  for (const f of seedFiles) fs.copyFileSync(path.join(seeds, f), path.join(work, f));

  const args = [work, `-max_total_time=${seconds}`, `-max_len=${spec.maxLen}`, '-timeout=10',
    '-rss_limit_mb=2048', '-print_final_stats=1', `-artifact_prefix=${artifacts}`];
  if (spec.dict) args.push(`-dict=${spec.dict}`);
  const logFile = path.join(logs, `${target}.log`);
  const fd = fs.openSync(logFile, 'w');
  const env = {
    ...process.env,
    ASAN_OPTIONS: 'abort_on_error=1:detect_leaks=1:' + (process.env.ASAN_OPTIONS ?? ''),
    UBSAN_OPTIONS: 'print_stacktrace=1:halt_on_error=1:' + (process.env.UBSAN_OPTIONS ?? ''),
  };
  const started = Date.now();
  const r = spawnSync(path.join(buildDir, target), args, {
    cwd: buildDir, env, stdio: ['ignore', fd, fd], timeout: (seconds + 120) * 1000, killSignal: 'SIGKILL',
  });
  fs.closeSync(fd);
  const out = fs.readFileSync(logFile, 'utf8');
  const num = (re) => { const m = lastMatch(out, re); return m ? Number(m[1]) : null; };
  const status = lastMatch(out, /#(\d+)\s+\w+\s+cov: (\d+) ft: (\d+) corp: (\d+)\/(\S+)/);
  const crash = lastMatch(out, /Test unit written to (\S+)/);
  const result = {
    target,
    seconds: (Date.now() - started) / 1000,
    runs: num(/stat::number_of_executed_units:\s*(\d+)/) ?? (status ? Number(status[1]) : null),
    perSec: num(/stat::average_exec_per_sec:\s*(\d+)/),
    newUnits: num(/stat::new_units_added:\s*(\d+)/),
    rss: num(/stat::peak_rss_mb:\s*(\d+)/),
    cov: status ? Number(status[2]) : null,
    ft: status ? Number(status[3]) : null,
    corpus: status ? `${status[4]} (${status[5]})` : null,
    seeds: seedFiles.length,
    log: logFile,
    crash: crash ? crash[1] : null,
    ok: r.status === 0 && !crash && !r.error && !r.signal,
  };
  if (!result.ok) {
    const why = lastMatch(out, /(==\d+==ERROR: .*|SUMMARY: .*|fuzz_\w+: property violated: .*|ERROR: libFuzzer: .*)/);
    result.reason = why ? why[1] : r.error ? String(r.error) : `exit ${r.status ?? r.signal}`;
  }
  return result;
}

function main() {
  const opts = parseArgs(process.argv.slice(2));
  ensureTools();
  if (opts.writeSeeds) return writeSeeds();
  ensureLibFuzzer();

  const t0 = Date.now();
  build(opts.targets);
  console.log(`fuzz: ${opts.targets.length} target(s), ${opts.seconds} s each; logs in build-fuzz/logs/`);
  const results = [];
  for (const target of opts.targets) {
    process.stdout.write(`fuzz: ${target} ... `);
    const r = fuzz(target, opts.seconds);
    results.push(r);
    console.log(r.ok ? 'ok' : 'FINDING');
  }

  console.log('');
  console.log('target            runs        exec/s   cov    ft     corpus (seeds)        new   rss MB  result');
  for (const r of results) {
    console.log(
      r.target.padEnd(16) + String(r.runs ?? '?').padStart(10) + String(r.perSec ?? '?').padStart(10) +
      String(r.cov ?? '?').padStart(7) + String(r.ft ?? '?').padStart(6) + '   ' +
      `${r.corpus ?? '?'} (${r.seeds})`.padEnd(20) + String(r.newUnits ?? '?').padStart(6) +
      String(r.rss ?? '?').padStart(8) + '  ' + (r.ok ? 'OK' : 'FINDING'));
  }
  const bad = results.filter((r) => !r.ok);
  for (const r of bad) {
    console.error(`\nfuzz: ${r.target}: ${r.reason}`);
    if (r.crash) {
      console.error(`fuzz: ${r.target}: crash file: ${r.crash}`);
      console.error(`fuzz: reproduce: ${path.join('build-fuzz', r.target)} ${r.crash}`);
    }
    console.error(`fuzz: ${r.target}: full output: ${path.relative(root, r.log)}`);
  }
  console.log(`\nfuzz: ${results.length - bad.length}/${results.length} targets clean in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  if (bad.length) process.exit(1);
}

main();
