/**
 * Reads of run history (`runs`, `run_reruns`) for the REST API and dashboard, and the recorded
 * wake-up times the heartbeat sweeps by.
 * @module
 */
import { afterKeyset, type Keyset, Where } from "./where";

/** Run statuses as stored. */
export const RUN_STATUSES = ["queued", "running", "completed", "failed", "cancelled"] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/** A run row as stored in D1. */
export interface RunRecord {
  id: string;
  function_id: string;
  app_id: string;
  event_id: string;
  status: RunStatus;
  output: string | null;
  error: string | null;
  queued_at: number;
  started_at: number | null;
  ended_at: number | null;
}

/** A run in a list, with the names a reader needs to recognise it. */
export interface ListedRun extends RunRecord {
  function_name: string | null;
  event_name: string | null;
}

/** What the dashboard's run list filters by. */
export interface RunQuery {
  functionId?: string;
  appId?: string;
  statuses?: RunStatus[];
  /** Queued at or after (ms). */
  queuedAfter?: number;
  /** Queued strictly before (ms). */
  queuedBefore?: number;
  after?: Keyset;
  limit: number;
}

/** How a rerun relates to the run it repeats. */
export interface RerunLink {
  run_id: string;
  rerun_of: string;
  from_step: string | null;
  created_at: number;
}

const LISTED = `SELECT r.id, r.function_id, r.app_id, r.event_id, r.status, r.output, r.error, r.queued_at, r.started_at,
  r.ended_at, f.name AS function_name, e.name AS event_name
  FROM runs r LEFT JOIN functions f ON f.id = r.function_id LEFT JOIN events e ON e.internal_id = r.event_id`;

/** Reads one run by id, with its function and event names. */
export async function findRun(db: D1Database, runId: string): Promise<ListedRun | null> {
  return db.prepare(`${LISTED} WHERE r.id = ?`).bind(runId).first<ListedRun>();
}

/** Runs an event started, oldest first. */
export async function runsForEvent(db: D1Database, internalId: string): Promise<ListedRun[]> {
  const { results } = await db.prepare(`${LISTED} WHERE r.event_id = ? ORDER BY r.id`).bind(internalId).all<ListedRun>();
  return results;
}

/** Runs each of `internalIds` started, oldest first, in one query: for lists of events with their runs. */
export async function runsForEvents(db: D1Database, internalIds: readonly string[]): Promise<ListedRun[]> {
  const { results } = await db
    .prepare(`${LISTED} WHERE r.event_id IN (SELECT value FROM json_each(?)) ORDER BY r.id`)
    .bind(JSON.stringify(internalIds))
    .all<ListedRun>();
  return results;
}

/** The stored status of each of `runIds` that exists, in one query: for waits that only need to know whether runs have ended. */
export async function runStatusesOf(db: D1Database, runIds: readonly string[]): Promise<{ id: string; status: RunStatus }[]> {
  const { results } = await db
    .prepare("SELECT id, status FROM runs WHERE id IN (SELECT value FROM json_each(?))")
    .bind(JSON.stringify(runIds))
    .all<{ id: string; status: RunStatus }>();
  return results;
}

/** Where a page that ended at run `runId` continues, or null if there is no such run. */
export async function runKeyset(db: D1Database, runId: string): Promise<Keyset | null> {
  const row = await db.prepare("SELECT queued_at FROM runs WHERE id = ?").bind(runId).first<{ queued_at: number }>();
  return row ? { at: row.queued_at, id: runId } : null;
}

