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

/** Events still pending after `olderThan`, oldest first: accepted, but not yet routed. */
export async function pendingEventIds(db: D1Database, olderThan: number, limit: number): Promise<string[]> {
  const { results } = await db
    .prepare("SELECT internal_id FROM events WHERE status = 'pending' AND received_at < ? ORDER BY received_at LIMIT ?")
    .bind(olderThan, limit)
    .all<{ internal_id: string }>();
  return results.map((r) => r.internal_id);
}
