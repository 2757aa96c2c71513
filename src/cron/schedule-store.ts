/**
 * The scheduler object's SQLite: every cron schedule and the heartbeat's next time, so one alarm
 * can serve them all (it is armed for whichever comes first).
 * @module
 */
import { z } from "zod";
import { migrate } from "../util/sqlite-migrate";
import type { ScheduleChanges } from "./reconcile";
import type { Schedule, ScheduleKey } from "./schedule";

/** The scheduler object's schema, as numbered migrations. */
export const SCHEDULER_MIGRATIONS: readonly string[] = [
  `CREATE TABLE schedules (
     function_id  TEXT NOT NULL,
     cron         TEXT NOT NULL,             -- as written, with its TZ= prefix
     jitter_ms    INTEGER NOT NULL CHECK (jitter_ms >= 0),
     next_at      INTEGER NOT NULL,          -- the next tick's scheduled time
     fire_at      INTEGER NOT NULL CHECK (fire_at >= next_at),
     PRIMARY KEY (function_id, cron)
   );
   CREATE INDEX schedules_by_fire ON schedules(fire_at);
   CREATE TABLE heartbeat (
     singleton  INTEGER PRIMARY KEY CHECK (singleton = 1),
     next_at    INTEGER NOT NULL
   );`,
];

/** A stored schedule row, checked on read: the scheduler outlives deploys like every object. */
const scheduleRowSchema = z.object({
  function_id: z.string().min(1),
  cron: z.string().min(1),
  jitter_ms: z.number().int().min(0),
  next_at: z.number(),
  fire_at: z.number(),
});

/** Synchronous access to the schedules; every method is one storage transaction or less. */
export class ScheduleStore {
  readonly #sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.#sql = sql;
    migrate(sql, SCHEDULER_MIGRATIONS);
  }

  /** Every schedule, by function and expression. */
  all(): Schedule[] {
    return this.#schedules(this.#sql.exec("SELECT * FROM schedules ORDER BY function_id, cron").toArray());
  }

  /** Schedules whose tick fires at or before `now`, earliest first. */
  due(now: number, limit: number): Schedule[] {
    return this.#schedules(this.#sql.exec("SELECT * FROM schedules WHERE fire_at <= ? ORDER BY fire_at LIMIT ?", now, limit).toArray());
  }

  /** Writes a reconciliation. */
  apply(changes: ScheduleChanges): void {
    for (const { functionId, cron } of changes.deletes) {
      this.#sql.exec("DELETE FROM schedules WHERE function_id = ? AND cron = ?", functionId, cron);
    }
    for (const s of changes.upserts) {
      this.#sql.exec(
        `INSERT INTO schedules (function_id, cron, jitter_ms, next_at, fire_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (function_id, cron) DO UPDATE SET
           jitter_ms = excluded.jitter_ms, next_at = excluded.next_at, fire_at = excluded.fire_at`,
        s.functionId,
        s.cron,
        s.jitterMs,
        s.nextAt,
        s.fireAt,
      );
    }
  }

  /**
   * Moves a schedule from the tick at `fromNextAt` to its next tick. A no-op if the schedule was
   * removed or moved meanwhile (a refresh ran while its tick was being emitted).
   */
  advance(key: ScheduleKey, fromNextAt: number, next: Pick<Schedule, "nextAt" | "fireAt">): void {
    this.#sql.exec(
      "UPDATE schedules SET next_at = ?, fire_at = ? WHERE function_id = ? AND cron = ? AND next_at = ?",
      next.nextAt,
      next.fireAt,
      key.functionId,
      key.cron,
      fromNextAt,
    );
  }

  /** Removes one schedule. */
  remove(key: ScheduleKey): void {
    this.#sql.exec("DELETE FROM schedules WHERE function_id = ? AND cron = ?", key.functionId, key.cron);
  }

  /** When the next heartbeat is due, or null before the first one was planned. */
  heartbeatAt(): number | null {
    return this.#sql.exec<{ next_at: number }>("SELECT next_at FROM heartbeat").toArray()[0]?.next_at ?? null;
  }

  /** Plans the next heartbeat. */
  setHeartbeatAt(at: number): void {
    this.#sql.exec("INSERT INTO heartbeat (singleton, next_at) VALUES (1, ?) ON CONFLICT (singleton) DO UPDATE SET next_at = excluded.next_at", at);
  }

  /**
   * Rows as schedules. A row this build cannot read is logged and removed rather than retried on
   * every alarm; the next refresh adds it again from its function's cron trigger.
   */
  #schedules(rows: Record<string, SqlStorageValue>[]): Schedule[] {
    return rows.flatMap((raw) => {
      const row = scheduleRowSchema.safeParse(raw);
      if (row.success) {
        const r = row.data;
        return [{ functionId: r.function_id, cron: r.cron, jitterMs: r.jitter_ms, nextAt: r.next_at, fireAt: r.fire_at }];
      }
      console.error(`stepflare: scheduler: dropping a schedule row this version cannot read: ${JSON.stringify(raw)}: ${z.prettifyError(row.error)}`);
      this.#sql.exec("DELETE FROM schedules WHERE function_id IS ? AND cron IS ?", raw["function_id"] ?? null, raw["cron"] ?? null);
      return [];
    });
  }

  /** When the earliest tick fires, or null without schedules. */
  earliestFire(): number | null {
    return this.#sql.exec<{ at: number | null }>("SELECT min(fire_at) AS at FROM schedules").one().at;
  }
}
