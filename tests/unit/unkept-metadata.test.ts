/**
 * The Worker log line for step metadata stepflare does not store (src/runs/unkept-metadata.ts):
 * it names the run and the steps whose ops carry metadata the function set, and stays quiet for
 * the SDK's own AI telemetry. tests/e2e/sdk-ops.test.ts checks it is said once per run end to end.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Op } from "../../src/protocol/ops";
import { reportUnkeptMetadata } from "../../src/runs/unkept-metadata";

const RUN_ID = "01JZ0000000000000000000000";
const userland = { kind: "userland.default", scope: "step", op: "set", values: { stage: "tagged" } };
const aiTelemetry = { kind: "inngest.ai", scope: "step", op: "set", values: { model: "m", input_tokens: 3 } };

function warnings(ops: Op[]): unknown[][] {
  const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
  reportUnkeptMetadata(RUN_ID, ops);
  return warn.mock.calls;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("reportUnkeptMetadata", () => {
  it("says once, naming the run, which steps' ops carry metadata the function set", () => {
    const calls = warnings([
      { id: "h1", op: "StepRun", displayName: "tag", metadata: [userland] },
      { id: "h2", op: "StepRun", displayName: "plain" },
      { id: "h3", op: "StepRun", displayName: "mixed", metadata: [aiTelemetry, userland] },
    ]);
    expect(calls).toEqual([
      [`stepflare: run ${RUN_ID}: the metadata of step "tag", "mixed" is not stored: run and step metadata is not supported by stepflare yet`],
    ]);
  });

  it("says nothing for the SDK's own AI telemetry, nor for ops without metadata", () => {
    expect(
      warnings([
        { id: "h1", op: "StepRun", displayName: "call-model", metadata: [aiTelemetry] },
        { id: "h2", op: "StepRun", displayName: "plain", metadata: [] },
        { id: "h3", op: "Sleep", displayName: "nap" },
      ]),
    ).toEqual([]);
  });
});
