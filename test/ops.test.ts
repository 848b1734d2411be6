// Operating a running protocol through its library's admin endpoint: `rras-bridge status`,
// `trace`, `restart` and `log`, run as a person runs them (the CLI, in another process)
// against protocols MockRouter runs in this one; on Linux and under Wine (the same tests,
// through the named pipe). Also who may connect, and what a hostile client gets.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import test, { type ExecutionContext } from 'ava';
import koffi from '../lib/koffi.js';
import { MessageType, WIRE_ADMIN_MIN_VERSION, WIRE_FLAG_REPLY, WIRE_MAGIC, WIRE_MIN_VERSION, WIRE_VERSION } from '../lib/addon/wire.js';
import { ERROR_ACCESS_DENIED, ERROR_INVALID_PARAMETER, ERROR_NOT_SUPPORTED, MockRouter, NO_ERROR, PERMANENT, codeOf, type RoutingProtocol } from '../lib/index.js';
import type { CallRecord, EventRecord, HostRecord, LogRecord, MessageRecord, ProtocolStatus, TraceRecord } from '../lib/ops/index.js';
import { fixture, scriptedCalls, uniqueId, until } from './helpers.js';

const windows = process.platform === 'win32';
const linux = process.platform === 'linux';
const cliPath = path.join(__dirname, '..', 'lib', 'cli.js');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'rras-bridge-ops-'));
fs.chmodSync(work, 0o755);  // the run directory, not its parent, is what keeps others out
// The library creates the run directory itself (0700).
const runDir = path.join(work, 'run');
// Only this process's library: parallel test files have their own (and, on Windows, the pipe
// namespace is shared by all).
const target = windows ? ['--pid', String(process.pid)] : ['--run-dir', runDir, '--pid', String(process.pid)];
test.after.always(() => fs.rmSync(work, { recursive: true, force: true }));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

type Cli = ChildProcess & { done: Promise<Run>; output: () => Run };

/** The CLI in a child process, as an operator runs it. */
function start(args: string[], options: { uid?: string[] } = {}): Cli {
  const argv = [process.execPath, cliPath, ...args];
  const [cmd, ...rest] = options.uid ? [...options.uid, ...argv] : argv;
  const child = spawn(cmd!, rest, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '', stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const done = new Promise<Run>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
  return Object.assign(child, { done, output: () => ({ code: child.exitCode, stdout, stderr }) });
}

async function cli(...args: string[]): Promise<Run> {
  const child = start(args);
  const timer = setTimeout(() => child.kill(), 60000);
  const r = await child.done;
  clearTimeout(timer);
  return r;
}

async function statusOf(name: string): Promise<ProtocolStatus> {
  const r = await cli('status', name, '--json', ...target);
  if (r.code !== 0) throw new Error(`status ${name}: exit ${r.code}: ${r.stderr}`);
  const list = JSON.parse(r.stdout) as ProtocolStatus[];
  if (list.length !== 1) throw new Error(`status ${name}: ${list.length} documents`);
  return list[0]!;
}

const records = (text: string) => text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as TraceRecord);
const calls = (rs: TraceRecord[]) => rs.filter((r): r is CallRecord => r.kind === 'call');

let names = 0;
/** A router running the scripted fixture under a name unique to the test. */
async function scripted(t: ExecutionContext, script: object = {}, settings: Record<string, unknown> = {}) {
  const router = new MockRouter({ adminDirectory: runDir });
  t.teardown(() => router.close());
  const name = `ops-${process.pid}-${++names}`;
  const proto = router.register({ protocolId: uniqueId(0x72000000), name, module: fixture('scripted'), heartbeatMs: 0, backoffInitialMs: 50, ...settings });
  t.is(proto.registerCode, NO_ERROR);
  t.is(await proto.start({ globalInfo: Buffer.from(JSON.stringify(script)) }), NO_ERROR, router.log());
  return { router, proto, name };
}

async function bound(proto: RoutingProtocol, index: number, address: string, name = `if${index}`) {
  await proto.addEnabledInterface({ index, name, type: PERMANENT }, { addresses: [{ address, prefixLength: 24 }] });
}

const route = (destination: string, interfaceIndex: number) =>
  ({ destination, prefixLength: 24, nextHop: `192.0.2.${interfaceIndex + 1}`, interfaceIndex, metric: 2 });

// ---- status --------------------------------------------------------------------------------

