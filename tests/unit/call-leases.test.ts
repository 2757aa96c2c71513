import { describe, expect, it } from "vitest";
import { CALL_LEASE_MAX_MS, CALL_LEASE_MS, CALL_LEASE_RENEW_MS } from "../../src/constants";
import { CallLeases, leaseLength } from "../../src/runner/call-leases";

/** Ticks the renewal timer every CALL_LEASE_RENEW_MS for `ms` over one call; returns the leases written. */
function renewalsOver(ms: number): { at: number; until: number }[] {
  const leases = new CallLeases();
  leases.sent(["c"], 0);
  const written: { at: number; until: number }[] = [];
  for (let now = CALL_LEASE_RENEW_MS; now <= ms; now += CALL_LEASE_RENEW_MS) {
    const { targets, length } = leases.due(["c"], now);
    if (targets.length > 0) written.push({ at: now, until: now + length });
  }
  return written;
}

describe("call leases", () => {
  it("a lease grows with the call's age, from CALL_LEASE_MS to at most CALL_LEASE_MAX_MS", () => {
    expect(leaseLength(0)).toBe(CALL_LEASE_MS);
    expect(leaseLength(CALL_LEASE_MS * 2)).toBe(CALL_LEASE_MS * 2);
    expect(leaseLength(CALL_LEASE_MAX_MS * 5)).toBe(CALL_LEASE_MAX_MS);
  });

  it("a call in flight never has its stored lease run out between two ticks of the renewal timer", () => {
    const written = renewalsOver(30 * 60_000);
    let until = CALL_LEASE_MS;
    for (const w of written) {
      expect(w.at).toBeLessThan(until);
      until = w.until;
    }
    expect(written.length).toBeGreaterThan(0);
  });

  it("a long call is renewed a few times, not once per tick", () => {
    const minutes = 10;
    const ticks = Math.floor((minutes * 60_000) / CALL_LEASE_RENEW_MS);
    const written = renewalsOver(minutes * 60_000);
    expect(written.length).toBeLessThan(ticks / 5);
    // Once leases reach their cap, one write per half of CALL_LEASE_MAX_MS.
    expect(written.at(-1)!.until - written.at(-1)!.at).toBe(CALL_LEASE_MAX_MS);
  });

  it("renews only calls whose lease is half gone, and forgets a call that ended", () => {
    const leases = new CallLeases();
    leases.sent(["old"], 0);
    leases.sent(["new"], CALL_LEASE_MS / 2);
    expect(leases.due(["old", "new"], CALL_LEASE_MS / 2 + 1).targets).toEqual(["old"]);
    leases.ended("old");
    // A call this instance did not lease (unknown) is renewed at once rather than left to lapse.
    expect(leases.due(["old"], CALL_LEASE_MS / 2 + 2).targets).toEqual(["old"]);
  });
});
