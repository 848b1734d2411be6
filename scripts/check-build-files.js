#!/usr/bin/env node
// Fails when binding.gyp, CMakeLists.txt and native/targets.json disagree:
//  - every source listed in targets.json exists, once per target; platform lists come in twins
//    (x_posix.cc in <key>:posix has x_win.cc in <key>:win32, and back);
//  - binding.gyp builds exactly the targets of targets.json, each from scripts/targets.js
//    (no source list of its own);
//  - CMakeLists.txt builds every target, and cmake/targets.cmake gives the same list as
//    scripts/targets.js for every target and platform;
//  - the configuration readers (config_posix.cc, config_win.cc) know the same string fields
//    (the numeric ones share one table, NumericFields() in config.cc);
//  - the effective MSVC configuration of every target, as node-gyp and CMake resolve it for
//    Windows (scripts/windows-config.js): exceptions, static runtime, no Node in plain DLLs.
// Sources next to listed ones that no target lists are reported, as warnings.
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { sources, targetNames, targets } = require('./targets.js');
const { checkWindowsConfiguration } = require('./windows-config.js');

const root = path.resolve(__dirname, '..');
const errors = [];
const warnings = [];
const rel = (f) => path.relative(root, f).split(path.sep).join('/');

// ---- targets.json --------------------------------------------------------------------------
const names = targetNames();
const platforms = ['posix', 'win32'];
const listed = new Set();
for (const [key, value] of Object.entries(targets)) {
  if (key.startsWith('_')) continue;
  const [base, platform, extra] = key.split(':');
  if (extra !== undefined || (platform !== undefined && !platforms.includes(platform))) errors.push(`targets.json: key '${key}': the suffix must be :posix or :win32`);
  if (platform !== undefined && !targets[base]) errors.push(`targets.json: '${key}' has no '${base}'`);
  if (!Array.isArray(value) || value.some((s) => typeof s !== 'string')) {
    errors.push(`targets.json: '${key}' must be an array of paths`);
    continue;
  }
  for (const src of value) {
    listed.add(src);
    if (!fs.existsSync(path.join(root, src))) errors.push(`targets.json: '${key}' lists ${src}, which does not exist`);
  }
  if (platform) {
    const other = platform === 'posix' ? 'win32' : 'posix';
    const twin = (s) => (platform === 'posix' ? s.replace(/_posix\.cc$/, '_win.cc') : s.replace(/_win\.cc$/, '_posix.cc'));
    for (const src of value) {
      if (!/_(posix|win)\.cc$/.test(src)) continue;
      if (!(targets[`${base}:${other}`] ?? []).includes(twin(src))) errors.push(`targets.json: ${src} is in '${key}' but ${twin(src)} is not in '${base}:${other}'`);
    }
  }
}
for (const [tool, list] of Object.entries(targets._tools ?? {})) {
  for (const src of list) {
    listed.add(src);
    if (!fs.existsSync(path.join(root, src))) errors.push(`targets.json: tool '${tool}' lists ${src}, which does not exist`);
  }
}
for (const name of names) {
  for (const platform of platforms) {
    const list = sources(name, platform);
    const dup = list.filter((s, i) => list.indexOf(s) !== i);
    if (dup.length) errors.push(`targets.json: '${name}' (${platform}) lists ${[...new Set(dup)].join(', ')} more than once`);
  }
}

// ---- binding.gyp -------------------------------------------------------------------------
let gyp;
try {
  gyp = JSON.parse(fs.readFileSync(path.join(root, 'binding.gyp'), 'utf8'));
} catch (err) {
  errors.push(`binding.gyp: not parseable as JSON (${err.message})`);
}
if (gyp) {
  const gypNames = (gyp.targets ?? []).map((t) => t.target_name);
  for (const n of names) if (!gypNames.includes(n)) errors.push(`binding.gyp: no target '${n}' (listed in targets.json)`);
  for (const n of gypNames) if (!names.includes(n)) errors.push(`binding.gyp: target '${n}' is not in targets.json`);
  const walk = (node, where, target) => {
    if (Array.isArray(node)) return node.forEach((n, i) => walk(n, `${where}[${i}]`, target));
    if (!node || typeof node !== 'object') return;
    for (const [k, v] of Object.entries(node)) {
      if (/^sources[!/]?$/.test(k)) {
        const expected = `<!@(node scripts/targets.js ${target} <(OS))`;
        if (!Array.isArray(v) || v.length !== 1 || v[0] !== expected) {
          errors.push(`binding.gyp: ${where}.${k} of '${target}' must be ["${expected}"], got ${JSON.stringify(v)}`);
        }
      } else {
        walk(v, `${where}.${k}`, target);
      }
    }
  };
  for (const t of gyp.targets ?? []) walk(t, `targets['${t.target_name}']`, t.target_name);
}

