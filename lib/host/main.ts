#!/usr/bin/env node
// The protocol host: the process the protocol library spawns for one protocol id.
//   node main.js --protocol-id N --name NAME --module PATH --address SOCKET --generation G
//                [--log-level L]   (the library's logLevel: lines above it are not even sent)
// (exactly these, each once, each followed by its value).
// The handshake token arrives on stdin (hex, one line), never on the command line.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { loadAddon, type ChannelEvent } from '../addon/index.js';
import { isProtocol } from '../api/defineProtocol.js';
import type { Protocol } from '../api/types.js';
import { parseArguments, type HostArguments } from './arguments.js';
import { HostRuntime } from './runtime.js';
import { setHostInfo } from './info.js';

/**
 * Loads a module by path. import() takes a file URL (ESM and CommonJS alike); on POSIX a path
 * with a backslash has no file URL Node accepts (it refuses an encoded "\\"), so such a path
 * is loaded with require(): CommonJS always, an ES module where Node can require one
 * (process.features.require_module), else an error naming the path.
 */
async function importPath(modulePath: string): Promise<any> {
  if (process.platform === 'win32' || !modulePath.includes('\\')) return import(pathToFileURL(modulePath).href);
  try {
    const mod = createRequire(__filename)(modulePath);
    // Presented as import() would: an ES module's namespace as is, CommonJS exports as default.
    return mod && mod[Symbol.toStringTag] === 'Module' ? mod : { default: mod };
  } catch (err) {
    if ((err as { code?: string }).code === 'ERR_REQUIRE_ESM') {
      throw new Error(`${modulePath}: an ES module cannot be loaded from a path with a backslash by this Node (it refuses such file URLs and cannot require an ES module); move it, build it as CommonJS, or use Node >= 20.19`);
    }
    throw err;
  }
}

export async function loadProtocolModule(modulePath: string, protocolId: number): Promise<Protocol> {
  // import() takes ESM and CommonJS alike; a CJS module's exports land on .default.
  const mod = await importPath(modulePath);
  let p: unknown = mod.default;
  if (!isProtocol(p) && isProtocol((p as { default?: unknown })?.default)) p = (p as { default: unknown }).default;
  if (!isProtocol(p)) {
    throw new TypeError(`${modulePath}: the default export is not a protocol (use export default defineProtocol({...}))`);
  }
  if (p.protocolId !== protocolId) {
    throw new TypeError(`${modulePath} defines protocol ${p.protocolId}, but it is configured for protocol ${protocolId}`);
  }
  return p;
}

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
  await channel.connect({ address, token, pid: process.pid });

  // The module loads while the channel is already up, so a broken module is reported to
  // StartProtocol as an error instead of a silent timeout.
  setHostInfo({ protocolId, name, generation });
  const protocol = loadProtocolModule(modulePath, protocolId);
  protocol.catch(() => {}); // reported through the start reply
  runtime = new HostRuntime(protocol, channel, { protocolId, name, generation, logLevel });
  const rt = runtime;
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
