/**
 * The hook an app sync calls so that its cron schedules change right away.
 * @module
 */
import type { Env } from "../env";
import { SCHEDULER_NAME } from "./heartbeat";

/**
 * Asks the scheduler to bring its cron schedules in line with the synced functions, in the
 * background (call after an app sync). A failure is only logged: the heartbeat refreshes the
 * schedules again on its next beat (every 30 s).
 */
export function refreshSchedulesSoon(env: Env, waitUntil: (p: Promise<unknown>) => void): void {
  waitUntil(
    env.SCHEDULER.getByName(SCHEDULER_NAME)
      .refreshSchedules()
      .catch((err: unknown) => {
        console.error("stepflare: refreshing cron schedules failed; the heartbeat will retry", err);
      }),
  );
}