/** Runs matching `query`, newest first. */
export async function listRuns(db: D1Database, query: RunQuery): Promise<ListedRun[]> {
  const where = new Where();
  if (query.functionId !== undefined) where.add("r.function_id = ?", query.functionId);
  if (query.appId !== undefined) where.add("r.app_id = ?", query.appId);
  if (query.statuses && query.statuses.length > 0) {
    where.add("r.status IN (SELECT value FROM json_each(?))", JSON.stringify(query.statuses));
  }
  if (query.queuedAfter !== undefined) where.add("r.queued_at >= ?", query.queuedAfter);
  if (query.queuedBefore !== undefined) where.add("r.queued_at < ?", query.queuedBefore);
  afterKeyset(where, "r.queued_at", "r.id", query.after);
  const { results } = await db
    .prepare(`${LISTED} ${where.sql()} ORDER BY r.queued_at DESC, r.id DESC LIMIT ?`)
    .bind(...where.values(), query.limit)
    .all<ListedRun>();
  return results;
}

/** An active run a bulk cancellation considers, with its trigger event as stored. */
export interface ActiveRun {
  id: string;
  queued_at: number;
  /** The trigger event's JSON, or null if the event row is gone. */
  event: string | null;
}

/**
 * A page of `functionId`'s queued or running runs queued in `[from, to)`, oldest first, after
 * `cursor`. History marks a cancelled run only when the run flushes, so callers page forward by
 * cursor instead of re-reading the first page.
 */
export async function activeRunsBetween(
  db: D1Database,
  functionId: string,
  from: number,
  to: number,
  cursor: Keyset | undefined,
  limit: number,
): Promise<ActiveRun[]> {
  const where = new Where().add("r.function_id = ?", functionId).add("r.status IN ('queued', 'running')").add("r.queued_at >= ? AND r.queued_at < ?", from, to);
  if (cursor) where.add("r.queued_at > ? OR (r.queued_at = ? AND r.id > ?)", cursor.at, cursor.at, cursor.id);
  const { results } = await db
    .prepare(
      `SELECT r.id, r.queued_at, e.data AS event FROM runs r LEFT JOIN events e ON e.internal_id = r.event_id
       ${where.sql()} ORDER BY r.queued_at, r.id LIMIT ?`,
    )
    .bind(...where.values(), limit)
    .all<ActiveRun>();
  return results;
}

/** The statement recording that `link.run_id` reruns `link.rerun_of`. */
export function recordRerun(db: D1Database, link: RerunLink): D1PreparedStatement {
  return db
    .prepare("INSERT OR IGNORE INTO run_reruns (run_id, rerun_of, from_step, created_at) VALUES (?, ?, ?, ?)")
    .bind(link.run_id, link.rerun_of, link.from_step, link.created_at);
}

/** What `runId` reruns (if anything) and the reruns of it, oldest first. */
export async function rerunLinks(db: D1Database, runId: string): Promise<{ of: RerunLink | null; reruns: RerunLink[] }> {
  const { results } = await db.prepare("SELECT * FROM run_reruns WHERE run_id = ?1 OR rerun_of = ?1 ORDER BY created_at, run_id").bind(runId).all<RerunLink>();
  return { of: results.find((l) => l.run_id === runId) ?? null, reruns: results.filter((l) => l.rerun_of === runId) };
}

/** Active runs whose wake-up, as last copied to history, is at or before `before`, oldest first. */
export async function overdueRunIds(db: D1Database, before: number, limit: number): Promise<string[]> {
  const { results } = await db
    .prepare(
      `SELECT id FROM runs WHERE wake_at IS NOT NULL AND wake_at <= ? AND status IN ('queued', 'running')
       ORDER BY wake_at LIMIT ?`,
    )
    .bind(before, limit)
    .all<{ id: string }>();
  return results.map((r) => r.id);
}

/** Records the next wake-up each run reported (null when it has none). */
export async function recordWakeTimes(db: D1Database, woken: { id: string; wakeAt: number | null }[]): Promise<void> {
  await db
    .prepare(
      `UPDATE runs SET wake_at = (SELECT value ->> '$.wakeAt' FROM json_each(?1) WHERE value ->> '$.id' = runs.id)
       WHERE id IN (SELECT value ->> '$.id' FROM json_each(?1))`,
    )
    .bind(JSON.stringify(woken))
    .run();
}
