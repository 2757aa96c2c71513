import { describe, expect, it } from "vitest";
import { isOpcode, OPCODES, opSchema } from "../../src/protocol/ops";

describe("OPCODES", () => {
  it("lists every wire opcode, with the capitalised AIGateway spelling", () => {
    expect([...OPCODES].sort()).toEqual(
      [
        "AIGateway",
        "DeferAbort",
        "DeferAdd",
        "DiscoveryRequest",
        "Gateway",
        "InvokeFunction",
        "None",
        "RunComplete",
        "Sleep",
        "Step",
        "StepError",
        "StepFailed",
        "StepNotFound",
        "StepPlanned",
        "StepRun",
        "SyncRunComplete",
        "WaitForEvent",
        "WaitForSignal",
      ].sort(),
    );
    expect(isOpcode("AIGateway")).toBe(true);
    expect(isOpcode("AiGateway")).toBe(false);
  });
});

describe("opSchema", () => {
  it("parses a StepRun op and keeps unknown fields", () => {
    const op = opSchema.parse({
      id: "a94a8fe5ccb19ba61c4c0873d391e987982fbbd3",
      op: "StepRun",
      name: "fetch-user",
      displayName: "Fetch user",
      opts: { type: "step" },
      data: { id: 1 },
      userland: { id: "fetch-user", index: 1 },
      timing: { a: 1, b: 2 },
      metadata: [{ kind: "ai" }],
    });
    expect(op.data).toEqual({ id: 1 });
    expect(op.userland).toEqual({ id: "fetch-user", index: 1 });
    expect(op.metadata).toEqual([{ kind: "ai" }]);
  });

  it("accepts a minimal op, null opts, and an op name it does not know", () => {
    expect(opSchema.parse({ id: "x", op: "DiscoveryRequest" })).toEqual({ id: "x", op: "DiscoveryRequest" });
    expect(opSchema.parse({ id: "x", op: "Sleep", opts: null }).opts).toBeNull();
    expect(opSchema.parse({ id: "x", op: "FutureOp" }).op).toBe("FutureOp");
  });

  it("rejects ops without a string id or op, or with wrongly typed fields", () => {
    expect(opSchema.safeParse({ op: "StepRun" }).success).toBe(false);
    expect(opSchema.safeParse({ id: 1, op: "StepRun" }).success).toBe(false);
    expect(opSchema.safeParse({ id: "x" }).success).toBe(false);
    expect(opSchema.safeParse({ id: "x", op: "Sleep", opts: "1h" }).success).toBe(false);
    expect(opSchema.safeParse({ id: "x", op: "StepRun", userland: { index: "1" } }).success).toBe(false);
  });
});