test.serial('status: state, host, restarts, interfaces, routes, queue and per entry point counts and latency, for a person and as JSON', async (t) => {
  const { proto, name } = await scripted(t, { routes: { 3: [route('10.1.1.0', 3), route('10.1.2.0', 3)] } });
  await bound(proto, 3, '192.0.2.4', 'eth-three');
  t.is(await proto.addInterface({ index: 4, name: 'eth-four' }), NO_ERROR);  // added, never enabled or bound
  t.is(await proto.startComplete(), NO_ERROR);
  for (let i = 0; i < 3; i++) t.is((await proto.updateRoutes(3)).complete?.updateStatus, NO_ERROR);
  t.is(await codeOf(proto.doUpdateRoutes(99)), ERROR_INVALID_PARAMETER, 'an unknown interface');
  const host = await scriptedCalls(proto);

  const s = await statusOf(name);
  t.like(s, { state: 'running', startCompleted: true, protocol: { name, id: proto.protocolId }, callsInFlight: 0, eventQueue: { depth: 0 } });
  t.is(s.library.pid, process.pid);
  t.like(s.host, { pid: host.pid, generation: 1, connected: true, callsPending: 0 });
  t.like(s.restarts, { unplanned: 0, planned: 0, gaveUp: false, budget: { used: 0, limit: 5 } });
  t.like(s.routes, { rtm: true, own: 2, stale: 0 });
  t.false(s.gracefulRestart.active);
  t.deepEqual(s.interfaces.map((i) => [i.index, i.name, i.type, i.enabled, i.bound, i.addresses]), [
    [3, 'eth-three', 'PERMANENT', true, true, ['192.0.2.4/24']],
    [4, 'eth-four', 'PERMANENT', false, false, []],
  ]);
  const ep = (n: string) => s.entryPoints.find((e) => e.name === n);
  t.like(ep('DoUpdateRoutes'), { count: 4, failed: 1, lastResult: 'ERROR_INVALID_PARAMETER (87)' });
  t.like(ep('AddInterface'), { count: 2, failed: 0 });
  t.like(ep('InterfaceStatus'), { count: 2, failed: 0 });
  t.like(ep('StartProtocol'), { count: 1, failed: 0 });
  for (const e of s.entryPoints) t.true(e.p50Us <= e.p99Us && e.p99Us <= e.maxUs && e.maxUs > 0, `${e.name}: p50 ${e.p50Us} <= p99 ${e.p99Us} <= max ${e.maxUs}`);
  t.true(ep('GetEventMessage')!.count >= 3, 'each UPDATE_COMPLETE was drained');
  t.true(s.trace.recorded > 20 && s.trace.ringRecords === 4096);

  const person = await cli('status', name, ...target);
  t.is(person.code, 0, person.stderr);
  t.regex(person.stdout, new RegExp(`^Name +Id +Library +State +Since +Host +Info\\n${name} +0x[0-9a-f]{8} +pid ${process.pid} +running `));
  t.regex(person.stdout, new RegExp(`Host: +pid ${host.pid}, generation 1, connected`));
  t.regex(person.stdout, /Routes in RTM: +2 own, 0 stale/);
  t.regex(person.stdout, /\n +3 +eth-three +PERMANENT +yes +yes +present +192\.0\.2\.4\/24\n/);
  t.regex(person.stdout, /\n +4 +eth-four +PERMANENT +no +no +present +-\n/);
  t.regex(person.stdout, /\n +DoUpdateRoutes +4 +1 +[\d.]+ [mu]s +[\d.]+ [mu]s +[\d.]+ [mu]?s +ERROR_INVALID_PARAMETER\n/);
});

test.serial('status with no name lists every running protocol; a stopped one leaves it, and the endpoint closes with the last', async (t) => {
  const router = new MockRouter({ adminDirectory: runDir });
  t.teardown(() => router.close());
  const ids = [uniqueId(0x72000000), uniqueId(0x72000000)];
  const named = ids.map((id, i) => ({ id, name: `ops-all-${process.pid}-${i}` }));
  const protos = named.map((n) => router.register({ protocolId: n.id, name: n.name, module: fixture('scripted'), heartbeatMs: 0 }));
  for (const p of protos) t.is(await p.start(), NO_ERROR);
  const all = await cli('status', '--json', ...target);
  t.is(all.code, 0, all.stderr);
  t.deepEqual((JSON.parse(all.stdout) as ProtocolStatus[]).map((p) => p.protocol.name).sort(), named.map((n) => n.name).sort());
  t.regex((await cli('status', ...target)).stdout, new RegExp(`${named[0]!.name}[^]*${named[1]!.name}`));
  const byId = await cli('status', `0x${ids[1]!.toString(16)}`, '--json', ...target);
  t.is((JSON.parse(byId.stdout) as ProtocolStatus[])[0]?.protocol.name, named[1]!.name, 'a protocol named by its id in hex');

  await protos[0]!.stop();
  const left = JSON.parse((await cli('status', '--json', ...target)).stdout) as ProtocolStatus[];
  t.deepEqual(left.map((p) => p.protocol.name), [named[1]!.name]);
  const gone = await cli('status', named[0]!.name, ...target);
  t.is(gone.code, 1);
  t.regex(gone.stderr, new RegExp(`no running protocol named '${named[0]!.name}' \\(running: ${named[1]!.name} \\(pid ${process.pid}\\)\\)`));

  await protos[1]!.stop();
  // ROUTER_STOPPED was drained: no thread of the endpoint runs, nothing listens any more.
  if (linux) {
    const comm = (tid: string) => {
      try {
        return fs.readFileSync(`/proc/self/task/${tid}/comm`, 'utf8').trim();
      } catch {
        return '';  // ended meanwhile
      }
    };
    const threads = fs.readdirSync('/proc/self/task').map(comm);
    t.false(threads.includes('rras-admin'), `threads: ${threads.join(' ')}`);
  }
  if (!windows) t.deepEqual(fs.readdirSync(runDir).filter((f) => f.startsWith(`${process.pid}`)), [], 'the socket is removed');
  const none = await cli('status', ...target);
  t.is(none.code, 1);
  t.regex(none.stderr, /no running protocol library found/);
});

