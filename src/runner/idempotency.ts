import { EVENT_IDEMPOTENCY_WINDOW_MS } from "../constants";
import type { StoredEvent } from "../ingest/event";

/**
 * Claims each user-given event id for 24 h and returns the internal ids of events whose id was
 * already claimed by another event: those are stored but start no runs. Re-delivery of the
 * claiming event finds its own claim and is not a duplicate.
 */
export async function findDuplicateEvents(db: D1Database, events: StoredEvent[], now: number): Promise<Set<string>> {
  const keyed = events.filter((e) => e.id !== e.internalId);
  if (keyed.length === 0) return new Set();
  const claims = keyed.map((e) =>
    db
      .prepare(
        `INSERT INTO event_idempotency (key, internal_id, expires_at) VALUES (?1, ?2, ?3)
         ON CONFLICT (key) DO UPDATE SET internal_id = excluded.internal_id, expires_at = excluded.expires_at
         WHERE event_idempotency.expires_at <= ?4`,
      )
      .bind(e.id, e.internalId, now + EVENT_IDEMPOTENCY_WINDOW_MS, now),
  );
  const owners = db
    .prepare("SELECT key, internal_id FROM event_idempotency WHERE key IN (SELECT value FROM json_each(?))")
    .bind(JSON.stringify(keyed.map((e) => e.id)));
  const results = await db.batch<{ key: string; internal_id: string }>([...claims, owners]);
  const ownerOf = new Map((results.at(-1)?.results ?? []).map((r) => [r.key, r.internal_id]));
  return new Set(keyed.filter((e) => ownerOf.get(e.id) !== e.internalId).map((e) => e.internalId));
}
