// MockRouter as a protocol author's tests use it, seen from outside: tests that fail before
// close() still end (plain scripts, node:test, ava with its default worker threads), routers
// for the same protocol id run in parallel without seeing each other (in one process, in
// worker threads, in processes), `await using` closes, and no folder or host is left behind.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import { MockRouter, NO_ERROR } from '../lib/index.js';
import { alive, fixture, sleep } from './helpers.js';

const lib = path.join(__dirname, '..', 'lib', 'index.js');
const scripted = fixture('scripted');
const avaCli = path.join(__dirname, '..', '..', 'node_modules', 'ava', 'entrypoints', 'cli.mjs');
const ID = 0x2b1d7777; // the same id everywhere in this file: isolation is the point


/** Runs a command; resolves with its exit code, output and how long it took. Never hangs the suite. */
function run(cmd: string, args: string[], cwd: string, limitMs = 90000): Promise<{ code: number | null; out: string; ms: number }> {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const child = spawn(cmd, args, { cwd, env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' } });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d));
    child.stderr.on('data', (d: Buffer) => (out += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), limitMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, out, ms: Date.now() - t0 });
    });
  });
}

/**
 * A folder with the user's files; removed when the test ends. It is the scripts' working
 * folder: on Windows a process that has just exited may hold it a moment longer (EBUSY, seen
 * under Wine), so its removal retries as Node's rmSync offers.
 */
function project(t: { teardown(fn: () => void): void }, files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rras-bridge-user-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true, maxRetries: 20, retryDelay: 100 }));
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  return dir;
}

/**
 * What each user test does: start the same protocol id, record its host pid and work folder in
 * ledger, check that its RTM holds its own route only.
 */
const userHelper = `
const fs = require('node:fs');
const path = require('node:path');
const { MockRouter, NO_ERROR } = require(${JSON.stringify(lib)});
exports.startRouter = async (tag, ledger) => {
  const router = new MockRouter();
  const [a, b] = tag;
  const proto = router.register({ protocolId: ${ID}, module: ${JSON.stringify(scripted)}, heartbeatMs: 0 });
  const route = { destination: \`10.\${a}.\${b}.0\`, prefixLength: 24, nextHop: '192.0.2.1', interfaceIndex: 1, metric: 1 };
  await proto.start({ globalInfo: Buffer.from(JSON.stringify({ startRoutes: [route] })) });
  const pid = Number(/host pid (\\d+)/.exec(router.log())[1]);
  fs.appendFileSync(ledger, JSON.stringify({ tag, pid, workDir: router.workDir }) + '\\n');
  const mine = router.rtm.routes(${ID}).map((r) => r.dest);
  return { router, proto, mine, expected: [\`10.\${a}.\${b}.0/24\`] };
};
`;

/**
 * A router's folder after it closed: gone, except on Windows, where what the process still
 * holds (the mock RTM copy router.rtm reads, a log file still open) cannot be deleted before
 * the process ends; a detached node removes them then.
 */
function leftAfterClose(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  const left = (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) => fs.statSync(path.join(dir, f)).isFile());
  return process.platform === 'win32' ? left.filter((f) => !/\.dll$|^protocol\.log$/.test(f)) : left;
}

/** Polls until the folders are gone (a process's leftovers go when it has ended). */
async function untilGone(dirs: string[], ms = 20000): Promise<string[]> {
  const end = Date.now() + ms;
  let left = dirs.filter((d) => fs.existsSync(d));
  while (left.length && Date.now() < end) {
    await sleep(200);
    left = left.filter((d) => fs.existsSync(d));
  }
  return left;
}