test.serial('rras-bridge mock in its own process is found by status (the run directory both default to) and named by the module', async (t) => {
  const module = path.join(__dirname, '..', 'examples', 'static-routes', 'index.js');
  const env = { ...process.env, RRAS_BRIDGE_RUN_DIR: runDir };
  const mock = spawn(process.execPath, [cliPath, 'mock', module, '--interface', '7=198.51.100.1/30,demand', '--update', '7', '--duration', '60', '--quiet'],
    { env, stdio: ['ignore', 'pipe', 'pipe'] });
  t.teardown(() => mock.kill());
  const status = await until('the mock router in status', async () => {
    const r = start(['status', '--json', '--pid', String(mock.pid), ...(windows ? [] : ['--run-dir', runDir])]);
    const out = await r.done;
    if (out.code !== 0) return undefined;
    const list = JSON.parse(out.stdout) as ProtocolStatus[];
    return list.find((p) => p.interfaces.length === 1 && p.entryPoints.some((e) => e.name === 'DoUpdateRoutes'));
  }, 30000);
  t.like(status, { state: 'running', protocol: { name: 'static-routes', idHex: '0x2b1d0001' }, library: { pid: mock.pid } });
  t.deepEqual(status.interfaces[0]!.addresses, ['198.51.100.1/30']);
  t.is(status.interfaces[0]!.type, 'DEMAND_DIAL');
});

// ---- trace ---------------------------------------------------------------------------------

test.serial('trace: every call with its decoded arguments and result, the messages to and from the host, the events queued and drained, in order', async (t) => {
  const { proto, name } = await scripted(t);
  await bound(proto, 3, '192.0.2.4', 'eth-three');
  t.is((await proto.updateRoutes(3)).complete?.updateStatus, NO_ERROR);
  const r = await cli('trace', name, ...target);
  t.is(r.code, 0, r.stderr);
  const rs = records(r.stdout);
  t.true(rs.every((x) => x.protocol === name && typeof x.thread === 'number' && x.thread > 0 && !Number.isNaN(Date.parse(x.time))));
  for (let i = 1; i < rs.length; i++) t.true(rs[i]!.ts >= rs[i - 1]!.ts, 'in time order');

  t.deepEqual(calls(rs).map((c) => c.name).filter((n) => n !== 'GetEventMessage'), ['StartProtocol', 'AddInterface', 'InterfaceStatus', 'InterfaceStatus', 'DoUpdateRoutes']);
  const add = calls(rs).find((c) => c.name === 'AddInterface')!;
  t.like(add, { args: { InterfaceIndex: 3, InterfaceType: 'PERMANENT', InterfaceName: 'eth-three' }, result: 0, resultName: 'NO_ERROR' });
  const [bind, enable] = calls(rs).filter((c) => c.name === 'InterfaceStatus');
  t.like(bind, { args: { InterfaceIndex: 3, InterfaceActive: 'TRUE', StatusType: 'RIS_INTERFACE_ADDRESS_CHANGE', AddressCount: 1, Address: '192.0.2.4/24' } });
  t.like(enable, { args: { StatusType: 'RIS_INTERFACE_ENABLED' } });
  const update = calls(rs).find((c) => c.name === 'DoUpdateRoutes')!;
  t.like(update, { args: { InterfaceIndex: 3 }, result: 0 });
  t.true(update.durationUs > 0);

  // The update's way: the call, the request to the host, its reply, UPDATE_COMPLETE queued,
  // then drained by GetEventMessage.
  const after = rs.slice(rs.indexOf(update));
  const out = after.find((x): x is MessageRecord => x.kind === 'message' && x.type === 'updateRoutes' && !x.reply)!;
  t.like(out, { direction: 'to-host', fields: { interfaceIndex: 3 } });
  const reply = after.find((x): x is MessageRecord => x.kind === 'message' && x.type === 'updateRoutes' && x.reply)!;
  t.like(reply, { direction: 'from-host', id: out.id, status: 0 });
  const queued = after.find((x): x is EventRecord => x.kind === 'event' && x.action === 'queued')!;
  t.like(queued, { event: 'UPDATE_COMPLETE', interfaceIndex: 3, updateType: 4, updateStatus: 0, updateStatusName: 'NO_ERROR' });
  const drained = after.find((x): x is EventRecord => x.kind === 'event' && x.action === 'drained')!;
  t.like(drained, { event: 'UPDATE_COMPLETE', interfaceIndex: 3 });
  const popped = after.find((x): x is CallRecord => x.kind === 'call' && x.name === 'GetEventMessage' && x.result === 0)!;
  t.like(popped, { args: { Event: 'UPDATE_COMPLETE' } });
  t.true(update.ts <= out.ts && out.ts <= reply.ts && reply.ts <= queued.ts && queued.ts <= drained.ts, 'in the order they happened');
  t.true(rs.some((x) => x.kind === 'host' && x.event === 'started' && x.generation === 1));
  t.true(calls(rs).some((c) => c.name === 'GetEventMessage' && c.result === 259 && c.resultName === 'ERROR_NO_MORE_ITEMS'));
});

