import { describe, expect, it } from "vitest";
import { fireTimeOf } from "../../src/cron/jitter";
import { desiredSchedules, reconcileSchedules } from "../../src/cron/reconcile";
import type { Schedule } from "../../src/cron/schedule";
import { functionConfigSchema } from "../../src/sync/function-config";

const NOW = Date.parse("2025-01-01T12:00:30Z");
const NEXT_MINUTE = Date.parse("2025-01-01T12:01:00Z");

function fn(id: string, triggers: unknown[]) {
  const config = functionConfigSchema.parse({
    id,
    triggers,
    steps: { step: { id: "step", name: "step", runtime: { type: "http", url: "http://app.test/api/inngest" } } },
  });
  return { id, config };
}

function stored(functionId: string, cron: string, nextAt: number, jitterMs = 0): Schedule {
  return { functionId, cron, jitterMs, nextAt, fireAt: nextAt };
}

describe("desiredSchedules", () => {
  it("takes every cron trigger, with its jitter in ms, and ignores event triggers", () => {
    const functions = [
      fn("a", [{ event: "app/x" }, { cron: "* * * * *" }, { cron: "TZ=Europe/Paris 0 9 * * *", jitter: "30s" }]),
      fn("b", [{ event: "app/y" }]),
    ];
    expect(desiredSchedules(functions)).toEqual([
      { functionId: "a", cron: "* * * * *", jitterMs: 0 },
      { functionId: "a", cron: "TZ=Europe/Paris 0 9 * * *", jitterMs: 30_000 },
    ]);
  });
});

describe("reconcileSchedules", () => {
  it("adds new schedules from their first tick after now", () => {
    const changes = reconcileSchedules([{ functionId: "a", cron: "* * * * *", jitterMs: 0 }], [], NOW);
    expect(changes).toEqual({
      upserts: [{ functionId: "a", cron: "* * * * *", jitterMs: 0, nextAt: NEXT_MINUTE, fireAt: NEXT_MINUTE }],
      deletes: [],
      invalid: [],
    });
  });

  it("keeps unchanged schedules untouched, even when their tick is overdue", () => {
    const overdue = stored("a", "* * * * *", NOW - 10 * 60_000);
    expect(reconcileSchedules([{ functionId: "a", cron: "* * * * *", jitterMs: 0 }], [overdue], NOW)).toEqual({
      upserts: [],
      deletes: [],
      invalid: [],
    });
  });

  it("removes the schedules of removed functions and removed or rewritten expressions", () => {
    const changes = reconcileSchedules(
      [{ functionId: "a", cron: "*/5 * * * *", jitterMs: 0 }],
      [stored("a", "* * * * *", NEXT_MINUTE), stored("gone", "0 * * * *", NEXT_MINUTE)],
      NOW,
    );
    expect(changes.deletes).toEqual([
      { functionId: "a", cron: "* * * * *" },
      { functionId: "gone", cron: "0 * * * *" },
    ]);
    expect(changes.upserts).toEqual([expect.objectContaining({ functionId: "a", cron: "*/5 * * * *", nextAt: Date.parse("2025-01-01T12:05:00Z") })]);
  });

  it("keeps the next tick when only the jitter changes, and moves its fire time", () => {
    const want = { functionId: "a", cron: "* * * * *", jitterMs: 45_000 };
    const changes = reconcileSchedules([want], [stored("a", "* * * * *", NEXT_MINUTE)], NOW);
    expect(changes.upserts).toEqual([{ ...want, nextAt: NEXT_MINUTE, fireAt: fireTimeOf(want, NEXT_MINUTE) }]);
    expect(changes.deletes).toEqual([]);
  });

  it("reports an expression that cannot be scheduled instead of throwing", () => {
    const changes = reconcileSchedules([{ functionId: "a", cron: "not a cron", jitterMs: 0 }], [], NOW);
    expect(changes.upserts).toEqual([]);
    expect(changes.invalid).toEqual([{ key: { functionId: "a", cron: "not a cron" }, error: expect.any(String) }]);
  });
});
