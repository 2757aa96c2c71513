import { afterEach, describe, expect, it, vi } from "vitest";
import { MAX_EXPRESSION_LENGTH } from "../../src/constants";
import type { Op } from "../../src/protocol/ops";
import { decide, type CallOutcome } from "../../src/runs/decide";
import { DISCOVERY } from "../../src/runs/transition";
import { cancelListeners } from "../../src/runs/wait-effects";
import type { RunStart } from "../../src/runs/run-start";

const ctx = { now: Date.UTC(2026, 0, 1), random: () => 0 };
const facts = { maxAttempts: 5, memoized: new Set<string>(), pendingPlan: new Set<string>(), forceStepPlan: false };
const waitOp = (expression: string): CallOutcome => ({
  kind: "ops",
  noRetry: false,
  ops: [{ id: "w", op: "WaitForEvent", name: "app/paid", userland: { id: "wait-paid" }, opts: { timeout: "1h", if: expression } } as Op],
});

/** `[0..9].all(a, [0..9].all(b, ...))` nested `depth` deep: 10^depth iterations, refused by the cost estimate. */
function nestedAll(depth: number): string {
  let body = "async.data.ok";
  for (let i = depth; i > 0; i--) body = `[0,1,2,3,4,5,6,7,8,9].all(v${i}, ${body})`;
  return body;
}

afterEach(() => vi.restoreAllMocks());

describe("a waitForEvent whose if is over the expression limits", () => {
  it.each([
    ["too long", `async.data.id == "${"x".repeat(MAX_EXPRESSION_LENGTH)}"`, /longer than|characters/],
    ["too deep", `${"(".repeat(100)}async.data.ok${")".repeat(100)}`, /maxDepth/],
    ["too costly", nestedAll(8), /estimated cost/],
    ["not CEL", "async.data.id == == 1", /./],
  ])("ends the run with InvalidStep instead of registering the pause (%s)", (_what, expression, why) => {
    const t = decide(facts, { target: DISCOVERY, attempt: 0 }, waitOp(expression), ctx);
    expect(t.waits).toEqual([]);
    expect(t.end).toMatchObject({ status: "failed", error: { name: "InvalidStep", code: "invalid_step" } });
    const message = (t.end as { error: { message: string } }).error.message;
    expect(message).toContain('step "wait-paid" waits with an "if" expression that is refused');
    expect(message).toMatch(why);
  });

  it("registers a wait whose if is within the limits", () => {
    const t = decide(facts, { target: DISCOVERY, attempt: 0 }, waitOp("event.data.id == async.data.id"), ctx);
    expect(t.end).toBeUndefined();
    expect(t.waits).toHaveLength(1);
  });
});

describe("cancelOn listeners", () => {
  const start = {
    runId: "run-1",
    events: [{ name: "app/start", data: {}, id: "e1", ts: ctx.now }],
    cancel: [{ event: "app/cancel", if: nestedAll(8) }, { event: "app/cancel", if: "event.data.id == async.data.id" }, { event: "app/stop" }],
  } as unknown as RunStart;

  it("does not register a listener whose if is over the limits, and logs why", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    const entries = cancelListeners(start, ctx.now);
    expect(entries.map((e) => (e.kind === "pause" ? [e.pause.id, e.pause.expression] : null))).toEqual([
      ["run-1:cancel:1", "event.data.id == async.data.id"],
      ["run-1:cancel:2", null],
    ]);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]?.[0])).toMatch(/run run-1: cancelOn rule 0 .* estimated cost/);
  });
});
