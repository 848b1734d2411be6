// The RFC 2091 autostatic update behind DoUpdateRoutes, for RIPv2 and RIPng: Update Requests
// go out (retransmitted every retransmitMs) until a neighbour answers with a flushed Update
// Response; the session ends after quietMs without another response, or fails after
// timeoutMs without any. The protocol supplies how to send the requests and what to do with
// the answered neighbours (sweep what they did not repeat, replace the interface's routes).
import { ProtocolError } from '../../lib/api/errors.js';
import { ERROR_CAN_NOT_COMPLETE } from '../../lib/constants.js';
import type { Clock, TimerHandle } from './timers.js';

export interface AutostaticOptions<R> {
  clock: Clock;
  retransmitMs: number;
  timeoutMs: number;
  quietMs: number;
  /** What failed, for the error: e.g. "interface 3". */
  what: string;
  sendRequests(): void;
  /** The session is complete: install what the answered neighbours sent. */
  finish(answered: ReadonlySet<string>): Promise<R>;
  /** The collector is done (either way): the protocol forgets it. */
  done(): void;
}

export interface AutostaticUpdate<R> {
  readonly promise: Promise<R>;
  readonly answered: ReadonlySet<string>;
  /** An Update Response from `neighbor` arrived (flush: the first of a full table). */
  responded(neighbor: string, flush: boolean): void;
  /** Ends the update with ERROR_CAN_NOT_COMPLETE (interface down, protocol stopping). */
  fail(reason: string): void;
}

export function startAutostaticUpdate<R>(o: AutostaticOptions<R>): AutostaticUpdate<R> {
  const answered = new Set<string>();
  let retransmit: TimerHandle | undefined;
  let quiet: TimerHandle | undefined;
  let settled = false;
  let settle!: (r: R) => void;
  let reject!: (err: Error) => void;
  const promise = new Promise<R>((res, rej) => {
    settle = res;
    reject = rej;
  });
  const cleanup = () => {
    settled = true;
    retransmit?.cancel();
    deadline.cancel();
    quiet?.cancel();
    o.done();
  };
  const send = () => {
    o.sendRequests();
    retransmit = o.clock.setTimeout(send, o.retransmitMs);
  };
  const update: AutostaticUpdate<R> = {
    promise,
    answered,
    responded(neighbor, flush) {
      if (settled) return;
      if (flush) answered.add(neighbor);
      if (!answered.has(neighbor)) return;
      retransmit?.cancel();
      retransmit = undefined;
      deadline.cancel();
      quiet?.cancel();
      quiet = o.clock.setTimeout(() => {
        cleanup();
        o.finish(answered).then(settle, (err: Error) =>
          reject(new ProtocolError(ERROR_CAN_NOT_COMPLETE, `${o.what}: the routes did not reach RTM: ${err.message}`)));
      }, o.quietMs);
    },
    fail(reason) {
      if (settled) return;
      cleanup();
      reject(new ProtocolError(ERROR_CAN_NOT_COMPLETE, reason));
    },
  };
  const deadline = o.clock.setTimeout(
    () => update.fail(`${o.what}: no Update Response within ${o.timeoutMs} ms (peer down or not in demand mode)`),
    o.timeoutMs,
  );
  send();
  return update;
}
