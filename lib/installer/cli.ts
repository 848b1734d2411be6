// `rras-bridge install` and `rras-bridge uninstall`: argument parsing and output. Planning (and
// so --dry-run) works everywhere; applying needs Windows.
import { ApplyError, applyPlan, type ApplyOptions } from './apply-win32.js';
import { formatPlan, formatResult, planToJson, resultToJson } from './format.js';
import { planInstall, planUninstall, type InstallOptions, type Plan } from './plan.js';
import { InstallError } from './validate.js';

export const INSTALL_USAGE =
  'usage: rras-bridge install <module> --name <Name> --protocol-id <id> [options]\n' +
  '  --name NAME            registry key and tracing name ([A-Za-z0-9_.-], 1-64)\n' +
  '  --protocol-id ID       the module\'s protocolId (decimal or 0x hex)\n' +
  '  --title T, --vendor V  Title and VendorName shown by RRAS\n' +
  '  --node-path P          node.exe the library starts (default: this node)\n' +
  '  --node-arg A           an argument before the host entry (repeatable)\n' +
  '  --dll PATH             the protocol library (default: this package\'s win32-x64 DLL)\n' +
  '  --copy-dll             copy it to %SystemRoot%\\System32 as rras_bridge_<Name>.dll\n' +
  '  --log-file F           also append the library\'s log to F\n' +
  '  --global-config JSON   initial global configuration (modules with a globalConfig schema)\n' +
  '  --global-info-hex HEX  initial global block (modules without a schema)\n' +
  '  --priority METRIC      IP_PROT_PRIORITY_INFO metric (unverified on real RRAS)\n' +
  '  --registry-root KEY    (tests) write under KEY (HKCU\\...) instead of HKLM\n' +
  '  --dry-run              print every change, change nothing (any OS)\n' +
  '  --json                 machine-readable output\n';

export const UNINSTALL_USAGE =
  'usage: rras-bridge uninstall --name <Name> [--protocol-id ID] [--ipv6] [--registry-root KEY] [--dry-run] [--json]\n' +
  '  --ipv6                 the protocol was installed for the IPv6 router manager (RouterManagers\\Ipv6)\n';

class UsageError extends Error {}

interface Parsed {
  positional: string[];
  values: Map<string, string[]>;
  flags: Set<string>;
}

function parse(argv: string[], valued: readonly string[], flags: readonly string[]): Parsed {
  const out: Parsed = { positional: [], values: new Map(), flags: new Set() };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (flags.includes(a)) out.flags.add(a);
    else if (valued.includes(a)) {
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`${a} needs a value`);
      out.values.set(a, [...(out.values.get(a) ?? []), v]);
    } else if (a.startsWith('--')) throw new UsageError(`unknown option ${a}`);
    else out.positional.push(a);
  }
  return out;
}

const one = (p: Parsed, k: string) => p.values.get(k)?.at(-1);

function write(stream: NodeJS.WriteStream, text: string): void {
  stream.write(text);
}

/** Plans, then prints (--dry-run) or applies; returns the exit code. */
async function execute(plan: () => Promise<Plan>, p: Parsed, command: string): Promise<number> {
  const json = p.flags.has('--json');
  const dryRun = p.flags.has('--dry-run');
  let planned: Plan;
  try {
    planned = await plan();
  } catch (err) {
    if (err instanceof InstallError) {
      write(process.stderr, `rras-bridge ${command}: ${err.message}\n`);
      if (json) write(process.stdout, JSON.stringify({ error: err.code, message: err.message }, null, 2) + '\n');
      return 1;
    }
    throw err;
  }
  if (dryRun) {
    write(process.stdout, json ? planToJson(planned) : formatPlan(planned, { dryRun: true }));
    return 0;
  }
  if (process.platform !== 'win32') {
    write(process.stderr,
      `rras-bridge ${command}: this changes the Windows registry and RRAS configuration, so it runs only on Windows ` +
        `(this is ${process.platform}). Use --dry-run to print every change it would make, or run it on the Windows Server.\n`);
    return 1;
  }
  const opts: ApplyOptions = {};
  const root = one(p, '--registry-root');
  if (root) opts.registryRoot = root;
  try {
    const result = applyPlan(planned, opts);
    write(process.stdout, json ? resultToJson(result) : formatResult(result));
    return 0;
  } catch (err) {
    if (!(err instanceof ApplyError)) throw err;
    write(process.stderr, `rras-bridge ${command}: ${err.message}\n`);
    if (json) {
      write(process.stdout, JSON.stringify({ error: 'STEP_FAILED', message: err.message, step: err.step, title: err.stepTitle, win32Error: err.code ?? null, undone: err.undone.map((u) => u.step), undoFailures: err.undoFailures }, null, 2) + '\n');
    }
    return 1;
  }
}

