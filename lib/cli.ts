#!/usr/bin/env node
// rras-bridge command line.
//   rras-bridge paths [--json]      where the built library, addon, host and examples are
//   rras-bridge demo                the static-routes example under the mock router (npm start)
//   rras-bridge mock <module> ...   any protocol module under the mock router, with a live trace
//   rras-bridge install / uninstall register a protocol with RRAS (Windows; --dry-run anywhere)
//   rras-bridge status / trace / restart / log   a running protocol, through its library's
//                                   admin endpoint (lib/ops)
import { paths } from './paths.js';

function usage(code: number): never {
  (code ? process.stderr : process.stdout).write(
    'usage: rras-bridge <command>\n' +
      '  paths [--json]   absolute paths of the protocol library, addon, host entry and examples\n' +
      '  demo             run the static-routes example under the mock router manager\n' +
      '  mock <module>    run a protocol module under the mock router manager (mock --help)\n' +
      '  install <module> --name N --protocol-id ID   register a protocol with RRAS (install --help)\n' +
      '  uninstall --name N                           remove it (uninstall --help)\n' +
      '  status [name] [--json]     what running protocols do (status --help)\n' +
      '  trace [name] [--follow]    every call, message and event of a running protocol (trace --help)\n' +
      '  restart <name>             a new host with the code on disk, routes kept (restart --help)\n' +
      '  log <name> [--follow]      a running protocol\'s log (log --help)\n',
  );
  process.exit(code);
}

async function main(argv: string[]): Promise<void> {
  const [cmd, ...rest] = argv;
  switch (cmd) {
    case 'paths': {
      const value = { protocolLibrary: paths.protocolLibrary, addon: paths.addon, mockRtm: paths.mockRtm, host: paths.host, examples: paths.examples };
      if (rest.includes('--json')) process.stdout.write(JSON.stringify(value, null, 2) + '\n');
      else for (const [k, v] of Object.entries(value)) process.stdout.write(`${k.padEnd(16)} ${typeof v === 'string' ? v : JSON.stringify(v)}\n`);
      return;
    }
    case 'demo':
      require('../examples/demo.js');
      return;
    case 'mock': {
      const { runMock } = await import('./mock/cli.js');
      process.exitCode = await runMock(rest);
      return;
    }
    case 'install':
    case 'uninstall': {
      const installer = await import('./installer/cli.js');
      process.exitCode = await (cmd === 'install' ? installer.runInstall(rest) : installer.runUninstall(rest));
      return;
    }
    case 'status': case 'trace': case 'restart': case 'log':
      process.exitCode = await (await import('./ops/index.js')).runOps(cmd, rest);
      return;
    case undefined:
    case '-h':
    case '--help':
      usage(cmd === undefined ? 2 : 0);
    default:
      process.stderr.write(`rras-bridge: unknown command '${cmd}'\n`);
      usage(2);
  }
}

main(process.argv.slice(2)).catch((err) => {
  process.stderr.write(`rras-bridge: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
