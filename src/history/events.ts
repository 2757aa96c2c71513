/**
 * Reads of stored events (`events` in migrations/0001_history.sql) for the REST API and dashboard.
 * @module
 */
import { RESERVED_EVENT_PREFIX } from "../constants";
import { fieldCondition, type FieldFilter } from "./field-filter";
import { afterKeyset, type Keyset, Where } from "./where";

/**
 * Where an event is in routing: `pending` (accepted, not yet routed), `routed`, `duplicate` (its
 * id was used within 24 h, so it started nothing) or `failed` (routing kept failing; see `error`).
 */
export type EventStatus = "pending" | "routed" | "duplicate" | "failed";

/** A stored event row. */
export interface EventRecord {
  internal_id: string;
  name: string;
  /** The whole event as JSON, including `internalId`. */
  data: string;
  received_at: number;
  status: EventStatus;
  /** Why routing failed, when `status` is `failed`. */
  error: string | null;
}

/** An event row in a list, with how many runs it started. */
export interface ListedEvent extends EventRecord {
  run_count: number;
}

/** What `GET /v1/events` and the dashboard's event stream filter by. */
export interface EventQuery {
  /** Exact event name. */
  name?: string;
  /** Received at or after (ms). */
  receivedAfter?: number;
  /** Received strictly before (ms). */
  receivedBefore?: number;
  field?: FieldFilter;
  /** Leave out events the server emits itself (`inngest/...`). */
  hideInternal?: boolean;
  /** Continue after this row. */
  after?: Keyset;
  limit: number;
}

const COLUMNS = "internal_id, name, data, received_at, status, error";

/** Reads one event by internal id. */
export async function findEvent(db: D1Database, internalId: string): Promise<EventRecord | null> {
  return db.prepare(`SELECT ${COLUMNS} FROM events WHERE internal_id = ?`).bind(internalId).first<EventRecord>();
}

/** Where a page that ended at event `internalId` continues, or null if there is no such event. */
export async function eventKeyset(db: D1Database, internalId: string): Promise<Keyset | null> {
  const row = await db.prepare("SELECT received_at FROM events WHERE internal_id = ?").bind(internalId).first<{ received_at: number }>();
  return row ? { at: row.received_at, id: internalId } : null;
}

/** Events matching `query`, newest first, each with its run count. */
export async function listEvents(db: D1Database, query: EventQuery): Promise<ListedEvent[]> {
  const where = new Where();
  if (query.name !== undefined) where.add("name = ?", query.name);
  if (query.receivedAfter !== undefined) where.add("received_at >= ?", query.receivedAfter);
  if (query.receivedBefore !== undefined) where.add("received_at < ?", query.receivedBefore);
  if (query.hideInternal) where.add("substr(name, 1, ?) != ?", RESERVED_EVENT_PREFIX.length, RESERVED_EVENT_PREFIX);
  if (query.field) {
    const { sql, values } = fieldCondition("data", query.field);
    where.add(sql, ...values);
  }
  afterKeyset(where, "received_at", "internal_id", query.after);
  const { results } = await db
    .prepare(
      `SELECT ${COLUMNS}, (SELECT count(*) FROM runs r WHERE r.event_id = e.internal_id) AS run_count
       FROM events e ${where.sql()} ORDER BY received_at DESC, internal_id DESC LIMIT ?`,
    )
    .bind(...where.values(), query.limit)
    .all<ListedEvent>();
  return results;
}
