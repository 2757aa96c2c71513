import { describe, expect, it } from "vitest";
import { initialGcra, rateLimitAllow, throttleReserve, type GcraState } from "../../src/flow/gcra";
import { seededRandom } from "../e2e/harness/random";

const SECOND = 1000;
const DAY = 24 * 60 * 60 * SECOND;
const EPOCH = 1_767_225_600_000; // 2026-01-01, so rounding is tested at realistic magnitudes

/** Most values of a list that fit in some half-open window `[x, x + width)`. */
function maxInWindow(times: number[], width: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  let lo = 0;
  for (let hi = 0; hi < sorted.length; hi++) {
    while (sorted[hi]! - sorted[lo]! >= width) lo++;
    best = Math.max(best, hi - lo + 1);
  }
  return best;
}

/** Arrival times moving mostly forwards, with bursts, idle gaps and clock steps backwards. */
function arrivals(rand: () => number, count: number, periodMs: number): number[] {
  const out: number[] = [];
  let now = EPOCH;
  for (let i = 0; i < count; i++) {
    const r = rand();
    if (r < 0.4) now += 0;
    else if (r < 0.8) now += Math.floor(rand() * periodMs);
    else if (r < 0.9) now += Math.floor(rand() * periodMs * 20);
    else now -= Math.floor(rand() * periodMs * 3);
    out.push(now);
  }
  return out;
}

function reserveAll(times: number[], cfg: { limit: number; periodMs: number; burst?: number }) {
  let state = initialGcra();
  return times.map((now) => {
    const r = throttleReserve(state, now, cfg);
    state = r.state;
    return r.startAt;
  });
}

function allowAll(times: number[], cfg: { limit: number; periodMs: number }) {
  let state = initialGcra();
  return times.filter((now) => {
    const r = rateLimitAllow(state, now, cfg);
    state = r.state;
    return r.allowed;
  });
}

