import { HISTORY_FLUSH_MAX_ROWS } from "../constants";
import { fitForHistory } from "./run-history";
import { capError } from "./system-event-values";
import type { SerializedError } from "../protocol/serialized-error";
import type { RunStore } from "./run-store";
import type { RunRow } from "./run-rows";
import { isPermanentStorageError } from "./storage-refusal";
import { readStoredJson } from "../util/stored-json";
import { storedMemoSchema, storedResultSchema } from "./stored-run-json";
import type { z } from "zod";

/**
 * A stored value for the history copy, or null when there is none or it cannot be read: history
 * then shows no value (the run itself deals with unreadable state), and the copy goes on.
 */
function readForHistory<S extends z.ZodType>(schema: S, json: string | null, runId: string, key: string): z.output<S> | null {
  if (json === null) return null;
  const read = readStoredJson(schema, json);
  if (read.ok) return read.value;
  console.error(`stepflare: run ${runId}: stored ${key} cannot be read for history: ${read.error}`);
  return null;
}

/**
 * Copies the run's changed history rows (the run and its steps) to D1 in batches, then clears
 * the markers it copied. Runs off the step path: a failed copy leaves the markers for next time.
 */
export async function flushHistory(db: D1Database, store: RunStore, now: number): Promise<void> {
  const run = store.run();
  if (!run) return;
  const dirty = store.history.dirty();
  for (let i = 0; i < dirty.length; i += HISTORY_FLUSH_MAX_ROWS) {
    const slice = dirty.slice(i, i + HISTORY_FLUSH_MAX_ROWS);
    try {
      await copyRows(db, store, run, slice, now, true);
    } catch (err) {
      if (!isPermanentStorageError(err)) throw err;
      // A value D1 refuses for good would stop the history copy (the run's status with it) on
      // every retry: the rows are copied again without their output values.
      console.error(`stepflare: run ${run.id}: history refused a value for good; copied without outputs`, err);
      await copyWithoutValues(db, store, run, slice, now);
    }
    store.history.clearDirty(slice);
  }
}

/**
 * Copies a batch without output values; if D1 still refuses it for good (a step's error, name or
 * other field it cannot hold), each row is copied on its own and a row refused even so is left
 * out of history with a log line naming it, so that one row never stops the copy (and the run's
 * status in history) for ever.
 */
async function copyWithoutValues(
  db: D1Database,
  store: RunStore,
  run: RunRow,
  slice: ReturnType<RunStore["history"]["dirty"]>,
  now: number,
): Promise<void> {
  try {
    await copyRows(db, store, run, slice, now, false);
    return;
  } catch (err) {
    if (!isPermanentStorageError(err)) throw err;
  }
  for (const row of slice) {
    try {
      await copyRows(db, store, run, [row], now, false);
    } catch (err) {
      if (!isPermanentStorageError(err)) throw err;
      console.error(`stepflare: run ${run.id}: history refused its ${row.kind} row ${row.key} for good, even without outputs; it is left out of history`, err);
    }
  }
}

/** Writes one batch of history rows; without `withValues` their outputs are left null. */
async function copyRows(
  db: D1Database,
  store: RunStore,
  run: RunRow,
  slice: ReturnType<RunStore["history"]["dirty"]>,
  now: number,
  withValues: boolean,
): Promise<void> {
  const statements: D1PreparedStatement[] = [];
  for (const row of slice) {
    if (row.kind === "run") {
      const result = readForHistory(storedResultSchema, store.result(), run.id, "result") ?? {};
      statements.push(
        db
          .prepare(
            `INSERT INTO runs (id, function_id, app_id, event_id, status, output, error, queued_at, started_at, ended_at, updated_at, wake_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
             ON CONFLICT (id) DO UPDATE SET status = excluded.status, output = excluded.output, error = excluded.error,
               started_at = excluded.started_at, ended_at = excluded.ended_at, updated_at = excluded.updated_at,
               wake_at = excluded.wake_at`,
          )
          .bind(
            run.id, run.function_id, run.app_id, run.event_id, run.status,
            withValues && "output" in result ? fitForHistory(JSON.stringify(result.output ?? null)) : null,
            "error" in result && result.error !== undefined ? JSON.stringify(capError(result.error as SerializedError)) : null,
            run.queued_at, run.started_at, run.ended_at, now,
            // For the heartbeat's sweep of runs whose alarm was lost.
            store.isActive() ? store.alarm.nextWakeAt() : null,
          ),
      );
      continue;
    }
    const step = store.history.step(row.key);
    if (!step) continue;
    const memo = step.status === "completed" ? readForHistory(storedMemoSchema, store.memoJson(row.key), run.id, `memo:${row.key}`) : null;
    statements.push(
      db
        .prepare(
          `INSERT INTO steps (run_id, step_id, name, display_name, op, status, attempts, output, error, started_at, ended_at, seq)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (run_id, step_id) DO UPDATE SET name = excluded.name, display_name = excluded.display_name,
             op = excluded.op, status = excluded.status, attempts = excluded.attempts, output = excluded.output,
             error = excluded.error, ended_at = excluded.ended_at`,
        )
        .bind(
          run.id, step.step_id, step.name, step.display_name, step.op, step.status, step.attempts,
          withValues && memo ? fitForHistory(JSON.stringify((memo as { data?: unknown }).data ?? null)) : null,
          step.error, step.started_at, step.ended_at, step.seq,
        ),
    );
  }
  if (statements.length > 0) await db.batch(statements);
}
