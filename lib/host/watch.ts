// Watch mode (`rras-bridge mock --watch`, register({ watch: true })): preloaded into the host
// with --require, it reloads the host when the protocol module or a file it imports changes.
// Each change is checked first in a separate node process (the module must load and export
// the configured protocol), so that a syntax or load error leaves this host running and is
// logged with its file:line:col; a good change becomes the planned restart: a new host with
// the new code, RRAS's state replayed, the routes kept, not counted as a crash.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { LogLevel } from '../api/types.js';
import { relativeImports } from '../protocolModule.js';

export interface WatchTarget {
  modulePath: string;
  protocolId: number;
  log(level: LogLevel, text: string): void;
  restart(reason: string): Promise<void>;
}

/** The hook main.ts calls once the runtime exists (set only when this file is preloaded). */
export const WATCH_HOOK = Symbol.for('rras-bridge.host.watch');

const DEBOUNCE_MS = 150;
const libraryDir = path.resolve(__dirname, '..'); // dist/lib: this package's own code

/** The module and what it imports: CommonJS through require.cache, ES modules by their specifiers. */
function moduleFiles(entry: string): string[] {
  const files = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file) || files.size > 2000 || file.includes(`${path.sep}node_modules${path.sep}`) || file.startsWith(libraryDir + path.sep)) return;
    if (!fs.existsSync(file)) return;
    files.add(file);
    const cached = require.cache[file];
    if (cached) for (const child of cached.children) visit(child.filename);
    else for (const f of relativeImports(file)) visit(f);
  };
  visit(entry);
  return [...files];
}

/** Loads the module in a separate node: '' when it loads and exports the protocol, else why not. */
function check(target: WatchTarget): Promise<string> {
  const loader = path.join(__dirname, '..', 'protocolModule.js');
  const script = `require(${JSON.stringify(loader)}).loadProtocolModule(${JSON.stringify(target.modulePath)}, ${target.protocolId})` +
    `.then(() => process.exit(0), (e) => { process.stderr.write(e.message); process.exit(1); })`;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', (e) => resolve(e.message));
    child.on('exit', (code) => resolve(code === 0 ? '' : err.trim() || `the check exited with ${code}`));
  });
}

function start(target: WatchTarget): void {
  const files = moduleFiles(target.modulePath);
  const names = new Set(files);
  let timer: NodeJS.Timeout | undefined;
  let changed = new Set<string>();
  let busy = false;
  const fire = async () => {
    if (busy) return;
    busy = true;
    const what = [...changed].map((f) => path.relative(process.cwd(), f) || f);
    changed = new Set();
    const why = await check(target);
    if (why) {
      target.log('error', `reload skipped: ${why}\n(this host keeps running the code it loaded; save again to retry)`);
      busy = false;
      return;
    }
    target.log('info', `reload: ${what.join(', ')} changed; planned restart (routes kept)`);
    await target.restart(`${what.join(', ')} changed`).catch((err: Error) => target.log('error', `reload failed: ${err.message}`));
    busy = false;
  };
  // Directories, not files: editors and tsc replace a file (rename), which ends a file's watch.
  for (const dir of new Set(files.map((f) => path.dirname(f)))) {
    try {
      fs.watch(dir, { persistent: false }, (_event, name) => {
        const file = name ? path.join(dir, name.toString()) : '';
        if (!names.has(file)) return;
        changed.add(file);
        clearTimeout(timer);
        timer = setTimeout(() => void fire(), DEBOUNCE_MS);
        timer.unref();
      });
    } catch (err) {
      target.log('warn', `watch: cannot watch ${dir}: ${(err as Error).message}`);
    }
  }
  target.log('info', `watching ${files.length} file${files.length === 1 ? '' : 's'} of ${path.basename(target.modulePath)} for changes`);
}

/** main.ts: starts watching once the protocol module has loaded. */
export function watchWhenLoaded(target: WatchTarget, loaded: Promise<unknown>): void {
  loaded.then(() => start(target), () => undefined);
}

(globalThis as Record<symbol, unknown>)[WATCH_HOOK] = watchWhenLoaded;
