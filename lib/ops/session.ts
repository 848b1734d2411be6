// Connects an operator command to the libraries it is about: every running one, or the one
// that serves a named protocol (by name, or id in decimal or 0x hex).
import { ERROR_ACCESS_DENIED } from '../constants.js';
import { AdminClient } from './client.js';
import { AdminAccessError, listEndpoints, runDirectory, type Endpoint } from './endpoints.js';

export interface Target {
  runDir?: string;
  pid?: number;
  timeoutMs?: number;
}

/** A command's failure, with what the user should know (exit code 1). */
export class OpsError extends Error {}

function alive(pid: number): boolean {
  if (process.platform === 'win32') return true;  // a pipe exists only while its server does
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function where(target: Target): string {
  return process.platform === 'win32' ? 'no \\\\.\\pipe\\rras-bridge-admin-* pipe' : `nothing in ${runDirectory(target.runDir)}`;
}

export interface Connections {
  clients: AdminClient[];
  /** Endpoints that exist but did not answer, with why. */
  unreachable: string[];
}

/** Every running library's endpoint (those of ended processes are skipped). */
export async function connectAll(target: Target): Promise<Connections> {
  const endpoints = listEndpoints({ runDir: target.runDir, pid: target.pid }).filter((e) => alive(e.pid));
  const clients: AdminClient[] = [];
  const unreachable: string[] = [];
  const results = await Promise.allSettled(endpoints.map((e) => AdminClient.connect(e, { timeoutMs: target.timeoutMs })));
  results.forEach((r, i) => {
    const e = endpoints[i]!;
    if (r.status === 'fulfilled') return void clients.push(r.value);
    const err = r.reason as Error & { code?: unknown };
    if (err.code === ERROR_ACCESS_DENIED) throw new AdminAccessError(`pid ${e.pid} (${e.address}) refused: ${err.message}`);
    unreachable.push(`pid ${e.pid} (${e.address}): ${err.message}`);
  });
  return { clients, unreachable };
}

export function closeAll(c: Connections): void {
  for (const client of c.clients) client.close();
}

const matches = (p: { protocolId: number; name: string }, which: string) =>
  p.name === which || (/^(0x[0-9a-f]+|\d+)$/i.test(which) && Number(which) === p.protocolId);

/**
 * The one library serving `which` (every connection but that one is closed). No name: the only
 * running library, if there is just one.
 */
export async function connectTo(which: string | undefined, target: Target): Promise<{ client: AdminClient; name: string }> {
  const all = await connectAll(target);
  const serving = all.clients.filter((c) => (which ? c.protocols.some((p) => matches(p, which)) : c.protocols.length > 0));
  for (const c of all.clients) if (!serving.includes(c)) c.close();
  const running = all.clients.flatMap((c) => c.protocols.map((p) => `${p.name} (pid ${c.pid})`));
  if (serving.length === 1) {
    const client = serving[0]!;
    const protocol = which ? client.protocols.find((p) => matches(p, which))! : client.protocols.length === 1 ? client.protocols[0]! : undefined;
    if (!protocol) {
      client.close();
      throw new OpsError(`pid ${client.pid} runs several protocols: name one of ${client.protocols.map((p) => p.name).join(', ')}`);
    }
    return { client, name: protocol.name };
  }
  for (const c of serving) c.close();
  const why = all.unreachable.length ? `; not answering: ${all.unreachable.join('; ')}` : '';
  if (serving.length > 1) {
    throw new OpsError(`${which ? `'${which}' runs` : 'protocols run'} in several processes (${serving.map((c) => c.pid).join(', ')}): choose one with --pid`);
  }
  if (!running.length) throw new OpsError(`no running protocol library found (${where(target)})${why}`);
  throw new OpsError(which ? `no running protocol named '${which}' (running: ${running.join(', ')})${why}` : `no protocol is running${why}`);
}

export type { Endpoint };
