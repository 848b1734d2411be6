// Finds the admin endpoints of running protocol libraries, without being told where (the
// rules of native/protocol/admin_listener.h):
//   POSIX: <run directory>/<pid>.sock (<pid>-N.sock for further copies of the library in one
//   process). The run directory is --run-dir, else RRAS_BRIDGE_RUN_DIR, else /run/rras-bridge
//   for root, else $XDG_RUNTIME_DIR/rras-bridge or /tmp/rras-bridge-<uid>.
//   Windows: the pipes \\.\pipe\rras-bridge-admin-<pid>[-N], listed from \\.\pipe\ (or, where
//   the pipe namespace cannot be listed, as under Wine, probed for each running process).
import fs from 'node:fs';
import path from 'node:path';

export interface Endpoint {
  /** Socket path or pipe name. */
  address: string;
  /** The process that loaded the library. */
  pid: number;
}

/** An endpoint that exists but may not be used by this user. */
export class AdminAccessError extends Error {}

const SOCKET = /^(\d+)(?:-(\d+))?\.sock$/;
const PIPE = /^rras-bridge-admin-(\d+)(?:-(\d+))?$/;
export const PIPE_PREFIX = '\\\\.\\pipe\\rras-bridge-admin-';

/** The run directory a library uses when its configuration names none (POSIX). */
export function runDirectory(override?: string): string {
  if (override) return path.resolve(override);
  const env = process.env.RRAS_BRIDGE_RUN_DIR;
  if (env) return env;
  const uid = process.getuid?.() ?? 0;
  if (uid === 0) return '/run/rras-bridge';
  const xdg = process.env.XDG_RUNTIME_DIR;
  return xdg ? path.join(xdg, 'rras-bridge') : `/tmp/rras-bridge-${uid}`;
}

const byAddress = (a: Endpoint, b: Endpoint) => a.pid - b.pid || a.address.localeCompare(b.address);

/** The endpoints there are now; pid limits the search to one process. */
export function listEndpoints(options: { runDir?: string; pid?: number } = {}): Endpoint[] {
  const found = process.platform === 'win32' ? listPipes() : listSockets(runDirectory(options.runDir));
  return found.filter((e) => options.pid === undefined || e.pid === options.pid).sort(byAddress);
}

function listSockets(dir: string): Endpoint[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return [];
    if (code === 'EACCES' || code === 'EPERM') {
      const owner = (() => {
        try {
          return fs.statSync(dir).uid;
        } catch {
          return undefined;
        }
      })();
      const who = owner === undefined ? 'their owner' : owner === 0 ? 'root' : `uid ${owner}`;
      throw new AdminAccessError(`permission denied: the admin endpoints in ${dir} are for ${who} only (run this as ${owner === 0 ? 'root, e.g. with sudo' : 'that user'})`);
    }
    throw err;
  }
  const out: Endpoint[] = [];
  for (const name of names) {
    const m = SOCKET.exec(name);
    if (m) out.push({ address: path.join(dir, name), pid: Number(m[1]) });
  }
  return out;
}

function listPipes(): Endpoint[] {
  try {
    return fs.readdirSync('\\\\.\\pipe\\')
      .map((name) => ({ name, m: PIPE.exec(name) }))
      .filter((x) => x.m)
      .map((x) => ({ address: `\\\\.\\pipe\\${x.name}`, pid: Number(x.m![1]) }));
  } catch {
    return probePipes();
  }
}

// Where \\.\pipe\ cannot be listed: each running process's pipe names, tried in turn.
function probePipes(): Endpoint[] {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { processIds, pipeExists } = require('../win32/kernel32.js') as typeof import('../win32/kernel32.js');
  const out: Endpoint[] = [];
  for (const pid of processIds()) {
    for (let copy = 1; copy <= 64; copy++) {
      const address = `${PIPE_PREFIX}${pid}${copy > 1 ? `-${copy}` : ''}`;
      if (!pipeExists(address)) break;
      out.push({ address, pid });
    }
  }
  return out;
}
