// What a refused MockRouter call throws: the entry point, the code with its Microsoft name,
// the protocol, and the protocol library's log lines written while the call ran, so a test
// failure shows the reason, not a bare 1003.
import { errorName, protocolIdText } from '../constants.js';

export class RoutingCallError extends Error {
  override readonly name = 'RoutingCallError';
  /** The DWORD the entry point returned. */
  readonly code: number;
  /** Its name in winerror.h / routprot.h, e.g. ERROR_CAN_NOT_COMPLETE. */
  readonly codeName: string;

  constructor(
    /** The entry point, named as in routprot.h (StartProtocol, DoUpdateRoutes, …). */
    readonly entryPoint: string,
    code: number,
    readonly protocolId: number,
    /** The library's log lines about this call (those written while it ran). */
    readonly log: readonly string[],
    detail?: string,
  ) {
    const what = `${entryPoint} returned ${errorName(code)} (${code}) for protocol ${protocolIdText(protocolId)}`;
    const lines = log.length ? `\nlibrary log:\n${log.map((l) => `  ${l}`).join('\n')}` : '\n(no line about it in the library\'s log)';
    super(`${what}${detail ? `: ${detail}` : ''}${lines}`);
    this.code = code;
    this.codeName = errorName(code);
  }
}

/**
 * The DWORD a MockRouter call answered, refused or not: resolves with the code of a
 * RoutingCallError instead of rejecting (other errors still reject). For tests about codes:
 * `t.is(await codeOf(proto.doUpdateRoutes(99)), ERROR_INVALID_PARAMETER)`.
 */
export async function codeOf(call: Promise<number>): Promise<number> {
  try {
    return await call;
  } catch (err) {
    if (err instanceof RoutingCallError) return err.code;
    throw err;
  }
}
