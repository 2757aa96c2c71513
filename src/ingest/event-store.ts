import { z } from "zod";
import { EVENT_INSERT_MAX_BYTES } from "../constants";
import { storedEventSchema } from "./event";
import type { RoutedEvent } from "./routed-event";

/** One event's history row as an event shard hands it over (JSON), column by column. */
export interface EventHistoryRow {
  internalId: string;
  id: string;
  name: string;
  ts: number;
  /** The stored event (a string when it is no longer JSON). */
  event: unknown;
  target: string | null;
  receivedAt: number;
  status: "pending" | "routed" | "duplicate" | "failed";
  routedAt: number | null;
  error: string | null;
}

/**
 * Writes event rows ({@link EventHistoryRow} as JSON) to D1 history, as an event shard's alarm
 * hands them over: inserted when new, else their status, routing time and error updated, so
 * writing a row again is harmless. Rows go in from one JSON parameter per statement through
 * `json_each`, a few statements per call.
 */
export async function writeEventHistory(db: D1Database, rows: { json: string; bytes: number }[]): Promise<void> {
  const statements: D1PreparedStatement[] = [];
  let chunk: string[] = [];
  let size = 0;
  const flush = () => {
    if (chunk.length === 0) return;
    statements.push(
      db
        .prepare(
          `INSERT INTO events (internal_id, id, name, data, ts, received_at, target, status, routed_at, error)
           SELECT value ->> '$.internalId', value ->> '$.id', value ->> '$.name',
             CASE json_type(value, '$.event') WHEN 'text' THEN value ->> '$.event' ELSE value -> '$.event' END,
             value ->> '$.ts', value ->> '$.receivedAt', value ->> '$.target', value ->> '$.status',
             value ->> '$.routedAt', value ->> '$.error'
           FROM json_each(?1) WHERE true
           ON CONFLICT (internal_id) DO UPDATE SET status = excluded.status, routed_at = excluded.routed_at, error = excluded.error`,
        )
        .bind(`[${chunk.join(",")}]`),
    );
    chunk = [];
    size = 0;
  };
  for (const row of rows) {
    if (size + row.bytes + 1 > EVENT_INSERT_MAX_BYTES) flush();
    chunk.push(row.json);
    size += row.bytes + 1;
  }
  flush();
  if (statements.length > 0) await db.batch(statements);
}

/** Reads stored events by internal id, in no particular order. */
export async function loadEvents(db: D1Database, internalIds: string[]): Promise<RoutedEvent[]> {
  if (internalIds.length === 0) return [];
  const { results } = await db
    .prepare("SELECT data, target FROM events WHERE internal_id IN (SELECT value FROM json_each(?))")
    .bind(JSON.stringify(internalIds))
    .all<{ data: string; target: string | null }>();
  return results.map((r) => ({ event: storedEventSchema.parse(JSON.parse(r.data)), target: r.target ?? undefined }));
}

/** Stored events by internal id, with the ids whose row is missing or no longer parses. */
export interface LoadedEvents {
  found: RoutedEvent[];
  missing: string[];
  invalid: { internalId: string; error: string }[];
}

/**
 * Reads stored events for the Queue consumer, one row at a time as far as parsing goes: a row
 * that no longer parses is reported, not thrown, so it cannot hold up the others.
 */
export async function loadQueuedEvents(db: D1Database, internalIds: string[]): Promise<LoadedEvents> {
  const loaded: LoadedEvents = { found: [], missing: [], invalid: [] };
  if (internalIds.length === 0) return loaded;
  const { results } = await db
    .prepare("SELECT internal_id, data, target FROM events WHERE internal_id IN (SELECT value FROM json_each(?))")
    .bind(JSON.stringify(internalIds))
    .all<{ internal_id: string; data: string; target: string | null }>();
  for (const row of results) addStoredEvent(loaded, row.internal_id, row.data, row.target);
  const seen = new Set(results.map((r) => r.internal_id));
  loaded.missing = internalIds.filter((id) => !seen.has(id));
  return loaded;
}

/** Parses one stored event (from D1 or a shard) into `loaded`: found, or invalid with why. */
export function addStoredEvent(loaded: LoadedEvents, internalId: string, data: string, target: string | null): void {
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch (err) {
    loaded.invalid.push({ internalId, error: `stored event is not JSON: ${String(err)}` });
    return;
  }
  const parsed = storedEventSchema.safeParse(json);
  if (parsed.success) loaded.found.push({ event: parsed.data, target: target ?? undefined });
  else loaded.invalid.push({ internalId, error: `stored event is invalid: ${z.prettifyError(parsed.error)}` });
}

/**
 * Marks an event `failed` with the reason, so `/v1/events/:id` and the dashboard show why it
 * started nothing (or not everything) and nothing re-drives it. Used for events their shard no longer holds. `onlyPending`
 * leaves an event that was routed as it is.
 */
export async function markEventFailed(db: D1Database, internalId: string, reason: string, now: number, onlyPending = false): Promise<void> {
  const guard = onlyPending ? " AND status = 'pending'" : "";
  await db.prepare(`UPDATE events SET status = 'failed', error = ?2, routed_at = ?3 WHERE internal_id = ?1${guard}`).bind(internalId, reason, now).run();
}

/** Marks a pending event `routed` in D1 history (for events their shard no longer holds). */
export async function markEventRouted(db: D1Database, internalId: string, now: number): Promise<void> {
  await db.prepare("UPDATE events SET status = 'routed', routed_at = ?2 WHERE internal_id = ?1 AND status = 'pending'").bind(internalId, now).run();
}
