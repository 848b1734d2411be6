// Time for the distance-vector protocols (RIPv2 and RIPng): an injectable clock (the system's, or a fake one tests advance by
// hand), the periodic update timer with jitter (RFC 2453 §3.8) and the triggered-update rate
// limiter (RFC 2453 §3.10.1). Nothing here reads Date.now or setTimeout directly, so every
// timer-driven behaviour is testable in zero wall time.

export interface TimerHandle {
  cancel(): void;
}

export interface Clock {
  /** Milliseconds, monotonic. */
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  /** Uniform in [0, 1): jitter; injectable so tests are deterministic. */
  random(): number;
}

export const systemClock: Clock = {
  now: () => performance.now(),
  setTimeout(fn, ms) {
    const t = setTimeout(fn, Math.max(0, ms));
    t.unref?.();
    return { cancel: () => clearTimeout(t) };
  },
  random: Math.random,
};

/**
 * A clock that only moves when told. Timers fire in deadline order (then creation order)
 * during advance(); a timer scheduled by a firing timer fires in the same advance() if due.
 */
export class FakeClock implements Clock {
  private t = 0;
  private seq = 0;
  private readonly timers = new Map<number, { at: number; fn: () => void }>();
  private rnd: () => number;

  constructor(opts: { start?: number; random?: () => number } = {}) {
    this.t = opts.start ?? 0;
    this.rnd = opts.random ?? (() => 0.5);
  }

  now(): number {
    return this.t;
  }

  random(): number {
    return this.rnd();
  }

  setRandom(fn: () => number): void {
    this.rnd = fn;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const id = ++this.seq;
    this.timers.set(id, { at: this.t + Math.max(0, ms), fn });
    return { cancel: () => this.timers.delete(id) };
  }

  /** Number of scheduled timers. */
  get pending(): number {
    return this.timers.size;
  }

  /** The next deadline, or undefined. */
  nextAt(): number | undefined {
    let best: number | undefined;
    for (const { at } of this.timers.values()) if (best === undefined || at < best) best = at;
    return best;
  }

  advance(ms: number): void {
    const until = this.t + ms;
    for (;;) {
      let next: [number, { at: number; fn: () => void }] | undefined;
      for (const entry of this.timers) {
        if (entry[1].at <= until && (!next || entry[1].at < next[1].at || (entry[1].at === next[1].at && entry[0] < next[0]))) next = entry;
      }
      if (!next) break;
      this.timers.delete(next[0]);
      this.t = Math.max(this.t, next[1].at);
      next[1].fn();
    }
    this.t = until;
  }
}

/** A uniformly random duration in [base - spread, base + spread], never negative. */
export function jittered(clock: Clock, baseMs: number, spreadMs: number): number {
  return Math.max(0, baseMs - spreadMs + clock.random() * 2 * spreadMs);
}

/**
 * The 30-second update timer. RFC 2453 §3.8: each interval is offset by a small random
 * amount so that routers on a LAN do not synchronise; the jitter is a fraction of the period.
 */
export class PeriodicTimer {
  private handle: TimerHandle | undefined;
  private dueAt: number | undefined;

  constructor(
    private readonly clock: Clock,
    private periodMs: number,
    private jitterFraction: number,
    private readonly fire: () => void,
  ) {}

  get running(): boolean {
    return this.handle !== undefined;
  }

  /** When the next update is due (clock time), or undefined when stopped. */
  get nextAt(): number | undefined {
    return this.dueAt;
  }

  /** Starts (or restarts) the timer; the first update comes after `firstDelayMs` if given. */
  start(firstDelayMs?: number): void {
    this.stop();
    this.schedule(firstDelayMs ?? this.interval());
  }

  stop(): void {
    this.handle?.cancel();
    this.handle = undefined;
    this.dueAt = undefined;
  }

  /** New period or jitter: takes effect now if the pending interval would run past it. */
  configure(periodMs: number, jitterFraction: number): void {
    const changed = periodMs !== this.periodMs || jitterFraction !== this.jitterFraction;
    this.periodMs = periodMs;
    this.jitterFraction = jitterFraction;
    if (changed && this.running && this.dueAt! - this.clock.now() > periodMs) this.start();
  }

  private interval(): number {
    return jittered(this.clock, this.periodMs, this.periodMs * this.jitterFraction);
  }

  private schedule(ms: number): void {
    this.dueAt = this.clock.now() + ms;
    this.handle = this.clock.setTimeout(() => {
      this.schedule(this.interval());
      this.fire();
    }, ms);
  }
}

/**
 * RFC 2453 §3.10.1: after a triggered update, wait a random 1–5 s before the next one; changes
 * in between are sent together when the hold-down ends. A regular update that goes out while
 * one is pending makes it unnecessary (cancelPending).
 */
export class TriggeredUpdateLimiter {
  private holdUntil = -Infinity;
  private handle: TimerHandle | undefined;

  constructor(
    private readonly clock: Clock,
    private minMs: number,
    private maxMs: number,
    private readonly fire: () => void,
  ) {}

  get pending(): boolean {
    return this.handle !== undefined;
  }

  configure(minMs: number, maxMs: number): void {
    this.minMs = minMs;
    this.maxMs = Math.max(minMs, maxMs);
  }

  /** A change happened: send now if not held down, else once the hold-down ends. */
  request(): void {
    if (this.handle) return;
    const wait = this.holdUntil - this.clock.now();
    // Fire on a timer even when not held down: changes made in the same turn go out together.
    this.handle = this.clock.setTimeout(() => this.send(), Math.max(0, wait));
  }

  /** A regular update covered everything pending. */
  cancelPending(): void {
    this.handle?.cancel();
    this.handle = undefined;
  }

  stop(): void {
    this.cancelPending();
    this.holdUntil = -Infinity;
  }

  private send(): void {
    this.handle = undefined;
    this.holdUntil = this.clock.now() + this.minMs + this.clock.random() * (this.maxMs - this.minMs);
    this.fire();
  }
}
