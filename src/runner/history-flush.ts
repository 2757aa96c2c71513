import { HISTORY_FLUSH_MAX_ROWS } from "../constants";
import { fitForHistory } from "./run-history";
import { capError } from "./system-event-values";
import type { SerializedError } from "../protocol/serialized-error";
import type { RunStore } from "./run-store";

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
    const statements: D1PreparedStatement[] = [];
    for (const row of slice) {
      if (row.kind === "run") {
        const result = JSON.parse(store.result() ?? "{}") as { output?: unknown; error?: unknown };
        statements.push(
          db
            .prepare(
              `INSERT INTO runs (id, function_id, app_id, event_id, status, output, error, queued_at, started_at, ended_at, updated_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT (id) DO UPDATE SET status = excluded.status, output = excluded.output, error = excluded.error,
                 started_at = excluded.started_at, ended_at = excluded.ended_at, updated_at = excluded.updated_at`,
            )
            .bind(
              run.id, run.function_id, run.app_id, run.event_id, run.status,
              "output" in result ? fitForHistory(JSON.stringify(result.output ?? null)) : null,
              result.error === undefined ? null : JSON.stringify(capError(result.error as SerializedError)),
              run.queued_at, run.started_at, run.ended_at, now,
            ),
        );
        continue;
      }
      const step = store.history.step(row.key);
      if (!step) continue;
      const memo = step.status === "completed" ? (JSON.parse(store.memoJson(row.key) ?? "null") as { data?: unknown }) : null;
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
            memo ? fitForHistory(JSON.stringify(memo.data ?? null)) : null,
            step.error, step.started_at, step.ended_at, step.seq,
          ),
      );
    }
    if (statements.length > 0) await db.batch(statements);
    store.history.clearDirty(slice);
  }
}
