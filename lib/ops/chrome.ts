// Trace records in the Chrome trace event format (the JSON that Perfetto and chrome://tracing
// open): each routprot.h call a slice on the thread that made it, messages and events as
// instants with flow arrows (request to reply, queued to drained), each DoUpdateRoutes until
// its UPDATE_COMPLETE as an async span, and the host's starts and losses as global markers.
// Incremental, so `trace --follow --format chrome` streams it (the JSON array form, whose
// closing bracket a reader does not need).
import type { TraceRecord } from './documents.js';

export interface ChromeEvent {
  name: string;
  ph: 'X' | 'i' | 's' | 'f' | 'b' | 'e' | 'M';
  ts: number;
  pid: number;
  tid: number;
  cat?: string;
  dur?: number;
  s?: 'g' | 'p' | 't';
  id?: string;
  bp?: 'e';
  args?: Record<string, unknown>;
}

export class ChromeTrace {
  private readonly named = new Set<number>();
  private readonly requests = new Map<string, number>();        // protocol:id -> flow number
  private readonly queued = new Map<string, number[]>();        // protocol -> flow numbers, FIFO
  private readonly updates = new Map<string, number[]>();       // protocol:interface -> span ids
  private flows = 0;
  private processNamed = false;

  /** pid: the library's process (the trace's one process). */
  constructor(private readonly pid: number) {}

  /** The events for one record, in order. */
  add(r: TraceRecord): ChromeEvent[] {
    const out: ChromeEvent[] = [];
    const base = { pid: this.pid, tid: r.thread, ts: r.ts };
    if (!this.processNamed) {
      this.processNamed = true;
      out.push({ name: 'process_name', ph: 'M', pid: this.pid, tid: 0, ts: 0, args: { name: `protocol library (pid ${this.pid})` } });
    }
    if (!this.named.has(r.thread)) {
      this.named.add(r.thread);
      const role = r.kind === 'call' ? 'router manager thread' : r.kind === 'message' && r.direction === 'from-host' ? 'host channel I/O' : 'library thread';
      out.push({ name: 'thread_name', ph: 'M', pid: this.pid, tid: r.thread, ts: 0, args: { name: `${role} ${r.thread}` } });
    }
    switch (r.kind) {
      case 'call': {
        out.push({ ...base, name: r.name, ph: 'X', cat: 'routprot', dur: Math.max(r.durationUs, 0.001), args: { ...r.args, result: r.resultName ?? r.result, protocol: r.protocol } });
        if (r.name === 'DoUpdateRoutes' && r.result === 0) {
          const key = `${r.protocol}:${r.args.InterfaceIndex}`;
          const id = `update-${++this.flows}`;
          (this.updates.get(key) ?? this.updates.set(key, []).get(key)!).push(this.flows);
          out.push({ ...base, name: `update interface ${r.args.InterfaceIndex}`, ph: 'b', cat: 'update', id, args: { protocol: r.protocol } });
        }
        break;
      }
      case 'message': {
        const arrow = r.direction === 'to-host' ? '→ host' : '← host';
        out.push({ ...base, name: `${arrow} ${r.type}${r.reply ? ' reply' : ''}`, ph: 'i', s: 't', cat: 'host', args: { id: r.id, ...r.fields, ...(r.reply ? { status: r.status } : {}), ...(r.error ? { error: r.error } : {}) } });
        if (r.id) {
          const key = `${r.protocol}:${r.direction === 'to-host' ? 'dll' : 'host'}:${r.id}`;
          const back = `${r.protocol}:${r.direction === 'to-host' ? 'host' : 'dll'}:${r.id}`;
          if (!r.reply) {
            this.requests.set(key, ++this.flows);
            out.push({ ...base, name: r.type, ph: 's', cat: 'host', id: `msg-${this.flows}` });
          } else if (this.requests.has(back)) {
            out.push({ ...base, name: r.type, ph: 'f', bp: 'e', cat: 'host', id: `msg-${this.requests.get(back)}` });
            this.requests.delete(back);
          }
        }
        break;
      }
      case 'event': {
        out.push({ ...base, name: `${r.event} ${r.action}`, ph: 'i', s: 't', cat: 'events', args: { interfaceIndex: r.interfaceIndex, updateStatus: r.updateStatusName ?? r.updateStatus } });
        const fifo = this.queued.get(r.protocol) ?? this.queued.set(r.protocol, []).get(r.protocol)!;
        if (r.action === 'queued') {
          fifo.push(++this.flows);
          out.push({ ...base, name: r.event, ph: 's', cat: 'events', id: `event-${this.flows}` });
          if (r.event === 'UPDATE_COMPLETE') {
            const pending = this.updates.get(`${r.protocol}:${r.interfaceIndex}`);
            const span = pending?.shift();
            if (span !== undefined) out.push({ ...base, name: `update interface ${r.interfaceIndex}`, ph: 'e', cat: 'update', id: `update-${span}`, args: { updateStatus: r.updateStatusName ?? r.updateStatus } });
          }
        } else {
          const flow = fifo.shift();
          if (flow !== undefined) out.push({ ...base, name: r.event, ph: 'f', bp: 'e', cat: 'events', id: `event-${flow}` });
        }
        break;
      }
      case 'host': {
        if (r.event === 'started') {
          for (const k of [...this.requests.keys()]) if (k.startsWith(`${r.protocol}:`)) this.requests.delete(k);  // ids restart
        }
        out.push({ ...base, name: `host ${r.event} (generation ${r.generation}, pid ${r.pid})`, ph: 'i', s: 'g', cat: 'host', args: { protocol: r.protocol, reason: r.reason ?? '' } });
        break;
      }
    }
    return out;
  }
}

/** A whole trace as a Chrome trace file's object. */
export function toChrome(records: TraceRecord[], pid: number): { traceEvents: ChromeEvent[]; displayTimeUnit: 'ms' } {
  const c = new ChromeTrace(pid);
  return { traceEvents: records.flatMap((r) => c.add(r)), displayTimeUnit: 'ms' };
}
