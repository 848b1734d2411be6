import { ERROR_CAN_NOT_COMPLETE, ERROR_INVALID_PARAMETER, errorName } from '../constants.js';
import { ConfigError } from '../config/schema.js';
import { InfoBlockError } from '../config/infoBlock.js';
import { BindingError } from '../config/binding.js';

/** Throw from a handler to choose the routprot.h error code RRAS receives. */
export class ProtocolError extends Error {
  constructor(readonly code: number, message: string) {
    super(`${message} (${errorName(code)})`);
    this.name = 'ProtocolError';
  }
}

/** The status a handler failure maps to. */
export function statusOf(err: unknown): number {
  if (err instanceof ProtocolError) return err.code >>> 0 || ERROR_CAN_NOT_COMPLETE;
  if (err instanceof ConfigError || err instanceof InfoBlockError || err instanceof BindingError) {
    return ERROR_INVALID_PARAMETER;
  }
  return ERROR_CAN_NOT_COMPLETE;
}

export function describe(err: unknown): string {
  if (err instanceof Error) return err.stack ?? `${err.name}: ${err.message}`;
  return `non-Error value thrown: ${String(err)}`;
}