const ledgerOf = (dir: string) => fs.readFileSync(path.join(dir, 'ledger.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { tag: number[]; pid: number; workDir: string });

async function untilDead(pids: number[], ms = 10000): Promise<number[]> {
  const end = Date.now() + ms;
  let left = pids.filter(alive);
  while (left.length && Date.now() < end) {
    await sleep(100);
    left = left.filter(alive);
  }
  return left;
}

test('a plain script that throws before close() exits; its host ends and its work folder goes', async (t) => {
  const dir = project(t, {
    'helper.js': userHelper,
    'script.js': `const { startRouter } = require('./helper.js');
      (async () => {
        const { mine, expected } = await startRouter([1, 1], ${JSON.stringify('ledger.jsonl')});
        if (mine.join() !== expected.join()) throw new Error('not isolated: ' + mine);
        throw new Error('an assertion failed before close()');
      })();`,
  });
  const r = await run(process.execPath, ['script.js'], dir);
  t.log(`exited after ${r.ms} ms`);
  t.is(r.code, 1, r.out);
  t.regex(r.out, /an assertion failed before close\(\)/);
  const [entry] = ledgerOf(dir);
  t.deepEqual(await untilDead([entry!.pid]), [], 'the host died with the process');
  t.deepEqual(await untilGone([entry!.workDir]), [], 'the work folder was removed at exit');
});

test('node:test: a failing assertion before close() fails its test, and the process exits', async (t) => {
  const dir = project(t, {
    'helper.js': userHelper,
    'user.test.js': `const { test } = require('node:test');
      const assert = require('node:assert/strict');
      const { startRouter } = require('./helper.js');
      test('closes with await using', async () => {
        const { router, mine, expected } = await startRouter([2, 1], 'ledger.jsonl');
        try { assert.deepEqual(mine, expected); } finally { await router[Symbol.asyncDispose](); }
      });
      test('fails before close()', async () => {
        const { mine } = await startRouter([2, 2], 'ledger.jsonl');
        assert.deepEqual(mine, ['no such route'], 'this assertion fails on purpose');
      });`,
  });
  const r = await run(process.execPath, ['--test', 'user.test.js'], dir);
  t.log(`node --test exited after ${r.ms} ms`);
  t.is(r.code, 1, r.out);
  t.regex(r.out, /# pass 1/);
  t.regex(r.out, /# fail 1/);
  const entries = ledgerOf(dir);
  t.is(entries.length, 2);
  t.deepEqual(await untilDead(entries.map((e) => e.pid)), []);
  t.deepEqual(await untilGone(entries.map((e) => e.workDir)), [], 'no work folder left');
});

test('ava with its defaults (worker threads): parallel routers for one protocol id are isolated, and a failing test does not hang the run', async (t) => {
  const body = (file: number) => `const test = require(${JSON.stringify(require.resolve('ava'))});
    const { startRouter } = require('./helper.js');
    for (const n of [1, 2, 3]) {
      test('router ' + n, async (t) => {
        const { router, mine, expected } = await startRouter([${file}, n], 'ledger.jsonl');
        t.teardown(() => router.close());
        t.deepEqual(mine, expected);
      });
    }
    ${file === 3 ? `test('fails before close()', async (t) => {
        const { mine } = await startRouter([3, 9], 'ledger.jsonl');
        t.deepEqual(mine, ['no such route'], 'this assertion fails on purpose');
        throw new Error('and the test throws before it could close');
      });` : ''}`;
  const dir = project(t, {
    // ava's defaults otherwise: worker threads on, files in parallel, tests of a file concurrently.
    'package.json': JSON.stringify({ name: 'user', private: true, ava: { files: ['*.test.js'], timeout: '60s' } }),
    'helper.js': userHelper,
    'a.test.js': body(1),
    'b.test.js': body(2),
    'c.test.js': body(3),
  });
  const r = await run(process.execPath, [avaCli, '--verbose'], dir);
  t.log(`ava exited after ${r.ms} ms`);
  t.is(r.code, 1, r.out);
  // ava's marks: ✔ ✘, or √ × in a Windows console.
  t.is((r.out.match(/[✔√] [abc] › router \d/g) ?? []).length, 9, r.out);
  t.regex(r.out, /[✘×] \[fail\]: c › fails before close\(\)/, r.out);
  t.regex(r.out, /1 test failed/, r.out);
  t.notRegex(r.out, /Timed out|RRAS_BRIDGE_CONFIG|1003/, r.out);
  const entries = ledgerOf(dir);
  t.is(entries.length, 10, 'ten routers started, all for the same protocol id');
  t.is(new Set(entries.map((e) => e.pid)).size, 10, 'each with its own host');
  t.deepEqual(await untilDead(entries.map((e) => e.pid)), [], 'every host ended with the run');
  // The router left open in a worker that ava terminated could not remove its folder; the
  // next router of any process removes the folders of processes that have ended.
  await untilGone(entries.filter((e) => e.tag.join('.') !== '3.9').map((e) => e.workDir));
  const left = entries.filter((e) => fs.existsSync(e.workDir)).map((e) => e.tag.join('.'));
  t.true(left.every((tag) => tag === '3.9'), `only the unclosed router's folder may be left: ${left.join(', ')}`);
  const { execFileSync } = await import('node:child_process');
  execFileSync(process.execPath, ['-e', `new (require(${JSON.stringify(lib)}).MockRouter)().close()`]);
  t.deepEqual(await untilGone(entries.map((e) => e.workDir)), [], 'swept by the next router');
});

test('in one process: two routers for the same protocol id, started together, each with its own library, RTM and log', async (t) => {
  const start = async (third: number) => {
    const router = new MockRouter();
    t.teardown(() => router.close());
    const proto = router.register({ protocolId: ID, module: scripted, heartbeatMs: 0 });
    const route = { destination: `10.9.${third}.0`, prefixLength: 24, nextHop: '192.0.2.1', interfaceIndex: 1, metric: 1 };
    await proto.start({ globalInfo: Buffer.from(JSON.stringify({ startRoutes: [route] })) });
    return router;
  };
  const [a, b] = await Promise.all([start(1), start(2)]);
  t.not(a.library, b.library, 'a copy of the library each');
  t.deepEqual(a.rtm.routes(ID).map((r) => r.dest), ['10.9.1.0/24']);
  t.deepEqual(b.rtm.routes(ID).map((r) => r.dest), ['10.9.2.0/24']);
  t.notRegex(a.log(), /10\.9\.2\./, 'the logs are apart too');
});

test('await using: the router is closed at the end of the block, its folder removed, its host stopped', async (t) => {
  let workDir = '';
  let pid = 0;
  {
    await using router = new MockRouter();
    workDir = router.workDir;
    const proto = router.register({ protocolId: ID, module: scripted, heartbeatMs: 0 });
    t.is(await proto.start(), NO_ERROR);
    pid = Number(/host pid (\d+)/.exec(router.log())![1]);
    t.true(alive(pid));
  }
  t.deepEqual(leftAfterClose(workDir), []);
  t.deepEqual(await untilDead([pid]), []);
});

test('close() keeps the log readable and removes the folder; a caller-chosen folder stays, the copies go', async (t) => {
  const router = new MockRouter();
  const proto = router.register({ protocolId: ID, module: scripted, heartbeatMs: 0 });
  await proto.start();
  await router.close();
  await router.close(); // idempotent
  t.deepEqual(leftAfterClose(router.workDir), []);
  t.regex(router.log(), /registered protocol/);
  t.throws(() => router.register({ protocolId: ID, module: scripted }), { message: /closed/ });

  const mine = fs.mkdtempSync(path.join(os.tmpdir(), 'rras-bridge-mine-'));
  t.teardown(() => fs.rmSync(mine, { recursive: true, force: true }));
  const chosen = new MockRouter({ workDir: mine });
  await chosen.register({ protocolId: ID, module: scripted, heartbeatMs: 0 }).start();
  const copy = chosen.library;
  await chosen.close();
  t.true(fs.existsSync(path.join(mine, 'protocol.log')), 'the caller\'s folder and the log in it stay');
  t.true(!fs.existsSync(copy) || process.platform === 'win32', 'the private copy of the library goes (on Windows: once the process has ended)');
});
