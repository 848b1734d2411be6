// OSPF configuration from plain JSON (for the driver, scripts and people): keys and the state
// directory as strings, prefix lists as "a.b.c.d/len [ge N] [le M]" lines. The result is the
// schema's input, so the schema still validates every field.
import { parsePrefixLine } from '../rip/filter.js';
import type { FilterInput, GlobalConfigInput, InterfaceConfigInput } from './config.js';

export type GlobalJson = Omit<GlobalConfigInput, 'stateDirectory' | 'redistributeFilter'> & {
  stateDirectory?: string;
  redistributeFilter?: { action?: 'off' | 'permit' | 'deny'; entries?: string[] };
};

export type InterfaceJson = Omit<InterfaceConfigInput, 'keys'> & {
  keys?: { keyId?: number; key: string }[];
};

function bytesOf(text: string, max: number, what: string): Buffer {
  const b = Buffer.from(text, 'utf8');
  if (b.length > max) throw new RangeError(`${what} of ${b.length} bytes; at most ${max}`);
  return b;
}

export function globalFromJson(j: GlobalJson = {}): GlobalConfigInput {
  const { stateDirectory, redistributeFilter, ...rest } = j;
  const out: GlobalConfigInput = { ...rest };
  if (stateDirectory !== undefined) out.stateDirectory = bytesOf(stateDirectory, 255, 'stateDirectory');
  if (redistributeFilter) {
    const f: FilterInput = { action: redistributeFilter.action ?? 'permit', entries: (redistributeFilter.entries ?? []).map(parsePrefixLine) };
    out.redistributeFilter = f;
  }
  return out;
}

export function interfaceFromJson(j: InterfaceJson = {}): InterfaceConfigInput {
  const { keys, ...rest } = j;
  const out: InterfaceConfigInput = { ...rest };
  if (keys) out.keys = keys.map((k) => ({ keyId: k.keyId ?? 1, key: bytesOf(k.key, 16, 'key') }));
  return out;
}
