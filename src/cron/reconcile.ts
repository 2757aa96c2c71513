/**
 * Bringing the stored schedules in line with the synced functions' cron triggers.
 * @module
 */
import { type FunctionConfig, isCronTrigger, triggersOf } from "../sync/function-config";
import { fireTimeOf, jitterMsOf } from "./jitter";
import { nextTick } from "./next-tick";
import type { DesiredSchedule, Schedule, ScheduleKey } from "./schedule";

/** What to write so that the stored schedules match the desired ones. */
export interface ScheduleChanges {
  /** New schedules, and kept ones whose jitter changed. */
  upserts: Schedule[];
  /** Schedules of removed functions and of removed or rewritten expressions. */
  deletes: ScheduleKey[];
  /** Desired schedules that could not be scheduled, with why. */
  invalid: { key: ScheduleKey; error: string }[];
}

/** Every cron trigger of `functions`, one schedule each. */
export function desiredSchedules(functions: readonly { id: string; config: FunctionConfig }[]): DesiredSchedule[] {
  return functions.flatMap((fn) =>
    triggersOf(fn.config)
      .filter(isCronTrigger)
      .map((t) => ({ functionId: fn.id, cron: t.cron, jitterMs: jitterMsOf(t.jitter) })),
  );
}

function keyOf({ functionId, cron }: ScheduleKey): string {
  return JSON.stringify([functionId, cron]);
}

/**
 * Diffs desired against stored schedules at `now`. A schedule is its (function, expression as
 * written): a new one starts at its first tick after `now`; a kept one keeps its next tick, so
 * a re-sync neither skips nor repeats a tick; a changed expression is a removal plus an addition.
 */
export function reconcileSchedules(desired: readonly DesiredSchedule[], stored: readonly Schedule[], now: number): ScheduleChanges {
  const storedByKey = new Map(stored.map((s) => [keyOf(s), s]));
  const wanted = new Set(desired.map(keyOf));
  const changes: ScheduleChanges = {
    upserts: [],
    deletes: stored.filter((s) => !wanted.has(keyOf(s))).map(({ functionId, cron }) => ({ functionId, cron })),
    invalid: [],
  };
  for (const want of desired) {
    const have = storedByKey.get(keyOf(want));
    if (have?.jitterMs === want.jitterMs) continue;
    try {
      const nextAt = have?.nextAt ?? nextTick(want.cron, now);
      changes.upserts.push({ ...want, nextAt, fireAt: fireTimeOf(want, nextAt) });
    } catch (error) {
      const key = { functionId: want.functionId, cron: want.cron };
      changes.invalid.push({ key, error: error instanceof Error ? error.message : String(error) });
    }
  }
  return changes;
}
