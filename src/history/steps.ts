/**
 * Reads of step history (`steps` in migrations/0001_history.sql) for a run's timeline.
 * @module
 */

/** A step row as stored in D1. */
export interface StepRecord {
  run_id: string;
  /** Hashed step id, as the SDK reports it. */
  step_id: string;
  /** The user's step id. */
  name: string | null;
  display_name: string | null;
  op: string;
  status: "running" | "completed" | "failed" | "errored";
  attempts: number;
  output: string | null;
  error: string | null;
  /** JSON array of the failed attempts' errors, newest HISTORY_ATTEMPT_ERRORS_PER_STEP. */
  attempt_errors: string | null;
  started_at: number | null;
  ended_at: number | null;
  seq: number;
}

/** A run's steps in the order they were first seen. */
export async function stepsOfRun(db: D1Database, runId: string): Promise<StepRecord[]> {
  const { results } = await db.prepare("SELECT * FROM steps WHERE run_id = ? ORDER BY seq").bind(runId).all<StepRecord>();
  return results;
}

/** The name a run's step is shown by (its display name, else the user's id), or null if unknown. */
export async function stepName(db: D1Database, runId: string, stepId: string): Promise<string | null> {
  const row = await db
    .prepare("SELECT coalesce(display_name, name) AS name FROM steps WHERE run_id = ? AND step_id = ?")
    .bind(runId, stepId)
    .first<{ name: string | null }>();
  return row?.name ?? null;
}
