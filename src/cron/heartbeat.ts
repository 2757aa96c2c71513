import type { Env } from "../env";

/** The name of the one scheduler object. */
export const SCHEDULER_NAME = "scheduler";

/** Whether this isolate already made sure the heartbeat is armed. */
let ensured = false;

/**
 * Makes sure the scheduler's heartbeat alarm is armed, once per isolate. Cheap to call on any
 * request; the check itself runs in the background.
 */
export function ensureHeartbeatOnce(env: Env, waitUntil: (p: Promise<unknown>) => void): void {
  if (ensured) return;
  ensured = true;
  waitUntil(
    env.SCHEDULER.getByName(SCHEDULER_NAME)
      .ensureHeartbeat()
      .catch((err: unknown) => {
        ensured = false;
        console.error("stepflare: arming the heartbeat failed", err);
      }),
  );
}
