// `rras-bridge restart <name>`: the planned restart of a protocol's host (the library's path
// for ctx.requestRestart): a new host loads the module as it is on disk now and gets RRAS's
// state replayed; the protocol's routes stay in RTM (stale until re-announced); the restart
// budget is not touched. Waits until the new host runs, unless --no-wait.
import { EXIT_FAILED, EXIT_OK, TARGET_HELP, UsageError, parse } from './args.js';
import type { StatusReply } from './documents.js';
import { connectTo } from './session.js';

export const RESTART_HELP = `usage: rras-bridge restart <name> [options]
  A new host for the protocol, with the module as it is on disk now; its routes are kept.
  --reason TEXT      what the log and the status show (default: rras-bridge restart)
  --no-wait          return once the library took the request
  --wait-ms MS       how long to wait for the new host (default 30000)
${TARGET_HELP}
`;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runRestart(argv: string[]): Promise<number> {
  const { values, positionals, target, number, text } = parse(argv, {
    reason: { type: 'string' }, 'no-wait': { type: 'boolean' }, 'wait-ms': { type: 'string' },
  }, 1);
  const which = positionals[0];
  if (!which) throw new UsageError('name the protocol to restart');
  const { client, name } = await connectTo(which, target);
  try {
    const reply = await client.request('adminRestart', { protocol: name, reason: text('reason') ?? 'rras-bridge restart' });
    const old = Number(reply.generation);
    process.stdout.write(`${name}: planned restart of host generation ${old} requested\n`);
    if (values['no-wait']) return EXIT_OK;
    const until = Date.now() + (number('wait-ms') ?? 30000);
    while (Date.now() < until) {
      await sleep(100);
      const status = JSON.parse(String((await client.request('adminStatus', { protocol: name })).status)) as StatusReply;
      const p = status.protocols[0];
      if (p && p.host.generation > old && p.host.connected) {
        process.stdout.write(`${name}: host generation ${p.host.generation} (pid ${p.host.pid}) running; ` +
          `routes in RTM: ${p.routes.own} own, ${p.routes.stale} stale${p.gracefulRestart.active ? ' (graceful restart under way)' : ''}\n`);
        return EXIT_OK;
      }
      if (p && p.state !== 'running') {
        process.stderr.write(`rras-bridge restart: ${name} is ${p.state}: ${p.lastErrors.at(-1)?.text.split('\n')[0] ?? ''}\n`);
        return EXIT_FAILED;
      }
    }
    process.stderr.write(`rras-bridge restart: no new host for ${name} within the wait; see rras-bridge log ${name}\n`);
    return EXIT_FAILED;
  } finally {
    client.close();
  }
}
