import type { RunRecord } from "./run-view";

/** A stored event row. */
export interface EventRecord {
  internal_id: string;
  data: string;
  received_at: number;
  status: "pending" | "routed" | "duplicate";
}

/** Reads one event by internal id. */
export async function findEvent(db: D1Database, internalId: string): Promise<EventRecord | null> {
  return db.prepare("SELECT internal_id, data, received_at, status FROM events WHERE internal_id = ?").bind(internalId).first<EventRecord>();
}

/** Runs an event started, oldest first. */
export async function runsForEvent(db: D1Database, internalId: string): Promise<RunRecord[]> {
  const { results } = await db.prepare("SELECT * FROM runs WHERE event_id = ? ORDER BY id").bind(internalId).all<RunRecord>();
  return results;
}

/** Reads one run by id. */
export async function findRun(db: D1Database, runId: string): Promise<RunRecord | null> {
  return db.prepare("SELECT * FROM runs WHERE id = ?").bind(runId).first<RunRecord>();
}