export async function runInstall(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    write(process.stdout, INSTALL_USAGE);
    return 0;
  }
  let p: Parsed;
  try {
    p = parse(argv,
      ['--name', '--protocol-id', '--title', '--vendor', '--node-path', '--node-arg', '--dll', '--log-file', '--global-config', '--global-info-hex', '--priority', '--registry-root'],
      ['--copy-dll', '--dry-run', '--json']);
    if (p.positional.length !== 1) throw new UsageError('expected exactly one <module>');
    for (const required of ['--name', '--protocol-id']) if (!one(p, required)) throw new UsageError(`${required} is required`);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    write(process.stderr, `rras-bridge install: ${err.message}\n${INSTALL_USAGE}`);
    return 2;
  }
  return execute(async () => {
    const opts: InstallOptions = { module: p.positional[0]!, name: one(p, '--name')!, protocolId: one(p, '--protocol-id')! };
    const set = <K extends keyof InstallOptions>(k: K, v: InstallOptions[K] | undefined) => {
      if (v !== undefined) opts[k] = v;
    };
    set('title', one(p, '--title'));
    set('vendor', one(p, '--vendor'));
    set('nodePath', one(p, '--node-path'));
    set('nodeArgs', p.values.get('--node-arg'));
    set('dllPath', one(p, '--dll'));
    set('logFile', one(p, '--log-file'));
    set('globalInfo', one(p, '--global-info-hex'));
    if (p.flags.has('--copy-dll')) opts.copyDll = true;
    const gc = one(p, '--global-config');
    if (gc !== undefined) {
      let v: unknown;
      try {
        v = JSON.parse(gc);
      } catch (err) {
        throw new InstallError('BAD_GLOBAL_CONFIG', `--global-config is not JSON: ${(err as Error).message}`);
      }
      if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new InstallError('BAD_GLOBAL_CONFIG', '--global-config must be a JSON object');
      opts.globalConfig = v as Record<string, unknown>;
    }
    const prio = one(p, '--priority');
    if (prio !== undefined) {
      if (!/^[0-9]+$/.test(prio)) throw new InstallError('BAD_OPTION', `--priority ${JSON.stringify(prio)}: expected a metric from 0 to 4294967295`);
      opts.priority = Number(prio);
    }
    return planInstall(opts);
  }, p, 'install');
}

export async function runUninstall(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    write(process.stdout, UNINSTALL_USAGE);
    return 0;
  }
  let p: Parsed;
  try {
    p = parse(argv, ['--name', '--protocol-id', '--registry-root'], ['--dry-run', '--json', '--ipv6']);
    if (p.positional.length) throw new UsageError(`unexpected argument ${p.positional[0]}`);
    if (!one(p, '--name')) throw new UsageError('--name is required');
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    write(process.stderr, `rras-bridge uninstall: ${err.message}\n${UNINSTALL_USAGE}`);
    return 2;
  }
  return execute(async () => {
    const id = one(p, '--protocol-id');
    return planUninstall({ name: one(p, '--name')!, ...(id !== undefined ? { protocolId: id } : {}), ...(p.flags.has('--ipv6') ? { addressFamily: 'ipv6' as const } : {}) });
  }, p, 'uninstall');
}
