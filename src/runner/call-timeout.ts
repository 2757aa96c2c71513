import { CALL_TIMEOUT_MS, MIN_CALL_TIMEOUT_MS } from "../constants";
import type { Env } from "../env";
import { DurationError, parseDurationMs } from "../time/duration";

/**
 * How long one request to an app may go unanswered before the attempt fails as unreachable (and
 * is retried like any other): CALL_TIMEOUT_MS, or less when `STEPFLARE_CALL_TIMEOUT` says so.
 * The setting can only shorten the limit, never below MIN_CALL_TIMEOUT_MS; a value that is not
 * a duration is reported and ignored.
 */
export function callTimeoutMs(env: Pick<Env, "STEPFLARE_CALL_TIMEOUT">): number {
  const setting = env.STEPFLARE_CALL_TIMEOUT?.trim();
  if (!setting) return CALL_TIMEOUT_MS;
  try {
    return Math.min(CALL_TIMEOUT_MS, Math.max(MIN_CALL_TIMEOUT_MS, parseDurationMs(setting)));
  } catch (err) {
    if (err instanceof DurationError) {
      console.error(`stepflare: ignoring STEPFLARE_CALL_TIMEOUT="${setting}": not a duration`);
      return CALL_TIMEOUT_MS;
    }
    throw err;
  }
}
