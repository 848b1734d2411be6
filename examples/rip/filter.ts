// Prefix-list filters (announce, accept, redistribution). A line matches a route when the
// route lies inside line.address/line.prefixLength and its length is within [ge, le], like a
// router's "ip prefix-list ... ge N le M"; without ge/le only the exact prefix matches.
import type { FilterValue } from './config.js';
import { ipToU32, networkOf } from './ip.js';

export interface PrefixLine {
  address: string;
  prefixLength: number;
  ge: number;
  le: number;
}

export function lineMatches(line: PrefixLine, destination: string, prefixLength: number): boolean {
  if (prefixLength < line.prefixLength) return false;
  const dest = ipToU32(destination);
  if (networkOf(dest, line.prefixLength) !== networkOf(ipToU32(line.address), line.prefixLength)) return false;
  const lo = line.ge || line.prefixLength;
  const hi = line.le || lo;
  return prefixLength >= lo && prefixLength <= hi;
}

/** Whether a route passes the filter. */
export function filterAllows(filter: FilterValue, destination: string, prefixLength: number): boolean {
  if (filter.action === 'off') return true;
  const listed = filter.entries.some((line) => lineMatches(line, destination, prefixLength));
  return filter.action === 'permit' ? listed : !listed;
}

/** Parses "10.0.0.0/8 ge 16 le 24" (the notation the README and the demo use). */
export function parsePrefixLine(text: string): PrefixLine {
  const m = /^\s*(\d+\.\d+\.\d+\.\d+)\/(\d+)(?:\s+ge\s+(\d+))?(?:\s+le\s+(\d+))?\s*$/.exec(text);
  if (!m) throw new SyntaxError(`not a prefix-list line: ${JSON.stringify(text)} (expected "a.b.c.d/len [ge N] [le M]")`);
  const line = { address: m[1]!, prefixLength: Number(m[2]), ge: Number(m[3] ?? 0), le: Number(m[4] ?? 0) };
  if (Number.isNaN(ipToU32(line.address)) || line.prefixLength > 32 || line.ge > 32 || line.le > 32) {
    throw new RangeError(`bad prefix-list line ${JSON.stringify(text)}`);
  }
  if (line.ge && line.ge < line.prefixLength) throw new RangeError(`ge ${line.ge} is shorter than the prefix in ${JSON.stringify(text)}`);
  if (line.le && line.le < (line.ge || line.prefixLength)) throw new RangeError(`le ${line.le} is below ge in ${JSON.stringify(text)}`);
  return line;
}
