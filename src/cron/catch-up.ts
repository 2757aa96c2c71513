/**
 * What a due schedule does when the scheduler wakes: which tick it emits and its next tick.
 *
 * Catch-up policy: missed ticks collapse into one. A scheduler that slept through several ticks
 * (a long outage, a lost alarm) emits only the latest tick whose fire time has passed, once, and
 * then carries on from the tick after it; it never replays a backlog. This matches a cron daemon
 * rather than a queue: a schedule says "run at these times", not "run this many times".
 * @module
 */
import { fireTimeOf } from "./jitter";
import { nextTick, previousTick } from "./next-tick";
import type { Schedule, Tick } from "./schedule";

/** The tick a due schedule emits now and the schedule's state after it. */
export interface DuePlan {
  fire: Tick;
  next: Pick<Schedule, "nextAt" | "fireAt">;
}

/** Whether `schedule` has a tick to emit at `now`. */
export function isDue(schedule: Schedule, now: number): boolean {
  return schedule.fireAt <= now;
}

/** The schedule's state once the tick at `scheduledAt` has fired. */
function after(schedule: Schedule, scheduledAt: number): DuePlan["next"] {
  const nextAt = nextTick(schedule.cron, scheduledAt);
  return { nextAt, fireAt: fireTimeOf(schedule, nextAt) };
}

/** Plans a due schedule (see {@link isDue}) at `now`, following the catch-up policy above. */
export function planDue(schedule: Schedule, now: number): DuePlan {
  const tick = (scheduledAt: number, fireAt: number): Tick => ({
    functionId: schedule.functionId,
    cron: schedule.cron,
    scheduledAt,
    fireAt,
  });
  // The stored tick is due, so the latest tick at or before now is that tick or a later one.
  const latest = previousTick(schedule.cron, now + 1);
  if (latest <= schedule.nextAt) {
    return { fire: tick(schedule.nextAt, schedule.fireAt), next: after(schedule, schedule.nextAt) };
  }
  const latestFireAt = fireTimeOf(schedule, latest);
  if (latestFireAt <= now) return { fire: tick(latest, latestFireAt), next: after(schedule, latest) };
  // The latest tick is still inside its jitter: emit the one before it, whose fire time passed
  // (jitter never reaches the next tick), and keep the latest for its own fire time.
  const missed = previousTick(schedule.cron, latest);
  return { fire: tick(missed, fireTimeOf(schedule, missed)), next: { nextAt: latest, fireAt: latestFireAt } };
}