test.serial('trace --format chrome: calls as slices, request and reply and queued and drained as flows, each update as a span; --format svg draws it', async (t) => {
  const { proto, name } = await scripted(t, { updateDelayMs: { 3: 30 } });
  await bound(proto, 3, '192.0.2.4');
  for (let i = 0; i < 2; i++) t.is((await proto.updateRoutes(3)).complete?.updateStatus, NO_ERROR);
  const file = path.join(work, 'trace.json');
  const r = await cli('trace', name, '--format', 'chrome', '--out', file, ...target);
  t.is(r.code, 0, r.stderr);
  const events = JSON.parse(fs.readFileSync(file, 'utf8')) as { name: string; ph: string; ts: number; dur?: number; id?: string; tid: number; pid: number; args?: Record<string, unknown> }[];
  t.true(events.every((e) => e.pid === process.pid));
  const slices = events.filter((e) => e.ph === 'X');
  t.deepEqual(slices.filter((e) => e.name === 'DoUpdateRoutes').length, 2);
  t.true(slices.every((e) => e.dur! > 0 && e.args?.result !== undefined));
  t.truthy(events.find((e) => e.ph === 'M' && e.name === 'thread_name'));
  const flowIds = (ph: string) => new Set(events.filter((e) => e.ph === ph).map((e) => e.id));
  const finished = [...flowIds('f')];
  t.true(finished.length >= 4 && finished.every((id) => flowIds('s').has(id)), 'every flow ends where one started');
  const spans = events.filter((e) => e.ph === 'b' || e.ph === 'e');
  t.is(spans.filter((e) => e.ph === 'b').length, 2);
  for (const b of spans.filter((e) => e.ph === 'b')) {
    const e = spans.find((x) => x.ph === 'e' && x.id === b.id)!;
    t.true(e.ts - b.ts >= 30_000, 'an update span lasts at least the handler\'s 30 ms');
  }
  const svg = await cli('trace', name, '--format', 'svg', ...target);
  t.is(svg.code, 0, svg.stderr);
  t.regex(svg.stdout, /^<svg [^>]*width="\d+" height="\d+"/);
  t.regex(svg.stdout, /DoUpdateRoutes → UPDATE_COMPLETE/);
  t.is((svg.stdout.match(/<rect [^>]*height="9" fill="#f28e2b"/g) ?? []).length, 2, 'two update bars');
});

/** A `--follow` command, once the library has taken its request. */
async function following(args: string[]): Promise<Cli> {
  const child = start(args);
  await until(`${args[0]} --follow to start`, () => {
    const o = child.output();
    if (o.code !== null) throw new Error(`${args.join(' ')} ended: ${o.stderr}`);
    return /following/.test(o.stderr);
  });
  return child;
}

