import { HISTORY_DIRTY_ROWS_PER_STATEMENT, HISTORY_MAX_VALUE_BYTES, HISTORY_RESEND_AFTER_MS } from "../constants";
import { utf8Bytes } from "../util/utf8";
import { addAttemptError } from "./attempt-errors";
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

/** A history row that changed since D1 last confirmed it; `rev` is the version to confirm. */
export type DirtyRow = { kind: "run" | "step"; key: string; rev: number };

/**
 * A run's history inside its object: one row per step, and markers for the rows D1 has not yet
 * confirmed. Written in the same transactions as the run's state; sent to D1 later through the
 * history Queue, off the path of a step (see history-flush.ts).
 */
export class RunHistory {
  readonly #storage: DurableObjectStorage;
  readonly #sql: SqlStorage;
  /** Rows marked dirty during `batched`, by kind and key. */
  #batch: Map<string, { kind: DirtyRow["kind"]; key: string }> | null = null;

  constructor(storage: DurableObjectStorage) {
    this.#storage = storage;
    this.#sql = storage.sql;
  }

  /**
   * Records a step's status; the op of a sleep, wait, invoke or fetch is kept over later ones.
   * `startedAt`, when the SDK said when the step's code ran, replaces the start recorded so far.
   */
  upsertStep(
    stepId: string,
    info: StepInfo,
    status: StepRow["status"],
    attempts: number,
    error: string | null,
    now: number,
    endedAt: number | null,
    startedAt: number | null = null,
  ): void {
    this.#sql.exec(
      `INSERT INTO steps (step_id, name, display_name, op, status, attempts, error, started_at, ended_at, seq)
       VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, coalesce(?10, ?8), ?9, (SELECT count(*) FROM steps))
       ON CONFLICT (step_id) DO UPDATE SET
         name = coalesce(excluded.name, name), display_name = coalesce(excluded.display_name, display_name),
         op = CASE WHEN op IN ('Sleep', 'WaitForEvent', 'InvokeFunction', 'Gateway', 'AIGateway') THEN op ELSE excluded.op END,
         status = excluded.status, attempts = max(attempts, excluded.attempts),
         error = excluded.error, started_at = coalesce(?10, started_at), ended_at = excluded.ended_at`,
      stepId,
      info.name ?? null,
      info.displayName ?? null,
      info.op,
      status,
      attempts,
      fitForHistory(error),
      now,
      endedAt,
      startedAt,
    );
    if (error !== null && (status === "errored" || status === "failed")) {
      const kept = this.#sql.exec<{ attempt_errors: string | null }>("SELECT attempt_errors FROM steps WHERE step_id = ?", stepId).one();
      const next = addAttemptError(kept.attempt_errors, attempts, error, now);
      this.#sql.exec("UPDATE steps SET attempt_errors = ? WHERE step_id = ?", next, stepId);
    }
    this.markDirty("step", stepId);
  }

  /**
   * Notes that a row changed and D1 should get it: a new version (the run's next sequence
   * number), not yet sent. Inside `batched`, noted now and written once at its end.
   */
  markDirty(kind: DirtyRow["kind"], key: string): void {
    if (this.#batch) this.#batch.set(`${kind}:${key}`, { kind, key });
    else this.#writeDirty([{ kind, key }]);
  }

  /**
   * Runs `change` (a part of one transaction) with the rows it marks dirty written together at
   * its end: one sequence number for all of them (each row's versions still only grow) and one
   * statement, instead of two statements per row. Nothing is written if `change` throws.
   */
  batched(change: () => void): void {
    if (this.#batch) return change();
    const batch = (this.#batch = new Map());
    try {
      change();
      if (batch.size > 0) this.#writeDirty([...batch.values()]);
    } finally {
      this.#batch = null;
    }
  }

  #writeDirty(rows: { kind: DirtyRow["kind"]; key: string }[]): void {
    const { seq } = this.#sql.exec<{ seq: number }>("UPDATE history_seq SET seq = seq + 1 RETURNING seq").one();
    for (let i = 0; i < rows.length; i += HISTORY_DIRTY_ROWS_PER_STATEMENT) {
      const part = rows.slice(i, i + HISTORY_DIRTY_ROWS_PER_STATEMENT);
      this.#sql.exec(
        `INSERT INTO dirty (kind, key, rev, sent_at) VALUES ${part.map(() => "(?, ?, ?, NULL)").join(", ")}
         ON CONFLICT (kind, key) DO UPDATE SET rev = excluded.rev, sent_at = NULL`,
        ...part.flatMap((r) => [r.kind, r.key, seq]),
      );
    }
  }

  /**
   * Whether anything is due to be sent at `now`: never sent, or sent HISTORY_RESEND_AFTER_MS
   * ago without a confirmation.
   */
  hasDue(now: number): boolean {
    return this.#sql.exec("SELECT 1 FROM dirty WHERE sent_at IS NULL OR sent_at <= ? LIMIT 1", now - HISTORY_RESEND_AFTER_MS).toArray().length > 0;
  }

  /** Up to `limit` rows due to be sent at `now`, the run's own row first, each with when it was last sent (null: never). */
  due(now: number, limit: number): (DirtyRow & { sentAt: number | null })[] {
    return this.#sql
      .exec<DirtyRow & { sentAt: number | null }>(
        "SELECT kind, key, rev, sent_at AS sentAt FROM dirty WHERE sent_at IS NULL OR sent_at <= ? ORDER BY kind = 'step', rev LIMIT ?",
        now - HISTORY_RESEND_AFTER_MS,
        limit,
      )
      .toArray();
  }

  /** Notes that these versions were handed to the Queue at `now`. */
  markSent(rows: DirtyRow[], now: number): void {
    this.#storage.transactionSync(() => {
      for (const r of rows) this.#sql.exec("UPDATE dirty SET sent_at = ? WHERE kind = ? AND key = ? AND rev = ?", now, r.kind, r.key, r.rev);
    });
  }

  /** When rows sent but not confirmed are next due to be sent again; null when none wait. */
  resendAt(): number | null {
    const at = this.#sql.exec<{ at: number | null }>("SELECT min(coalesce(sent_at, 0)) AS at FROM dirty").one().at;
    return at === null ? null : at + HISTORY_RESEND_AFTER_MS;
  }

  /** Forgets markers D1 confirmed, unless the row changed again since. */
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
