// `rras-bridge mock --watch`: an edited module, or a file it imports, reloads the host through
// the planned restart (a new host generation, the routes kept) and says why; a change that
// does not load keeps the running host and says where the error is.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';

const cli = path.join(__dirname, '..', 'lib', 'cli.js');
const lib = path.join(__dirname, '..', 'lib', 'index.js');

/** The CLI's output as it comes, and a way to wait for a line. */
class Session {
  out = '';
  readonly child: ChildProcess;
  constructor(args: string[], cwd: string) {
    this.child = spawn(process.execPath, [cli, ...args], { cwd, env: { ...process.env, NO_COLOR: '1' } });
    this.child.stdout!.on('data', (d: Buffer) => (this.out += d));
    this.child.stderr!.on('data', (d: Buffer) => (this.out += d));
  }
  /** Resolves with the match once the output (after `from`) has it. */
  async until(pattern: RegExp, from = 0, timeoutMs = 30000): Promise<RegExpExecArray> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const m = pattern.exec(this.out.slice(from));
      if (m) return m;
      if (Date.now() > end || this.child.exitCode !== null) throw new Error(`no ${pattern} in:\n${this.out}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  stop(): Promise<number | null> {
    return new Promise((resolve) => {
      if (this.child.exitCode !== null) return resolve(this.child.exitCode);
      this.child.once('exit', (code) => resolve(code));
      this.child.kill('SIGINT');
    });
  }
}

const protocolSource = `const { defineProtocol } = require(${JSON.stringify(lib)});
const { routes } = require('./routes.js');
module.exports = defineProtocol({ protocolId: 0x2b1d0077, name: 'watched',
  async start(ctx) {
    ctx.log.info('generation %d announces %d routes', ctx.generation, routes.length);
    await ctx.routes.add(routes.map((r) => ({ ...r, interfaceIndex: 1 })));
  },
});
`;
const routesSource = (third: number) => `exports.routes = [{ destination: '10.77.${third}.0', prefixLength: 24, nextHop: '192.0.2.2', metric: 1 }];\n`;

test('--watch: a changed import reloads the host (planned restart, routes kept); a syntax error keeps the old host and says where', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rras-bridge-watch-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  fs.writeFileSync(path.join(dir, 'protocol.js'), protocolSource);
  fs.writeFileSync(path.join(dir, 'routes.js'), routesSource(1));
  const s = new Session(['mock', 'protocol.js', '--watch', '--interface', '1=192.0.2.1/24', '--duration', '120'], dir);
  t.teardown(() => void s.stop());

  const first = await s.until(/● host pid (\d+) \(generation 1\), node --require \S+watch\.js/);
  await s.until(/watching 2 files of protocol\.js/);
  await s.until(/generation 1 announces 1 routes/);

  let mark = s.out.length;
  fs.writeFileSync(path.join(dir, 'routes.js'), routesSource(2));
  await s.until(/reload: routes\.js changed; planned restart \(routes kept\)/, mark);
  await s.until(/planned restart of host pid \d+ .*its routes are kept/, mark);
  const second = await s.until(/● host pid (\d+) \(generation 2\)/, mark);
  t.not(second[1], first[1], 'a new host process');
  await s.until(/generation 2 announces 1 routes/, mark);

  mark = s.out.length;
  fs.writeFileSync(path.join(dir, 'routes.js'), 'exports.routes = [{ destination: \'10.77.3.0\' prefixLength: 24 }];\n');
  const skipped = await s.until(/reload skipped: (.*)/, mark);
  t.regex(skipped[1]!, new RegExp(`${path.join(dir, 'routes.js').replace(/[.\\/]/g, '\\$&')}:1:46: SyntaxError: Unexpected identifier 'prefixLength'`));
  await s.until(/this host keeps running the code it loaded/, mark);
  await new Promise((r) => setTimeout(r, 1500));
  t.notRegex(s.out.slice(mark), /generation 3/, 'the host was not replaced');

  mark = s.out.length;
  fs.writeFileSync(path.join(dir, 'protocol.js'), protocolSource.replace("name: 'watched'", "name: 'watched', mib: () => Buffer.alloc(0)"));
  fs.writeFileSync(path.join(dir, 'routes.js'), routesSource(3));
  await s.until(/reload: .*changed/, mark);
  await s.until(/● host pid \d+ \(generation 3\)/, mark);
  await s.until(/generation 3 announces 1 routes/, mark);
  const code = await s.stop();
  // Ctrl-C ends the session cleanly (exit 0); on Windows kill('SIGINT') terminates the process.
  if (process.platform !== 'win32') t.is(code, 0, s.out);
  t.log(s.out.split('\n').filter((l) => /reload|generation|planned/.test(l)).join('\n'));
});
