// Command-line parsing shared by the operator commands: their common options (--run-dir,
// --pid, --timeout), strict checking (an unknown option or a missing value prints the usage),
// and exit codes.
import type { ParseArgsConfig } from 'node:util';
import { UsageError, parseCommandArgs } from '../cliArgs.js';
import type { Target } from './session.js';

export { UsageError };

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

export const TARGET_HELP = `  --run-dir DIR   where the libraries' admin sockets are (POSIX; default RRAS_BRIDGE_RUN_DIR,
                  else /run/rras-bridge for root, else $XDG_RUNTIME_DIR/rras-bridge)
  --pid PID       only the library loaded by this process
  --timeout MS    how long to wait for a library to answer (default 5000)`;

type Options = NonNullable<ParseArgsConfig['options']>;
const targetOptions = {
  'run-dir': { type: 'string' },
  pid: { type: 'string' },
  timeout: { type: 'string' },
} as const satisfies Options;


export interface Parsed {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
  target: Target;
  /** A whole-number option's value. */
  number: (name: string) => number | undefined;
  /** A string option's value. */
  text: (name: string) => string | undefined;
}

export function parse(argv: string[], options: Options, maxPositionals: number): Parsed {
  const parsed = parseCommandArgs(argv, { ...targetOptions, ...options }, [0, maxPositionals]);
  const v = parsed.values as Record<string, string | boolean | undefined>;
  const number = (name: string) => {
    const s = v[name];
    if (typeof s !== 'string') return undefined;
    if (!/^\d+$/.test(s)) throw new UsageError(`--${name} must be a whole number, not '${s}'`);
    return Number(s);
  };
  const target: Target = {
    ...(typeof v['run-dir'] === 'string' ? { runDir: v['run-dir'] } : {}),
    ...(number('pid') !== undefined ? { pid: number('pid')! } : {}),
    ...(number('timeout') !== undefined ? { timeoutMs: number('timeout')! } : {}),
  };
  const text = (name: string) => (typeof v[name] === 'string' ? (v[name] as string) : undefined);
  return { values: v, positionals: parsed.positionals, target, number, text };
}
