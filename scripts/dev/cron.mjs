/**
 * The Worker's Cron Triggers under Miniflare, which does not run them itself: a timer fires
 * each expression of `[triggers] crons` at its next time, as Cloudflare does, through Miniflare's
 * scheduled-event route.
 * @module
 */
import { CronExpressionParser } from "cron-parser";

/** Miniflare's route that runs the Worker's `scheduled()` handler (with `unsafeTriggerHandlers`). */
const SCHEDULED_PATH = "/cdn-cgi/local/scheduled";

/**
 * The next time at or after `now` (exclusive) that `cron` fires, in UTC as on Cloudflare.
 * @param {string} cron
 * @param {number} now epoch ms
 */
export function nextFire(cron, now) {
  return CronExpressionParser.parse(cron, { currentDate: new Date(now), tz: "UTC" })
    .next()
    .getTime();
}

/**
 * Fires each of `crons` on its schedule by calling `dispatch(path)` (a request to the Worker), for
 * as long as the process runs. Only a tick that did not succeed is logged, unless `everyTick`
 * (`--verbose`): the trigger is stepflare's own heartbeat, and a line every minute would say
 * nothing about the user's code.
 * @param {string[]} crons
 * @param {(path: string) => Promise<Response>} dispatch
 * @param {(line: string) => void} log
 * @param {{ everyTick?: boolean }} [options]
 */
export function startCronTriggers(crons, dispatch, log, { everyTick = false } = {}) {
  const arm = (cron, after) => {
    const at = nextFire(cron, after);
    setTimeout(
      async () => {
        // From `at`, not from now: a timer that fires a millisecond early must not fire `at` twice.
        arm(cron, Math.max(at, Date.now()));
        const query = new URLSearchParams({ cron, time: String(at), format: "json" });
        try {
          const res = await dispatch(`${SCHEDULED_PATH}?${query}`);
          const { outcome } = /** @type {{ outcome: string }} */ (await res.json());
          if (outcome !== "ok" || everyTick) log(`Cron Trigger "${cron}" at ${new Date(at).toISOString()}: ${outcome}`);
        } catch (err) {
          // The next tick comes anyway; the scheduled handler is a safety net, not the only way crons fire.
          log(`Cron Trigger "${cron}" at ${new Date(at).toISOString()}: could not run (${err instanceof Error ? err.message : err})`);
        }
      },
      Math.max(0, at - Date.now()),
    );
  };
  for (const cron of new Set(crons)) arm(cron, Date.now());
}
