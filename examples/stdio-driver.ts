// The command loop of the examples' drivers (examples/rip/driver.ts, examples/ospf/driver.ts):
// one JSON command per stdin line, run in order, each answered on stdout with its id; when
// stdin closes (the parent went away) `stop` runs and the process exits.
//
//   in:  {"id":1,"cmd":"start",...}
//   out: {"id":1,"ok":true,"result":...} | {"id":1,"ok":false,"error":"..."}
import readline from 'node:readline';

export type Commands = Record<string, (args: any) => Promise<unknown>>;

/** A JSON line on stdout (Buffers as hex). */
export function emit(obj: unknown): void {
  process.stdout.write(JSON.stringify(obj, (_k, v) => (v && typeof v === 'object' && v.type === 'Buffer' && Array.isArray(v.data) ? Buffer.from(v.data).toString('hex') : v)) + '\n');
}

export function serveCommands(commands: Commands): void {
  const rl = readline.createInterface({ input: process.stdin });
  let queue = Promise.resolve();
  rl.on('line', (line) => {
    if (!line.trim()) return;
    let msg: { id?: number; cmd?: string };
    try {
      msg = JSON.parse(line);
    } catch {
      return emit({ ok: false, error: `not JSON: ${line}` });
    }
    queue = queue.then(async () => {
      const fn = commands[msg.cmd ?? ''];
      try {
        if (!fn) throw new Error(`unknown command ${msg.cmd}`);
        emit({ id: msg.id, ok: true, result: (await fn(msg)) ?? null });
      } catch (err) {
        emit({ id: msg.id, ok: false, error: err instanceof Error ? err.message : String(err) });
      }
      if (msg.cmd === 'stop') setImmediate(() => process.exit(0));
    });
  });
  // The parent went away: stop cleanly so the host process and sockets go too.
  rl.on('close', () => {
    void queue.then(() => commands.stop?.({})).finally(() => process.exit(0));
  });
}