// ---- CMakeLists.txt / cmake/targets.cmake ------------------------------------------------
const cmakeLists = fs.readFileSync(path.join(root, 'CMakeLists.txt'), 'utf8');
for (const n of names) {
  if (!cmakeLists.includes(`"${n}" IN_LIST targets`)) errors.push(`CMakeLists.txt: does not build '${n}'`);
}
const cmake = (args) => spawnSync('cmake', [...args, '-P', path.join(root, 'cmake', 'targets.cmake')], { cwd: root, encoding: 'utf8' });
const probe = cmake([]);
if (probe.error) {
  errors.push(`cmake: cannot run it (${probe.error.message}); it is needed to compare cmake/targets.cmake with scripts/targets.js`);
} else {
  const lines = (r) => r.stderr.split('\n').map((l) => l.trim()).filter(Boolean);
  const cmakeNames = lines(probe).sort();
  if (JSON.stringify(cmakeNames) !== JSON.stringify([...names].sort())) {
    errors.push(`cmake/targets.cmake: targets ${cmakeNames.join(', ')}; scripts/targets.js: ${[...names].sort().join(', ')}`);
  }
  for (const name of ['common', ...names]) {
    for (const platform of platforms) {
      const r = cmake([`-DTARGET=${name}`, `-DPLATFORM=${platform}`]);
      const a = lines(r);
      const b = sources(name, platform);
      if (r.status !== 0 || JSON.stringify(a) !== JSON.stringify(b)) {
        errors.push(`${name} (${platform}): cmake/targets.cmake gives [${a.join(', ')}], scripts/targets.js [${b.join(', ')}]`);
      }
    }
  }
}

// ---- the two configuration readers ------------------------------------------------------
// String fields: table rows {"jsonName", &c.field} in both; GetStr(p, "jsonName", c.field, ...) in the POSIX one.
const fieldsOf = (file) => {
  const text = fs.readFileSync(path.join(root, file), 'utf8');
  const rows = [...text.matchAll(/\{"(\w+)",\s*&c\.(\w+)\}/g), ...text.matchAll(/GetStr\(p, "(\w+)", c\.(\w+)/g)];
  return new Set(rows.map((m) => `${m[1]}=${m[2]}`).filter((f) => f !== 'name=name'));
};
const posixFields = fieldsOf('native/protocol/config_posix.cc');
const winFields = fieldsOf('native/protocol/config_win.cc');
// Settings that exist on one side only, and why.
const posixOnly = new Set([
  'adminDirectory=adminDirectory', // the admin endpoint's socket directory; Windows: the pipe \\.\pipe\rras-bridge-admin-<pid>
]);
for (const f of posixFields) if (!winFields.has(f) && !posixOnly.has(f)) errors.push(`config_win.cc does not read '${f.split('=')[0]}' (config_posix.cc does)`);
for (const f of winFields) if (!posixFields.has(f)) errors.push(`config_posix.cc does not read '${f.split('=')[0]}' (config_win.cc does)`);

// ---- sources no target lists (warnings) --------------------------------------------------
const dirs = new Set([...listed].map((s) => path.posix.dirname(s)));
for (const dir of dirs) {
  for (const f of fs.readdirSync(path.join(root, dir))) {
    const src = `${dir}/${f}`;
    if (/\.(cc|cpp|c)$/.test(f) && !listed.has(src)) warnings.push(`${src} is in no target of targets.json`);
  }
}

// ---- the Windows (MSVC) configuration ----------------------------------------------------
async function windows() {
  const plain = (gyp?.targets ?? []).filter((t) => t.type === 'shared_library').map((t) => t.target_name);
  try {
    const { errors: found, resolved } = await checkWindowsConfiguration(names, plain);
    errors.push(...found);
    return resolved;
  } catch (err) {
    errors.push(`the Windows configuration could not be resolved: ${err.message}`);
    return 0;
  }
}

windows().then((resolved) => {
  for (const w of warnings) console.warn(`check-build-files: warning: ${w}`);
  if (errors.length) {
    for (const e of errors) console.error(`check-build-files: ${e}`);
    process.exit(1);
  }
  console.log(`check-build-files: binding.gyp, CMakeLists.txt and native/targets.json agree (${names.length} targets, ${listed.size} sources)`);
  console.log(`check-build-files: the MSVC configuration of ${resolved} target × configuration × build driver combinations keeps the Windows rules`);
});
