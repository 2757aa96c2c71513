import { describe, expect, it } from "vitest";
import { DEFAULT_RETRIES, MAX_RETRIES, MAX_RETRY_DELAY_MS, MIN_RETRY_DELAY_MS, RETRY_BACKOFF_MS, RETRY_JITTER_MS } from "../../src/constants";
import { maxAttemptsFor, retryDelayMs } from "../../src/protocol/backoff";

const noJitter = () => 0;

describe("retryDelayMs", () => {
  it("follows the backoff table by attempt", () => {
    expect(retryDelayMs(0, noJitter)).toBe(15_000);
    expect(retryDelayMs(1, noJitter)).toBe(30_000);
    expect(retryDelayMs(4, noJitter)).toBe(300_000);
    expect(RETRY_BACKOFF_MS.map((_, attempt) => retryDelayMs(attempt, noJitter))).toEqual([...RETRY_BACKOFF_MS]);
  });

  it("caps the index at the last entry and treats a negative attempt as the first", () => {
    const last = RETRY_BACKOFF_MS[RETRY_BACKOFF_MS.length - 1];
    expect(retryDelayMs(RETRY_BACKOFF_MS.length, noJitter)).toBe(last);
    expect(retryDelayMs(1_000, noJitter)).toBe(last);
    expect(retryDelayMs(-3, noJitter)).toBe(RETRY_BACKOFF_MS[0]);
  });

  it("adds jitter in [0, RETRY_JITTER_MS)", () => {
    expect(retryDelayMs(0, () => 0.5)).toBe(15_000 + RETRY_JITTER_MS / 2);
    expect(retryDelayMs(0, () => 0.999999)).toBe(15_000 + RETRY_JITTER_MS - 1);
    for (let i = 0; i < 200; i++) {
      const delay = retryDelayMs(2, Math.random);
      expect(delay).toBeGreaterThanOrEqual(60_000);
      expect(delay).toBeLessThan(60_000 + RETRY_JITTER_MS);
    }
  });

  it("uses a Retry-After delay instead of the table, without jitter", () => {
    expect(retryDelayMs(0, () => 0.9, 90_000)).toBe(90_000);
    expect(retryDelayMs(9, () => 0.9, 5_000)).toBe(5_000);
  });

  it("clamps Retry-After delays to [MIN_RETRY_DELAY_MS, MAX_RETRY_DELAY_MS]", () => {
    expect(retryDelayMs(0, noJitter, 0)).toBe(MIN_RETRY_DELAY_MS);
    expect(retryDelayMs(0, noJitter, 7 * 24 * 3_600_000)).toBe(MAX_RETRY_DELAY_MS);
  });
});

describe("maxAttemptsFor", () => {
  it("is retries plus the first attempt, defaulting the retries", () => {
    expect(maxAttemptsFor(undefined)).toBe(DEFAULT_RETRIES + 1);
    expect(maxAttemptsFor(0)).toBe(1);
    expect(maxAttemptsFor(3)).toBe(4);
  });

  it("clamps the retries to [0, MAX_RETRIES]", () => {
    expect(maxAttemptsFor(-1)).toBe(1);
    expect(maxAttemptsFor(MAX_RETRIES + 5)).toBe(MAX_RETRIES + 1);
    expect(maxAttemptsFor(Number.NaN)).toBe(DEFAULT_RETRIES + 1);
  });
});
