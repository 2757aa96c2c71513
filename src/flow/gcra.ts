/**
 * The Generic Cell Rate Algorithm over a theoretical arrival time (`tat`, epoch ms), used for
 * throttle (runs are delayed, never dropped) and rate limit (runs beyond the limit are skipped).
 * @module
 */

/** GCRA state: the theoretical arrival time of the next conforming start, in ms. */
export type GcraState = { tat: number };

/** Throttle settings: `limit` starts per `periodMs`, plus `burst` extra starts at once. */
export interface ThrottleConfig {
  limit: number;
  periodMs: number;
  burst?: number;
}

/** Rate-limit settings: `limit` runs per `periodMs`. */
export interface RateLimitConfig {
  limit: number;
  periodMs: number;
}

/**
 * Emission intervals are rounded up to a multiple of 1/1024 ms. Every `tat` is then an integer
 * plus a multiple of 2^-10, which a double holds exactly up to 2^43 ms (the year 2248), so long
 * backlogs never drift through rounding and never start one run early. Rounding up only slows
 * the rate, by at most 1/1024 ms per start.
 */
const QUANTA_PER_MS = 1024;

/** A bucket that has never been used. */
export function initialGcra(): GcraState {
  return { tat: 0 };
}

/** The spacing between starts, `periodMs / limit` rounded up to the quantum. */
function emissionInterval(periodMs: number, limit: number): number {
  return Math.max(1, Math.ceil((periodMs * QUANTA_PER_MS) / limit)) / QUANTA_PER_MS;
}

/**
 * Reserves a throttled start at or after `now` and returns when it may happen. Never refuses:
 * excess runs are scheduled later, one every `periodMs / limit`, with `burst` extra starts
 * allowed back to back. Invariant: any window of `periodMs` holds at most `limit + burst`
 * returned start times, whatever the arrival order, and even if `now` goes backwards after a
 * restart (`tat` never decreases, so earlier reservations keep their places). A `limit` below 1
 * is treated as 1, as Inngest does.
 */
export function throttleReserve(state: GcraState, now: number, cfg: ThrottleConfig): { state: GcraState; startAt: number } {
  const limit = Math.max(1, Math.floor(cfg.limit));
  const interval = emissionInterval(cfg.periodMs, limit);
  const tolerance = Math.max(0, Math.floor(cfg.burst ?? 0)) * interval;
  const at = Math.ceil(now);
  const start = Math.max(at, state.tat - tolerance);
  // The schedule itself stays fractional so several starts can share one millisecond; only the
  // reported time is rounded up, which never moves a start earlier.
  return { state: { tat: Math.max(state.tat, at) + interval }, startAt: Math.ceil(start) };
}

/**
 * Decides whether a rate-limited run may start at `now`; denied runs leave the state unchanged.
 * Up to `limit` runs are allowed at once, then capacity refills at one run per `periodMs / limit`.
 * Invariant: at most `limit` runs are allowed at any instant and at most `2·limit − 1` in any
 * window of `periodMs` (exactly one per period when `limit` is 1); a clock that goes backwards
 * never allows more, since `tat` only grows. A `limit` below 1 allows nothing.
 */
export function rateLimitAllow(state: GcraState, now: number, cfg: RateLimitConfig): { state: GcraState; allowed: boolean } {
  const limit = Math.floor(cfg.limit);
  if (!(limit >= 1)) return { state, allowed: false };
  const interval = emissionInterval(cfg.periodMs, limit);
  // `(limit − 1) · interval` rather than `periodMs − interval`: equal when `limit` divides the
  // period, and otherwise still lets exactly `limit` runs through at once despite the rounding.
  const tolerance = (limit - 1) * interval;
  if (now < state.tat - tolerance) return { state, allowed: false };
  return { state: { tat: Math.max(state.tat, Math.ceil(now)) + interval }, allowed: true };
}
