// The command codes RIPv2 (RFC 2453 §4) and RIPng (RFC 2080 §2.1) share, with RFC 2091's
// three for demand circuits, and the 4-byte RFC 2091 header those three carry after the
// protocol's own header: version (1) | flush (0/1) | sequence u16.
export const Command = {
  Request: 1,
  Response: 2,
  UpdateRequest: 9,
  UpdateResponse: 10,
  UpdateAck: 11,
} as const;
export type CommandCode = (typeof Command)[keyof typeof Command];

const NAMES: Record<number, string> = { 1: 'Request', 2: 'Response', 9: 'UpdateRequest', 10: 'UpdateResponse', 11: 'UpdateAck' };
export const commandName = (c: number) => NAMES[c] ?? `command ${c}`;
export const isKnownCommand = (c: number) => NAMES[c] !== undefined;
export const isUpdateCommand = (c: number) => c === Command.UpdateRequest || c === Command.UpdateResponse || c === Command.UpdateAck;

export const UPDATE_HEADER_SIZE = 4;

export interface UpdateHeader {
  version: number;
  flush: boolean;
  sequence: number;
}

export type UpdateHeaderError = { code: 'TOO_SHORT' | 'BAD_UPDATE_HEADER'; message: string };

/** The RFC 2091 header at `off`, or why it is not one (a short buffer, version or flush out of range). */
export function readUpdateHeader(buf: Buffer, off: number, command: number): UpdateHeader | UpdateHeaderError {
  if (buf.length < off + UPDATE_HEADER_SIZE) return { code: 'TOO_SHORT', message: `${commandName(command)} without its 4-byte RFC 2091 header` };
  const h = { version: buf[off]!, flush: buf[off + 1] === 1, sequence: buf.readUInt16BE(off + 2) };
  if (h.version !== 1) return { code: 'BAD_UPDATE_HEADER', message: `RFC 2091 header version ${h.version}, expected 1` };
  if (buf[off + 1]! > 1) return { code: 'BAD_UPDATE_HEADER', message: `RFC 2091 flush flag ${buf[off + 1]}, expected 0 or 1` };
  return h;
}

export function writeUpdateHeader(buf: Buffer, off: number, u: { flush: boolean; sequence: number }): void {
  buf[off] = 1;
  buf[off + 1] = u.flush ? 1 : 0;
  buf.writeUInt16BE(u.sequence & 0xffff, off + 2);
}
