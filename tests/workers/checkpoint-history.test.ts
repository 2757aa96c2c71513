/**
 * What a checkpoint leaves for history, in the transaction that stores its steps: each step's row
 * with the times the SDK reported for its code, and the step's and the run's rows marked dirty
 * together, at a version above any earlier one of the same rows.
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { ulid } from "ulid";
import { describe, expect, it } from "vitest";
import { runStartSchema } from "../../src/runs/run-start";
import { RunStore } from "../../src/runs/run-store";
import type { StoredStep } from "../../src/runs/transition";
import { runStart } from "./helpers/runs";

function step(stepId: string, timing?: StoredStep["timing"]): StoredStep {
  return { stepId, memo: { data: stepId }, op: "StepRun", name: stepId, attempts: 1, ...(timing ? { timing } : {}) };
}

describe("a checkpoint's history rows", () => {
  it("keep the SDK's times for the step's code and mark the step and the run dirty at one new version", async () => {
    const runId = `cph-${ulid()}`;
    const seen = await runInDurableObject(env.RUNS.getByName(runId), (_instance, state) => {
      const store = new RunStore(state.storage);
      store.init(runStartSchema.parse(runStart("http://cph.test/api", "cph", "f", "cph/e", { runId })), 1_000);
      const sql = state.storage.sql;
      const dirty = () => sql.exec<{ kind: string; key: string; rev: number }>("SELECT kind, key, rev FROM dirty ORDER BY kind, key").toArray();
      const before = dirty();
      store.checkpoint([step("a", { startedAt: 1_500, endedAt: 1_700 })], 2_000);
      const afterA = dirty();
      store.checkpoint([step("b")], 3_000);
      return {
        before,
        afterA,
        afterB: dirty(),
        steps: sql.exec("SELECT step_id, status, started_at, ended_at FROM steps ORDER BY seq").toArray(),
      };
    });
    expect(seen.steps).toEqual([
      { step_id: "a", status: "completed", started_at: 1_500, ended_at: 1_700 },
      { step_id: "b", status: "completed", started_at: 3_000, ended_at: 3_000 },
    ]);
    const runRev = seen.before.find((r) => r.kind === "run")!.rev;
    const [runA, stepA] = [seen.afterA.find((r) => r.kind === "run")!, seen.afterA.find((r) => r.key === "a")!];
    expect(runA.rev).toBeGreaterThan(runRev);
    expect(stepA.rev).toBe(runA.rev);
    const [runB, stepB] = [seen.afterB.find((r) => r.kind === "run")!, seen.afterB.find((r) => r.key === "b")!];
    expect(runB.rev).toBeGreaterThan(runA.rev);
    expect(stepB.rev).toBe(runB.rev);
    expect(seen.afterB.find((r) => r.key === "a")!.rev).toBe(stepA.rev);
  });
});
