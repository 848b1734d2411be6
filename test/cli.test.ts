// The command line: paths for tools and installers, and the mock router for people.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';

const cli = path.join(__dirname, '..', 'lib', 'cli.js');
const run = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 60000 });

test('paths --json: absolute paths of what was built, the host entry and the examples', (t) => {
  const r = run('paths', '--json');
  t.is(r.status, 0, r.stderr);
  const p = JSON.parse(r.stdout);
  t.deepEqual(Object.keys(p).sort(), ['addon', 'examples', 'host', 'mockRtm', 'protocolLibrary']);
  for (const k of ['addon', 'host', 'mockRtm', 'protocolLibrary']) {
    t.true(path.isAbsolute(p[k]), k);
    t.true(fs.existsSync(p[k]), `${k} exists: ${p[k]}`);
  }
  t.true(fs.existsSync(p.examples['static-routes']));
  // the same object from require('rras-bridge')
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  t.is(require('rras-bridge').paths.protocolLibrary, p.protocolLibrary);
});

test('mock: runs a module, writes a JSON-lines trace of every call and event, fails when an update fails', (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rras-bridge-cli-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const module = path.join(__dirname, '..', 'examples', 'static-routes', 'index.js');
  const config = '{"routes":[{"destination":"10.20.0.0","prefixLength":16,"nextHop":"198.51.100.2","metric":2}]}';
  const ok = run('mock', module, '--interface', '7=198.51.100.1/30,demand', '--if-config', `7=${config}`, '--update', '7',
    '--trace', path.join(dir, 'ok.jsonl'), '--quiet');
  t.is(ok.status, 0, ok.stdout + ok.stderr);
  t.regex(ok.stdout, /10\.20\.0\.0\/16\s+via 198\.51\.100\.2%7\s+metric 2/);
  const lines = fs.readFileSync(path.join(dir, 'ok.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  t.deepEqual(lines.filter((l) => l.kind === 'call').map((l) => l.name),
    ['RegisterProtocol', 'StartProtocol', 'AddInterface', 'InterfaceStatus', 'InterfaceStatus', 'StartComplete', 'DoUpdateRoutes', 'StopProtocol']);
  t.deepEqual(lines.filter((l) => l.kind === 'event').map((l) => l.event.name), ['UPDATE_COMPLETE', 'ROUTER_STOPPED']);
  // next hop outside the interface's subnet: the update fails, and so does the command
  const bad = run('mock', module, '--interface', '7=192.0.2.1/24', '--if-config', `7=${config}`, '--update', '7', '--quiet');
  t.is(bad.status, 1);
});

test('mock --help and a bad interface spec say what is expected', (t) => {
  t.regex(run('mock', '--help').stdout, /--interface SPEC/);
  const r = run('mock', path.join(__dirname, '..', 'examples', 'static-routes', 'index.js'), '--interface', 'nonsense');
  t.is(r.status, 1);
  t.regex(r.stderr, /--interface nonsense: expected index=address\/len/);
});