test.serial('trace --follow streams what happens from then on, and ends when the protocol stops', async (t) => {
  const { proto, name } = await scripted(t);
  await bound(proto, 3, '192.0.2.4');
  const file = path.join(work, 'follow.jsonl');
  const child = await following(['trace', name, '--follow', '--new', '--out', file, ...target]);
  t.is((await proto.updateRoutes(3)).complete?.updateStatus, NO_ERROR);
  const seen = await until('the update in the followed trace', () => {
    const rs = records(fs.readFileSync(file, 'utf8'));
    return rs.some((r) => r.kind === 'event' && r.action === 'drained') ? rs : undefined;
  });
  t.false(calls(seen).some((c) => c.name === 'AddInterface'), '--new: nothing from before');
  t.true(calls(seen).some((c) => c.name === 'DoUpdateRoutes'));
  await proto.stop();
  const r = await child.done;
  t.is(r.code, 0, r.stderr);
  t.regex(r.stderr, /the library ended the trace/);
  const rs = records(fs.readFileSync(file, 'utf8'));
  t.true(calls(rs).some((c) => c.name === 'StopProtocol' && c.result === 907), 'StopProtocol: ERROR_PROTOCOL_STOP_PENDING');
  t.true(rs.some((r) => r.kind === 'host' && r.event === 'stopped'), 'the stop itself reached the follower');
});

test.serial('a trace followed across a host crash shows the loss, the restart and the replay; the library log has the calls that led to it', async (t) => {
  const { router, proto, name } = await scripted(t, { crashOnUpdate: [5] });
  await bound(proto, 3, '192.0.2.4');
  await bound(proto, 5, '192.0.2.6');
  const before = await scriptedCalls(proto);
  const file = path.join(work, 'crash.jsonl');
  const child = await following(['trace', name, '--follow', '--out', file, ...target]);
  t.is(await proto.doUpdateRoutes(5), NO_ERROR);  // the host exits in the handler
  const complete = await proto.waitForEvent((e) => e.name === 'UPDATE_COMPLETE' && e.interfaceIndex === 5);
  t.is(complete.updateStatus, 1003, 'the update in flight fails with ERROR_CAN_NOT_COMPLETE');
  await until('generation 2', async () => (await statusOf(name)).host.generation === 2 && (await statusOf(name)).host.connected);
  t.is((await proto.updateRoutes(3)).complete?.updateStatus, NO_ERROR, 'the new host serves');
  const rs = await until('the update after the restart', () => {
    const all = records(fs.readFileSync(file, 'utf8'));
    const restarted = all.findIndex((r) => r.kind === 'host' && r.event === 'started' && r.generation === 2);
    return restarted >= 0 && all.slice(restarted).some((r) => r.kind === 'event' && r.action === 'drained' && r.interfaceIndex === 3) ? all : undefined;
  });
  child.kill();
  await child.done;
  const host = rs.filter((r): r is HostRecord => r.kind === 'host');
  const lost = host.find((h) => h.event === 'lost')!;
  t.like(lost, { generation: 1, pid: before.pid });
  t.truthy(lost.reason, 'why it was lost');
  const restarted = host.find((h) => h.event === 'started' && h.generation === 2)!;
  t.like(restarted, { reason: 'restarted, state replayed' });
  t.true(restarted.ts > lost.ts);
  const between = rs.filter((r) => r.ts > lost.ts && r.ts <= restarted.ts);
  const replayed = between.filter((r): r is MessageRecord => r.kind === 'message' && r.direction === 'to-host' && !r.reply).map((m) => m.type);
  t.deepEqual(replayed.filter((m) => m === 'start' || m === 'addInterface'), ['start', 'addInterface', 'addInterface'], 'the replay to the new host');
  t.true(rs.some((r) => r.kind === 'event' && r.action === 'queued' && r.interfaceIndex === 5 && r.updateStatus === 1003));

  const s = await statusOf(name);
  t.like(s.restarts, { unplanned: 1, planned: 0, budget: { used: 1 } });
  t.like(s.restarts.recent.at(-1), { what: 'lost', generation: 1, pid: before.pid });
  // The crash report in the library's log: the records that led to the loss.
  t.regex(router.log(), new RegExp(`host pid ${before.pid} ended; the last \\d+ trace records before it[^]*DoUpdateRoutes\\(InterfaceIndex=5\\) = NO_ERROR \\(0\\)[^]*-> host updateRoutes #\\d+ interfaceIndex=5`));
});

test.serial('the watchdog\'s kill goes into the status and the log, with the records before it', async (t) => {
  const { router, proto, name } = await scripted(t, { blockEventLoopOnUpdate: [3] }, { heartbeatMs: 200, heartbeatMisses: 3 });
  await bound(proto, 3, '192.0.2.4');
  const before = await scriptedCalls(proto);
  t.is(await proto.doUpdateRoutes(3), NO_ERROR);
  await until('the watchdog', async () => (await statusOf(name)).restarts.unplanned === 1);
  const s = await statusOf(name);
  t.like(s.restarts.recent.at(-1), { what: 'watchdog-kill', generation: 1, pid: before.pid, reason: 'missed 3 heartbeats' });
  t.regex(router.log(), new RegExp(`host pid ${before.pid} ended[^]*the last \\d+ trace records before it[^]*-> host heartbeat`));
  t.true(s.lastErrors.some((e) => /missed 3 heartbeats/.test(e.text)), 'status: the last errors');
});

