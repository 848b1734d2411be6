#!/usr/bin/env node
// rras-bridge command line: one table of subcommands, each with its usage and its runner.
// Every subcommand parses strictly (lib/cliArgs.ts): an unknown option prints its usage and
// exits 2; a failure prints one message and exits 1. A new subcommand is a row in COMMANDS.
import fs from 'node:fs';
import path from 'node:path';
import { UsageError, parseCommandArgs } from './cliArgs.js';
import { CodedError } from './codedError.js';
import { packageRoot, paths } from './paths.js';

interface Command {
  /** One line for `rras-bridge --help`. */
  summary: string;
  usage: string | (() => Promise<string>);
  run(argv: string[]): Promise<number>;
}

const PATHS_USAGE = 'usage: rras-bridge paths [--json]\n  --json   as JSON, for tools\n';
const DEMO_USAGE = 'usage: rras-bridge demo\n  the static-routes example under the mock router manager, every call and event shown\n';

/** A subcommand whose code loads only when it runs: its module's usage text and runner. */
function lazy<M>(summary: string, load: () => Promise<M>, usage: (m: M) => string, run: (m: M, argv: string[]) => Promise<number>): Command {
  return { summary, usage: async () => usage(await load()), run: async (argv) => run(await load(), argv) };
}

/** An operator command (lib/ops): a running protocol, through its library's admin endpoint. */
function ops(summary: string, name: 'status' | 'trace' | 'restart' | 'log'): Command {
  return lazy(summary, () => import('./ops/index.js'), (m) => m.OPS_HELP[name], (m, argv) => m.runOps(name, argv));
}

const COMMANDS: Record<string, Command> = {
  init: lazy('init <dir>         a new protocol project: TypeScript, a MockRouter test, build and install scripts',
    () => import('./init.js'), (m) => m.INIT_USAGE, (m, argv) => m.runInit(argv)),
  mock: lazy('mock <module>      a protocol module under the mock router manager, live (--watch, --inspect)',
    () => import('./mock/cli.js'), (m) => m.MOCK_USAGE, (m, argv) => m.runMock(argv)),
  demo: {
    summary: 'demo               the static-routes example under the mock router manager',
    usage: DEMO_USAGE,
    run: async (argv) => {
      const { values } = parseCommandArgs(argv, { help: { type: 'boolean', short: 'h' } });
      if (values.help) return write(process.stdout, DEMO_USAGE, 0);
      require('../examples/demo.js');
      return 0;
    },
  },
  status: ops('status [name] [--json] what running protocols do: host, restarts, interfaces, routes, calls', 'status'),
  trace: ops('trace [name]       every call, message and event of a running protocol (--follow, --format chrome)', 'trace'),
  restart: ops('restart <name>     a new host with the code on disk, routes kept (the planned restart)', 'restart'),
  log: ops('log <name>         a running protocol\'s log (--follow)', 'log'),
  install: lazy('install <module> --name N --protocol-id ID   register a protocol with RRAS (Windows; --dry-run anywhere)',
    () => import('./installer/cli.js'), (m) => m.INSTALL_USAGE, (m, argv) => m.runInstall(argv)),
  uninstall: lazy('uninstall --name N                           remove what install wrote',
    () => import('./installer/cli.js'), (m) => m.UNINSTALL_USAGE, (m, argv) => m.runUninstall(argv)),
  paths: {
    summary: 'paths [--json]     the protocol library, addon, host entry and examples this package has',
    usage: PATHS_USAGE,
    run: async (argv) => {
      const { values } = parseCommandArgs(argv, { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } });
      if (values.help) return write(process.stdout, PATHS_USAGE, 0);
      const value = { protocolLibrary: paths.protocolLibrary, addon: paths.addon, mockRtm: paths.mockRtm, host: paths.host, examples: paths.examples };
      if (values.json) return write(process.stdout, JSON.stringify(value, null, 2) + '\n', 0);
      for (const [k, v] of Object.entries(value)) process.stdout.write(`${k.padEnd(16)} ${typeof v === 'string' ? v : JSON.stringify(v)}\n`);
      return 0;
    },
  },
};

function write(stream: NodeJS.WriteStream, text: string, code: number): number {
  stream.write(text);
  return code;
}

function version(): string {
  return (JSON.parse(fs.readFileSync(path.join(packageRoot, 'package.json'), 'utf8')) as { version: string }).version;
}

function overview(): string {
  return `usage: rras-bridge <command> [options]     (rras-bridge <command> --help for its options)\n` +
    Object.values(COMMANDS).map((c) => `  ${c.summary}\n`).join('') +
    '  --version          this package\'s version\n';
}

async function usageOf(command: Command): Promise<string> {
  return typeof command.usage === 'string' ? command.usage : command.usage();
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--version' || name === '-v') return write(process.stdout, `${version()}\n`, 0);
  if (name === undefined) return write(process.stderr, overview(), 2);
  if (name === '--help' || name === '-h' || name === 'help') {
    const topic = rest[0] !== undefined ? COMMANDS[rest[0]] : undefined;
    return write(process.stdout, topic ? await usageOf(topic) : overview(), 0);
  }
  const command = COMMANDS[name];
  if (!command) return write(process.stderr, `rras-bridge: unknown command '${name}'\n${overview()}`, 2);
  try {
    return await command.run(rest);
  } catch (err) {
    if (err instanceof UsageError) return write(process.stderr, `rras-bridge ${name}: ${err.message}\n${await usageOf(command)}`, 2);
    // Coded errors (bad ids, names, modules that do not load) are for people: the message only.
    if (err instanceof CodedError) return write(process.stderr, `rras-bridge ${name}: ${err.message}\n`, 1);
    throw err;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => (process.exitCode = code), (err: unknown) => {
    process.stderr.write(`rras-bridge: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    process.exitCode = 1;
  });
}