describe("throttleReserve", () => {
  it("starts an unused bucket at once", () => {
    expect(initialGcra()).toEqual({ tat: 0 });
    expect(throttleReserve(initialGcra(), EPOCH, { limit: 2, periodMs: 2 * SECOND }).startAt).toBe(EPOCH);
  });

  it("spaces six simultaneous runs one second apart at 2 per 2 s", () => {
    const starts = reserveAll(Array(6).fill(EPOCH), { limit: 2, periodMs: 2 * SECOND, burst: 0 });
    expect(starts.map((s) => s - EPOCH)).toEqual([0, 1000, 2000, 3000, 4000, 5000]);
    expect(maxInWindow(starts, 2 * SECOND)).toBe(2);
  });

  it("lets burst extra runs start together, then smooths", () => {
    const starts = reserveAll(Array(6).fill(EPOCH), { limit: 2, periodMs: 2 * SECOND, burst: 2 });
    expect(starts.map((s) => s - EPOCH)).toEqual([0, 0, 0, 1000, 2000, 3000]);
  });

  it("treats a limit of 0 as 1", () => {
    const starts = reserveAll([EPOCH, EPOCH], { limit: 0, periodMs: 5 * SECOND });
    expect(starts.map((s) => s - EPOCH)).toEqual([0, 5000]);
  });

  it("starts at the exact boundary when the previous interval has just elapsed", () => {
    const cfg = { limit: 1, periodMs: SECOND };
    const first = throttleReserve(initialGcra(), EPOCH, cfg);
    expect(throttleReserve(first.state, EPOCH + 999, cfg).startAt).toBe(EPOCH + 1000);
    expect(throttleReserve(first.state, EPOCH + 1000, cfg).startAt).toBe(EPOCH + 1000);
    expect(throttleReserve(first.state, EPOCH + 1001, cfg).startAt).toBe(EPOCH + 1001);
  });

  it("never returns a time before now", () => {
    const rand = seededRandom(7);
    let state = initialGcra();
    for (const now of arrivals(rand, 2000, 3000)) {
      const r = throttleReserve(state, now, { limit: 3, periodMs: 3000, burst: 1 });
      expect(r.startAt).toBeGreaterThanOrEqual(now);
      state = r.state;
    }
  });

  it("keeps no credit beyond the burst after a huge idle gap", () => {
    const cfg = { limit: 2, periodMs: 2 * SECOND, burst: 1 };
    const later = EPOCH + 400 * DAY;
    const starts = reserveAll([EPOCH, later, later, later, later], cfg);
    expect(starts.map((s) => s - later)).toEqual([-400 * DAY, 0, 0, 1000, 2000]);
  });

  it("keeps earlier reservations' places when the clock steps backwards", () => {
    const cfg = { limit: 2, periodMs: 2 * SECOND };
    const starts = reserveAll([EPOCH, EPOCH, EPOCH - 60 * SECOND, EPOCH - 60 * SECOND], cfg);
    expect(starts.map((s) => s - EPOCH)).toEqual([0, 1000, 2000, 3000]);
    expect(maxInWindow(starts, cfg.periodMs)).toBe(2);
  });

  it("spaces starts by 7 days at 1 per 7 d", () => {
    const starts = reserveAll([EPOCH, EPOCH, EPOCH + DAY], { limit: 1, periodMs: 7 * DAY });
    expect(starts.map((s) => s - EPOCH)).toEqual([0, 7 * DAY, 14 * DAY]);
  });

  it("rounds a non-dividing interval up and never fits more than the limit in a second", () => {
    const starts = reserveAll(Array(7).fill(EPOCH), { limit: 3, periodMs: SECOND });
    expect(starts.map((s) => s - EPOCH)).toEqual([0, 334, 667, 1001, 1334, 1667, 2001]);
    expect(maxInWindow(starts, SECOND)).toBe(3);
  });

  it("lets several starts share a millisecond when the interval is below 1 ms", () => {
    const starts = reserveAll(Array(9).fill(EPOCH), { limit: 3000, periodMs: SECOND });
    expect(starts.map((s) => s - EPOCH)).toEqual([0, 1, 1, 2, 2, 2, 3, 3, 3]);
    expect(maxInWindow(starts, SECOND)).toBeLessThanOrEqual(3000);
  });

  it("holds the configured rate over a long backlog within 0.1 %", () => {
    const starts = reserveAll(Array(3001).fill(EPOCH), { limit: 3, periodMs: SECOND });
    const span = starts[3000]! - starts[0]!;
    expect(span).toBeGreaterThanOrEqual(1_000_000);
    expect(span).toBeLessThan(1_001_000);
    expect(maxInWindow(starts, SECOND)).toBe(3);
  });

  it("never fits more than limit + burst starts in any period window (random arrivals)", () => {
    const rand = seededRandom(42);
    for (let round = 0; round < 200; round++) {
      const limit = 1 + Math.floor(rand() * 12);
      const burst = rand() < 0.5 ? 0 : Math.floor(rand() * 4);
      const periodMs = rand() < 0.5 ? SECOND * (1 + Math.floor(rand() * 10)) : 1 + Math.floor(rand() * 100_000);
      const starts = reserveAll(arrivals(rand, 300, periodMs), { limit, periodMs, burst });
      expect(maxInWindow(starts, periodMs)).toBeLessThanOrEqual(limit + burst);
    }
  });

  it("keeps an exact, JSON-stable tat through thousands of fractional intervals", () => {
    let state: GcraState = initialGcra();
    for (let i = 0; i < 5000; i++) {
      state = JSON.parse(JSON.stringify(throttleReserve(state, EPOCH, { limit: 7, periodMs: SECOND }).state)) as GcraState;
    }
    // 5000 intervals of ceil(1024000 / 7) / 1024 ms, computed exactly.
    expect(state.tat).toBe(EPOCH + (5000 * Math.ceil(1_024_000 / 7)) / 1024);
  });

  it("does not mutate its input", () => {
    const state = Object.freeze({ tat: EPOCH });
    throttleReserve(state, EPOCH, { limit: 1, periodMs: SECOND });
    expect(state).toEqual({ tat: EPOCH });
  });
});

