import { describe, expect, it } from "vitest";
import { parseTimestampMs } from "../../src/time/timestamp";

describe("parseTimestampMs", () => {
  const at = Date.UTC(2026, 7, 22, 10, 0, 0);

  it("reads RFC 3339 timestamps with Z, offsets, and fractions", () => {
    expect(parseTimestampMs("2026-08-22T10:00:00Z")).toBe(at);
    expect(parseTimestampMs("2026-08-22T10:00:00.250Z")).toBe(at + 250);
    expect(parseTimestampMs("2026-08-22T10:00:00.123456789Z")).toBe(at + 123);
    expect(parseTimestampMs("2026-08-22T12:00:00+02:00")).toBe(at);
    expect(parseTimestampMs("2026-08-22T05:30:00-0430")).toBe(at);
    expect(parseTimestampMs("2026-08-22 10:00:00Z")).toBe(at);
  });

  it("reads dates, minute-precision times and zone-less times as UTC", () => {
    expect(parseTimestampMs("2026-08-22")).toBe(Date.UTC(2026, 7, 22));
    expect(parseTimestampMs("2026-08-22T10:00")).toBe(at);
    expect(parseTimestampMs("2026-08-22T10:00:00")).toBe(at);
  });

  it("reads HTTP dates", () => {
    expect(parseTimestampMs("Sat, 22 Aug 2026 10:00:00 GMT")).toBe(at);
  });

  it("returns undefined for anything else", () => {
    for (const input of ["", "1h", "120", "tomorrow", "2026-13-01T00:00:00Z", "22/08/2026", "1w2d3h4m5s"]) {
      expect(parseTimestampMs(input), input).toBeUndefined();
    }
  });
});
