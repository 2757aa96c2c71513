/**
 * The shapes the cron scheduler works with.
 * @module
 */

/** Identifies one schedule: a function's cron trigger, as written (with its `TZ=` prefix). */
export interface ScheduleKey {
  functionId: string;
  cron: string;
}

/** A schedule as the synced functions declare it. */
export interface DesiredSchedule extends ScheduleKey {
  /** Upper bound of the random delay added to each tick; 0 for none. */
  jitterMs: number;
}

/** A stored schedule: its next tick and when that tick fires. Times are ms since the epoch. */
export interface Schedule extends DesiredSchedule {
  /** The next tick's scheduled time, exactly as the expression gives it. */
  nextAt: number;
  /** When that tick fires: `nextAt` plus its jitter offset. */
  fireAt: number;
}

/** One tick of one schedule. */
export interface Tick extends ScheduleKey {
  scheduledAt: number;
  fireAt: number;
}
