// SPF throttling: a change schedules a run after `delay`; runs are at least `hold` apart, and
// the hold doubles (up to `maxHold`) while changes keep coming, so a flapping link does not
// recompute on every packet; a quiet period as long as the hold resets it. (FRR's and
// Cisco's "timers throttle spf delay hold max" behave the same way.)
import type { Clock, TimerHandle } from '../distance-vector/timers.js';

export interface ThrottleTimes {
  delayMs: number;
  holdMs: number;
  maxHoldMs: number;
}

export class SpfThrottle {
  private timer: TimerHandle | undefined;
  private lastRunAt = -Infinity;
  private hold: number;
  private reasons = new Set<string>();
  /** Requests folded into a scheduled run (for the MIB). */
  coalesced = 0;

  constructor(private readonly clock: Clock, private times: ThrottleTimes, private readonly run: (reasons: string[]) => void) {
    this.hold = times.holdMs;
  }

  get pending(): boolean {
    return this.timer !== undefined;
  }

  /** When the scheduled run will happen (clock time), or undefined. */
  dueAt: number | undefined;

  configure(times: ThrottleTimes): void {
    this.times = times;
    this.hold = Math.min(Math.max(this.hold, times.holdMs), times.maxHoldMs);
  }

  /** Something that affects routes changed. */
  request(reason: string): void {
    this.reasons.add(reason);
    if (this.timer) {
      this.coalesced++;
      return;
    }
    const now = this.clock.now();
    const since = now - this.lastRunAt;
    if (since >= this.hold) this.hold = this.times.holdMs; // quiet for a hold: back to the initial one
    const wait = Math.max(this.times.delayMs, this.hold - since);
    this.dueAt = now + wait;
    this.timer = this.clock.setTimeout(() => this.fire(), wait);
  }

  private fire(): void {
    this.timer = undefined;
    this.dueAt = undefined;
    const now = this.clock.now();
    // Another change within the hold after a run: hold longer next time.
    if (now - this.lastRunAt < this.hold * 2) this.hold = Math.min(this.hold * 2, this.times.maxHoldMs);
    this.lastRunAt = now;
    const reasons = [...this.reasons];
    this.reasons.clear();
    this.run(reasons);
  }

  /** The hold now in force. */
  get currentHoldMs(): number {
    return this.hold;
  }

  stop(): void {
    this.timer?.cancel();
    this.timer = undefined;
    this.dueAt = undefined;
  }
}
