// The protocol host's start, run by main.ts (the entry the library spawns; its first lines say
// what the host is given): parses the arguments, connects to the library while the protocol
// module loads, and runs the protocol in a HostRuntime until the library stops it.
import fs from 'node:fs';
import { loadAddon, type ChannelEvent } from '../addon/index.js';
import { parseArguments, type HostArguments } from './arguments.js';
import { HostRuntime } from './runtime.js';
import { loadProtocolModule } from '../protocolModule.js';
import { setHostInfo } from './info.js';
import { watchDebugger } from './debugger.js';
import type { watchWhenLoaded } from './watch.js';

async function main(): Promise<void> {
  let options: HostArguments;
  try {
    options = parseArguments(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`rras-bridge host: ${(err as Error).message}\n`);
    process.exit(2);
  }
  const { name, module: modulePath, address } = options;
  const protocolId = Number(options['protocol-id']);
  const generation = Number(options.generation);
  const logLevel = options['log-level'] === undefined ? undefined : Number(options['log-level']);
  const token = Buffer.from(fs.readFileSync(0, 'utf8').trim(), 'hex');

  const addon = loadAddon();
  let runtime: HostRuntime | undefined;
  const pending: ChannelEvent[] = [];
  const channel = new addon.Channel({
    onEvent(e: ChannelEvent) {
      if (!runtime) {
        pending.push(e);
        return;
      }
      if (e.event === 'message') runtime.handle(e.message);
      else {
        // The library closed the channel: after a stop this is the normal end.
        if (!runtime.stopped) process.stderr.write(`rras-bridge host: channel closed: ${e.reason}\n`);
        runtime.requester.close(e.reason);
        process.exit(runtime.stopped ? 0 : 1);
      }
    },
  });
  // What the host sent last (a log line before an exit) is written, not left held.
  process.on('exit', () => channel.flush());
  const pinned = process.env.RRAS_BRIDGE_WIRE_VERSION;
  // The handshake runs on the addon's connector thread while the module loads here: start-up
  // costs the longer of the two, not their sum. A broken module is still reported to
  // StartProtocol as an error (through the start reply, once the channel is up), never as a
  // silent timeout.
  const connected = channel.connect({ address, token, pid: process.pid, maxVersion: pinned ? Number(pinned) : undefined });
  setHostInfo({ protocolId, name, generation });
  const protocol = loadProtocolModule(modulePath, protocolId);
  protocol.catch(() => {}); // reported through the start reply
  await connected;
  runtime = new HostRuntime(protocol, channel, { protocolId, name, generation, logLevel });
  const rt = runtime;
  // Watch mode preloads host/watch.js, which leaves its hook here.
  const watch = (globalThis as Record<symbol, unknown>)[Symbol.for('rras-bridge.host.watch')] as typeof watchWhenLoaded | undefined;
  watch?.({ modulePath, protocolId, log: (level, text) => rt.writeLog(level, text), restart: (reason) => rt.requestRestart(reason) }, protocol);
  const inspectorUrl = watchDebugger();
  if (inspectorUrl) rt.writeLog('info', 'debugger listening on %s (host pid %d): chrome://inspect, or attach VS Code', [inspectorUrl, process.pid]);
  process.on('uncaughtException', (err) => {
    rt.writeLog('error', 'uncaught exception in the protocol; the host exits and the library restarts it:', [err]);
    setImmediate(() => process.exit(70));
  });
  // SIGHUP (POSIX): a code reload, as a planned restart that keeps the routes.
  if (process.platform !== 'win32') {
    process.on('SIGHUP', () => {
      rt.requestRestart('SIGHUP').catch((err) => rt.writeLog('error', 'restart request failed:', [err]));
    });
  }
  process.on('unhandledRejection', (err) => {
    rt.writeLog('error', 'unhandled promise rejection in the protocol:', [err]);
  });
  for (const e of pending.splice(0)) channel && (e.event === 'message' ? rt.handle(e.message) : process.exit(1));
}

main().catch((err) => {
  process.stderr.write(`rras-bridge host: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
