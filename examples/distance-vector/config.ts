// The global configuration fields RIPv2's and RIPng's blocks share, in their order (each
// protocol's struct spreads them first, so the C layout is the same in both): logging, RTM
// preference, the RFC 2453 §3.8 / RFC 2080 §2.3 timers, connected routes, redistribution.
import { bool32, list, u32 } from '../../lib/config/schema.js';

export const speakerGlobalFields = {
  /** 0 error, 1 warn, 2 info, 3 debug. */
  loggingLevel: u32({ default: 2, max: 3 }),
  /** RTM preference of learned routes; 0 = the library's configured default. */
  preference: u32(),
  /** 30 s between regular updates. */
  updateIntervalMs: u32({ default: 30_000, min: 1_000, max: 3_600_000 }),
  /** Each interval is period ± period·jitterPercent/100 (the random offset of RFC 2453 §3.8). */
  jitterPercent: u32({ default: 15, max: 50 }),
  /** A route not refreshed for this long becomes unreachable (180 s). */
  routeTimeoutMs: u32({ default: 180_000, min: 1_000, max: 3_600_000 }),
  /** An unreachable route is advertised with metric 16 this long, then removed (120 s). */
  garbageMs: u32({ default: 120_000, min: 1_000, max: 3_600_000 }),
  /** Hold-down after a triggered update: random in [min, max] (1–5 s). */
  triggeredMinMs: u32({ default: 1_000, max: 60_000 }),
  triggeredMaxMs: u32({ default: 5_000, max: 60_000 }),
  /** Announce the prefixes of the interfaces the protocol runs on (never loopback or link-local). */
  announceConnected: bool32({ default: true }),
  /**
   * Protocol ids whose RTM best routes are redistributed (e.g. 10006 static, 2 local);
   * REDISTRIBUTE_ANY (0xFFFFFFFF) = every other protocol's best routes.
   */
  redistribute: list(u32(), 8),
};

/** Cross-field check of the shared fields; returns the problems (empty = valid). */
export function timerProblems(g: { triggeredMinMs: number; triggeredMaxMs: number }): string[] {
  return g.triggeredMinMs > g.triggeredMaxMs ? [`triggeredMinMs ${g.triggeredMinMs} > triggeredMaxMs ${g.triggeredMaxMs}`] : [];
}
