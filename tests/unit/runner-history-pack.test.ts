import { describe, expect, it } from "vitest";
import {
  HISTORY_INLINE_VALUE_BYTES,
  HISTORY_MAX_VALUE_BYTES,
  HISTORY_MESSAGE_MAX_BYTES,
  HISTORY_MESSAGE_MAX_ROWS,
  HISTORY_REFS_PER_MESSAGE,
} from "../../src/constants";
import { historyMessageSchema } from "../../src/runner/history-message";
import { packRunHistory } from "../../src/runner/history-pack";
import type { FullRunRow, FullStepRow } from "../../src/runner/history-rows";
import { utf8Bytes } from "../../src/util/utf8";

const run: FullRunRow = {
  seq: 1,
  functionId: "app-fn",
  appId: "app",
  eventId: "evt",
  status: "completed",
  output: null,
  error: null,
  queuedAt: 1,
  startedAt: 2,
  endedAt: 3,
  updatedAt: 4,
  wakeAt: null,
};

function step(i: number, output: string | null, error: string | null = null): FullStepRow {
  return {
    seq: i + 2,
    stepId: `s${i}`,
    name: `step-${i}`,
    displayName: null,
    op: "StepRun",
    status: "completed",
    attempts: 1,
    output,
    error,
    attemptErrors: null,
    startedAt: 1,
    endedAt: 2,
    order: i,
  };
}

/** A JSON string value of `bytes` UTF-8 bytes, in multi-byte characters. */
function jsonOf(bytes: number): string {
  return JSON.stringify("€".repeat(Math.floor((bytes - 2) / 3)));
}

describe("packRunHistory", () => {
  it("keeps every message under the Queue's size, row and reference bounds, with every row exactly once", () => {
    const sizes = [10, HISTORY_INLINE_VALUE_BYTES, HISTORY_INLINE_VALUE_BYTES + 10, HISTORY_MAX_VALUE_BYTES, 5_000];
    const steps = Array.from({ length: 75 }, (_, i) => step(i, jsonOf(sizes[i % sizes.length]!), i % 7 === 0 ? jsonOf(HISTORY_MAX_VALUE_BYTES) : null));
    const messages = packRunHistory("run-1", { run: { ...run, output: jsonOf(HISTORY_MAX_VALUE_BYTES) }, steps });
    for (const m of messages) {
      const json = JSON.stringify(m.body);
      expect(utf8Bytes(json)).toBeLessThanOrEqual(HISTORY_MESSAGE_MAX_BYTES);
      expect(m.bytes).toBeGreaterThanOrEqual(utf8Bytes(json));
      expect(m.body.steps.length + (m.body.run ? 1 : 0)).toBeLessThanOrEqual(HISTORY_MESSAGE_MAX_ROWS);
      const refs = [m.body.run, ...m.body.steps].flatMap((r) => (r ? [r.output, r.error] : [])).filter((v) => v !== null && typeof v === "object");
      expect(refs.length).toBeLessThanOrEqual(HISTORY_REFS_PER_MESSAGE);
      expect(historyMessageSchema.parse(m.body)).toEqual(m.body);
    }
    expect(messages.filter((m) => m.body.run).map((m) => m.body.run!.output)).toEqual([{ ref: true }]);
    const sent = messages.flatMap((m) => m.body.steps);
    expect(sent.map((s) => s.stepId)).toEqual(steps.map((s) => s.stepId));
    for (const [i, s] of sent.entries()) {
      const original = steps[i]!;
      // Inline when small enough, else by reference: never cut, never left out.
      expect(s.output).toEqual(utf8Bytes(original.output!) <= HISTORY_INLINE_VALUE_BYTES ? original.output : { ref: true });
      expect(s.error).toEqual(original.error === null ? null : { ref: true });
    }
  });

  it("sends nothing for no rows, and one message for a small change", () => {
    expect(packRunHistory("run-1", { steps: [] })).toEqual([]);
    const [only, ...rest] = packRunHistory("run-1", { run, steps: [step(0, "1")] });
    expect(rest).toEqual([]);
    expect(only!.body).toEqual({ kind: "run_history", runId: "run-1", run, steps: [step(0, "1")] });
  });
});
