/**
 * A FlowObject's SQLite: one JSON value per kind of state, the pending releases of buffered
 * events, and the values a newer or older build left that this one cannot read (kept aside for
 * an operator, never silently dropped).
 * @module
 */
import { migrate } from "../util/sqlite-migrate";
import { readStoredJson } from "../util/stored-json";
import { pendingReleaseSchema, type PendingRelease, type ReleaseStore } from "./buffer-release";
import { flowValueSchemas, type FlowKind, type FlowValues } from "./flow-state";

/** The FlowObject's schema, as numbered migrations. */
export const FLOW_MIGRATIONS: readonly string[] = [
  `CREATE TABLE state (kind TEXT PRIMARY KEY, json TEXT NOT NULL);`,
  `-- Buffered events whose run is being started; deleted only once the run exists.
   CREATE TABLE releases (
     seq          INTEGER PRIMARY KEY AUTOINCREMENT,
     function_id  TEXT NOT NULL,
     events       TEXT NOT NULL,             -- JSON array of internal event ids, in order
     attempts     INTEGER NOT NULL DEFAULT 0,
     next_at      INTEGER NOT NULL
   );
   -- Stored values that no longer parse, moved here with why, so their content is not lost.
   CREATE TABLE unreadable (
     id      INTEGER PRIMARY KEY AUTOINCREMENT,
     source  TEXT NOT NULL,
     json    TEXT NOT NULL,
     error   TEXT NOT NULL,
     at      INTEGER NOT NULL
   );`,
];

type ReleaseRow = { seq: number; function_id: string; events: string; attempts: number; next_at: number };

/** Synchronous, schema-checked access to a FlowObject's storage. */
export class FlowStore implements ReleaseStore {
  readonly #storage: DurableObjectStorage;
  readonly #sql: SqlStorage;

  constructor(storage: DurableObjectStorage) {
    this.#storage = storage;
    this.#sql = storage.sql;
    migrate(this.#sql, FLOW_MIGRATIONS);
  }

  /** Runs `fn` as one storage transaction. */
  transaction<T>(fn: () => T): T {
    return this.#storage.transactionSync(fn);
  }

  /**
   * The value stored under `kind`, or null when there is none. A value that does not parse is
   * moved to `unreadable` and logged, and the kind starts over from its default.
   */
  get<K extends FlowKind>(kind: K): FlowValues[K] | null {
    const row = this.#sql.exec<{ json: string }>("SELECT json FROM state WHERE kind = ?", kind).toArray()[0];
    if (!row) return null;
    const read = readStoredJson(flowValueSchemas[kind], row.json);
    if (read.ok) return read.value as FlowValues[K];
    this.#setAside(`state/${kind}`, row.json, read.error);
    this.#sql.exec("DELETE FROM state WHERE kind = ?", kind);
    return null;
  }

  /** Stores `value` under `kind`. */
  put<K extends FlowKind>(kind: K, value: FlowValues[K]): void {
    this.#sql.exec("INSERT OR REPLACE INTO state (kind, json) VALUES (?, ?)", kind, JSON.stringify(value));
  }

  /** Records the buffered events of a closed window or batch as a run to start, due at `now`. */
  addRelease(functionId: string, events: string[], now: number): void {
    if (events.length === 0) return;
    this.#sql.exec("INSERT INTO releases (function_id, events, next_at) VALUES (?, ?, ?)", functionId, JSON.stringify(events), now);
  }

  due(now: number, limit: number): PendingRelease[] {
    const rows = this.#sql.exec<ReleaseRow>("SELECT * FROM releases WHERE next_at <= ? ORDER BY next_at, seq LIMIT ?", now, limit).toArray();
    return rows.flatMap((row) => {
      const events = readStoredJson(pendingReleaseSchema.shape.events, row.events);
      const release = events.ok
        ? pendingReleaseSchema.safeParse({ seq: row.seq, functionId: row.function_id, events: events.value, attempts: row.attempts, nextAt: row.next_at })
        : null;
      if (release?.success) return [release.data];
      this.#setAside("releases", JSON.stringify(row), events.ok ? String(release?.error) : events.error);
      this.done(row.seq);
      return [];
    });
  }

  done(seq: number): void {
    this.#sql.exec("DELETE FROM releases WHERE seq = ?", seq);
  }

  retryLater(seq: number, attempts: number, nextAt: number): void {
    this.#sql.exec("UPDATE releases SET attempts = ?, next_at = ? WHERE seq = ?", attempts, nextAt, seq);
  }

  /** When the earliest pending release is due, or null when none is pending. */
  nextReleaseAt(): number | null {
    return this.#sql.exec<{ at: number | null }>("SELECT min(next_at) AS at FROM releases").one().at;
  }

  /** Pending releases, oldest first, for tests and diagnostics. */
  releases(): PendingRelease[] {
    return this.due(Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
  }

  /** Keeps a value this object cannot use in `unreadable`, with why, and logs it. */
  setAside(source: string, json: string, error: string): void {
    this.#setAside(source, json, error);
  }

  #setAside(source: string, json: string, error: string): void {
    console.error(`stepflare: FlowObject ${source} cannot be read by this version and was set aside: ${error}`);
    this.#sql.exec("INSERT INTO unreadable (source, json, error, at) VALUES (?, ?, ?, ?)", source, json, error, Date.now());
  }
}
