import { describe, expect, it } from "vitest";
import { MAX_INVOKE_DEPTH } from "../../src/constants";
import { invokeDepthError, invokeDepthOf } from "../../src/runs/invoke-depth";
import { waitEffects } from "../../src/runs/wait-effects";

const now = Date.UTC(2026, 0, 1);
const invokeWait = {
  stepId: "s1",
  op: "InvokeFunction",
  wakeAt: now + 60_000,
  detail: { kind: "invoke", functionId: "app-child", payload: { data: { x: 1 } } },
} as const;

function invokedDepth(trigger: { name: string; data: Record<string, unknown> }): unknown {
  const run = { id: "run-1", appId: "app", functionId: "app-parent", trigger: { ...trigger, id: "e1", ts: now } };
  const effect = waitEffects(run, invokeWait, now);
  expect(effect?.kind).toBe("invoke");
  return effect?.kind === "invoke" ? (effect.invoked.data["_inngest"] as Record<string, unknown>)["invoke_depth"] : undefined;
}

describe("invoke depth", () => {
  it("is 1 for an invoke from a run started by an ordinary event, one more for each invoke after", () => {
    expect(invokedDepth({ name: "app/go", data: {} })).toBe(1);
    expect(invokedDepth({ name: "inngest/function.invoked", data: { _inngest: { invoke_depth: 7 } } })).toBe(8);
    // An invoke event without a depth (older, or the dashboard's invoke) counts as the first.
    expect(invokedDepth({ name: "inngest/function.invoked", data: {} })).toBe(2);
  });

  it("ignores a depth on events that are not invokes", () => {
    expect(invokeDepthOf({ name: "app/go", data: { _inngest: { invoke_depth: 500 } } })).toBe(0);
  });

  it("allows MAX_INVOKE_DEPTH nested invokes and refuses one more", () => {
    expect(invokeDepthError(MAX_INVOKE_DEPTH, "app-child")).toBeNull();
    expect(invokeDepthError(MAX_INVOKE_DEPTH + 1, "app-child")).toMatchObject({ name: "InvokeDepthExceeded", code: "invoke_depth_exceeded" });
  });
});
