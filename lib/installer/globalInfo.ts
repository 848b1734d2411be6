// The installer's edits of the IP transport's global info (the RTR_INFO_BLOCK_HEADER blob that
// MprConfigTransportGetInfo / MprAdminTransportGetInfo return for PID_IP). The router manager
// loads a protocol only when this blob holds a TOC entry whose InfoType is the protocol id
// (reference §4.2), so install adds ours and uninstall removes it; every other entry is kept
// byte for byte.
//
// Done here in TypeScript with lib/config/infoBlock.ts rather than with mprapi's MprInfoBlock*
// through koffi: the same code then runs (and is tested) on every OS, --dry-run needs no
// Windows, and Wine's mprapi.dll has the MprInfo* functions only as stubs that abort the
// process. The blob layout is fixed by rtinfo.h and fully validated on decode; the encoder
// may lay the data areas out at other offsets than MprInfoBlockAdd would, which is fine
// because readers follow the TOC offsets.
import { decodeInfoBlock, encodeInfoBlock, findEntry, withEntry, withoutEntry, type InfoBlock, type InfoBlockEntry } from '../config/infoBlock.js';
import { hex32 } from './validate.js';

/** ipinfoid.h: IP_GENERAL_INFO_BASE + 6, a PRIORITY_INFO {DWORD dwNumProtocols; PROTOCOL_METRIC[]}. */
export const IP_PROT_PRIORITY_INFO = 0xffff0006;

/** The block the installer wants for the protocol id. */
export interface BlockSpec {
  infoSize: number;
  count: number;
  /** infoSize * count bytes, hexadecimal (plans are plain JSON). */
  data: string;
  /**
   * 'replace': write exactly this block (the user gave the configuration).
   * 'keep-compatible': keep an existing block with the same InfoSize and Count (the protocol's
   *   saved configuration survives a re-install); otherwise write this one (the defaults).
   * 'keep-any': keep any existing block (a protocol without a schema: any bytes are its own).
   */
  mode: 'replace' | 'keep-compatible' | 'keep-any';
}

/** What the blob holds for one protocol id. */
export interface OurState {
  block?: InfoBlockEntry;
  /** Its PROTOCOL_METRIC in IP_PROT_PRIORITY_INFO, when there is one. */
  metric?: number;
}

/** The change to the blob: install (block, optional metric) or uninstall (remove both). */
export type GlobalInfoChange = { action: 'set'; block: BlockSpec; priority?: number } | { action: 'remove' };

export class GlobalInfoError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GlobalInfoError';
  }
}

function decode(blob: Buffer | null): InfoBlock {
  // A transport without global info yet (never on a configured router, but possible): start empty.
  if (!blob || blob.length === 0) return { version: 1, size: 0, entries: [] };
  try {
    return decodeInfoBlock(blob);
  } catch (err) {
    throw new GlobalInfoError(`the IP transport global info is not a valid info block: ${(err as Error).message}`);
  }
}

interface PriorityTable {
  entries: { protocolId: number; metric: number }[];
}

function decodePriority(e: InfoBlockEntry): PriorityTable {
  const d = e.data;
  const n = d.length >= 4 ? d.readUInt32LE(0) : -1;
  if (n < 0 || d.length < 4 + 8 * n) {
    throw new GlobalInfoError(
      `IP_PROT_PRIORITY_INFO has an unexpected layout (${d.length} bytes, InfoSize ${e.infoSize}, Count ${e.count}); not editing it`,
    );
  }
  const entries = [];
  for (let i = 0; i < n; i++) entries.push({ protocolId: d.readUInt32LE(4 + 8 * i), metric: d.readUInt32LE(8 + 8 * i) });
  return { entries };
}

/** PRIORITY_INFO as one item of 4 + 8n bytes (InfoSize = that size, Count 1). [U] */
function encodePriority(t: PriorityTable): InfoBlockEntry {
  const data = Buffer.alloc(4 + 8 * t.entries.length);
  data.writeUInt32LE(t.entries.length, 0);
  t.entries.forEach((p, i) => {
    data.writeUInt32LE(p.protocolId >>> 0, 4 + 8 * i);
    data.writeUInt32LE(p.metric >>> 0, 8 + 8 * i);
  });
  return { infoType: IP_PROT_PRIORITY_INFO, infoSize: data.length, count: 1, data };
}