describe("rateLimitAllow", () => {
  it("allows 1 of 3 simultaneous events at 1 per 60 s, and another after 60 s", () => {
    const cfg = { limit: 1, periodMs: 60 * SECOND };
    expect(allowAll([EPOCH, EPOCH, EPOCH], cfg)).toEqual([EPOCH]);
    let state = rateLimitAllow(initialGcra(), EPOCH, cfg).state;
    expect(rateLimitAllow(state, EPOCH + 59_999, cfg).allowed).toBe(false);
    const later = rateLimitAllow(state, EPOCH + 60_000, cfg);
    expect(later.allowed).toBe(true);
    state = later.state;
    expect(rateLimitAllow(state, EPOCH + 60_001, cfg).allowed).toBe(false);
  });

  it("allows limit events at once, then one per period / limit", () => {
    const cfg = { limit: 4, periodMs: 4 * SECOND };
    const times = [EPOCH, EPOCH, EPOCH, EPOCH, EPOCH, EPOCH + 999, EPOCH + 1000, EPOCH + 1000];
    expect(allowAll(times, cfg).map((t) => t - EPOCH)).toEqual([0, 0, 0, 0, 1000]);
  });

  it("still allows exactly limit at once when the limit does not divide the period", () => {
    const allowed = allowAll(Array(5).fill(EPOCH), { limit: 3, periodMs: SECOND });
    expect(allowed).toHaveLength(3);
  });

  it("leaves the state unchanged when it denies", () => {
    const cfg = { limit: 1, periodMs: SECOND };
    const state = rateLimitAllow(initialGcra(), EPOCH, cfg).state;
    const denied = rateLimitAllow(state, EPOCH + 10, cfg);
    expect(denied.allowed).toBe(false);
    expect(denied.state).toEqual(state);
  });

  it("allows nothing with a limit of 0", () => {
    expect(allowAll([EPOCH, EPOCH + DAY], { limit: 0, periodMs: SECOND })).toEqual([]);
  });

  it("allows no more after the clock steps backwards", () => {
    const cfg = { limit: 2, periodMs: 10 * SECOND };
    const allowed = allowAll([EPOCH, EPOCH, EPOCH - 60 * SECOND, EPOCH - 60 * SECOND, EPOCH + 5 * SECOND], cfg);
    expect(allowed.map((t) => t - EPOCH)).toEqual([0, 0, 5000]);
  });

  it("starts afresh after a huge gap without banking capacity", () => {
    const cfg = { limit: 2, periodMs: DAY };
    const later = EPOCH + 300 * DAY;
    expect(allowAll([EPOCH, later, later, later], cfg)).toEqual([EPOCH, later, later]);
  });

  it("handles 24 h and 1 s periods at their boundaries", () => {
    const day = { limit: 1, periodMs: DAY };
    const first = rateLimitAllow(initialGcra(), EPOCH, day).state;
    expect(rateLimitAllow(first, EPOCH + DAY - 1, day).allowed).toBe(false);
    expect(rateLimitAllow(first, EPOCH + DAY, day).allowed).toBe(true);
    const second = { limit: 1, periodMs: SECOND };
    const s = rateLimitAllow(initialGcra(), EPOCH, second).state;
    expect(rateLimitAllow(s, EPOCH + 999, second).allowed).toBe(false);
    expect(rateLimitAllow(s, EPOCH + 1000, second).allowed).toBe(true);
  });

  it("never allows more than limit at an instant nor 2·limit − 1 in a period window (random arrivals)", () => {
    const rand = seededRandom(1234);
    for (let round = 0; round < 200; round++) {
      const limit = 1 + Math.floor(rand() * 10);
      const periodMs = rand() < 0.5 ? SECOND * (1 + Math.floor(rand() * 60)) : 1 + Math.floor(rand() * 100_000);
      const allowed = allowAll(arrivals(rand, 300, periodMs), { limit, periodMs });
      expect(maxInWindow(allowed, 1)).toBeLessThanOrEqual(limit);
      expect(maxInWindow(allowed, periodMs)).toBeLessThanOrEqual(2 * limit - 1);
    }
  });
});
