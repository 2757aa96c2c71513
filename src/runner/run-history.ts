import { HISTORY_MAX_VALUE_BYTES } from "../constants";
import { utf8Bytes } from "../util/utf8";
import type { StepRow } from "./run-rows";

/**
 * A JSON value as history keeps it: as is, or past HISTORY_MAX_VALUE_BYTES a note of its size,
 * so a history row stays far under the 2 MB row limit in the object and in D1.
 */
export function fitForHistory(json: string | null): string | null {
  if (json === null) return json;
  const bytes = utf8Bytes(json);
  return bytes <= HISTORY_MAX_VALUE_BYTES ? json : JSON.stringify({ truncated: true, size: bytes });
}

/** What history shows of a step besides its status: its names and the op that made it. */
export type StepInfo = { name?: string; displayName?: string; op: string };

/** A history row that changed since it was last copied to D1. */
export type DirtyRow = { kind: "run" | "step"; key: string; rev: number };

/**
 * A run's history inside its object: one row per step, and markers for the rows D1 has not yet
 * seen. Written in the same transactions as the run's state; copied to D1 later, off the path
 * of a step (see history-flush.ts).
 */
export class RunHistory {
  readonly #storage: DurableObjectStorage;
  readonly #sql: SqlStorage;

  constructor(storage: DurableObjectStorage) {
    this.#storage = storage;
    this.#sql = storage.sql;
  }

  /** Records a step's status; the op of a sleep, wait, invoke or fetch is kept over later ones. */
  upsertStep(stepId: string, info: StepInfo, status: StepRow["status"], attempts: number, error: string | null, now: number, endedAt: number | null): void {
    this.#sql.exec(
      `INSERT INTO steps (step_id, name, display_name, op, status, attempts, error, started_at, ended_at, seq)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, (SELECT count(*) FROM steps))
       ON CONFLICT (step_id) DO UPDATE SET
         name = coalesce(excluded.name, name), display_name = coalesce(excluded.display_name, display_name),
         op = CASE WHEN op IN ('Sleep', 'WaitForEvent', 'InvokeFunction', 'Gateway') THEN op ELSE excluded.op END,
         status = excluded.status, attempts = max(attempts, excluded.attempts),
         error = excluded.error, ended_at = excluded.ended_at`,
      stepId, info.name ?? null, info.displayName ?? null, info.op, status, attempts, fitForHistory(error), now, endedAt,
    );
    this.markDirty("step", stepId);
  }

  /** Notes that a row changed and D1 should get it. */
  markDirty(kind: DirtyRow["kind"], key: string): void {
    this.#sql.exec(
      `INSERT INTO dirty (kind, key, rev) VALUES (?, ?, 1)
       ON CONFLICT (kind, key) DO UPDATE SET rev = rev + 1`,
      kind, key,
    );
  }

  /** Whether anything changed since it was last copied to D1. */
  hasDirty(): boolean {
    return this.#sql.exec("SELECT 1 FROM dirty LIMIT 1").toArray().length > 0;
  }

  /** The rows changed since they were last copied to D1. */
  dirty(): DirtyRow[] {
    return this.#sql.exec<DirtyRow>("SELECT kind, key, rev FROM dirty").toArray();
  }

  /** Forgets markers copied to D1, unless the row changed again since. */
  clearDirty(rows: DirtyRow[]): void {
    this.#storage.transactionSync(() => {
      for (const r of rows) this.#sql.exec("DELETE FROM dirty WHERE kind = ? AND key = ? AND rev = ?", r.kind, r.key, r.rev);
    });
  }

  /** A step's history row. */
  step(stepId: string): StepRow | null {
    return this.#sql.exec<StepRow>("SELECT * FROM steps WHERE step_id = ?", stepId).toArray()[0] ?? null;
  }
}
