// `rras-bridge init <dir>`: a protocol project to start from: TypeScript, a protocol
// (src/protocol.ts), a MockRouter test for the chosen runner (ava, node:test or vitest),
// build, test, mock and RRAS install scripts, and a README that says the next three commands.
// The files come from templates/init, with the project's names put in.
import fs from 'node:fs';
import path from 'node:path';
import { PROTOCOL_ID, PROTO_TYPE_UCAST, protocolIdText } from './constants.js';
import { parseCommandArgs, UsageError } from './cliArgs.js';
import { checkName, checkProtocolId, parseProtocolId } from './installer/validate.js';
import { packageRoot } from './paths.js';

export const INIT_USAGE = `usage: rras-bridge init <dir> [options]
  --runner ava|node|vitest   the test runner (default ava, with its defaults: worker threads)
  --name NAME                the protocol's name (default: from <dir>; [A-Za-z0-9_.-])
  --protocol-id ID           decimal or 0x hex (default 0x2B1D0100: change the vendor id before shipping)
  --force                    write into a folder that is not empty
`;

export type Runner = 'ava' | 'node' | 'vitest';

interface RunnerSetup {
  /** devDependencies besides typescript and @types/node. */
  dev: Record<string, string>;
  test: string;
  /** Placeholders of templates/init/test/protocol.test.ts. */
  template: Record<string, string>;
  config?: Record<string, unknown>;
}

// Versions this package is tested with; ^ lets npm take fixes.
const RUNNERS: Record<Runner, RunnerSetup> = {
  ava: {
    dev: { ava: '^7.0.0' },
    test: 'tsc -p . && ava',
    // ava's defaults otherwise (worker threads, tests of a file run concurrently).
    config: { ava: { files: ['dist/test/**/*.test.js'] } },
    template: {
      __RUNNER_NOTE__: 'ava runs these tests\n// concurrently, in a worker thread: each router is isolated from the others.',
      __TEST_IMPORTS__: "import test from 'ava';",
      __MODULE_PATH__: "path.join(__dirname, '..', 'src', 'protocol.js')",
      __T__: 't', __EQUAL__: 't.is', __MATCH__: 't.regex',
    },
  },
  node: {
    dev: {},
    test: 'tsc -p . && node --test dist/test/',
    template: {
      __RUNNER_NOTE__: 'node --test runs\n// each file in a process of its own.',
      __TEST_IMPORTS__: "import { test } from 'node:test';\nimport assert from 'node:assert/strict';",
      __MODULE_PATH__: "path.join(__dirname, '..', 'src', 'protocol.js')",
      __T__: '', __EQUAL__: 'assert.equal', __MATCH__: 'assert.match',
    },
  },
  vitest: {
    dev: { vitest: '^3.2.0' },
    // vitest's types are ES modules only: the project is one. It runs the .ts tests itself.
    test: 'tsc -p . && vitest run --dir test',
    config: { type: 'module' },
    template: {
      __RUNNER_NOTE__: 'vitest runs each\n// file in a worker of its own.',
      __TEST_IMPORTS__: "import { test, assert } from 'vitest';",
      __MODULE_PATH__: "path.resolve('dist', 'src', 'protocol.js')",
      __T__: '', __EQUAL__: 'assert.equal', __MATCH__: 'assert.match',
    },
  },
};

export interface InitOptions {
  dir: string;
  runner?: Runner;
  name?: string;
  protocolId?: number;
  force?: boolean;
}

