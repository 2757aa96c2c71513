/**
 * When an event shard's alarm should ring to write history: EVENT_HISTORY_WRITE_DELAY_MS after a
 * change, but not sooner than EVENT_HISTORY_MIN_INTERVAL_MS after the last alarm began, so a busy
 * shard writes larger batches less often instead of one small batch every 250 ms.
 * @module
 */
import { EVENT_HISTORY_MIN_INTERVAL_MS, EVENT_HISTORY_WRITE_DELAY_MS } from "../constants";

/** The earliest the next history write should happen, for a change at `now`; `lastAlarmAt` is null when unknown. */
export function historyWriteAt(now: number, lastAlarmAt: number | null): number {
  return pacedAlarmAt(now + EVENT_HISTORY_WRITE_DELAY_MS, lastAlarmAt);
}

/** `at`, put off until EVENT_HISTORY_MIN_INTERVAL_MS after the last alarm began when it is sooner. */
export function pacedAlarmAt(at: number, lastAlarmAt: number | null): number {
  return lastAlarmAt === null ? at : Math.max(at, lastAlarmAt + EVENT_HISTORY_MIN_INTERVAL_MS);
}
