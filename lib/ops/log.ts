// `rras-bridge log <name> [--follow]`: the protocol library's recent log for one protocol
// (its lines and those its host sent), as the library keeps it in memory whatever its log goes
// to (a file, stderr, RRAS tracing); with --follow, new lines as they are written.
import { EXIT_OK, TARGET_HELP, UsageError, parse } from './args.js';
import type { LogRecord } from './documents.js';
import { connectTo } from './session.js';

export const LOG_HELP = `usage: rras-bridge log <name> [options]
  --follow           keep printing new lines until Ctrl-C or the protocol's stop
  --lines N          how many of the last lines first (default 100; all: the library keeps 2000)
  --json             one JSON object per line
${TARGET_HELP}
`;

/** As the library writes its log file: "2026-12-01T21:31:31.123Z INFO [name/js] text". */
export function formatLogLine(l: LogRecord): string {
  return `${l.time.replace(/(\.\d{3})\d*Z$/, '$1Z')} ${l.level.toUpperCase()} [${l.protocol}${l.origin === 'host' ? '/js' : ''}] ${l.text}\n`;
}

export async function runLog(argv: string[]): Promise<number> {
  const { values, positionals, target, number } = parse(argv, {
    follow: { type: 'boolean', short: 'f' }, lines: { type: 'string', short: 'n' }, json: { type: 'boolean' },
  }, 1);
  const which = positionals[0];
  if (!which) throw new UsageError('name the protocol whose log to show');
  const { client, name } = await connectTo(which, target);
  client.onStream((type, text, lost) => {
    if (type !== 'adminLogLines') return;
    if (lost) process.stderr.write(`rras-bridge log: ${lost} lines were dropped before they could be read\n`);
    for (const l of text.split('\n').filter(Boolean)) {
      process.stdout.write(values.json ? `${l}\n` : formatLogLine(JSON.parse(l) as LogRecord));
    }
  });
  try {
    const closed = new Promise<string>((resolve) => client.onClose(resolve));
    await client.request('adminLog', { protocol: name, follow: values.follow ? 1 : 0, backlog: number('lines') ?? 100 });
    if (values.follow) {
      process.stderr.write(`rras-bridge log: following ${name} (Ctrl-C to stop)\n`);
      await Promise.race([closed, new Promise((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      })]);
    }
  } finally {
    client.close();
  }
  return EXIT_OK;
}
