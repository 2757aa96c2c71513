/**
 * The RunObject's SQLite schema, as numbered migrations applied once per object.
 * Each object holds exactly one run; `run` therefore has a single row.
 */
export const RUN_MIGRATIONS: readonly string[] = [
  `CREATE TABLE run (
     singleton        INTEGER PRIMARY KEY CHECK (singleton = 1),
     id               TEXT NOT NULL,
     function_id      TEXT NOT NULL,
     app_id           TEXT NOT NULL,
     event_id         TEXT NOT NULL,
     step_url         TEXT NOT NULL,
     status           TEXT NOT NULL CHECK (status IN ('queued', 'running', 'completed', 'failed', 'cancelled')),
     version          INTEGER NOT NULL DEFAULT -1,
     force_step_plan  INTEGER NOT NULL DEFAULT 0,
     max_attempts     INTEGER NOT NULL,
     queued_at        INTEGER NOT NULL,
     started_at       INTEGER,
     ended_at         INTEGER
   );
   -- Large JSON values (events, memos, output) split into chunks that fit a 2 MB row.
   CREATE TABLE blobs (
     key    TEXT NOT NULL,
     chunk  INTEGER NOT NULL,
     data   TEXT NOT NULL,
     PRIMARY KEY (key, chunk)
   );
   -- Completed step ids in the order the SDK must replay them (ctx.stack.stack).
   CREATE TABLE stack (
     pos      INTEGER PRIMARY KEY AUTOINCREMENT,
     step_id  TEXT NOT NULL UNIQUE
   );
   -- Requests owed to the app. gen changes when a request is asked for again while in flight,
   -- so the older answer does not erase the newer request.
   CREATE TABLE calls (
     target        TEXT PRIMARY KEY,
     attempt       INTEGER NOT NULL,
     due_at        INTEGER NOT NULL,
     leased_until  INTEGER,
     gen           INTEGER NOT NULL
   );
   -- Planned steps of the current parallel group still without a result.
   CREATE TABLE pending_plan (step_id TEXT PRIMARY KEY);
   CREATE TABLE steps (
     step_id       TEXT PRIMARY KEY,
     name          TEXT,
     display_name  TEXT,
     op            TEXT NOT NULL,
     status        TEXT NOT NULL CHECK (status IN ('running', 'completed', 'failed', 'errored')),
     attempts      INTEGER NOT NULL DEFAULT 0,
     error         TEXT,
     started_at    INTEGER,
     ended_at      INTEGER,
     seq           INTEGER NOT NULL
   );
   -- History rows changed since the last copy to D1.
   CREATE TABLE dirty (
     kind  TEXT NOT NULL CHECK (kind IN ('run', 'step')),
     key   TEXT NOT NULL,
     rev   INTEGER NOT NULL,
     PRIMARY KEY (kind, key)
   );`,
];

/** Applies the migrations not yet applied, tracked in `_migrations` (PRAGMA user_version is unavailable). */
export function migrate(sql: SqlStorage, migrations: readonly string[]): void {
  sql.exec("CREATE TABLE IF NOT EXISTS _migrations (version INTEGER PRIMARY KEY)");
  const row = sql.exec<{ v: number | null }>("SELECT max(version) AS v FROM _migrations").one();
  for (let version = (row.v ?? 0) + 1; version <= migrations.length; version++) {
    sql.exec(migrations[version - 1]!);
    sql.exec("INSERT INTO _migrations (version) VALUES (?)", version);
  }
}