/** Writes the project; returns the files written, relative to dir. */
export function scaffold(opts: InitOptions): string[] {
  const dir = path.resolve(opts.dir);
  const runner = opts.runner ?? 'ava';
  const setup = RUNNERS[runner];
  const name = checkName(opts.name ?? (path.basename(dir).replace(/[^A-Za-z0-9_.-]+/g, '-').replace(/^[-.]+|-+$/g, '') || 'my-protocol'));
  const protocolId = checkProtocolId(opts.protocolId ?? PROTOCOL_ID(PROTO_TYPE_UCAST, 0x2b1d, 0x0100));
  if (fs.existsSync(dir) && fs.readdirSync(dir).length > 0 && !opts.force) {
    throw new UsageError(`${dir} is not empty (--force writes into it anyway)`);
  }
  const hex = `0x${protocolId.toString(16).toUpperCase().padStart(8, '0')}`;
  const constant = name.toUpperCase().replace(/[^A-Z0-9]+/g, '_').replace(/^(\d)/, '_$1');
  const pkg = JSON.parse(fs.readFileSync(path.join(packageRoot, 'package.json'), 'utf8')) as { version: string; devDependencies: Record<string, string> };
  const words: Record<string, string> = {
    ...setup.template,
    __NAME__: name,
    __CONST__: constant,
    __PROTOCOL_ID__: `PROTOCOL_ID(PROTO_TYPE_UCAST, 0x${((protocolId >>> 16) & 0x3fff).toString(16).toUpperCase()}, 0x${(protocolId & 0xffff).toString(16).toUpperCase()})`,
    __PROTOCOL_HEX__: protocolIdText(protocolId),
    __RUNNER__: runner === 'node' ? 'node:test' : runner,
  };
  const keys = Object.keys(words).sort((a, b) => b.length - a.length);
  const fill = (text: string) => keys.reduce((t, k) => t.split(k).join(words[k]!), text);
  const templates = path.join(packageRoot, 'templates', 'init');
  const written: string[] = [];
  const put = (rel: string, text: string) => {
    const to = path.join(dir, rel);
    fs.mkdirSync(path.dirname(to), { recursive: true });
    fs.writeFileSync(to, text);
    written.push(rel);
  };
  for (const rel of ['src/protocol.ts', 'test/protocol.test.ts', 'tsconfig.json', 'README.md']) {
    put(rel, fill(fs.readFileSync(path.join(templates, rel), 'utf8')));
  }
  put('.gitignore', fs.readFileSync(path.join(templates, 'gitignore'), 'utf8')); // npm never packs a .gitignore
  const interfaceConfig = JSON.stringify({ routes: [{ destination: '10.1.0.0', prefixLength: 16, nextHop: '192.0.2.2', metric: 2 }] });
  const project = {
    name: name.toLowerCase(),
    version: '0.1.0',
    private: true,
    description: `${name}: a routing protocol for Windows RRAS, written with rras-bridge`,
    scripts: {
      build: 'tsc -p .',
      test: setup.test,
      mock: `tsc -p . && rras-bridge mock dist/src/protocol.js --interface 3=192.0.2.1/24 --if-config "3=${interfaceConfig.replace(/"/g, '\\"')}" --update 3`,
      'rras:install': `tsc -p . && rras-bridge install dist/src/protocol.js --name ${name} --protocol-id ${hex}`,
      'rras:uninstall': `rras-bridge uninstall --name ${name}`,
    },
    dependencies: { 'rras-bridge': `^${pkg.version}` },
    devDependencies: {
      '@types/node': pkg.devDependencies['@types/node'] ? `^${pkg.devDependencies['@types/node']}` : '^20.0.0',
      typescript: pkg.devDependencies.typescript ? `^${pkg.devDependencies.typescript}` : '^5.9.0',
      ...setup.dev,
    },
    // npm 11 runs a dependency's install script only when allowed: rras-bridge's builds the
    // native code where no prebuilt binary fits the platform.
    allowScripts: { 'rras-bridge': true },
    ...setup.config,
  };
  put('package.json', `${JSON.stringify(project, null, 2)}\n`);
  return written;
}

export async function runInit(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, {
    runner: { type: 'string' }, name: { type: 'string' }, 'protocol-id': { type: 'string' }, force: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  }, [0, 1]);
  if (values.help) {
    process.stdout.write(INIT_USAGE);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError('expected the folder to create');
  const runner = values.runner ?? 'ava';
  if (!(runner in RUNNERS)) throw new UsageError(`--runner ${runner}: expected ava, node or vitest`);
  const dir = positionals[0]!;
  const files = scaffold({
    dir, runner: runner as Runner, force: values.force ?? false,
    ...(values.name !== undefined ? { name: values.name } : {}),
    ...(values['protocol-id'] !== undefined ? { protocolId: parseProtocolId(values['protocol-id']) } : {}),
  });
  process.stdout.write(`rras-bridge init: wrote ${files.length} files in ${path.resolve(dir)}:\n${files.map((f) => `  ${f}`).join('\n')}\n\n` +
    `next:\n  cd ${dir}\n  npm install\n  npm test\n  npm run mock\n`);
  return 0;
}
