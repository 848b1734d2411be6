#!/usr/bin/env node
// Checks what the Windows binaries export and import, reading their PE headers (any OS, any
// toolchain: MSVC on the GitHub runners, mingw-w64 in test:windows):
//   protocol   exports exactly RegisterProtocol (what RRAS asks GetProcAddress for);
//   mock-rtm   exports only Rtm*/MockRtm* functions;
//   addon      exports napi_register_module_v1 and imports Node-API from node.exe;
// and every one imports (directly or delay-loaded) no C/C++ runtime DLL (VCRUNTIME*, MSVCP*,
// UCRT, mingw's libstdc++/libgcc/libwinpthread: a stock Windows Server has none of them), no
// node.exe unless it is the addon, and otherwise only DLLs of the system (present in the
// system directory, or API sets).
//
//   node scripts/check-dll.js [--system-dir DIR] [--compare-with objdump|dumpbin:PATH] KIND:FILE...
//
// --system-dir: default %SystemRoot%\System32 on Windows; required elsewhere (a Wine prefix's).
// --compare-with: also list exports and imports with that tool and fail unless it agrees with
// the PE reader here, so the rules never rest on one parser alone.
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

// ---- the PE reader ---------------------------------------------------------------------------
const DIR_EXPORT = 0;
const DIR_IMPORT = 1;
const DIR_DELAY_IMPORT = 13;

/** { exports: [names], imports: [dll names], delayImports: [dll names] } of a PE image. */
function readPe(file) {
  const b = fs.readFileSync(file);
  const fail = (why) => {
    throw new Error(`${file}: not a PE image I can read (${why})`);
  };
  if (b.length < 0x40 || b.readUInt16LE(0) !== 0x5a4d) fail('no MZ header');
  const pe = b.readUInt32LE(0x3c);
  if (pe + 24 > b.length || b.readUInt32LE(pe) !== 0x00004550) fail('no PE signature');
  const sections = b.readUInt16LE(pe + 6);
  const optSize = b.readUInt16LE(pe + 20);
  const opt = pe + 24;
  const magic = b.readUInt16LE(opt);
  if (magic !== 0x20b && magic !== 0x10b) fail(`optional header magic 0x${magic.toString(16)}`);
  const pe32plus = magic === 0x20b;
  const imageBase = pe32plus ? Number(b.readBigUInt64LE(opt + 24)) : b.readUInt32LE(opt + 28);
  const dirCount = b.readUInt32LE(opt + (pe32plus ? 108 : 92));
  const dirs = opt + (pe32plus ? 112 : 96);
  const dir = (i) => (i < dirCount ? { rva: b.readUInt32LE(dirs + 8 * i), size: b.readUInt32LE(dirs + 8 * i + 4) } : { rva: 0, size: 0 });
  const table = [];
  for (let i = 0, s = opt + optSize; i < sections; i++, s += 40) {
    table.push({ va: b.readUInt32LE(s + 12), vsize: Math.max(b.readUInt32LE(s + 8), b.readUInt32LE(s + 16)), raw: b.readUInt32LE(s + 20) });
  }
  const offset = (rva) => {
    const s = table.find((t) => rva >= t.va && rva < t.va + t.vsize);
    if (!s) fail(`RVA 0x${rva.toString(16)} is in no section`);
    return rva - s.va + s.raw;
  };
  const cstring = (rva) => {
    const at = offset(rva);
    const end = b.indexOf(0, at);
    if (end < 0) fail('unterminated name');
    return b.toString('latin1', at, end);
  };

  const exports = [];
  const ex = dir(DIR_EXPORT);
  if (ex.rva) {
    const e = offset(ex.rva);
    const count = b.readUInt32LE(e + 24);
    const names = offset(b.readUInt32LE(e + 32));
    for (let i = 0; i < count; i++) exports.push(cstring(b.readUInt32LE(names + 4 * i)));
  }
  // IMAGE_IMPORT_DESCRIPTOR (20 bytes, Name at 12) and IMAGE_DELAYLOAD_DESCRIPTOR (32 bytes,
  // DllNameRVA at 4; an RVA when Attributes bit 0 is set, a VA in the old VC6 format); a
  // table ends with an all-zero descriptor or with its directory's size.
  const descriptors = (d, size, nameAt, toRva) => {
    const out = [];
    if (!d.rva) return out;
    const start = offset(d.rva);
    for (let at = start; d.size === 0 || at + size <= start + d.size; at += size) {
      if (at + size > b.length) fail('import table runs past the file');
      if (b.subarray(at, at + size).every((x) => x === 0)) break;
      out.push(cstring(toRva(b.readUInt32LE(at + nameAt), b.readUInt32LE(at))));
    }
    return out;
  };
  const imports = descriptors(dir(DIR_IMPORT), 20, 12, (name) => name);
  const delayImports = descriptors(dir(DIR_DELAY_IMPORT), 32, 4, (name, attributes) => (attributes & 1 ? name : name - imageBase));
  return { exports, imports, delayImports };
}

