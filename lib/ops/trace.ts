// `rras-bridge trace [name] [--follow] [--out FILE] [--format jsonl|chrome|svg]`: a protocol's
// trace (every routprot.h call, every message to and from the host, every event queued and
// drained, the host's starts and losses): the library's ring as it is now, then, with
// --follow, everything that happens until Ctrl-C, the --duration, or the protocol's stop.
import fs from 'node:fs';
import { EXIT_OK, TARGET_HELP, UsageError, parse } from './args.js';
import { ChromeTrace, type ChromeEvent } from './chrome.js';
import type { TraceRecord } from './documents.js';
import { connectTo } from './session.js';
import { renderTimeline } from './timeline.js';

export const TRACE_HELP = `usage: rras-bridge trace [name] [options]
  The protocol's trace: the records the library keeps (its last traceRingRecords), then with
  --follow every new one as it happens. No name: the library's only protocol, or all of them.
  --follow           keep going until Ctrl-C, --duration or the protocol's stop
  --new              with --follow: only what happens from now on
  --duration S       with --follow: stop after S seconds
  --out FILE         write to FILE instead of standard output
  --format F         jsonl (default: one JSON object per line), chrome (the Chrome trace
                     event format: open it in Perfetto or chrome://tracing), or svg (a
                     timeline picture, written when the trace ends)
${TARGET_HELP}
`;

type Format = 'jsonl' | 'chrome' | 'svg';

/** Where records go, in the chosen format. */
class Sink {
  private readonly chrome: ChromeTrace;
  private readonly held: ChromeEvent[] = [];
  private wrote = 0;
  private readonly fd: number;

  constructor(private readonly format: Format, out: string | undefined, pid: number, private readonly title: string) {
    this.fd = out ? fs.openSync(out, 'w') : 1;
    this.chrome = new ChromeTrace(pid);
    if (format === 'chrome') this.write('[\n');
  }

  add(records: TraceRecord[]): void {
    if (this.format === 'jsonl') return this.write(records.map((r) => JSON.stringify(r) + '\n').join(''));
    const events = records.flatMap((r) => this.chrome.add(r));
    if (this.format === 'svg') return void this.held.push(...events);
    // The JSON array form: each event on its line; a reader needs no closing bracket.
    this.write(events.map((e) => `${this.wrote++ ? ',' : ''}${JSON.stringify(e)}\n`).join(''));
  }

  end(): void {
    if (this.format === 'chrome') this.write(']\n');
    if (this.format === 'svg') this.write(renderTimeline(this.held, this.title));
    if (this.fd !== 1) fs.closeSync(this.fd);
  }

  private write(text: string): void {
    if (text) fs.writeSync(this.fd, text);
  }
}

export async function runTrace(argv: string[]): Promise<number> {
  const { values, positionals, target, number, text } = parse(argv, {
    follow: { type: 'boolean', short: 'f' }, new: { type: 'boolean' }, duration: { type: 'string' },
    out: { type: 'string', short: 'o' }, format: { type: 'string' },
  }, 1);
  const format = (text('format') ?? 'jsonl') as Format;
  if (!['jsonl', 'chrome', 'svg'].includes(format)) throw new UsageError(`--format must be jsonl, chrome or svg, not '${format}'`);
  const duration = number('duration');
  if ((values.new || duration !== undefined) && !values.follow) throw new UsageError('--new and --duration go with --follow');
  const which = positionals[0];
  const { client, name } = await connectTo(which, target);
  const sink = new Sink(format, text('out'), client.pid, `rras-bridge trace: ${which ?? name} (library pid ${client.pid})`);
  let lost = 0;
  client.onStream((type, batch, n) => {
    if (type !== 'adminTraceRecords') return;
    lost += n;
    if (n) process.stderr.write(`rras-bridge trace: ${n} records were overwritten before they could be read\n`);
    const records = batch.split('\n').filter(Boolean).map((l) => JSON.parse(l) as TraceRecord);
    sink.add(records);
  });
  try {
    const closed = new Promise<string>((resolve) => client.onClose(resolve));
    await client.request('adminTrace', { protocol: which ?? '', follow: values.follow ? 1 : 0, backlog: values.new ? 0 : 1 });
    if (values.follow) {
      process.stderr.write(`rras-bridge trace: following ${which ?? name} (Ctrl-C to stop)\n`);
      const stop = new Promise<string>((resolve) => {
        const done = (why: string) => () => resolve(why);
        process.once('SIGINT', done('interrupted'));
        process.once('SIGTERM', done('terminated'));
        if (duration !== undefined) setTimeout(done(`${duration} s elapsed`), duration * 1000).unref();
      });
      const why = await Promise.race([closed.then((r) => `the library ended the trace (${r})`), stop]);
      process.stderr.write(`rras-bridge trace: ${why}${lost ? `; ${lost} records lost` : ''}\n`);
    }
  } finally {
    client.close();
    sink.end();
  }
  return EXIT_OK;
}
