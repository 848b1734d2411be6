// The operator commands (status, trace, restart, log): their dispatch, and how their errors
// reach the user (a usage error prints the command's usage; exit codes in args.ts). Also what
// tools may use (`require('rras-bridge/ops')`): the status documents, the endpoints, the
// connection, the trace formats.
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, UsageError } from './args.js';
import { AdminAccessError } from './endpoints.js';
import { LOG_HELP, runLog } from './log.js';
import { RESTART_HELP, runRestart } from './restart.js';
import { OpsError } from './session.js';
import { STATUS_HELP, runStatus } from './status.js';
import { TRACE_HELP, runTrace } from './trace.js';

const commands = {
  status: { run: runStatus, help: STATUS_HELP },
  trace: { run: runTrace, help: TRACE_HELP },
  restart: { run: runRestart, help: RESTART_HELP },
  log: { run: runLog, help: LOG_HELP },
} as const;
export type OpsCommand = keyof typeof commands;
/** Each command's usage text. */
export const OPS_HELP: Record<OpsCommand, string> = {
  status: STATUS_HELP,
  trace: TRACE_HELP,
  restart: RESTART_HELP,
  log: LOG_HELP,
};
export const isOpsCommand = (c: string | undefined): c is OpsCommand => c !== undefined && c in commands;

export async function runOps(command: OpsCommand, argv: string[]): Promise<number> {
  const { run, help } = commands[command];
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(help);
    return EXIT_OK;
  }
  try {
    return await run(argv);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`rras-bridge ${command}: ${err.message}\n${help}`);
      return EXIT_USAGE;
    }
    if (err instanceof OpsError || err instanceof AdminAccessError) {
      process.stderr.write(`rras-bridge ${command}: ${err.message}\n`);
      return EXIT_FAILED;
    }
    throw err;
  }
}

export { collectStatus, formatStatus } from './status.js';
export { toChrome, ChromeTrace, type ChromeEvent } from './chrome.js';
export { renderTimeline } from './timeline.js';
export { listEndpoints, runDirectory, AdminAccessError, type Endpoint } from './endpoints.js';
export { AdminClient, AdminRequestError, type ProtocolSummary } from './client.js';
export type * from './documents.js';
