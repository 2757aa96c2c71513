/**
 * The event a cron tick emits, shaped as Inngest's: a function triggered by `{ cron }` receives
 * `inngest/scheduled.timer` with data `{ cron, scheduledAt, fireAt }`.
 * @module
 */
import type { EmittedEvent } from "../ingest/emit-events";
import type { ScheduleKey, Tick } from "./schedule";

/** The name of every cron tick event. */
export const CRON_EVENT_NAME = "inngest/scheduled.timer";

/**
 * Names one tick of one schedule. Emitting with it makes a tick idempotent (a retried or repeated
 * emission stores and routes nothing twice) and seeds the tick's jitter.
 */
export function tickKey({ functionId, cron }: ScheduleKey, scheduledAt: number): string {
  return `cron:${functionId}:${cron}:${scheduledAt}`;
}

/** RFC 3339 in UTC as Go's `time.RFC3339` writes it: no fraction when there is none. */
export function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.000Z$/, "Z");
}

/**
 * The event for one tick, for its function alone. Its `id` is the scheduled time in RFC 3339,
 * as Inngest sets it, and its `ts` the scheduled time, so a late tick still says which it is.
 */
export function tickEvent(tick: Tick): EmittedEvent {
  const scheduledAt = rfc3339(tick.scheduledAt);
  return {
    name: CRON_EVENT_NAME,
    data: { cron: tick.cron, scheduledAt, fireAt: rfc3339(tick.fireAt) },
    ts: tick.scheduledAt,
    key: tickKey(tick, tick.scheduledAt),
    id: scheduledAt,
    target: tick.functionId,
  };
}
