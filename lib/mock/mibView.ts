// Walking a protocol's MIB tables (its declared mibView) through the router manager's entry
// points, MibGetFirst then MibGetNext until the end, as an administrator's tool would; and
// printing them as aligned columns (rras-bridge mock shows them).
import type { MibRow, MibTableView, MibView } from '../api/mibView.js';
import { ERROR_INSUFFICIENT_BUFFER, ERROR_NO_MORE_ITEMS, NO_ERROR, errorName } from '../constants.js';
import type { RoutingProtocol } from './router.js';

/** Records per table at most (a guard against a table whose next() never ends). */
const MAX_ROWS = 100_000;

/** Every record of one table; throws with the code and table when a call fails. */
export async function walkMib(proto: RoutingProtocol, table: MibTableView, outputSize = 4096): Promise<MibRow[]> {
  const rows: MibRow[] = [];
  let input: Buffer | null = table.first;
  let op: 'getFirst' | 'getNext' = 'getFirst';
  while (input && rows.length < MAX_ROWS) {
    let r = await proto.mib(op, input, outputSize);
    if (r.code === ERROR_INSUFFICIENT_BUFFER) {
      outputSize = r.outputSize;
      r = await proto.mib(op, input, outputSize);
    }
    if (r.code === ERROR_NO_MORE_ITEMS) break;
    if (r.code !== NO_ERROR) throw new Error(`MIB table '${table.title}': Mib${op === 'getFirst' ? 'GetFirst' : 'GetNext'}Entry returned ${r.code} (${errorName(r.code)})`);
    rows.push(table.decode(r.output));
    input = table.next(r.output);
    op = 'getNext';
  }
  return rows;
}

/** All tables of a view, in order. */
export async function walkMibView(proto: RoutingProtocol, view: MibView): Promise<{ title: string; rows: MibRow[] }[]> {
  const out: { title: string; rows: MibRow[] }[] = [];
  for (const table of view.tables) out.push({ title: table.title, rows: await walkMib(proto, table) });
  return out;
}

/** A table as text: a header line and one line per record, columns aligned. */
export function formatMibTable(rows: MibRow[], indent = '  '): string {
  if (!rows.length) return `${indent}(none)`;
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const cell = (v: unknown) => (v === undefined ? '' : typeof v === 'boolean' ? (v ? 'yes' : 'no') : String(v));
  const width = columns.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (cells: string[]) => indent + cells.map((c, i) => c.padEnd(width[i]!)).join('  ').trimEnd();
  return [line(columns), ...rows.map((r) => line(columns.map((c) => cell(r[c]))))].join('\n');
}
