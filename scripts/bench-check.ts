// `node dist/scripts/bench-check.js FILE`: checks that a results file of `npm run bench` is
// well formed (scripts/bench-results.ts: the shape, the five benchmarks, targets and `met`
// that agree with the figures). It never judges a timing: CI runs it after `--quick`.
import fs from 'node:fs';
import { BENCHMARKS, problems } from './bench-results.js';

const file = process.argv[2];
if (!file) {
  console.error('usage: bench-check <results.json>');
  process.exit(2);
}
let doc: unknown;
try {
  doc = JSON.parse(fs.readFileSync(file, 'utf8'));
} catch (err) {
  console.error(`bench-check: ${file}: ${err instanceof Error ? err.message : err}`);
  process.exit(1);
}
const wrong = problems(doc);
for (const p of wrong) console.error(`bench-check: ${file}: ${p}`);
const failed = new Set(BENCHMARKS.filter((b) => wrong.some((p) => p.includes(b)))).size || (wrong.length ? 1 : 0);
console.log(`bench-check: ${file}: ${wrong.length ? `${wrong.length} problem(s)` : `well formed, ${(doc as { results: unknown[] }).results.length} rows`}`);
console.log(`${BENCHMARKS.length - failed} passed, ${failed} failed`);
process.exit(wrong.length ? 1 : 0);
