// Under --inspect: keeps the library's watchdog from restarting a host the developer has
// paused. The heartbeat must pass through the JS thread, which a debugger stops at a
// breakpoint. An inspector session of the host's own watches Debugger.paused and
// Debugger.resumed (a same-thread session is told synchronously, even during the pause) and
// tells the addon, whose I/O thread answers heartbeats meanwhile. A blocked event loop that
// no debugger paused is still restarted.
//
// The session deactivates breakpoints for itself, so that it never makes a `debugger;`
// statement stop a host no one is debugging, and disconnects at exit (Node would otherwise
// wait for it to go).
//
// node:inspector (and the worker_threads it loads, about 1.5 ms of a host start) loads only
// when the host's flags ask for an inspector: no flag, no inspector to watch.
import type * as Inspector from 'node:inspector';
import { loadAddon } from '../addon/index.js';

/** Whether Node was told to start its inspector (--inspect, --inspect-brk, --inspect-wait, ...). */
function inspectorRequested(): boolean {
  return [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)].some((f) => /^--inspect(?:-brk|-wait)?(?:=|$)/.test(f));
}

/** Starts watching when the host runs with an inspector; returns its URL, if any. */
export function watchDebugger(): string | undefined {
  if (!inspectorRequested()) return undefined;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const inspector = require('node:inspector') as typeof Inspector;
  const url = inspector.url();
  if (!url) return undefined;
  const addon = loadAddon();
  const session = new inspector.Session();
  session.connect();
  session.on('Debugger.paused', () => addon.setDebuggerPaused(true));
  session.on('Debugger.resumed', () => addon.setDebuggerPaused(false));
  session.post('Debugger.enable', () => session.post('Debugger.setBreakpointsActive', { active: false }));
  process.on('exit', () => session.disconnect());
  return url;
}