// ---- restart -------------------------------------------------------------------------------

test.serial('restart <name>: a new host runs the code now on disk; the routes stay in RTM all along; the restart budget is not used', async (t) => {
  const dir = fs.mkdtempSync(path.join(work, 'versioned-'));
  const module = path.join(dir, 'protocol.js');
  const lib = JSON.stringify(path.join(__dirname, '..', 'lib', 'index.js'));
  const source = (version: string) => `'use strict';
const { defineProtocol, hostInfo } = require(${lib});
exports.default = defineProtocol({
  protocolId: hostInfo()?.protocolId ?? 1,
  name: 'versioned',
  async start(ctx) {
    await ctx.routes.add([{ destination: '10.9.0.0', prefixLength: 16, nextHop: '192.0.2.9', interfaceIndex: 3, metric: 2 }]);
  },
  mib() { return Buffer.from(${JSON.stringify(version)}); },
});
`;
  fs.writeFileSync(module, source('one'));
  const router = new MockRouter({ adminDirectory: runDir });
  t.teardown(() => router.close());
  const name = `ops-versioned-${process.pid}`;
  const proto = router.register({ protocolId: uniqueId(0x72000000), name, module, heartbeatMs: 0 });
  t.is(await proto.start(), NO_ERROR, router.log());
  await bound(proto, 3, '192.0.2.8');
  t.is(await proto.startComplete(), NO_ERROR);  // a restarted host is synced after its replayed StartComplete
  const version = async () => (await proto.mib('get', Buffer.alloc(0), 64)).output.toString();
  t.is(await version(), 'one');
  const inRtm = () => router.rtm.routes(proto.protocolId).some((r) => r.dest === '10.9.0.0/16');
  t.true(inRtm());

  fs.writeFileSync(module, source('two'));
  let withdrawn = false;
  const watch = setInterval(() => (withdrawn ||= !inRtm()), 2);
  const r = await cli('restart', name, '--reason', 'deploy two', ...target);
  clearInterval(watch);
  t.is(r.code, 0, `${r.stderr}\n${router.log()}`);
  t.regex(r.stdout, new RegExp(`${name}: planned restart of host generation 1 requested\\n${name}: host generation 2 \\(pid \\d+\\) running`));
  t.false(withdrawn, 'the route never left RTM');
  t.is(await version(), 'two', 'the new code runs');
  const s = await until('the sweep after the re-announcement', async () => {
    const st = await statusOf(name);
    return st.gracefulRestart.active ? undefined : st;
  });
  t.like(s.routes, { own: 1, stale: 0 });
  t.like(s.restarts, { unplanned: 0, planned: 1, budget: { used: 0 } });
  t.regex(s.restarts.recent.at(-1)!.reason, new RegExp(`^deploy two \\(requested by pid \\d+${windows ? '' : ', uid \\d+'}\\)$`));
  t.true(inRtm());

  const unknown = await cli('restart', 'no-such-protocol', ...target);
  t.is(unknown.code, 1);
  t.regex(unknown.stderr, new RegExp(`no running protocol named 'no-such-protocol' \\(running: ${name} `));
});

// ---- log -----------------------------------------------------------------------------------

test.serial('log <name>: the library\'s and the host\'s lines; --follow prints new ones; --json', async (t) => {
  const { proto, name } = await scripted(t, { failUpdate: [3] });
  await bound(proto, 3, '192.0.2.4');
  const r = await cli('log', name, ...target);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, new RegExp(`^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z INFO \\[${name}\\] `, 'm'));
  const child = await following(['log', name, '--follow', '--lines', '0', '--json', ...target]);
  t.is((await proto.updateRoutes(3)).complete?.updateStatus, 1003);
  await until('the failure in the followed log', () => /scripted failure on interface 3/.test(child.output().stdout));
  await proto.stop();
  const out = await child.done;
  t.is(out.code, 0, out.stderr);
  const logged = out.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as LogRecord);
  t.true(logged.some((l) => l.level === 'error' && l.origin === 'library' && /DoUpdateRoutes\(3\) failed in the protocol: .*scripted failure on interface 3/.test(l.text)), out.stdout);
  t.true(logged.some((l) => l.origin === 'host'), 'the host\'s lines');
  t.true(logged.some((l) => /stopped/.test(l.text)), 'up to the stop');
  t.false(logged.some((l) => /admin endpoint: \//.test(l.text)), '--lines 0: nothing from before');
});

// ---- who may connect -----------------------------------------------------------------------

