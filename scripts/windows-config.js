// The effective MSVC configuration of each native target, resolved on any OS, and the rules it
// must keep (scripts/check-build-files.js reports what breaks them):
//  - every target: C++ exceptions (/EHsc, and _HAS_EXCEPTIONS only ever 1), the static C/C++
//    runtime (/MT, /MTd in Debug): a stock Windows Server has no Visual C++ redistributable,
//    and a throw must reach the entry points' guard instead of terminating RRAS;
//  - the plain DLLs (binding.gyp's shared_library targets: the protocol library, the mock
//    RTM): no win_delay_load_hook.cc, no delay-load of node.exe, no node import library;
//  - the addon: links a node import library (else napi_* stay unresolved).
//
// Resolved from the real tools, never from our own reading of the build files:
//  - node-gyp: its bundled gyp, with the msvs generator for OS=win and the same arguments as
//    `node-gyp configure` on Windows (config.gypi made by node-gyp's own code from the Node
//    headers node-gyp builds against here, node-gyp's addon.gypi, node's common.gypi); the
//    .vcxproj files it writes are what MSBuild builds. Twice: with node_shared false and true,
//    because common.gypi picks the runtime from the building Node's node_shared.
//  - CMake: CMakeLists.txt configured with a stand-in MSVC toolchain (CMake's own
//    Windows-MSVC rules; no compiler runs), read through CMake's file API; once as a plain
//    `cmake` build, once with the variables cmake-js passes on Windows; Release and Debug.
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const RUNTIME = { Release: 'MT', Debug: 'MTd' };
const CONFIGURATIONS = Object.keys(RUNTIME);

// ---- rules --------------------------------------------------------------------------------
// A resolved target: { where, target, configuration, eh, runtime, hasExceptions: [values],
//   sources: [paths], libraries: [names], delayLoad: [dll names] }

const isDelayLoadHook = (src) => /(^|[\\/])win_delay_load_hook\.cc$/i.test(src);
// node-gyp's node.lib, cmake-js's node.lib, ours from node_api.def (MSVC or mingw).
const isNodeImportLibrary = (lib) => /(^|[\\/"])(node|node_api|libnode_api)\.(lib|a)"?$/i.test(lib);

function check(r, plain) {
  const at = `${r.where}: ${r.target} (${r.configuration})`;
  const errors = [];
  if (r.eh !== '/EHsc') errors.push(`${at}: C++ exception handling is ${r.eh || 'off'}, not /EHsc`);
  if (r.hasExceptions.length === 0) errors.push(`${at}: _HAS_EXCEPTIONS is not defined (want _HAS_EXCEPTIONS=1, explicitly)`);
  else if (r.hasExceptions.some((v) => v !== '1')) errors.push(`${at}: _HAS_EXCEPTIONS is defined as ${r.hasExceptions.join(', then ')}, not only as 1`);
  const want = RUNTIME[r.configuration];
  if (r.runtime !== want) errors.push(`${at}: C runtime ${r.runtime ? `/${r.runtime}` : 'unset'}, not /${want} (static)`);
  if (plain) {
    for (const s of r.sources.filter(isDelayLoadHook)) errors.push(`${at}: compiles ${s} into a plain DLL`);
    for (const l of r.libraries.filter(isNodeImportLibrary)) errors.push(`${at}: links ${l} into a plain DLL`);
    for (const d of r.delayLoad.filter((x) => /^node\.exe$/i.test(x))) errors.push(`${at}: delay-loads ${d}`);
  } else if (!r.libraries.some(isNodeImportLibrary)) {
    errors.push(`${at}: links no node import library (node.lib)`);
  }
  return errors;
}

// The last occurrence wins on a cl.exe command line.
const lastOf = (tokens, re) => tokens.reduce((found, t) => (re.test(t) ? t : found), undefined);
const RUNTIME_FLAG = /^[/-](MT|MTd|MD|MDd)$/;
const EH_FLAG = /^[/-]EH[a-z-]*$/;
const defineValues = (defines, name) =>
  defines.filter((d) => d === name || d.startsWith(`${name}=`)).map((d) => (d.includes('=') ? d.slice(d.indexOf('=') + 1) : '1'));
const splitFlags = (s) => (s ?? '').split(/\s+/).filter(Boolean);

// ---- the Node headers node-gyp builds against here ---------------------------------------
/** As scripts/build-native.js and node-gyp choose them: nodedir, else the cached download. */
function nodeDir() {
  const candidates = [
    process.env.npm_config_nodedir,
    path.resolve(path.dirname(process.execPath), '..'),
    path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'node-gyp', process.versions.node),
  ].filter(Boolean);
  const found = candidates.find((d) => fs.existsSync(path.join(d, 'include', 'node', 'common.gypi')));
  if (!found) throw new Error(`no Node headers with include/node/common.gypi in ${candidates.join(', ')} (node-gyp needs them too)`);
  return found;
}

function run(cmd, args, options) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 << 20, ...options });
  if (r.error) throw new Error(`cannot run ${cmd}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${cmd} ${args.slice(0, 3).join(' ')} … exited with ${r.status}:\n${(r.stderr || r.stdout).trim().slice(-2000)}`);
  return r;
}

