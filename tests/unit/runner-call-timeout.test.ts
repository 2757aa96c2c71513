import { describe, expect, it, vi } from "vitest";
import { CALL_TIMEOUT_MS, MIN_CALL_TIMEOUT_MS } from "../../src/constants";
import { callTimeoutMs } from "../../src/runner/call-timeout";

describe("callTimeoutMs (STEPFLARE_CALL_TIMEOUT)", () => {
  it("is CALL_TIMEOUT_MS when unset or blank", () => {
    expect(callTimeoutMs({})).toBe(CALL_TIMEOUT_MS);
    expect(callTimeoutMs({ STEPFLARE_CALL_TIMEOUT: "  " })).toBe(CALL_TIMEOUT_MS);
  });

  it("takes a duration, which can only shorten the limit and never below the minimum", () => {
    expect(callTimeoutMs({ STEPFLARE_CALL_TIMEOUT: "3s" })).toBe(3_000);
    expect(callTimeoutMs({ STEPFLARE_CALL_TIMEOUT: "10m" })).toBe(600_000);
    expect(callTimeoutMs({ STEPFLARE_CALL_TIMEOUT: "1000h" })).toBe(CALL_TIMEOUT_MS);
    expect(callTimeoutMs({ STEPFLARE_CALL_TIMEOUT: "10ms" })).toBe(MIN_CALL_TIMEOUT_MS);
  });

  it("reports and ignores a value that is not a duration", () => {
    const error = vi.spyOn(console, "error").mockImplementation(() => {});
    expect(callTimeoutMs({ STEPFLARE_CALL_TIMEOUT: "soon" })).toBe(CALL_TIMEOUT_MS);
    expect(error).toHaveBeenCalledWith(expect.stringContaining('STEPFLARE_CALL_TIMEOUT="soon"'));
    error.mockRestore();
  });
});