// ---- the same lists from a tool ------------------------------------------------------------------
function tool(cmd, args) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.error || r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.error?.message ?? r.stderr}`);
  return r.stdout.replace(/\r\n/g, '\n');
}

function listWith(spec, file) {
  if (spec === 'objdump') {
    const dump = tool(process.env.OBJDUMP || 'x86_64-w64-mingw32-objdump', ['-p', file]);
    const exportTable = dump.slice(dump.indexOf('[Ordinal/Name Pointer] Table'));
    return {
      exports: dump.includes('[Ordinal/Name Pointer] Table') ? [...exportTable.matchAll(/^\s+\[\s*\d+\] (\S+)$/gm)].map((m) => m[1]) : [],
      // binutils' objdump (2.40) prints the import table only, not the delay-import table.
      dlls: [...dump.matchAll(/DLL Name: (\S+)/g)].map((m) => m[1]),
      delayLoadsListed: false,
    };
  }
  if (spec.startsWith('dumpbin:')) {
    const dumpbin = spec.slice('dumpbin:'.length);
    const ex = tool(dumpbin, ['/nologo', '/exports', file]);
    const header = ex.search(/^\s+ordinal\s+hint\s+RVA\s+name\s*$/m);
    const exports = header < 0 ? [] : [...ex.slice(header).matchAll(/^\s+\d+\s+[0-9A-F]+\s+[0-9A-F]{8}\s+(\S+)/gm)].map((m) => m[1]);
    // "Image has the following [delay load ]dependencies:", then one indented name a line.
    const dep = tool(dumpbin, ['/nologo', '/dependents', file]);
    const dlls = [...dep.matchAll(/Image has the following (?:delay load )?dependencies:\n\n((?:\s{4}\S+\n)+)/g)].flatMap((m) => m[1].trim().split(/\s+/));
    return { exports, dlls, delayLoadsListed: true };
  }
  throw new Error(`--compare-with: '${spec}' is neither objdump nor dumpbin:PATH`);
}

// ---- the rules ---------------------------------------------------------------------------------
// MSVC's runtime (vcruntime140, msvcp140, concrt140, vccorlib140, vcomp140, mfc140, msvcr120 and
// older), the UCRT (ucrtbase, api-ms-win-crt-*), and mingw's C++ runtime. msvcrt.dll (the
// system's own CRT, which mingw-w64 uses) is part of Windows.
const RUNTIME_DLL = /^(vcruntime|msvcp|concrt|vccorlib|vcomp|mfc|ucrtbase|api-ms-win-crt-)|^msvcr\d|^lib(stdc\+\+|gcc_s|winpthread)/i;
const API_SET = /^(api|ext)-ms-win-/i;
const KINDS = {
  protocol: {
    exports: (names) => (names.length === 1 && names[0] === 'RegisterProtocol' ? [] : [`exports ${names.join(', ') || 'nothing'}; RRAS needs exactly RegisterProtocol`]),
    node: false,
  },
  'mock-rtm': {
    exports: (names) => {
      const stray = names.filter((n) => !/^(Rtm|MockRtm)\w+$/.test(n));
      const missing = names.includes('RtmRegisterEntity') ? [] : ['exports no RtmRegisterEntity'];
      return [...missing, ...(stray.length ? [`exports ${stray.join(', ')}, which are neither Rtm* nor MockRtm*`] : [])];
    },
    node: false,
  },
  addon: {
    exports: (names) => (names.includes('napi_register_module_v1') ? [] : ['exports no napi_register_module_v1']),
    node: true,
  },
};

function checkDll(kind, file, { systemDir, compareWith } = {}) {
  const rules = KINDS[kind];
  if (!rules) throw new Error(`unknown kind '${kind}' (${Object.keys(KINDS).join(', ')})`);
  const pe = readPe(file);
  const dlls = [...pe.imports, ...pe.delayImports];
  const problems = rules.exports(pe.exports);
  const system = new Set(fs.readdirSync(systemDir).map((f) => f.toLowerCase()));
  let usesNode = false;
  for (const dll of dlls) {
    const lower = dll.toLowerCase();
    if (lower === 'node.exe') {
      usesNode = true;
      if (!rules.node) problems.push(`imports ${dll}: no Node in what RRAS loads`);
    } else if (RUNTIME_DLL.test(dll)) {
      problems.push(`imports ${dll}: the C/C++ runtime must be linked statically`);
    } else if (!API_SET.test(dll) && !system.has(lower)) {
      problems.push(`imports ${dll}, which is not in ${systemDir}`);
    }
  }
  if (rules.node && !usesNode) problems.push('imports nothing from node.exe (Node-API)');
  if (compareWith) {
    const other = listWith(compareWith, file);
    const same = (a, b) => JSON.stringify([...a].map((x) => x.toLowerCase()).sort()) === JSON.stringify([...b].map((x) => x.toLowerCase()).sort());
    if (!same(other.exports, pe.exports)) problems.push(`${compareWith} lists the exports ${other.exports.join(', ')}; the PE reader ${pe.exports.join(', ')}`);
    const mine = other.delayLoadsListed ? dlls : pe.imports;
    if (!same(other.dlls, mine)) problems.push(`${compareWith} lists the imports ${other.dlls.join(', ')}; the PE reader ${mine.join(', ')}`);
  }
  return { ...pe, problems };
}

module.exports = { readPe, checkDll, KINDS };

if (require.main === module) {
  const args = process.argv.slice(2);
  const option = (name) => {
    const i = args.indexOf(name);
    return i < 0 ? undefined : args.splice(i, 2)[1];
  };
  const systemDir = option('--system-dir') ?? (process.platform === 'win32' ? path.join(process.env.SystemRoot || 'C:\\Windows', 'System32') : undefined);
  const compareWith = option('--compare-with');
  if (!systemDir || args.length === 0) {
    console.error('usage: check-dll.js [--system-dir DIR] [--compare-with objdump|dumpbin:PATH] KIND:FILE...  (KIND: protocol, mock-rtm, addon)');
    process.exit(2);
  }
  let failed = false;
  for (const arg of args) {
    const i = arg.indexOf(':');
    const [kind, file] = [arg.slice(0, i), arg.slice(i + 1)];
    try {
      const r = checkDll(kind, file, { systemDir, compareWith });
      const names = r.exports.length > 4 ? `${r.exports.length} functions (${r.exports[0]} … ${r.exports.at(-1)})` : r.exports.join(', ') || 'nothing';
      const summary = `exports ${names}; imports ${[...r.imports, ...r.delayImports.map((d) => `${d} (delay-loaded)`)].join(', ')}`;
      if (r.problems.length) {
        failed = true;
        for (const p of r.problems) console.error(`check-dll: ${file} (${kind}): ${p}`);
      } else {
        console.log(`check-dll: ${file} (${kind}): ok: ${summary}`);
      }
    } catch (err) {
      failed = true;
      console.error(`check-dll: ${file} (${kind}): ${err.message}`);
    }
  }
  process.exit(failed ? 1 : 0);
}