test.serial(`a non-administrator is refused: another uid cannot reach the run directory, and one that can is refused by the library${linux ? '' : ' [Linux only: another uid; Windows: the pipe\'s DACL, next]'}`, async (t) => {
  if (!linux) return void t.pass();
  if (process.getuid!() !== 0) return void t.fail('this test starts the CLI as the user nobody: run it as root (CI does)');
  const { router, name } = await scripted(t);
  const asNobody = ['setpriv', '--reuid=nobody', '--regid=nogroup', '--clear-groups'];
  const shut = await start(['status', name, ...target], { uid: asNobody }).done;
  t.is(shut.code, 1, shut.stdout);
  t.regex(shut.stderr, new RegExp(`permission denied: the admin endpoints in ${runDir} are for root only`));
  // Past the directory (CAP_DAC_OVERRIDE), the library itself refuses uid 65534.
  const past = await start(['status', name, ...target], { uid: [...asNobody, '--inh-caps=+dac_override', '--ambient-caps=+dac_override'] }).done;
  t.is(past.code, 1, past.stdout);
  t.regex(past.stderr, /refused: the protocol library refused the handshake: uid 65534 is not an administrator of this router \(root\)/);
  t.notRegex(past.stdout, new RegExp(name), 'nothing about the protocol');
  await until('the refusal in the log', () => /admin endpoint: refused a connection from pid \d+: uid 65534 is not an administrator/.test(router.log()));
  const ok = await cli('status', name, ...target);
  t.is(ok.code, 0, 'root still gets in');
});

test.serial(`an admin directory open to others is not used: the protocol runs, the log says why${linux ? '' : ' [Linux only: POSIX directory modes]'}`, async (t) => {
  if (!linux) return void t.pass();
  const open = fs.mkdtempSync(path.join(work, 'open-'));
  fs.chmodSync(open, 0o755);
  const router = new MockRouter({ adminDirectory: open });
  t.teardown(() => router.close());
  const proto = router.register({ protocolId: uniqueId(0x72000000), name: `ops-open-${process.pid}`, module: fixture('scripted'), heartbeatMs: 0 });
  t.is(await proto.start(), NO_ERROR);
  t.regex(router.log(), new RegExp(`admin endpoint not opened \\(rras-bridge status cannot reach this library\\): the admin directory ${open} is open to others \\(mode 755; it must be 700\\)`));
  t.deepEqual(fs.readdirSync(open), []);
});

test.serial(`the admin pipe \\\\.\\pipe\\rras-bridge-admin-<pid> lets in SYSTEM and Administrators only: its DACL, protected from inheritance${windows ? '' : ' [Windows only: POSIX, the directory tests above]'}`, async (t) => {
  if (!windows) return void t.pass();
  await scripted(t);
  const k32 = koffi.load('kernel32.dll');
  const adv = koffi.load('advapi32.dll');
  const CreateFileW = k32.func('void *__stdcall CreateFileW(const char16_t *name, uint32_t access, uint32_t share, void *sa, uint32_t disposition, uint32_t flags, void *tmpl)');
  const CloseHandle = k32.func('int32_t __stdcall CloseHandle(void *h)');
  const LocalFree = k32.func('void *__stdcall LocalFree(void *p)');
  const GetSecurityInfo = adv.func('uint32_t __stdcall GetSecurityInfo(void *h, int32_t type, uint32_t info, void *owner, void *group, _Out_ void **dacl, void *sacl, _Out_ void **sd)');
  const SdToString = adv.func('int32_t __stdcall ConvertSecurityDescriptorToStringSecurityDescriptorW(void *sd, uint32_t revision, uint32_t info, _Out_ void **text, void *length)');
  const READ_CONTROL = 0x20000, OPEN_EXISTING = 3, SE_KERNEL_OBJECT = 6, DACL_SECURITY_INFORMATION = 4;
  const h = CreateFileW(`\\\\.\\pipe\\rras-bridge-admin-${process.pid}`, READ_CONTROL, 0, null, OPEN_EXISTING, 0, null);
  t.not(koffi.address(h), 0xffffffffffffffffn, 'the pipe opens for an administrator');
  const dacl = [null], sd = [null], text = [null];
  t.is(GetSecurityInfo(h, SE_KERNEL_OBJECT, DACL_SECURITY_INFORMATION, null, null, dacl, null, sd), 0);
  t.true(SdToString(sd[0], 1, DACL_SECURITY_INFORMATION, text, null) !== 0);
  const sddl = koffi.decode.string16(text[0]);
  LocalFree(text[0]);
  LocalFree(sd[0]);
  CloseHandle(h);
  t.log(sddl);
  const aces = [...sddl.matchAll(/\(([^)]*)\)/g)].map((m) => m[1]!.split(';'));
  t.regex(sddl, /^D:P/, 'protected: no inherited entries');
  t.deepEqual(aces.map((a) => [a[0], a[5]]).sort(), [['A', 'BA'], ['A', 'SY']], 'allow SYSTEM and Administrators, nobody else');
});

