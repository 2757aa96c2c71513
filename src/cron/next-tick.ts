/**
 * When a cron trigger ticks: the schedule is read in its `TZ=` zone (UTC without one), so a
 * `0 9 * * *` in `TZ=Europe/Paris` stays at 09:00 local time across DST changes.
 * @module
 */
import { CronExpressionParser } from "cron-parser";
import { splitCronTimezone } from "../sync/cron";

function parse(cron: string, currentMs: number) {
  const { timezone, schedule } = splitCronTimezone(cron);
  return CronExpressionParser.parse(schedule, { currentDate: new Date(currentMs), tz: timezone ?? "UTC" });
}

/**
 * The first tick strictly after `afterMs`, in ms since the epoch. A local time skipped by a
 * spring-forward change fires an hour later; one repeated by a fall-back change fires once.
 * Throws for an expression that never ticks, which sync already rejects.
 */
export function nextTick(cron: string, afterMs: number): number {
  return parse(cron, afterMs).next().getTime();
}

/** The last tick strictly before `beforeMs`, in ms since the epoch. */
export function previousTick(cron: string, beforeMs: number): number {
  return parse(cron, beforeMs).prev().getTime();
}
