import { describe, expect, it } from "vitest";
import { MAX_EVENT_BYTES, MAX_FETCH_REQUEST_BYTES } from "../../src/constants";
import type { Op } from "../../src/protocol/ops";
import { planAsyncOp } from "../../src/runs/async-ops";

const NOW = 1_700_000_000_000;
/** Three bytes per character: over the byte limit while well under it in characters. */
const pad = (bytes: number) => "€".repeat(Math.ceil(bytes / 3));

describe("ops whose input waits in a storage row", () => {
  it("fails the run when an invoke payload is larger than an event may be", () => {
    const op = { id: "h1", op: "InvokeFunction", name: "call", opts: { function_id: "app-child", payload: { data: { pad: pad(MAX_EVENT_BYTES) } } } } as Op;
    const plan = planAsyncOp(op, NOW);
    expect(plan).toMatchObject({ kind: "invalid", error: { name: "InvalidStep", code: "invalid_step" } });
    expect(plan.kind === "invalid" && plan.error.message).toContain(`the limit is ${MAX_EVENT_BYTES} bytes`);
  });

  it("plans an invoke whose payload fits", () => {
    const op = { id: "h1", op: "InvokeFunction", name: "call", opts: { function_id: "app-child", payload: { data: { pad: pad(1_000) } } } } as Op;
    expect(planAsyncOp(op, NOW)).toMatchObject({ kind: "wait", detail: { kind: "invoke", functionId: "app-child" } });
  });

  it("fails a step.fetch whose request is too large to keep, as the SDK's step error", () => {
    const op = { id: "h2", op: "Gateway", name: "post", opts: { url: "https://api.test/x", method: "POST", body: pad(MAX_FETCH_REQUEST_BYTES) } } as Op;
    const plan = planAsyncOp(op, NOW);
    expect(plan).toMatchObject({ kind: "resolved", memo: { error: { name: "GatewayError", code: "gateway_error" } } });
  });

  it("plans a step.fetch whose request fits", () => {
    const op = { id: "h2", op: "Gateway", name: "post", opts: { url: "https://api.test/x", method: "POST", body: pad(10_000) } } as Op;
    expect(planAsyncOp(op, NOW)).toMatchObject({ kind: "gateway", request: { method: "POST" } });
  });
});