// ---- node-gyp ------------------------------------------------------------------------------
/** The elements <Name>value</Name> directly inside the first <tag> of xml. */
function msbuildSection(xml, tag) {
  const m = xml.match(new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`));
  const props = {};
  if (m) for (const p of m[1].matchAll(/<(\w+)>([\s\S]*?)<\/\1>/g)) props[p[1]] = unescapeXml(p[2]);
  return props;
}
const unescapeXml = (s) => s.replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
const msbuildList = (s) => (s ?? '').split(';').filter((x) => x && !/^%\(\w+\)$/.test(x));
const MSBUILD_RUNTIME = { MultiThreaded: 'MT', MultiThreadedDebug: 'MTd', MultiThreadedDLL: 'MD', MultiThreadedDebugDLL: 'MDd' };
const MSBUILD_EH = { Sync: '/EHsc', SyncCThrow: '/EHs', Async: '/EHa', false: undefined };

function readVcxproj(file, where, target) {
  const xml = fs.readFileSync(file, 'utf8');
  const sources = [...xml.matchAll(/<ClCompile Include="([^"]+)"/g)].map((m) => unescapeXml(m[1]));
  return CONFIGURATIONS.map((configuration) => {
    const group = xml.match(new RegExp(`<ItemDefinitionGroup Condition="'\\$\\(Configuration\\)\\|\\$\\(Platform\\)'=='${configuration}\\|[^']*'">([\\s\\S]*?)</ItemDefinitionGroup>`));
    if (!group) throw new Error(`${file}: no ${configuration} configuration`);
    const cl = msbuildSection(group[1], 'ClCompile');
    const link = msbuildSection(group[1], 'Link');
    // MSBuild puts AdditionalOptions after the flags it makes from the properties.
    const options = splitFlags(cl.AdditionalOptions?.replace(/%\(\w+\)/g, ''));
    const defines = msbuildList(cl.PreprocessorDefinitions);
    return {
      where, target, configuration,
      eh: lastOf([MSBUILD_EH[cl.ExceptionHandling] ?? '', ...options], EH_FLAG),
      runtime: lastOf([`/${MSBUILD_RUNTIME[cl.RuntimeLibrary] ?? ''}`, ...options], RUNTIME_FLAG)?.slice(1),
      hasExceptions: [...defineValues(defines, '_HAS_EXCEPTIONS'), ...defineValues(options.filter((o) => /^[/-]D/.test(o)).map((o) => o.slice(2)), '_HAS_EXCEPTIONS')],
      sources,
      libraries: msbuildList(link.AdditionalDependencies),
      delayLoad: msbuildList(link.DelayLoadDLLs),
    };
  });
}

async function resolveNodeGyp(targets, tmp) {
  const nodeGyp = path.dirname(require.resolve('node-gyp/package.json', { paths: [root] }));
  const { getCurrentConfigGypi } = require(path.join(nodeGyp, 'lib', 'create-config-gypi.js'));
  const dir = nodeDir();
  const results = [];
  for (const nodeShared of ['false', 'true']) {
    const where = `node-gyp (OS=win, node_shared=${nodeShared})`;
    const out = fs.mkdtempSync(path.join(tmp, 'gyp-'));
    const config = await getCurrentConfigGypi({ gyp: { opts: { nodedir: dir, arch: 'x64' }, configDefs: {} }, nodeDir: dir, python: 'python3' });
    // What create-config-gypi.js adds on Windows (with Visual Studio 2022's toolset).
    config.target_defaults.msbuild_toolset = 'v143';
    Object.assign(config.variables, { node_shared: nodeShared, clang: 0, target_arch: 'x64' });
    const configGypi = path.join(out, 'config.gypi');
    fs.writeFileSync(configGypi, JSON.stringify(config, (k, v) => (typeof v === 'boolean' ? String(v) : v), 2));
    // The arguments of lib/configure.js, in its order; GYP_MSVS_VERSION as it sets it.
    const args = [
      path.join(__dirname, 'gyp-win.py'), 'binding.gyp', '-f', 'msvs', '-DOS=win',
      '-I', configGypi, '-I', path.join(nodeGyp, 'addon.gypi'), '-I', path.join(dir, 'include', 'node', 'common.gypi'),
      '-Dlibrary=shared_library', '-Dvisibility=default', `-Dnode_root_dir=${dir}`, `-Dnode_gyp_dir=${nodeGyp}`,
      `-Dnode_lib_file=${dir}\\\\$(Configuration)\\\\node.lib`, `-Dmodule_root_dir=${root}`, '-Dnode_engine=v8',
      '--depth=.', '--no-parallel', '--generator-output', out, '-Goutput_dir=.',
    ];
    run(process.env.PYTHON || 'python3', args, {
      cwd: root,
      env: { ...process.env, GYP_PYLIB: path.join(nodeGyp, 'gyp', 'pylib'), GYP_MSVS_VERSION: '2015' },
    });
    for (const t of targets) {
      const file = path.join(out, `${t}.vcxproj`);
      if (!fs.existsSync(file)) throw new Error(`${where}: gyp wrote no ${t}.vcxproj`);
      results.push(...readVcxproj(file, where, t));
    }
  }
  return results;
}

// ---- CMake ---------------------------------------------------------------------------------
// MSVC as CMake knows it after detecting cl.exe (Visual Studio 2022, x64); every tool is
// /bin/false, so nothing is ever compiled. Forcing the compiler skips the detection.
const MSVC_TOOLCHAIN = `
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR AMD64)
set(CMAKE_CXX_COMPILER /bin/false)
set(CMAKE_CXX_COMPILER_FORCED TRUE)
set(CMAKE_CXX_COMPILER_ID_RUN TRUE)
set(CMAKE_CXX_COMPILER_ID MSVC)
set(CMAKE_CXX_COMPILER_VERSION 19.38.33130.0)
set(MSVC_VERSION 1938)
set(CMAKE_CXX_COMPILER_ARCHITECTURE_ID x64)
set(CMAKE_CXX_COMPILER_FRONTEND_VARIANT MSVC)
set(CMAKE_CXX_PLATFORM_ID Windows)
set(CMAKE_CXX_STANDARD_COMPUTED_DEFAULT 14)
set(CMAKE_CXX_COMPILE_FEATURES cxx_std_98 cxx_std_11 cxx_std_14 cxx_std_17 cxx_std_20)
set(CMAKE_CXX17_COMPILE_FEATURES cxx_std_17)
foreach(tool LINKER AR MT RC_COMPILER)
  set(CMAKE_\${tool} /bin/false)
endforeach()
`;

/** What cmake-js 8 passes on Windows in Node-API mode (lib/cMake.js, lib/toolset.js). */
function cmakeJsVariables(build) {
  const headers = require(require.resolve('node-api-headers', { paths: [root] }));
  const addonApi = require(require.resolve('node-addon-api', { paths: [root] }));
  const cmakeJs = path.dirname(require.resolve('cmake-js/package.json', { paths: [root] }));
  const nodeLib = path.join(build, 'node.lib');
  return {
    CMAKE_JS_VERSION: require(path.join(cmakeJs, 'package.json')).version,
    CMAKE_MSVC_RUNTIME_LIBRARY: 'MultiThreaded$<$<CONFIG:Debug>:Debug>',
    CMAKE_JS_INC: [headers.include_dir, path.resolve(addonApi.include_dir)].join(';'),
    CMAKE_JS_SRC: path.join(cmakeJs, 'lib', 'cpp', 'win_delay_load_hook.cc'),
    NODE_RUNTIME: 'node', NODE_RUNTIMEVERSION: process.versions.node, NODE_ARCH: 'x64',
    CMAKE_JS_LIB: nodeLib,
    CMAKE_JS_NODELIB_DEF: headers.def_paths.node_api_def,
    CMAKE_JS_NODELIB_TARGET: nodeLib,
    CMAKE_SHARED_LINKER_FLAGS: '/DELAYLOAD:NODE.EXE',
  };
}

function readFileApi(build, where, targets) {
  const reply = path.join(build, '.cmake', 'api', 'v1', 'reply');
  const json = (f) => JSON.parse(fs.readFileSync(path.join(reply, f), 'utf8'));
  const index = json(fs.readdirSync(reply).find((f) => f.startsWith('index-')));
  const codemodel = json(index.objects.find((o) => o.kind === 'codemodel').jsonFile);
  const results = [];
  for (const cfg of codemodel.configurations) {
    for (const name of targets) {
      const ref = cfg.targets.find((t) => t.name === name);
      if (!ref) throw new Error(`${where}: CMake has no target ${name}`);
      const t = json(ref.jsonFile);
      const link = (t.link?.commandFragments ?? []).flatMap((f) => splitFlags(f.fragment).map((x) => ({ x, role: f.role })));
      for (const group of (t.compileGroups ?? []).filter((g) => g.language === 'CXX')) {
        const tokens = (group.compileCommandFragments ?? []).flatMap((f) => splitFlags(f.fragment));
        const defines = [...(group.defines ?? []).map((d) => d.define), ...tokens.filter((x) => /^[/-]D./.test(x)).map((x) => x.slice(2))];
        results.push({
          where, target: name, configuration: cfg.name,
          eh: lastOf(tokens, EH_FLAG),
          runtime: lastOf(tokens, RUNTIME_FLAG)?.slice(1),
          hasExceptions: defineValues(defines, '_HAS_EXCEPTIONS'),
          sources: t.sources.map((s) => s.path),
          libraries: link.filter((l) => l.role === 'libraries').map((l) => l.x),
          delayLoad: link.filter((l) => /^[/-]DELAYLOAD:/i.test(l.x)).map((l) => l.x.slice(l.x.indexOf(':') + 1)),
        });
      }
    }
  }
  return results;
}

function resolveCmake(targets, tmp) {
  const toolchain = path.join(tmp, 'msvc-stand-in.cmake');
  fs.writeFileSync(toolchain, MSVC_TOOLCHAIN);
  const results = [];
  for (const driver of ['cmake', 'cmake-js']) {
    for (const configuration of CONFIGURATIONS) {
      const where = `CMake (MSVC, ${driver})`;
      const build = fs.mkdtempSync(path.join(tmp, 'cmake-'));
      fs.mkdirSync(path.join(build, '.cmake', 'api', 'v1', 'query'), { recursive: true });
      fs.writeFileSync(path.join(build, '.cmake', 'api', 'v1', 'query', 'codemodel-v2'), '');
      const vars = { CMAKE_TOOLCHAIN_FILE: toolchain, CMAKE_BUILD_TYPE: configuration, RRAS_BRIDGE_TOOLS: 'OFF', ...(driver === 'cmake-js' ? cmakeJsVariables(build) : {}) };
      run('cmake', ['-S', root, '-B', build, '-G', 'Unix Makefiles', ...Object.entries(vars).map(([k, v]) => `-D${k}=${v}`)]);
      results.push(...readFileApi(build, where, targets));
    }
  }
  return results;
}

/**
 * Every breach of the rules above, in both build systems, as messages (empty: all kept).
 * plainTargets: binding.gyp's shared_library targets; targets: every target.
 */
async function checkWindowsConfiguration(targets, plainTargets) {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rras-bridge-msvc-'));
  try {
    const resolved = [...(await resolveNodeGyp(targets, tmp)), ...resolveCmake(targets, tmp)];
    const seen = new Set(resolved.map((r) => `${r.where}|${r.target}|${r.configuration}`));
    const errors = resolved.flatMap((r) => check(r, plainTargets.includes(r.target)));
    return { errors, resolved: seen.size };
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

module.exports = { checkWindowsConfiguration };
