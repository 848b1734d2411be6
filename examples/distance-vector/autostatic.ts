// The RFC 2091 autostatic update behind DoUpdateRoutes, for RIPv2 and RIPng: the requesting
// side of a demand circuit, beside its sending side (demand.ts). Update Requests go out,
// repeated every retransmitMs, until a neighbour answers with a flushed Update Response; the
// session ends quietMs after the last response of a neighbour that answered, or fails
// timeoutMs after the start without any. The protocol supplies how to send the requests and
// what to do with the answered neighbours (sweep what they did not repeat, replace the
// interface's routes in RTM).
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
  /** The update is over (either way): the protocol forgets it. */
  done(): void;
}

/**
 * One update in progress. Its state: the neighbours that answered with a flushed table, and
 * one of three timers running at a time after the start: `retransmit` (no answer yet: ask
 * again) with `deadline` (no answer at all: fail), then `quiet` (answers came: finish when
 * they stop).
 */
export class AutostaticUpdate<R> {
  readonly promise: Promise<R>;
  private readonly answeredSet = new Set<string>();
  private retransmit: TimerHandle | undefined;
  private readonly deadline: TimerHandle;
  private quiet: TimerHandle | undefined;
  private settled = false;
  private resolve!: (r: R) => void;
  private reject!: (err: Error) => void;

  /** Starts the update: the first Update Requests go out now. */
  constructor(private readonly o: AutostaticOptions<R>) {
    this.promise = new Promise<R>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    this.deadline = o.clock.setTimeout(
      () => this.fail(`${o.what}: no Update Response within ${o.timeoutMs} ms (peer down or not in demand mode)`),
      o.timeoutMs,
    );
    this.ask();
  }

  /** The neighbours that answered with a flushed table. */
  get answered(): ReadonlySet<string> {
    return this.answeredSet;
  }

  /** An Update Response from `neighbor` arrived (flush: the first of a full table). */
  responded(neighbor: string, flush: boolean): void {
    if (this.settled) return;
    if (flush) this.answeredSet.add(neighbor);
    if (!this.answeredSet.has(neighbor)) return;
    this.retransmit?.cancel();
    this.retransmit = undefined;
    this.deadline.cancel();
    this.quiet?.cancel();
    this.quiet = this.o.clock.setTimeout(() => this.complete(), this.o.quietMs);
  }

  /** Ends the update with ERROR_CAN_NOT_COMPLETE (interface down, protocol stopping). */
  fail(reason: string): void {
    if (this.settled) return;
    this.end();
    this.reject(new ProtocolError(ERROR_CAN_NOT_COMPLETE, reason));
  }

  private ask(): void {
    this.o.sendRequests();
    this.retransmit = this.o.clock.setTimeout(() => this.ask(), this.o.retransmitMs);
  }

  private complete(): void {
    this.end();
    this.o.finish(this.answeredSet).then(this.resolve, (err: Error) =>
      this.reject(new ProtocolError(ERROR_CAN_NOT_COMPLETE, `${this.o.what}: the routes did not reach RTM: ${err.message}`)));
  }

  private end(): void {
    this.settled = true;
    this.retransmit?.cancel();
    this.deadline.cancel();
    this.quiet?.cancel();
    this.o.done();
  }
}