/** A raw connection to this process's endpoint, speaking (or not) the wire by hand. */
async function raw(): Promise<net.Socket> {
  const address = windows ? `\\\\.\\pipe\\rras-bridge-admin-${process.pid}` : path.join(runDir, `${process.pid}.sock`);
  return new Promise((resolve, reject) => {
    const s = net.connect(address, () => resolve(s));
    s.on('error', reject);
  });
}

/** u32 length, u16 type, u16 flags, u32 id, then the payload. */
function frame(type: number, id: number, payload: Buffer): Buffer {
  const h = Buffer.alloc(12);
  h.writeUInt32LE(8 + payload.length, 0);
  h.writeUInt16LE(type, 4);
  h.writeUInt16LE(0, 6);
  h.writeUInt32LE(id, 8);
  return Buffer.concat([h, payload]);
}
const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
};
const text = (s: string) => {
  const b = Buffer.from(s);
  const n = Buffer.alloc(4);
  n.writeUInt32LE(b.length);
  return Buffer.concat([n, b]);
};

async function answer(s: net.Socket, send: Buffer): Promise<{ data: Buffer; closed: boolean }> {
  let data = Buffer.alloc(0);
  const closed = new Promise<boolean>((resolve) => {
    s.on('data', (d) => (data = Buffer.concat([data, d])));
    s.on('close', () => resolve(true));
    s.on('error', () => undefined);
    setTimeout(() => resolve(false), 10000);
  });
  s.write(send);
  return { closed: await closed, data };
}

test.serial('hostile clients: garbage, a frame over the 64 KiB cap, a request before adminHello, a hello of no common version; each is dropped, RRAS calls and the endpoint go on', async (t) => {
  const { proto, name } = await scripted(t);
  await bound(proto, 3, '192.0.2.4');
  const garbage = await answer(await raw(), Buffer.from('GET / HTTP/1.0\r\n\r\n'));
  t.true(garbage.closed, 'garbage: dropped');
  const big = Buffer.alloc(12);
  big.writeUInt32LE(65 * 1024, 0);  // declares a frame over the cap
  const oversized = await answer(await raw(), big);
  t.true(oversized.closed, 'over the cap: dropped before it is read');
  const early = await answer(await raw(), frame(MessageType.adminStatus, 7, text(name)));
  t.true(early.closed, 'no adminHello: dropped');
  t.true(early.data.length > 12 && early.data.readUInt16LE(4) === MessageType.adminStatus && early.data.readUInt16LE(6) === WIRE_FLAG_REPLY, 'with an error reply');
  t.is(early.data.readUInt32LE(12), ERROR_ACCESS_DENIED);
  t.regex(early.data.toString('latin1'), /the first message must be adminHello/);
  // A client of the wire versions before the admin endpoint's: no common version.
  const hello = Buffer.concat([u32(WIRE_MAGIC), u32(WIRE_MIN_VERSION), u32(WIRE_ADMIN_MIN_VERSION - 1), text('old tool')]);
  const old = await answer(await raw(), frame(MessageType.adminHello, 1, hello));
  t.true(old.closed, 'no common version: closed');
  t.is(old.data.readUInt32LE(12), ERROR_NOT_SUPPORTED);
  t.regex(old.data.toString('latin1'), new RegExp(`no common version \\(the client speaks ${WIRE_MIN_VERSION}\\.\\.${WIRE_ADMIN_MIN_VERSION - 1}, this library's admin endpoint ${WIRE_ADMIN_MIN_VERSION}\\.\\.${WIRE_VERSION}\\)`));
  t.is((await proto.updateRoutes(3)).complete?.updateStatus, NO_ERROR);
  t.is((await statusOf(name)).state, 'running');
});

test.serial('usage errors: unknown options, a bad format, a missing name print the usage; exit 2', async (t) => {
  for (const [args, message] of [
    [['status', '--jsn'], /Unknown option '--jsn'/],
    [['trace', '--format', 'xml'], /--format must be jsonl, chrome or svg, not 'xml'/],
    [['trace', '--new'], /--new and --duration go with --follow/],
    [['restart'], /name the protocol to restart/],
    [['log', '--pid', 'abc', 'x'], /--pid must be a whole number, not 'abc'/],
    [['status', 'a', 'b'], /unexpected argument 'b'/],
  ] as [string[], RegExp][]) {
    const r = await cli(...args);
    t.is(r.code, 2, args.join(' '));
    t.regex(r.stderr, message);
    t.regex(r.stderr, new RegExp(`usage: rras-bridge ${args[0]} `));
  }
  t.regex((await cli('--help')).stdout, /status \[name\] \[--json\]/);
});