/** Our block and metric in a blob (null or empty: nothing). */
export function readOurs(blob: Buffer | null, protocolId: number): OurState {
  const info = decode(blob);
  const state: OurState = {};
  const block = findEntry(info, protocolId);
  if (block) state.block = block;
  const prio = findEntry(info, IP_PROT_PRIORITY_INFO);
  if (prio) {
    const mine = decodePriority(prio).entries.find((p) => p.protocolId === protocolId);
    if (mine) state.metric = mine.metric;
  }
  return state;
}

export function sameEntry(a: InfoBlockEntry | undefined, b: InfoBlockEntry | undefined): boolean {
  if (!a || !b) return a === b;
  return a.infoType === b.infoType && a.infoSize === b.infoSize && a.count === b.count && a.data.equals(b.data);
}

export function sameState(a: OurState, b: OurState): boolean {
  return sameEntry(a.block, b.block) && a.metric === b.metric;
}

export function entryOf(protocolId: number, spec: BlockSpec): InfoBlockEntry {
  return { infoType: protocolId, infoSize: spec.infoSize, count: spec.count, data: Buffer.from(spec.data, 'hex') };
}

/** What the blob should hold for us after the change, given what it holds now. */
export function desiredState(current: OurState, protocolId: number, change: GlobalInfoChange, hasPriorityBlock: boolean): OurState {
  if (change.action === 'remove') return {};
  const wanted = entryOf(protocolId, change.block);
  const keep =
    current.block !== undefined &&
    (change.block.mode === 'keep-any' ||
      (change.block.mode === 'keep-compatible' && current.block.infoSize === wanted.infoSize && current.block.count === wanted.count));
  const out: OurState = { block: keep ? current.block : wanted };
  // A metric goes only into an existing IP_PROT_PRIORITY_INFO: creating that block would
  // replace the router's built-in priorities of every other protocol [U].
  const metric = change.priority !== undefined && hasPriorityBlock ? change.priority : current.metric;
  if (metric !== undefined) out.metric = metric;
  return out;
}

export function hasPriorityBlock(blob: Buffer | null): boolean {
  return findEntry(decode(blob), IP_PROT_PRIORITY_INFO) !== undefined;
}

/**
 * The blob with our block and metric set to `state` (absent members removed) and everything
 * else as it was. Returns the input itself when nothing changes, so an unchanged blob is never
 * rewritten.
 */
export function writeOurs(blob: Buffer | null, protocolId: number, state: OurState): Buffer {
  const info = decode(blob);
  const before = readOurs(blob, protocolId);
  if (sameState(before, state)) return blob && blob.length > 0 ? blob : encodeInfoBlock(info.entries);
  let next = state.block ? withEntry(info, { ...state.block, infoType: protocolId }) : withoutEntry(info, protocolId);
  const prio = findEntry(info, IP_PROT_PRIORITY_INFO);
  if (before.metric !== state.metric) {
    if (!prio) {
      throw new GlobalInfoError(`no IP_PROT_PRIORITY_INFO block to put the metric of ${hex32(protocolId)} into`);
    }
    const table = decodePriority(prio);
    const rest = table.entries.filter((p) => p.protocolId !== protocolId);
    const i = table.entries.findIndex((p) => p.protocolId === protocolId);
    if (state.metric !== undefined) {
      // Replace in place (order kept), or append.
      if (i >= 0) rest.splice(i, 0, { protocolId, metric: state.metric });
      else rest.push({ protocolId, metric: state.metric });
    }
    next = withEntry(next, encodePriority({ entries: rest }));
  }
  return encodeInfoBlock(next.entries);
}

/** A one-line description of a state, for results and messages. */
export function describeState(s: OurState): string {
  const parts = [s.block ? `block InfoSize ${s.block.infoSize} × Count ${s.block.count}` : 'no block'];
  if (s.metric !== undefined) parts.push(`priority metric ${s.metric}`);
  return parts.join(', ');
}
