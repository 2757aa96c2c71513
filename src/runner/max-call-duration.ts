import { MAX_CALL_DURATION_MS } from "../constants";
import type { Env } from "../env";
import { DurationError, parseDurationMs } from "../time/duration";

/**
 * The longest one request to an app may run: MAX_CALL_DURATION_MS, or less when
 * STEPFLARE_MAX_STEP_DURATION says so. It is never raised: the run's alarm, which makes every
 * call, is stopped by the platform after 15 minutes.
 */
export function maxCallDurationMs(env: Pick<Env, "STEPFLARE_MAX_STEP_DURATION">): number {
  const setting = env.STEPFLARE_MAX_STEP_DURATION?.trim();
  if (!setting) return MAX_CALL_DURATION_MS;
  try {
    const ms = parseDurationMs(setting);
    if (ms > 0 && ms <= MAX_CALL_DURATION_MS) return ms;
    console.error(`stepflare: STEPFLARE_MAX_STEP_DURATION="${setting}" is outside 1 ms .. ${MAX_CALL_DURATION_MS / 60_000} min; using the longest`);
    return MAX_CALL_DURATION_MS;
  } catch (err) {
    if (!(err instanceof DurationError)) throw err;
    console.error(`stepflare: ignoring STEPFLARE_MAX_STEP_DURATION="${setting}": not a duration`);
    return MAX_CALL_DURATION_MS;
  }
}
