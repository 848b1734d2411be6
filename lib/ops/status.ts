// `rras-bridge status [name] [--json]`: what each protocol a running library serves is doing,
// laid out for a person like BIRD's `birdc show protocols all` (a line per protocol, then its
// details), or the endpoint's JSON documents for tools.
import { EXIT_FAILED, EXIT_OK, TARGET_HELP, parse } from './args.js';
import type { EntryPointStats, ProtocolStatus, StatusReply } from './documents.js';
import { closeAll, connectAll, connectTo, OpsError, where, type Target } from './session.js';
import type { AdminClient } from './client.js';

export const STATUS_HELP = `usage: rras-bridge status [name] [--json] [options]
  Every protocol of every running library, or the one named (name or protocol id).
  --json          the status documents (an array), as docs/operations.md describes them
${TARGET_HELP}
`;

/** The status documents of the libraries a target reaches (every protocol, or the one named). */
export async function collectStatus(which: string | undefined, target: Target): Promise<{ protocols: ProtocolStatus[]; unreachable: string[] }> {
  let clients: AdminClient[];
  let unreachable: string[] = [];
  if (which) {
    clients = [(await connectTo(which, target)).client];
  } else {
    const all = await connectAll(target);
    clients = all.clients;
    unreachable = all.unreachable;
    if (!clients.length && !unreachable.length) throw new OpsError(`no running protocol library found (${where(target)})`);
  }
  try {
    const protocols: ProtocolStatus[] = [];
    for (const c of clients) {
      const reply = JSON.parse(String((await c.request('adminStatus', { protocol: which ?? '' })).status)) as StatusReply;
      for (const p of reply.protocols) protocols.push({ ...p, library: reply.library });
    }
    return { protocols, unreachable };
  } finally {
    closeAll({ clients, unreachable });
  }
}

export async function runStatus(argv: string[]): Promise<number> {
  const { values, positionals, target } = parse(argv, { json: { type: 'boolean' } }, 1);
  const { protocols, unreachable } = await collectStatus(positionals[0], target);
  for (const u of unreachable) process.stderr.write(`rras-bridge status: not answering: ${u}\n`);
  if (values.json) {
    process.stdout.write(JSON.stringify(protocols, null, 2) + '\n');
  } else {
    if (!protocols.length) throw new OpsError('no protocol is running');
    process.stdout.write(formatStatus(protocols));
  }
  return unreachable.length ? EXIT_FAILED : EXIT_OK;
}

// ---- layout ------------------------------------------------------------------------------

const pad = (s: string | number, n: number) => String(s).padEnd(n);
const lpad = (s: string | number, n: number) => String(s).padStart(n);
const yes = (b: boolean) => (b ? 'yes' : 'no');

/** "2026-12-01 21:31:31Z" */
export const shortTime = (iso: string) => iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z');

