/**
 * Cron `jitter`: each tick fires at its scheduled time plus a pseudo-random offset below the
 * jitter, derived from the tick's key so that every computation of a tick agrees on it.
 * @module
 */
import { MAX_CRON_JITTER_MS } from "../constants";
import { parseDurationMs } from "../time/duration";
import { nextTick } from "./next-tick";
import type { DesiredSchedule } from "./schedule";
import { tickKey } from "./tick-event";

/** A trigger's `jitter` in ms, capped at {@link MAX_CRON_JITTER_MS}; 0 without one. */
export function jitterMsOf(jitter: string | undefined): number {
  if (jitter === undefined) return 0;
  return Math.min(Math.max(parseDurationMs(jitter), 0), MAX_CRON_JITTER_MS);
}

/** FNV-1a, 32 bits: stable across isolates and restarts, unlike `Math.random`. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/**
 * The offset in [0, min(jitterMs, gapMs)) for the tick named `key`. Bounding it by the gap to
 * the following tick keeps a jittered tick from firing after its successor is due.
 */
export function jitterOffsetMs(key: string, jitterMs: number, gapMs: number): number {
  const bound = Math.min(jitterMs, gapMs);
  return bound > 0 ? fnv1a(key) % bound : 0;
}

/** When the tick scheduled at `scheduledAt` fires. */
export function fireTimeOf(schedule: DesiredSchedule, scheduledAt: number): number {
  if (schedule.jitterMs === 0) return scheduledAt;
  const gap = nextTick(schedule.cron, scheduledAt) - scheduledAt;
  return scheduledAt + jitterOffsetMs(tickKey(schedule, scheduledAt), schedule.jitterMs, gap);
}
