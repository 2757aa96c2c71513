/**
 * Numbered schema migrations for a Durable Object's SQLite, shared by every object class.
 * @module
 */

/** Whether the object has a schema yet (a run object gets one with its run). */
export function hasSchema(sql: SqlStorage): boolean {
  return sql.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_migrations'").toArray().length > 0;
}

/** Applies the migrations not yet applied, tracked in `_migrations` (PRAGMA user_version is unavailable). */
export function migrate(sql: SqlStorage, migrations: readonly string[]): void {
  sql.exec("CREATE TABLE IF NOT EXISTS _migrations (version INTEGER PRIMARY KEY)");
  const row = sql.exec<{ v: number | null }>("SELECT max(version) AS v FROM _migrations").one();
  for (let version = (row.v ?? 0) + 1; version <= migrations.length; version++) {
    sql.exec(migrations[version - 1]!);
    sql.exec("INSERT INTO _migrations (version) VALUES (?)", version);
  }
}

/**
 * Gives the object the schema `migrations` build: on an object without one, `schema` (what they
 * all build, written directly, as statements each ending in `;`) in one batch, with every migration marked applied; otherwise the
 * migrations not yet applied.
 */
export function createOrMigrate(sql: SqlStorage, migrations: readonly string[], schema: string): void {
  if (hasSchema(sql)) {
    migrate(sql, migrations);
    return;
  }
  const versions = migrations.map((_, i) => `(${i + 1})`).join(", ");
  sql.exec(`CREATE TABLE _migrations (version INTEGER PRIMARY KEY); ${schema} INSERT INTO _migrations (version) VALUES ${versions};`);
}
