import { z } from "zod";
import { EVENT_INSERT_MAX_BYTES } from "../constants";
import { utf8Bytes } from "../util/utf8";
import { storedEventSchema } from "./event";
import type { RoutedEvent } from "./routed-event";

/**
 * Stores events durably as `pending`. Ids are primary keys, so a retried send with the same
 * seeded ids stores nothing twice. Rows are inserted from one JSON parameter per statement
 * through `json_each`, which keeps a 5,000-event request to a handful of statements.
 */
export async function storeEvents(db: D1Database, events: RoutedEvent[], receivedAt: number): Promise<void> {
  const statements: D1PreparedStatement[] = [];
  let chunk: string[] = [];
  let size = 0;
  const flush = () => {
    if (chunk.length === 0) return;
    statements.push(
      db
        .prepare(
          `INSERT OR IGNORE INTO events (internal_id, id, name, data, ts, received_at, target, status)
           SELECT value ->> '$.event.internalId', value ->> '$.event.id', value ->> '$.event.name', value -> '$.event',
             value ->> '$.event.ts', ?2, value ->> '$.target', 'pending'
           FROM json_each(?1)`,
        )
        .bind(`[${chunk.join(",")}]`, receivedAt),
    );
    chunk = [];
    size = 0;
  };
  for (const item of events) {
    const json = JSON.stringify(item);
    const bytes = utf8Bytes(json) + 1;
    if (size + bytes > EVENT_INSERT_MAX_BYTES) flush();
    chunk.push(json);
    size += bytes;
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
  for (const row of results) {
    let json: unknown;
    try {
      json = JSON.parse(row.data);
    } catch (err) {
      loaded.invalid.push({ internalId: row.internal_id, error: `stored event is not JSON: ${String(err)}` });
      continue;
    }
    const parsed = storedEventSchema.safeParse(json);
    if (parsed.success) loaded.found.push({ event: parsed.data, target: row.target ?? undefined });
    else loaded.invalid.push({ internalId: row.internal_id, error: `stored event is invalid: ${z.prettifyError(parsed.error)}` });
  }
  const seen = new Set(results.map((r) => r.internal_id));
  loaded.missing = internalIds.filter((id) => !seen.has(id));
  return loaded;
}

/**
 * Marks an event `failed` with the reason, so `/v1/events/:id` and the dashboard show why it
 * started nothing (or not everything) and the heartbeat stops re-driving it. `onlyPending`
 * leaves an event that was routed as it is.
 */
export async function markEventFailed(db: D1Database, internalId: string, reason: string, now: number, onlyPending = false): Promise<void> {
  const guard = onlyPending ? " AND status = 'pending'" : "";
  await db
    .prepare(`UPDATE events SET status = 'failed', error = ?2, routed_at = ?3 WHERE internal_id = ?1${guard}`)
    .bind(internalId, reason, now)
    .run();
}

/** Events still pending after `olderThan`, oldest first: accepted, but not yet routed. */
export async function pendingEventIds(db: D1Database, olderThan: number, limit: number): Promise<string[]> {
  const { results } = await db
    .prepare("SELECT internal_id FROM events WHERE status = 'pending' AND received_at < ? ORDER BY received_at LIMIT ?")
    .bind(olderThan, limit)
    .all<{ internal_id: string }>();
  return results.map((r) => r.internal_id);
}
