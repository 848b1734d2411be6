// Strict argument parsing for the subcommands of lib/cli.ts: an unknown option, a missing
// value or a stray argument is a UsageError, which the dispatcher prints with the
// subcommand's usage (exit code 2). Nothing is silently ignored.
import { parseArgs, type ParseArgsConfig } from 'node:util';

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

type Options = NonNullable<ParseArgsConfig['options']>;

export interface Parsed<O extends Options> {
  values: ReturnType<typeof parseArgs<{ options: O; allowPositionals: true; strict: true }>>['values'];
  positionals: string[];
}

/** Parses argv; `positionals` is how many positional arguments are allowed [min, max]. */
export function parseCommandArgs<O extends Options>(argv: string[], options: O, positionals: [number, number] = [0, 0]): Parsed<O> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (err) {
    // util.parseArgs words its errors for people already ("Unknown option '--jsn'").
    throw new UsageError((err as Error).message.replace(/\. To specify a positional argument.*$/s, ''));
  }
  const [min, max] = positionals;
  if (parsed.positionals.length > max) throw new UsageError(`unexpected argument '${parsed.positionals[max]}'`);
  if (parsed.positionals.length < min) throw new UsageError(min === 1 ? 'an argument is missing' : `expected ${min} arguments`);
  return { values: parsed.values, positionals: parsed.positionals };
}

/**
 * Node's optional-value flags (--inspect, --inspect=9230, --inspect-brk=host:port), which
 * util.parseArgs cannot express: taken out of argv first. `value` is true without '='.
 */
export function takeOptionalValue(argv: string[], name: string): { argv: string[]; value: string | true | undefined } {
  let value: string | true | undefined;
  const rest = argv.filter((a) => {
    if (a === `--${name}`) return (value = true), false;
    if (a.startsWith(`--${name}=`)) return (value = a.slice(name.length + 3)), false;
    return true;
  });
  return { argv: rest, value };
}
