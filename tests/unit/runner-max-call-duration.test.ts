import { describe, expect, it } from "vitest";
import {
  ALARM_FLUSH_ALLOWANCE_MS,
  ALARM_WORK_BUDGET_MS,
  CALL_LEASE_MS,
  CALL_LEASE_RENEW_MS,
  CONCURRENCY_LEASE_MS,
  CONCURRENCY_RENEW_MS,
  MAX_CALL_DURATION_MS,
  PLATFORM_INVOCATION_WALL_MS,
  SWEEP_OVERDUE_MS,
} from "../../src/constants";
import { maxCallDurationMs } from "../../src/runner/max-call-duration";

describe("the longest call", () => {
  it("fits one alarm invocation: calls start within the work budget and end within the wall limit", () => {
    expect(ALARM_WORK_BUDGET_MS + MAX_CALL_DURATION_MS + ALARM_FLUSH_ALLOWANCE_MS).toBeLessThanOrEqual(PLATFORM_INVOCATION_WALL_MS);
  });

  it("renews leases well before they run out, and sweeps only runs no alarm can still be busy with", () => {
    // A slot renewed by a timer tick can wait at most one slot interval plus one tick.
    expect(CONCURRENCY_RENEW_MS + CALL_LEASE_RENEW_MS).toBeLessThan(CONCURRENCY_LEASE_MS);
    expect(CALL_LEASE_RENEW_MS).toBeLessThan(CALL_LEASE_MS);
    expect(SWEEP_OVERDUE_MS).toBeGreaterThanOrEqual(PLATFORM_INVOCATION_WALL_MS);
  });

  it("is the default unless STEPFLARE_MAX_STEP_DURATION lowers it", () => {
    expect(maxCallDurationMs({})).toBe(MAX_CALL_DURATION_MS);
    expect(maxCallDurationMs({ STEPFLARE_MAX_STEP_DURATION: "5m" })).toBe(5 * 60 * 1000);
    expect(maxCallDurationMs({ STEPFLARE_MAX_STEP_DURATION: " 3s " })).toBe(3_000);
  });

  it("is never raised past the default, and ignores a value that is not a duration", () => {
    expect(maxCallDurationMs({ STEPFLARE_MAX_STEP_DURATION: "2h" })).toBe(MAX_CALL_DURATION_MS);
    expect(maxCallDurationMs({ STEPFLARE_MAX_STEP_DURATION: "soon" })).toBe(MAX_CALL_DURATION_MS);
  });
});
