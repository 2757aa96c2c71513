/**
 * Numbered schema migrations for a Durable Object's SQLite, shared by every object class.
 * @module
 */

/** Whether the object has a schema yet (a run object gets one with its run). */
export function hasSchema(sql: SqlStorage): boolean {
  return sql.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_migrations'").toArray().length > 0;
}

/**
 * Applies the migrations not yet applied, tracked in `_migrations` (PRAGMA user_version is unavailable).
 *
 * With `current` (the schema every migration in order leaves, as one script), a database without
 * a schema gets `current` at once, every migration recorded as applied: one script, instead of
 * replaying the history of the schema (tables rebuilt, columns added one by one), each step of
 * which SQLite parses against the whole schema again. That is most of the cost of a new object
 * that holds one run. A database with a schema is migrated step by step as before.
 */
export function migrate(sql: SqlStorage, migrations: readonly string[], current?: string): void {
  if (current !== undefined && !hasSchema(sql)) {
    sql.exec(`CREATE TABLE _migrations (version INTEGER PRIMARY KEY); ${current}`);
    sql.exec(
      "WITH RECURSIVE v(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM v WHERE n < ?) INSERT INTO _migrations (version) SELECT n FROM v",
      migrations.length,
    );
    return;
  }
  sql.exec("CREATE TABLE IF NOT EXISTS _migrations (version INTEGER PRIMARY KEY)");
  const row = sql.exec<{ v: number | null }>("SELECT max(version) AS v FROM _migrations").one();
  for (let version = (row.v ?? 0) + 1; version <= migrations.length; version++) {
    sql.exec(migrations[version - 1]!);
    sql.exec("INSERT INTO _migrations (version) VALUES (?)", version);
  }
}
