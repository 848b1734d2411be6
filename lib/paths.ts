// Absolute paths of what this package built or ships, for tools and for RRAS configuration.
import fs from 'node:fs';
import path from 'node:path';

/** The package root (the folder with package.json), from dist/lib or lib. */
export const packageRoot = (() => {
  let dir = __dirname;
  for (let i = 0; i < 4; i++) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'native'))) return dir;
    dir = path.dirname(dir);
  }
  return path.resolve(__dirname, '..', '..');
})();

const ext = process.platform === 'win32' ? '.dll' : '.so';
const platformDir = `${process.platform}-${process.arch}`;

/**
 * Whether a binary is in this platform's format (PE on Windows, ELF on Linux). One checkout
 * may hold both: the Wine suite runs the Windows node.exe beside a Linux build/Release.
 */
function forThisPlatform(file: string): boolean {
  const magic = process.platform === 'win32' ? 'MZ' : process.platform === 'linux' ? '\x7fELF' : '';
  if (!magic) return true;
  try {
    const fd = fs.openSync(file, 'r');
    const head = Buffer.alloc(magic.length);
    fs.readSync(fd, head, 0, head.length, 0);
    fs.closeSync(fd);
    return head.toString('latin1') === magic;
  } catch {
    return false;
  }
}

/** The first usable candidate: a local build beats a prebuild. */
function locate(file: string): string {
  const candidates = [
    path.join(packageRoot, 'build', 'Release', file),
    path.join(packageRoot, 'prebuilds', platformDir, file),
  ];
  return candidates.find((c) => fs.existsSync(c) && forThisPlatform(c)) ?? candidates[0]!;
}

/**
 * The addon: a local build, the cross-build output, or, in an installed package, the prebuild
 * node-gyp-build picks for this platform and ABI (prebuildify layout:
 * prebuilds/<platform>-<arch>/rras_bridge.napi.node).
 */
function addonPath(): string {
  const found = locate('rras_bridge.node');
  if (fs.existsSync(found) && forThisPlatform(found)) return found;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const nodeGypBuild = require('node-gyp-build') as { path(dir: string): string };
    return nodeGypBuild.path(packageRoot);
  } catch {
    return found;
  }
}

function examples(): Record<string, string> {
  const dir = path.join(packageRoot, 'dist', 'examples');
  const out: Record<string, string> = {};
  if (!fs.existsSync(dir)) return out;
  for (const name of fs.readdirSync(dir).sort()) {
    const entry = path.join(dir, name, 'index.js');
    if (fs.existsSync(entry)) out[name] = entry;
  }
  return out;
}

export interface Paths {
  /** The routprot.h DLL (.dll on Windows, .so elsewhere) that the router manager loads. */
  protocolLibrary: string;
  /** The Node addon the host uses. */
  addon: string;
  /** The in-memory RTMv2 the mock router has the library load instead of rtm.dll. */
  mockRtm: string;
  /** The raw IP socket addon (lib/rawip). */
  rawIpAddon: string;
  /** The host entry the library spawns with node. */
  host: string;
  /** Example protocol modules by name. */
  examples: Record<string, string>;
}

/** find's value, looked up at the first call and kept. */
function once(find: () => string): () => string {
  let found: string | undefined;
  return () => (found ??= find());
}
// Each binary is looked up when first asked for (opening each to check its format): a host's
// start asks for the addon alone.
const protocolLibrary = once(() => locate(`rras_bridge_protocol${ext}`));
const addon = once(addonPath);
const mockRtm = once(() => locate(`rras_bridge_mock_rtm${ext}`));
const rawIpAddon = once(() => locate('rras_bridge_rawip.node'));

export const paths: Paths = {
  get protocolLibrary() {
    return protocolLibrary();
  },
  get addon() {
    return addon();
  },
  get mockRtm() {
    return mockRtm();
  },
  get rawIpAddon() {
    return rawIpAddon();
  },
  host: path.join(packageRoot, 'dist', 'lib', 'host', 'main.js'),
  get examples() {
    return examples();
  },
};

/** What to do when this package's binaries are missing, for the errors that need them. */
export function missingBinariesHint(): string {
  const prebuilt = ['linux-x64', 'win32-x64'];
  const installed = packageRoot.split(path.sep).includes('node_modules'); // a dependency, not a checkout
  if (prebuilt.includes(platformDir) && installed) {
    return `this package should contain prebuilds/${platformDir}: reinstall it (npm install rras-bridge)`;
  }
  return prebuilt.includes(platformDir)
    ? 'in a checkout, npm install builds them (make, g++, python3; MSVC on Windows)'
    : `there are no prebuilt binaries for ${platformDir}: they are built by the package's install script, which npm 11 runs only ` +
      'when allowed: npm install-scripts approve rras-bridge, then npm rebuild rras-bridge (needs make, g++ and python3; MSVC on Windows)';
}
