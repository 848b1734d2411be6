// Answering MibGet / MibGetFirst / MibGetNext from a protocol's tables, with the codes RRAS
// and its tools expect. A table is a list of entries ordered by a key of numbers; the input
// record (a protocol's own struct whose first u32 is the table id; shorter input is
// zero-extended) names the table and, for Get and GetNext, the key. Get answers the entry with
// that key or ERROR_NOT_FOUND; GetFirst the first; GetNext the one after the key, and
// ERROR_NO_MORE_ITEMS past the last (always, for a table of one record); the other operations
// ERROR_NOT_SUPPORTED (the MIB is read-only: configuration goes through Set*Info).
import type { Shape, Struct, StructValue } from '../config/schema.js';
import { ERROR_INVALID_PARAMETER, ERROR_NO_MORE_ITEMS, ERROR_NOT_FOUND, ERROR_NOT_SUPPORTED } from '../constants.js';
import { ProtocolError } from './errors.js';
import type { MibRequest } from './types.js';

export interface MibEntry {
  readonly key: readonly number[];
  /** The output record. */
  encode(): Buffer;
}

export interface MibTableQuery {
  id: number;
  entries: readonly MibEntry[];
  /** The key the input names (for Get and GetNext). */
  key: readonly number[];
  /** A table of one record: GetNext always ends it. */
  single?: boolean;
}

function compareKeys(a: readonly number[], b: readonly number[]): number {
  for (let k = 0; k < Math.max(a.length, b.length); k++) {
    const d = (a[k] ?? 0) - (b[k] ?? 0);
    if (d) return d;
  }
  return 0;
}

/**
 * Answers a read-only MIB request. `table` returns the table the decoded input names (throw a
 * ProtocolError with ERROR_INVALID_PARAMETER for an unknown one).
 */
export function answerMibQuery<S extends Shape>(
  req: MibRequest,
  opts: { name: string; input: Struct<S>; table(query: StructValue<S>): MibTableQuery },
): Buffer {
  if (req.op !== 'get' && req.op !== 'getFirst' && req.op !== 'getNext') {
    throw new ProtocolError(ERROR_NOT_SUPPORTED, `MIB ${req.op}: the ${opts.name} MIB is read-only (configure through Set*Info)`);
  }
  if (req.input.length < 4) {
    throw new ProtocolError(ERROR_INVALID_PARAMETER, `MIB input of ${req.input.length} bytes; ${opts.input.name} starts with a u32 tableId`);
  }
  const padded = Buffer.alloc(opts.input.size);
  req.input.copy(padded, 0, 0, Math.min(req.input.length, opts.input.size));
  let q: StructValue<S>;
  try {
    q = opts.input.decode(padded);
  } catch (err) {
    throw new ProtocolError(ERROR_INVALID_PARAMETER, `MIB input: ${(err as Error).message}`);
  }
  const t = opts.table(q);
  const all = [...t.entries].sort((a, b) => compareKeys(a.key, b.key));
  let entry: MibEntry | undefined;
  if (req.op === 'getFirst') entry = all[0];
  else if (req.op === 'get') entry = all.find((e) => compareKeys(e.key, t.key) === 0);
  else entry = t.single ? undefined : all.find((e) => compareKeys(e.key, t.key) > 0);
  if (!entry) {
    if (req.op === 'get') throw new ProtocolError(ERROR_NOT_FOUND, `no MIB table ${t.id} entry for ${JSON.stringify(q)}`);
    throw new ProtocolError(ERROR_NO_MORE_ITEMS, `end of MIB table ${t.id}`);
  }
  return entry.encode();
}
