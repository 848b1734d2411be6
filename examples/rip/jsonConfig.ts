// RIP configuration from plain JSON (for the driver, the demo, scripts and people): keys and
// the state directory as strings, prefix lists as "a.b.c.d/len [ge N] [le M]" lines. The
// result is the schema's input, so the schema still validates every field.
import { encodePath, keyBytes, type FilterInput, type GlobalConfigInput, type InterfaceConfigInput } from './config.js';
import { parsePrefixLine } from './filter.js';

export interface FilterJson {
  action?: 'off' | 'permit' | 'deny';
  entries?: (string | { address: string; prefixLength: number; ge?: number; le?: number })[];
}

export type GlobalJson = Omit<GlobalConfigInput, 'stateDirectory' | 'redistributeFilter'> & {
  stateDirectory?: string;
  redistributeFilter?: FilterJson;
};

export type InterfaceJson = Omit<InterfaceConfigInput, 'keys' | 'acceptFilter' | 'announceFilter'> & {
  keys?: { keyId?: number; key: string }[];
  acceptFilter?: FilterJson;
  announceFilter?: FilterJson;
};

function filterFromJson(f: FilterJson | undefined): FilterInput | undefined {
  if (!f) return undefined;
  return {
    action: f.action ?? 'permit',
    entries: (f.entries ?? []).map((e) => (typeof e === 'string' ? parsePrefixLine(e) : { ge: 0, le: 0, ...e })),
  };
}

export function globalFromJson(j: GlobalJson = {}): GlobalConfigInput {
  const { stateDirectory, redistributeFilter, ...rest } = j;
  const out: GlobalConfigInput = { ...rest };
  if (stateDirectory !== undefined) out.stateDirectory = encodePath(stateDirectory);
  if (redistributeFilter) out.redistributeFilter = filterFromJson(redistributeFilter);
  return out;
}

export function interfaceFromJson(j: InterfaceJson = {}): InterfaceConfigInput {
  const { keys, acceptFilter, announceFilter, ...rest } = j;
  const out: InterfaceConfigInput = { ...rest };
  if (keys) out.keys = keys.map((k) => ({ keyId: k.keyId ?? 0, key: keyBytes(k.key) }));
  if (acceptFilter) out.acceptFilter = filterFromJson(acceptFilter);
  if (announceFilter) out.announceFilter = filterFromJson(announceFilter);
  return out;
}
