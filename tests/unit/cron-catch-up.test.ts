import { describe, expect, it } from "vitest";
import { isDue, planDue } from "../../src/cron/catch-up";
import { fireTimeOf } from "../../src/cron/jitter";
import type { Schedule } from "../../src/cron/schedule";

const MINUTE = 60_000;
const T0 = Date.parse("2025-01-01T12:00:00Z");

function schedule(nextAt: number, jitterMs = 0, cron = "* * * * *"): Schedule {
  const key = { functionId: "fn", cron, jitterMs };
  return { ...key, nextAt, fireAt: fireTimeOf(key, nextAt) };
}

describe("planDue", () => {
  it("fires the stored tick when it is the latest one, then moves to the next", () => {
    const s = schedule(T0);
    expect(isDue(s, T0 - 1)).toBe(false);
    expect(isDue(s, T0)).toBe(true);
    expect(planDue(s, T0 + 200)).toEqual({
      fire: { functionId: "fn", cron: "* * * * *", scheduledAt: T0, fireAt: T0 },
      next: { nextAt: T0 + MINUTE, fireAt: T0 + MINUTE },
    });
  });

  it("fires only the latest missed tick, once, after sleeping through several", () => {
    const plan = planDue(schedule(T0), T0 + 10 * MINUTE + 5_000);
    expect(plan.fire.scheduledAt).toBe(T0 + 10 * MINUTE);
    expect(plan.next.nextAt).toBe(T0 + 11 * MINUTE);
  });

  it("waits for its jitter: fires a tick at its fire time, not its scheduled time", () => {
    const s = schedule(T0, 5 * MINUTE);
    expect(s.fireAt).toBeGreaterThan(T0);
    expect(isDue(s, s.fireAt - 1)).toBe(false);
    expect(planDue(s, s.fireAt).fire).toEqual({ functionId: "fn", cron: "* * * * *", scheduledAt: T0, fireAt: s.fireAt });
  });

  it("after a long sleep with jitter, fires the latest tick whose fire time passed and keeps a pending one", () => {
    const s = schedule(T0, 5 * MINUTE);
    const latest = T0 + 10 * MINUTE;
    const latestFireAt = fireTimeOf(s, latest);
    expect(latestFireAt).toBeGreaterThan(latest);
    // Just before the latest tick's own fire time, the one before it is the latest to have fired.
    const early = planDue(s, latestFireAt - 1);
    expect(early.fire.scheduledAt).toBe(latest - MINUTE);
    expect(early.fire.fireAt).toBe(fireTimeOf(s, latest - MINUTE));
    expect(early.next).toEqual({ nextAt: latest, fireAt: latestFireAt });
    const onTime = planDue(s, latestFireAt);
    expect(onTime.fire.scheduledAt).toBe(latest);
    expect(onTime.next.nextAt).toBe(latest + MINUTE);
  });
});
