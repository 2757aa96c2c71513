import { describe, expect, it } from "vitest";
import { PRIORITY_MAX_SECONDS } from "../../src/constants";
import { clampPriority } from "../../src/flow/priority";

describe("clampPriority", () => {
  it("keeps integers within range", () => {
    expect(clampPriority(0)).toBe(0);
    expect(clampPriority(120)).toBe(120);
    expect(clampPriority(-45)).toBe(-45);
    expect(clampPriority(600)).toBe(600);
    expect(clampPriority(-600)).toBe(-600);
  });

  it("clamps to ±600 seconds", () => {
    expect(PRIORITY_MAX_SECONDS).toBe(600);
    expect(clampPriority(601)).toBe(600);
    expect(clampPriority(43_200)).toBe(600);
    expect(clampPriority(-1e12)).toBe(-600);
  });

  it("accepts CEL int bigints", () => {
    expect(clampPriority(30n)).toBe(30);
    expect(clampPriority(10_000_000_000_000_000_000n)).toBe(600);
    expect(clampPriority(-601n)).toBe(-600);
  });

  it("treats non-integers, non-numbers and errors as 0", () => {
    for (const value of [1.5, -0.1, Number.NaN, Infinity, -Infinity, "100", null, undefined, true, {}, [5], new Error("boom")]) {
      expect(clampPriority(value)).toBe(0);
    }
  });

  it("normalises -0 to 0", () => {
    expect(Object.is(clampPriority(-0), 0)).toBe(true);
  });
});
