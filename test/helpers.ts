// Shared setup for tests that drive the protocol library through MockRouter.
import fs from 'node:fs';
import path from 'node:path';
import type { ExecutionContext } from 'ava';
export { codeOf } from '../lib/index.js';
import { MockRouter, type ProtocolSettings, type RoutingProtocol, type RouteSpec, type BestRouteChange } from '../lib/index.js';
import { probeFile } from './fixtures/probe-host.js';

// Tests run from dist/test; fixtures compile next to them.
export const fixture = (name: string) => path.join(__dirname, 'fixtures', `${name}.js`);

let counter = 0;
/** A protocol id unique within this test process (ids below 0xFFFF0000). */
export const uniqueId = (base: number) => (base + ++counter) >>> 0;

export interface Started {
  router: MockRouter;
  proto: RoutingProtocol;
}

/** A router with one protocol registered and started, closed when the test ends. */
export async function startScripted(
  t: ExecutionContext,
  script: object = {},
  settings: Partial<ProtocolSettings> = {},
  opts: { autoDrain?: boolean; router?: MockRouter } = {},
): Promise<Started> {
  const router = opts.router ?? new MockRouter();
  t.teardown(() => router.close());
  const proto = router.register({ protocolId: uniqueId(0x71000000), module: fixture('scripted'), heartbeatMs: 0, ...settings }, { autoDrain: opts.autoDrain });
  t.is(proto.registerCode, 0, 'RegisterProtocol');
  const code = await proto.start({ globalInfo: Buffer.from(JSON.stringify(script)) });
  t.is(code, 0, `StartProtocol; library log:\n${router.log()}`);
  return { router, proto };
}

export async function addInterfaces(proto: RoutingProtocol, indexes: number[]): Promise<void> {
  for (const index of indexes) {
    await proto.addEnabledInterface({ index }, { addresses: [{ address: `192.0.2.${index % 250 + 1}`, prefixLength: 24 }] });
  }
}

/** The scripted fixture's record of handler calls (through MIB get). */
export interface ScriptedState {
  pid: number;
  calls: { call: string; [k: string]: any }[];
  own: RouteSpec[];
  best: BestRouteChange[];
  bestChanges: BestRouteChange[][];
}

export async function scriptedCalls(proto: RoutingProtocol): Promise<ScriptedState> {
  const r = await proto.mib('get', Buffer.alloc(0), 1 << 20);
  if (r.code !== 0) throw new Error(`MIB get returned ${r.code}`);
  return JSON.parse(r.output.toString('utf8'));
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls fn until it gives a value other than undefined or false; fails after timeoutMs. */
export async function until<T>(what: string, fn: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 15000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== false) return v as T;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/**
 * Starts a protocol whose host (fixtures/probe-host) records its channel address, then waits
 * PROBE_DELAY_MS before connecting: a window for a stranger to try the channel first. With hold,
 * it waits until release() instead (the start deadline is then a minute, so a slow stranger fits).
 */
export function startProbed(t: ExecutionContext, options: { hold?: boolean } = {}) {
  const router = new MockRouter();
  t.teardown(() => router.close());
  const protocolId = uniqueId(0x7a000000);
  const proto = router.register({
    protocolId, module: fixture('scripted'), hostEntry: fixture('probe-host'), heartbeatMs: 0,
    ...(options.hold ? { startTimeoutMs: 60_000 } : {}),
  });
  const file = probeFile(process.pid, protocolId);
  const hold = `${file}.hold`;
  if (options.hold) fs.writeFileSync(hold, '');
  const release = () => fs.rmSync(hold, { force: true });
  t.teardown(() => {
    fs.rmSync(file, { force: true });
    release();
  });
  const started = proto.start({ globalInfo: Buffer.from('{}') });
  const probe = until('the host to record its address', () =>
    fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as { pid: number; address: string }) : undefined);
  return { router, proto, started, probe, release };
}

export { processAlive as alive } from '../lib/mock/workdir.js';
