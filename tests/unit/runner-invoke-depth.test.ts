import { describe, expect, it } from "vitest";
import { MAX_INVOKE_DEPTH } from "../../src/constants";
import { invokeDepthError, invokeDepthOf } from "../../src/runs/invoke-depth";
import { runEndEvents } from "../../src/runs/run-end-events";
import { chainDepthOf, runChainDepth } from "../../src/runs/system-event-values";
import { waitEffects } from "../../src/runs/wait-effects";

const now = Date.UTC(2026, 0, 1);
const invokeWait = {
  stepId: "s1",
  op: "InvokeFunction",
  wakeAt: now + 60_000,
  detail: { kind: "invoke", functionId: "app-child", payload: { data: { x: 1 } } },
} as const;

/** The `_inngest` of the invoke event a run started by `trigger` emits. */
function invokedMeta(trigger: { name: string; data: Record<string, unknown> }): Record<string, unknown> {
  const event = { ...trigger, id: "e1", ts: now };
  const run = { id: "run-1", appId: "app", functionId: "app-parent", trigger: event, chainDepth: runChainDepth([event]) };
  const effect = waitEffects(run, invokeWait, now);
  expect(effect?.kind).toBe("invoke");
  return effect?.kind === "invoke" ? (effect.invoked.data["_inngest"] as Record<string, unknown>) : {};
}

function invokedDepth(trigger: { name: string; data: Record<string, unknown> }): unknown {
  return invokedMeta(trigger)["invoke_depth"];
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

describe("chain depth through step.invoke", () => {
  /** An end event `depth` deep, as a run emits it. */
  const endEvent = (depth: number) => ({ name: "inngest/function.finished", data: { function_id: "app-other", _inngest: { depth } } });

  it("is carried from the invoking run into its invoke event, and the child's end events are one deeper", () => {
    const meta = invokedMeta(endEvent(3));
    expect(meta["depth"]).toBe(3);
    const invoked = { name: "inngest/function.invoked", data: { _inngest: meta }, id: "e2", ts: now, user: {} };
    expect(chainDepthOf(invoked)).toBe(3);
    const [finished] = runEndEvents({ id: "child", functionId: "app-child", endedAt: now, events: [invoked] }, { status: "completed", output: 1 });
    expect(chainDepthOf({ name: finished!.name, data: finished!.data })).toBe(4);
  });

  it("is 0 for an invoke from a run started by an ordinary event, or an invoke event without one", () => {
    expect(invokedMeta({ name: "app/go", data: {} })["depth"]).toBe(0);
    expect(chainDepthOf({ name: "inngest/function.invoked", data: {} })).toBe(0);
    expect(chainDepthOf({ name: "inngest/function.invoked", data: { _inngest: { depth: -4 } } })).toBe(0);
  });
});
