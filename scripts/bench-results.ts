// The shape of bench/results.json (issue 12): {"machine": {...}, "results": [row, ...]}, each
// row {name, value, unit, baseline, ratio, target, met}; the table that `npm run bench`
// prints; and the check that a results file is well formed (never a timing).
//
// A benchmark has one row per figure it is judged by (update-latency: p50, p99, wake-ups).
// `ratio` is always "times the baseline's cost": value / baseline for times, memory and
// wake-ups, baseline / value for rates, so above 1 the bridge is slower or bigger. `target` is
// text: "≤ 2x" bounds the ratio, "≤ 3.5", "≥ 500000" or "= 0" bound the value itself.

export const BENCHMARKS = ['update-latency', 'route-injection', 'event-throughput', 'cold-start', 'host-failover'] as const;
export type BenchmarkName = (typeof BENCHMARKS)[number];

export interface Row {
  name: BenchmarkName;
  value: number;
  unit: string;
  baseline: number | null;
  ratio: number | null;
  target: string;
  met: boolean;
}

export interface Results {
  machine: Record<string, unknown>;
  results: Row[];
}

const TARGET = /^(≤|≥|=) (\d+(?:\.\d+)?)(x?)$/;

/** Whether a row's value (or ratio, for an "x" target) is within its target. */
export function meets(row: Pick<Row, 'value' | 'ratio' | 'target'>): boolean {
  const m = TARGET.exec(row.target);
  if (!m) throw new Error(`target ${JSON.stringify(row.target)} is not "≤ N", "≥ N", "= N" or "≤ Nx"`);
  const subject = m[3] ? row.ratio : row.value;
  if (subject === null || !Number.isFinite(subject)) return false;
  const bound = Number(m[2]);
  return m[1] === '≤' ? subject <= bound : m[1] === '≥' ? subject >= bound : subject === bound;
}

/**
 * A row. `better` says which way the figure improves ('lower' for times, memory and
 * wake-ups, 'higher' for rates), which fixes how the ratio is taken.
 */
export function row(name: BenchmarkName, unit: string, value: number, baseline: number | null, better: 'lower' | 'higher', target: string): Row {
  const ratio = baseline === null ? null : better === 'lower' ? value / baseline : baseline / value;
  const r = { name, value, unit, baseline, ratio: ratio !== null && Number.isFinite(ratio) ? ratio : null, target };
  return { ...r, met: meets(r) };
}

const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** The problems of a parsed results file; empty when it is well formed. */
export function problems(doc: unknown): string[] {
  const out: string[] = [];
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return ['the document is not an object'];
  const d = doc as Record<string, unknown>;
  const keys = Object.keys(d).sort().join(',');
  if (keys !== 'machine,results') out.push(`top-level keys are ${keys || 'none'}, expected machine and results`);
  if (typeof d.machine !== 'object' || d.machine === null || Array.isArray(d.machine)) out.push('machine is not an object');
  if (!Array.isArray(d.results)) return [...out, 'results is not an array'];
  const fields = ['baseline', 'met', 'name', 'ratio', 'target', 'unit', 'value'].join(',');
  const seen = new Set<string>();
  d.results.forEach((r: unknown, i: number) => {
    const where = `results[${i}]`;
    if (typeof r !== 'object' || r === null) return void out.push(`${where} is not an object`);
    const o = r as Record<string, unknown>;
    if (Object.keys(o).sort().join(',') !== fields) out.push(`${where} has keys ${Object.keys(o).join(',')}, expected ${fields}`);
    if (!BENCHMARKS.includes(o.name as BenchmarkName)) out.push(`${where}.name ${JSON.stringify(o.name)} is not one of ${BENCHMARKS.join(', ')}`);
    else seen.add(o.name as string);
    if (!isNumber(o.value)) out.push(`${where}.value is not a finite number`);
    if (typeof o.unit !== 'string' || !o.unit) out.push(`${where}.unit is not a non-empty string`);
    if (o.baseline !== null && !(isNumber(o.baseline) && o.baseline > 0)) out.push(`${where}.baseline is neither null nor a positive number`);
    if (o.ratio !== null && !isNumber(o.ratio)) out.push(`${where}.ratio is neither null nor a finite number`);
    if ((o.baseline === null) !== (o.ratio === null)) out.push(`${where} has a ratio without a baseline, or a baseline without a ratio`);
    if (typeof o.met !== 'boolean') out.push(`${where}.met is not a boolean`);
    if (typeof o.target !== 'string' || !TARGET.test(o.target)) out.push(`${where}.target ${JSON.stringify(o.target)} is not "≤ N", "≥ N", "= N" or "≤ Nx"`);
    else if (/x$/.test(o.target) && o.ratio === null) out.push(`${where}.target bounds a ratio, but the row has no baseline`);
    else if (isNumber(o.value) && typeof o.met === 'boolean' && meets(o as unknown as Row) !== o.met) out.push(`${where}.met is ${o.met}, but value ${o.value} (ratio ${o.ratio}) against ${o.target} says otherwise`);
  });
  for (const name of BENCHMARKS) if (!seen.has(name)) out.push(`no row for ${name}`);
  return out;
}

const fmt = (n: number | null): string => {
  if (n === null) return '—';
  const a = Math.abs(n);
  if (a >= 1e6) return `${(n / 1e6).toPrecision(3)}M`;
  if (a >= 1e4) return `${(n / 1e3).toPrecision(3)}k`;
  return Number.isInteger(n) || a >= 100 ? n.toFixed(0) : a >= 10 ? n.toFixed(1) : n.toFixed(2);
};

/** The results as a text table, one line per row. */
export function table(results: Row[]): string {
  const lines = [['benchmark', 'measure', 'value', 'baseline', 'ratio', 'target', 'met']];
  for (const r of results) lines.push([r.name, r.unit, fmt(r.value), fmt(r.baseline), r.ratio === null ? '—' : `${fmt(r.ratio)}x`, r.target, r.met ? 'yes' : 'NO']);
  const widths = lines[0]!.map((_, c) => Math.max(...lines.map((l) => l[c]!.length)));
  return lines.map((l) => l.map((cell, c) => (c >= 2 && c <= 4 ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!))).join('  ').trimEnd()).join('\n');
}
