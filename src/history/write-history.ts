/**
 * D1 statements for history rows from the history Queue: upserts keyed by run id and by (run id,
 * step id), each guarded by the row's sequence number so that a version delivered late or twice
 * never replaces a newer one. Rows travel as JSON arrays bound to one statement per table.
 * @module
 */
import { HISTORY_STATEMENT_MAX_BYTES } from "../constants";
import type { FullRunRow, FullStepRow } from "../runner/history-rows";
import type { SkippedRun } from "./record-runs";
import type { EventEffect } from "../runner/history-message";
import { utf8Bytes } from "../util/utf8";

/** Everything one consumer batch writes. */
export interface HistoryWrites {
  runs: (FullRunRow & { runId: string })[];
  steps: (FullStepRow & { runId: string })[];
  queued: { runId: string; functionId: string; appId: string; eventId: string; at: number }[];
  skipped: (SkippedRun & { at: number })[];
  effects: (EventEffect & { at: number })[];
}

/** No rows at all. */
export function emptyWrites(): HistoryWrites {
  return { runs: [], steps: [], queued: [], skipped: [], effects: [] };
}

const UPSERT_RUNS = `INSERT INTO runs (id, function_id, app_id, event_id, status, output, error, queued_at, started_at, ended_at,
    updated_at, wake_at, history_seq)
  SELECT value ->> '$.runId', value ->> '$.functionId', value ->> '$.appId', value ->> '$.eventId', value ->> '$.status',
    value ->> '$.output', value ->> '$.error', value ->> '$.queuedAt', value ->> '$.startedAt', value ->> '$.endedAt',
    value ->> '$.updatedAt', value ->> '$.wakeAt', value ->> '$.seq'
  FROM json_each(?1) WHERE true
  ON CONFLICT (id) DO UPDATE SET status = excluded.status, output = excluded.output, error = excluded.error,
    started_at = excluded.started_at, ended_at = excluded.ended_at, updated_at = excluded.updated_at,
    wake_at = excluded.wake_at, history_seq = excluded.history_seq
  WHERE excluded.history_seq > runs.history_seq`;

const UPSERT_STEPS = `INSERT INTO steps (run_id, step_id, name, display_name, op, status, attempts, output, error, attempt_errors,
    started_at, ended_at, seq, history_seq)
  SELECT value ->> '$.runId', value ->> '$.stepId', value ->> '$.name', value ->> '$.displayName', value ->> '$.op',
    value ->> '$.status', value ->> '$.attempts', value ->> '$.output', value ->> '$.error', value ->> '$.attemptErrors',
    value ->> '$.startedAt', value ->> '$.endedAt', value ->> '$.order', value ->> '$.seq'
  FROM json_each(?1) WHERE true
  ON CONFLICT (run_id, step_id) DO UPDATE SET name = excluded.name, display_name = excluded.display_name,
    op = excluded.op, status = excluded.status, attempts = excluded.attempts, output = excluded.output,
    error = excluded.error, attempt_errors = excluded.attempt_errors, ended_at = excluded.ended_at, history_seq = excluded.history_seq
  WHERE excluded.history_seq > steps.history_seq`;

// A `queued` row only fills the gap until the run's own row arrives; it never replaces one.
const INSERT_QUEUED = `INSERT INTO runs (id, function_id, app_id, event_id, status, queued_at, updated_at)
  SELECT value ->> '$.runId', value ->> '$.functionId', value ->> '$.appId', value ->> '$.eventId', 'queued',
    value ->> '$.at', value ->> '$.at'
  FROM json_each(?1) WHERE true
  ON CONFLICT (id) DO NOTHING`;

const INSERT_SKIPPED = `INSERT OR IGNORE INTO skipped_runs (event_id, function_id, reason, created_at)
  SELECT value ->> '$.eventId', value ->> '$.functionId', value ->> '$.reason', value ->> '$.at' FROM json_each(?1)`;

const INSERT_EFFECTS = `INSERT OR IGNORE INTO event_effects (event_id, run_id, kind, step_id, created_at)
  SELECT value ->> '$.eventId', value ->> '$.runId', value ->> '$.kind', value ->> '$.stepId', value ->> '$.at' FROM json_each(?1)`;

/** The newest version of each row by `key`: two versions in one statement would race each other. */
function newest<T extends { seq: number }>(rows: T[], key: (row: T) => string): T[] {
  const byKey = new Map<string, T>();
  for (const row of rows) {
    const seen = byKey.get(key(row));
    if (!seen || row.seq > seen.seq) byKey.set(key(row), row);
  }
  return [...byKey.values()];
}

/** Rows split into JSON arrays under HISTORY_STATEMENT_MAX_BYTES (a D1 string holds 2 MB). */
function jsonChunks(rows: unknown[]): string[] {
  const chunks: string[] = [];
  let current: string[] = [];
  let bytes = 2;
  for (const row of rows) {
    const json = JSON.stringify(row);
    const size = utf8Bytes(json) + 1;
    if (current.length > 0 && bytes + size > HISTORY_STATEMENT_MAX_BYTES) {
      chunks.push(`[${current.join(",")}]`);
      current = [];
      bytes = 2;
    }
    current.push(json);
    bytes += size;
  }
  if (current.length > 0) chunks.push(`[${current.join(",")}]`);
  return chunks;
}

/**
 * The statements that write `writes`; without `withValues` every output and error (and a step's
 * attempts' errors) is left null
 * (the fallback when D1 refuses a value for good).
 */
export function historyStatements(db: D1Database, writes: HistoryWrites, withValues = true): D1PreparedStatement[] {
  const strip = <R extends { output: string | null; error: string | null }>(row: R): R => (withValues ? row : { ...row, output: null, error: null });
  const runs = newest(writes.runs, (r) => r.runId).map(strip);
  const steps = newest(writes.steps, (s) => `${s.runId}\u0000${s.stepId}`)
    .map(strip)
    .map((s) => (withValues ? s : { ...s, attemptErrors: null }));
  return [
    // Queued rows first: in the same batch, a run's own row then replaces its queued row.
    ...jsonChunks(writes.queued).map((json) => db.prepare(INSERT_QUEUED).bind(json)),
    ...jsonChunks(runs).map((json) => db.prepare(UPSERT_RUNS).bind(json)),
    ...jsonChunks(steps).map((json) => db.prepare(UPSERT_STEPS).bind(json)),
    ...jsonChunks(writes.skipped).map((json) => db.prepare(INSERT_SKIPPED).bind(json)),
    ...jsonChunks(writes.effects).map((json) => db.prepare(INSERT_EFFECTS).bind(json)),
  ];
}
