// The documents a protocol library's admin endpoint hands out (native/protocol/status.cc,
// trace_format.cc, admin_endpoint.cc), as types. docs/operations.md describes each field.

export interface EntryPointStats {
  name: string;
  count: number;
  failed: number;
  lastResult: string;
  p50Us: number;
  p99Us: number;
  maxUs: number;
  meanUs: number;
}

export interface InterfaceStatusDoc {
  index: number;
  name: string;
  type: string;
  enabled: boolean;
  bound: boolean;
  active: boolean;
  mediaPresent: boolean;
  addresses: string[];
  configBytes: number;
}

export interface RestartDoc {
  time: string;
  what: 'lost' | 'watchdog-kill' | 'planned-restart' | 'gave-up';
  generation: number;
  pid: number;
  reason: string;
}

export interface ProtocolStatus {
  time: string;
  /** The process that loaded the library (added by the CLI from the endpoint's answer). */
  library: { pid: number; directory: string };
  protocol: { id: number; idHex: string; name: string; module: string; family: 'ipv4' | 'ipv6' };
  state: 'stopped' | 'starting' | 'running' | 'stopping' | 'gave-up';
  startCompleted: boolean;
  since?: string;
  uptimeMs?: number;
  host: { pid: number; generation: number; connected: boolean; since?: string; uptimeMs?: number; callsPending: number; queuedBytes: number };
  restarts: { unplanned: number; planned: number; budget: { used: number; limit: number; windowMs: number }; gaveUp: boolean; recent: RestartDoc[] };
  gracefulRestart: { active: boolean; staleRoutes: number; deadlineInMs?: number; staleTimeoutMs: number };
  routes: { rtm: boolean; own: number; stale: number };
  interfaces: InterfaceStatusDoc[];
  interfacesOmitted?: number;
  eventQueue: { depth: number };
  callsInFlight: number;
  entryPoints: EntryPointStats[];
  trace: { ringRecords: number; recorded: number };
  lastErrors: { time: string; level: string; origin: 'library' | 'host'; text: string }[];
}

/** The endpoint's answer to adminStatus. */
export interface StatusReply {
  library: { pid: number; directory: string };
  protocols: Omit<ProtocolStatus, 'library'>[];
}

interface RecordBase {
  seq: number;
  time: string;
  /** Microseconds since the Unix epoch. */
  ts: number;
  protocol: string;
  thread: number;
}
export interface CallRecord extends RecordBase {
  kind: 'call';
  name: string;
  args: Record<string, string | number>;
  result: number;
  resultName?: string;
  durationUs: number;
}
export interface MessageRecord extends RecordBase {
  kind: 'message';
  direction: 'to-host' | 'from-host';
  type: string;
  id: number;
  reply: boolean;
  status?: number;
  error?: string;
  fields: Record<string, string | number>;
}
export interface EventRecord extends RecordBase {
  kind: 'event';
  action: 'queued' | 'drained';
  event: string;
  interfaceIndex?: number;
  updateType?: number;
  updateStatus?: number;
  updateStatusName?: string;
}
export interface HostRecord extends RecordBase {
  kind: 'host';
  event: 'started' | 'lost' | 'watchdog-kill' | 'planned-restart' | 'gave-up' | 'stopped';
  generation: number;
  pid: number;
  reason?: string;
}
/** One record of a protocol's trace (`rras-bridge trace`, JSON lines). */
export type TraceRecord = CallRecord | MessageRecord | EventRecord | HostRecord;

/** One line of a protocol's log (`rras-bridge log --json`). */
export interface LogRecord {
  seq: number;
  time: string;
  protocol: string;
  level: 'error' | 'warn' | 'info' | 'debug';
  origin: 'library' | 'host';
  text: string;
}
