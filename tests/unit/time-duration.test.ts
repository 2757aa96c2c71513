import { describe, expect, it } from "vitest";
import { MAX_SLEEP_MS } from "../../src/constants";
import { DurationError, parseDurationMs, resolveWakeTime } from "../../src/time/duration";

const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;

describe("parseDurationMs", () => {
  it("reads every Go-style unit", () => {
    expect(parseDurationMs("1500000ns")).toBe(2);
    expect(parseDurationMs("2500us")).toBe(3);
    expect(parseDurationMs("2500µs")).toBe(3);
    expect(parseDurationMs("2500μs")).toBe(3);
    expect(parseDurationMs("500ms")).toBe(500);
    expect(parseDurationMs("10s")).toBe(10 * S);
    expect(parseDurationMs("5m")).toBe(5 * M);
    expect(parseDurationMs("2h")).toBe(2 * H);
    expect(parseDurationMs("3d")).toBe(3 * D);
    expect(parseDurationMs("2w")).toBe(14 * D);
  });

  it("adds up compound strings, as the SDK writes sleeps", () => {
    expect(parseDurationMs("1w2d3h4m5s")).toBe(7 * D + 2 * D + 3 * H + 4 * M + 5 * S);
    expect(parseDurationMs("1h30m")).toBe(90 * M);
    expect(parseDurationMs("1h 30m")).toBe(90 * M);
    expect(parseDurationMs("1m500ms")).toBe(M + 500);
  });

  it("accepts fractions", () => {
    expect(parseDurationMs("1.5h")).toBe(90 * M);
    expect(parseDurationMs(".5s")).toBe(500);
  });

  it("accepts ms-library phrases", () => {
    expect(parseDurationMs("1 hour")).toBe(H);
    expect(parseDurationMs("2 days")).toBe(2 * D);
    expect(parseDurationMs("30 minutes")).toBe(30 * M);
    expect(parseDurationMs("1 week")).toBe(7 * D);
    expect(parseDurationMs("5 secs")).toBe(5 * S);
    expect(parseDurationMs("2 hrs")).toBe(2 * H);
    expect(parseDurationMs("1y")).toBe(365.25 * D);
    expect(parseDurationMs(" 10 Seconds ")).toBe(10 * S);
  });

  it("accepts zero", () => {
    expect(parseDurationMs("0")).toBe(0);
    expect(parseDurationMs("0s")).toBe(0);
  });

  it("throws a DurationError carrying the input for anything else", () => {
    for (const input of ["", "  ", "abc", "10", "1x", "h", "1h30", "-1h", "1h-", "1 fortnight", "1..5h", "1h,2m"]) {
      let thrown: unknown;
      try {
        parseDurationMs(input);
      } catch (error) {
        thrown = error;
      }
      expect(thrown, input).toBeInstanceOf(DurationError);
      expect((thrown as DurationError).input).toBe(input);
      expect((thrown as DurationError).name).toBe("DurationError");
    }
  });
});

describe("resolveWakeTime", () => {
  const now = Date.UTC(2026, 7, 22, 10, 0, 0);

  it("adds a duration to now", () => {
    expect(resolveWakeTime("1h30m", now)).toBe(now + 90 * M);
    expect(resolveWakeTime("1w2d3h4m5s", now)).toBe(now + 9 * D + 3 * H + 4 * M + 5 * S);
  });

  it("reads a future ISO timestamp, as step.sleepUntil sends it", () => {
    const at = new Date(now + 3 * D).toISOString();
    expect(resolveWakeTime(at, now)).toBe(now + 3 * D);
    expect(resolveWakeTime("2026-08-22T12:30:00+02:00", now)).toBe(now + 30 * M);
    expect(resolveWakeTime("2026-08-23", now)).toBe(Date.UTC(2026, 7, 23));
  });

  it("reads a timestamp without a zone as UTC", () => {
    expect(resolveWakeTime("2026-08-22T11:00:00", now)).toBe(now + H);
  });

  it("wakes a past timestamp or an empty duration at once", () => {
    expect(resolveWakeTime("2020-01-01T00:00:00.000Z", now)).toBe(now);
    // step.sleep(0) reaches the server as a Sleep op with name "".
    expect(resolveWakeTime("", now)).toBe(now);
  });

  it("clamps to the maximum sleep", () => {
    expect(resolveWakeTime("400d", now)).toBe(now + MAX_SLEEP_MS);
    expect(resolveWakeTime("2030-01-01T00:00:00Z", now)).toBe(now + MAX_SLEEP_MS);
    expect(MAX_SLEEP_MS).toBe(366 * D);
  });

  it("throws a DurationError for a string that is neither", () => {
    expect(() => resolveWakeTime("next tuesday", now)).toThrow(DurationError);
    expect(() => resolveWakeTime("2026-99-99T00:00:00Z", now)).toThrow(DurationError);
  });
});