export function formatDuration(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${(ms / 1000).toFixed(ms < 10000 ? 1 : 0)} s`;
  const d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
  const hms = `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}:${String(sec).padStart(2, '0')}`;
  return d ? `${d}d ${hms}` : h ? hms : `${m} min${sec ? ` ${sec} s` : ''}`;
}

export function formatMicros(us: number): string {
  if (us < 1000) return `${us.toFixed(us < 10 ? 1 : 0)} us`;
  if (us < 1e6) return `${(us / 1000).toFixed(us < 1e4 ? 2 : 1)} ms`;
  return `${(us / 1e6).toFixed(2)} s`;
}

function line(key: string, value: string): string {
  return `  ${pad(`${key}:`, 19)}${value}\n`;
}

function table(headers: string[], rows: (string | number)[][], right: boolean[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const fmt = (r: (string | number)[]) => '    ' + r.map((c, i) => (right[i] ? lpad(c, widths[i]!) : pad(c, widths[i]!))).join('  ').trimEnd() + '\n';
  return fmt(headers) + rows.map(fmt).join('');
}

function entryPoints(list: EntryPointStats[]): string {
  if (!list.length) return line('Entry points', 'no calls yet');
  return '  Entry points:\n' + table(
    ['', 'calls', 'failed', 'p50', 'p99', 'max', 'last result'],
    list.map((e) => [e.name, e.count, e.failed, formatMicros(e.p50Us), formatMicros(e.p99Us), formatMicros(e.maxUs), e.lastResult.replace(/ \(\d+\)$/, '')]),
    [false, true, true, true, true, true, false],
  );
}

function describeHost(p: ProtocolStatus): string {
  const h = p.host;
  if (!h.pid) return p.state === 'gave-up' ? 'none (the library gave up restarting it)' : 'none';
  const parts = [`pid ${h.pid}`, `generation ${h.generation}`, h.connected ? 'connected' : 'disconnected'];
  if (h.uptimeMs !== undefined) parts.push(`up ${formatDuration(h.uptimeMs)}`);
  parts.push(`${h.callsPending} call${h.callsPending === 1 ? '' : 's'} waiting for it`);
  if (h.queuedBytes) parts.push(`${h.queuedBytes} bytes unread`);
  return parts.join(', ');
}

function describeGr(p: ProtocolStatus): string {
  const g = p.gracefulRestart;
  if (!g.active) return `idle (stale routes are kept ${formatDuration(g.staleTimeoutMs)} after a host is lost)`;
  return `active: ${g.staleRoutes} stale route${g.staleRoutes === 1 ? '' : 's'} wait for the new host, swept in ${formatDuration(Math.max(0, g.deadlineInMs ?? 0))}`;
}

export function formatProtocol(p: ProtocolStatus): string {
  let out = '';
  out += line('Protocol', `${p.protocol.idHex} (${p.protocol.id})`);
  out += line('Module', p.protocol.module);
  out += line('Library', `pid ${p.library.pid}, ${p.library.directory}`);
  out += line('State', `${p.state}${p.since ? ` since ${shortTime(p.since)} (${formatDuration(p.uptimeMs ?? 0)})` : ''}${p.startCompleted ? ', StartComplete seen' : ''}`);
  out += line('Host', describeHost(p));
  const r = p.restarts;
  out += line('Restarts', `${r.unplanned} unplanned, ${r.planned} planned; budget ${r.budget.used} of ${r.budget.limit} per ${formatDuration(r.budget.windowMs)}${r.gaveUp ? '; GAVE UP' : ''}`);
  for (const e of r.recent.slice(-5)) out += `    ${shortTime(e.time)}  ${pad(e.what, 15)} generation ${e.generation}, pid ${e.pid}: ${e.reason}\n`;
  out += line('Graceful restart', describeGr(p));
  out += line('Routes in RTM', p.routes.rtm ? `${p.routes.own} own, ${p.routes.stale} stale` : 'no RTM (rtmLibrary not set)');
  out += line('Event queue', `${p.eventQueue.depth} waiting for GetEventMessage`);
  out += line('Calls in flight', String(p.callsInFlight));
  if (!p.interfaces.length) {
    out += line('Interfaces', 'none');
  } else {
    out += `  Interfaces:${p.interfacesOmitted ? ` (${p.interfacesOmitted} more not shown)` : ''}\n`;
    out += table(
      ['index', 'name', 'type', 'enabled', 'bound', 'media', 'addresses'],
      p.interfaces.map((i) => [i.index, i.name || '-', i.type, yes(i.enabled), yes(i.bound), i.mediaPresent ? 'present' : 'absent', i.addresses.join(' ') || '-']),
      [true, false, false, false, false, false, false],
    );
  }
  out += entryPoints(p.entryPoints);
  if (p.lastErrors.length) {
    out += '  Last errors:\n';
    for (const e of p.lastErrors.slice(-8)) out += `    ${shortTime(e.time)} ${pad(e.level.toUpperCase(), 5)} ${e.origin === 'host' ? '[host] ' : ''}${e.text.split('\n')[0]}\n`;
  }
  out += line('Trace', `${p.trace.recorded} records so far, the last ${p.trace.ringRecords} kept`);
  return out;
}

export function formatStatus(protocols: ProtocolStatus[]): string {
  const headers = ['Name', 'Id', 'Library', 'State', 'Since', 'Host', 'Info'];
  const rows = protocols.map((p) => [
    p.protocol.name, p.protocol.idHex, `pid ${p.library.pid}`, p.state, p.since ? shortTime(p.since) : '-', p.host.pid ? `pid ${p.host.pid}` : '-',
    `generation ${p.host.generation}, ${p.routes.own} routes${p.gracefulRestart.active ? ', graceful restart' : ''}`,
  ]);
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const row = (r: string[]) => r.map((c, i) => pad(c, widths[i]!)).join('  ').trimEnd() + '\n';
  let out = row(headers);
  protocols.forEach((p, i) => {
    out += row(rows[i]!) + formatProtocol(p) + '\n';
  });
  return out;
}
