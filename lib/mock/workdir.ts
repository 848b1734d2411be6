// The folder a MockRouter works in: its private copies of the protocol library and the mock
// RTM, the configuration beside them, the library's log. Removed when the router closes, or
// when the process exits with the router still open; folders left by processes that were
// killed are removed by the next MockRouter of any process.
//
// Why copies: the protocol library keeps per-process state (one slot per protocol id) and
// reads its configuration when RegisterProtocol is called. A copy at another path is loaded
// as another library, with statics of its own, and finds its configuration beside itself
// (rras-bridge.json, see native/protocol/config.h) instead of in the process environment,
// which worker threads cannot change for native code. So routers in one process, in worker
// threads or in parallel processes never share a library, a configuration or an RTM.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const PREFIX = 'rras-bridge-mock-';
const OWNED = new RegExp(`^${PREFIX}(\\d+)-`);
let swept = false;
const afterExit: string[] = [];

// Windows cannot delete a DLL while it is loaded (the mock RTM copy stays loaded after close(),
// for router.rtm): what close() could not remove, a detached node removes once this process is
// gone (the next router's sweep catches what even that misses).
const REMOVE_AFTER_EXIT = `
const fs = require('node:fs');
const [pid, ...dirs] = process.argv.slice(1);
const gone = () => { try { process.kill(Number(pid), 0); return false; } catch (e) { return e.code !== 'EPERM'; } };
const started = Date.now();
(function tick() {
  if (!gone() && Date.now() - started < 120000) return setTimeout(tick, 200);
  for (const d of dirs) { try { fs.rmSync(d, { recursive: true, force: true, maxRetries: 20, retryDelay: 250 }); } catch {} }
})();`;

/** At exit (MockRouter's exit hook, after the open routers are abandoned): hands the leftovers on. */
export function removeLeftoversAfterExit(): void {
  if (!afterExit.length) return;
  try {
    // Its working folder is the temp folder, not ours: on Windows a process's working folder
    // cannot be removed, and the user's project folder would stay busy while it waits.
    spawn(process.execPath, ['-e', REMOVE_AFTER_EXIT, String(process.pid), ...afterExit.splice(0)], {
      detached: true, stdio: 'ignore', windowsHide: true, cwd: os.tmpdir(),
    }).unref();
  } catch { /* the next router's sweep removes them */ }
}

/** Whether a process runs (one of another user's counts: EPERM). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes the work folders of processes that no longer run (once per process). */
function sweepDeadProcesses(): void {
  if (swept) return;
  swept = true;
  let names: string[];
  try {
    names = fs.readdirSync(os.tmpdir());
  } catch {
    return;
  }
  for (const name of names) {
    const pid = Number(OWNED.exec(name)?.[1]);
    if (!pid || pid === process.pid || processAlive(pid)) continue;
    fs.rmSync(path.join(os.tmpdir(), name), { recursive: true, force: true, maxRetries: 2 });
  }
}

export class WorkFolder {
  private removed = false;

  /**
   * dir: the router's folder (configuration and log); temp: the folder of ours under the
   * system's temp folder that holds the copies (dir itself, or its own when the caller chose
   * dir). libDir: where the copies and their configuration are.
   */
  private constructor(readonly dir: string, private readonly temp: string, readonly libDir: string) {}

  static create(dir?: string): WorkFolder {
    sweepDeadProcesses();
    const temp = fs.mkdtempSync(path.join(os.tmpdir(), `${PREFIX}${process.pid}-`));
    const libDir = path.join(temp, 'lib');
    fs.mkdirSync(libDir);
    if (dir === undefined) return new WorkFolder(temp, temp, libDir);
    fs.mkdirSync(dir, { recursive: true });
    return new WorkFolder(path.resolve(dir), temp, libDir);
  }

  /** A private copy of a library file, beside this router's configuration. */
  copy(file: string): string {
    const to = path.join(this.libDir, path.basename(file));
    // A copy, never a link: the loader would see the same file (inode) and share one instance.
    fs.copyFileSync(file, to);
    return to;
  }

  /** The configuration file a copy in libDir reads (native/protocol/config.h). */
  get besideConfig(): string {
    return path.join(this.libDir, 'rras-bridge.json');
  }

  /**
   * Removes what this router created (a folder the caller chose stays). Loaded libraries
   * cannot be deleted on Windows: what remains goes when this process has ended.
   */
  remove(): void {
    if (this.removed) return;
    this.removed = true;
    try {
      fs.rmSync(this.temp, { recursive: true, force: true });
    } catch {
      afterExit.push(this.temp); // a DLL still loaded (Windows): removeLeftoversAfterExit
    }
  }
}
