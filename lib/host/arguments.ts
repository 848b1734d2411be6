// The host's command line, as the protocol library writes it (host_link.cc):
//   --protocol-id N --name NAME --module PATH --address SOCKET --generation G
const OPTIONS = ['protocol-id', 'name', 'module', 'address', 'generation'] as const;
export type HostArguments = Record<(typeof OPTIONS)[number], string>;

/**
 * The command line as the library writes it: exactly one value after each option, taken
 * verbatim (a protocol named "--address" is a name), every option once.
 */
export function parseArguments(argv: readonly string[]): HostArguments {
  const out: Partial<HostArguments> = {};
  for (let i = 0; i < argv.length; i += 2) {
    const key = argv[i]!.startsWith('--') ? argv[i]!.slice(2) : '';
    if (!(OPTIONS as readonly string[]).includes(key)) throw new Error(`unexpected argument ${JSON.stringify(argv[i])} (at ${i})`);
    if (i + 1 >= argv.length) throw new Error(`${argv[i]} has no value`);
    if (out[key as keyof HostArguments] !== undefined) throw new Error(`${argv[i]} is given twice`);
    out[key as keyof HostArguments] = argv[i + 1]!;
  }
  const missing = OPTIONS.filter((o) => out[o] === undefined);
  if (missing.length) throw new Error(`missing ${missing.map((o) => `--${o}`).join(', ')}`);
  return out as HostArguments;
}
