// The SUPPORT_FUNCTIONS MockRouter passes to StartProtocol: native functions of the router's
// copy of the mock RTM library (native/mock-rtm/support.cc), so the protocol library's threads
// never wait on this JS thread. They answer from the settings made here and record each call;
// drain() turns the record into trace entries.
import koffi, { type KoffiFunction } from '../koffi.js';
import { NO_ERROR } from '../constants.js';
import { SUPPORT_FUNCTIONS, type Signature } from './names.js';

/** One support call as recorded: the protocol slot it was offered to, the function, its arguments. */
export interface SupportCall {
  slot: number;
  name: string;
  args: Record<string, string | number>;
  result: number;
}

/** Protocols one router can start, each with its own set of functions (mock_rtm.h). */
export const SUPPORT_SLOTS = 16;
const RECORD_SIZE = 80; // sizeof(MockRtmSupportCall)
const STRUCT_SIZE = 8 + 11 * 8; // sizeof(SUPPORT_FUNCTIONS) on x64
const VALIDATE_ROUTE = 3;

interface Api {
  functions: KoffiFunction;
  setRouterId: KoffiFunction;
  setPriority: KoffiFunction;
  drain: KoffiFunction;
}

export class MockSupport {
  private readonly api: Api;

  constructor(library: string) {
    const lib = koffi.load(library);
    this.api = {
      functions: lib.func('uint32_t MockRtmSupportFunctions(uint32_t slot, _Inout_ uint8_t *out, uint32_t size)'),
      setRouterId: lib.func('void MockRtmSupportSetRouterId(uint32_t routerId)'),
      setPriority: lib.func('void MockRtmSupportSetPriority(uint32_t protocolId, uint32_t preference)'),
      drain: lib.func('uint32_t MockRtmSupportDrain(_Out_ uint8_t *out, uint32_t capacity, _Out_ uint32_t *dropped)'),
    };
  }

  /**
   * Fills `table` (a SUPPORT_FUNCTIONS, or a SUPPORT_FUNCTIONS_60, with its dwVersion set) with
   * functions that record `slot`; returns it.
   */
  functions(slot: number, table: Buffer): Buffer {
    const buf = table;
    if (buf.length < STRUCT_SIZE) throw new RangeError(`support functions: a table of ${buf.length} bytes is under SUPPORT_FUNCTIONS' ${STRUCT_SIZE}`);
    const code = this.api.functions(slot, buf, buf.length) as number;
    if (code !== NO_ERROR) throw new RangeError(`support functions: slot ${slot} is outside 0..${SUPPORT_SLOTS - 1}`);
    return buf;
  }

  setRouterId(routerId: number): void {
    this.api.setRouterId(routerId >>> 0);
  }

  setPriority(protocolId: number, preference: number): void {
    this.api.setPriority(protocolId >>> 0, preference >>> 0);
  }

  /** The calls recorded since the last drain, oldest first; `dropped` counts those lost to the cap. */
  drain(): { calls: SupportCall[]; dropped: number } {
    const calls: SupportCall[] = [];
    let dropped = 0;
    const capacity = 256;
    const buf = Buffer.alloc(capacity * RECORD_SIZE);
    for (;;) {
      const lost = [0];
      const n = this.api.drain(buf, capacity, lost) as number;
      dropped += lost[0]!;
      for (let i = 0; i < n; i++) calls.push(decode(buf.subarray(i * RECORD_SIZE, (i + 1) * RECORD_SIZE)));
      if (n < capacity) return { calls, dropped };
    }
  }
}

function decode(r: Buffer): SupportCall {
  const fn = r.readUInt32LE(4);
  const sig: Signature = SUPPORT_FUNCTIONS[fn] ?? { name: `support function ${fn}`, params: [] };
  const count = r.readUInt32LE(8);
  const args: Record<string, string | number> = {};
  for (let i = 0; i < count; i++) args[sig.params[i] ?? `arg${i}`] = r.readUInt32LE(12 + 4 * i);
  if (fn === VALIDATE_ROUTE) {
    const text = r.subarray(32, RECORD_SIZE);
    const end = text.indexOf(0);
    args[sig.params[1]!] = text.subarray(0, end < 0 ? text.length : end).toString('latin1');
  }
  return { slot: r.readUInt32LE(0), name: sig.name, args, result: r.readUInt32LE(28) };
}
