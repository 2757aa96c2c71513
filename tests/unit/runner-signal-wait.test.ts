import { describe, expect, it } from "vitest";
import { MAX_SIGNAL_NAME_LENGTH } from "../../src/constants";
import type { Op } from "../../src/protocol/ops";
import { planAsyncOp } from "../../src/runs/async-ops";

const NOW = 1_700_000_000_000;

/** A WaitForSignal op as the v4 SDK sends it (InngestStepTools: name and opts.signal, timeout, conflict). */
function signalOp(opts: Record<string, unknown>): Op {
  return { id: "h1", op: "WaitForSignal", name: typeof opts["signal"] === "string" ? opts["signal"] : undefined, opts } as Op;
}

describe("planning step.waitForSignal", () => {
  it("waits until the timeout for the named signal, failing on conflict unless told to replace", () => {
    expect(planAsyncOp(signalOp({ signal: "s", timeout: "5m", conflict: "fail" }), NOW)).toEqual({
      kind: "wait",
      wakeAt: NOW + 5 * 60_000,
      detail: { kind: "signal", signal: "s", conflict: "fail" },
    });
    expect(planAsyncOp(signalOp({ signal: "s", timeout: "5m", conflict: "replace" }), NOW)).toMatchObject({ detail: { conflict: "replace" } });
    expect(planAsyncOp(signalOp({ signal: "s", timeout: "5m" }), NOW)).toMatchObject({ detail: { conflict: "fail" } });
  });

  it("resolves with null at once when the timeout has already passed", () => {
    const past = new Date(NOW - 1_000).toISOString();
    expect(planAsyncOp(signalOp({ signal: "s", timeout: past, conflict: "fail" }), NOW)).toEqual({ kind: "resolved", memo: null });
  });

  it("fails the run with InvalidStep for a wait it cannot keep", () => {
    for (const opts of [
      { timeout: "5m" },
      { signal: "s" },
      { signal: "x".repeat(MAX_SIGNAL_NAME_LENGTH + 1), timeout: "5m" },
      { signal: "s", timeout: "soon" },
    ]) {
      expect(planAsyncOp(signalOp(opts), NOW)).toMatchObject({ kind: "invalid", error: { name: "InvalidStep" } });
    }
  });
});
