/**
 * Retry scheduling: how long to wait before attempt N+1, and how many attempts a function gets.
 * @module
 */
import { DEFAULT_RETRIES, MAX_RETRIES, MAX_RETRY_DELAY_MS, MIN_RETRY_DELAY_MS, RETRY_BACKOFF_MS, RETRY_JITTER_MS } from "../constants";

function clamp(value: number, min: number, max: number): number {
  return Math.min(Math.max(value, min), max);
}

/**
 * Delay before retrying after failed attempt `attempt` (0-based): Inngest's backoff table entry
 * (the last entry for later attempts) plus up to {@link RETRY_JITTER_MS} of jitter from
 * `random()` in [0, 1). A `retryAfterMs` from the SDK replaces the table and gets no jitter,
 * since the app asked for that moment. Always within [MIN_RETRY_DELAY_MS, MAX_RETRY_DELAY_MS].
 */
export function retryDelayMs(attempt: number, random: () => number, retryAfterMs?: number): number {
  if (retryAfterMs !== undefined && Number.isFinite(retryAfterMs)) {
    return clamp(retryAfterMs, MIN_RETRY_DELAY_MS, MAX_RETRY_DELAY_MS);
  }
  const index = clamp(Math.floor(attempt) || 0, 0, RETRY_BACKOFF_MS.length - 1);
  const base = RETRY_BACKOFF_MS[index] ?? RETRY_BACKOFF_MS[0];
  const jitter = Math.floor(random() * RETRY_JITTER_MS);
  return clamp(base + jitter, MIN_RETRY_DELAY_MS, MAX_RETRY_DELAY_MS);
}

/**
 * Total attempts for a function configured with `retries` (undefined = the default): the retries,
 * clamped to [0, MAX_RETRIES], plus the first attempt. Sent to the SDK as `ctx.max_attempts`.
 */
export function maxAttemptsFor(retries: number | undefined): number {
  const configured = retries === undefined || Number.isNaN(retries) ? DEFAULT_RETRIES : Math.floor(retries);
  return clamp(configured, 0, MAX_RETRIES) + 1;
}
