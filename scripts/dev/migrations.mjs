/**
 * D1 migrations for the Miniflare path, applied in this process through Miniflare's D1 API on a
 * short-lived instance that has only the databases, before the server starts: the same
 * bookkeeping as `wrangler d1 migrations apply --local` (its table, its columns, one row per
 * applied file), so both paths agree on what is applied, without starting a wrangler process.
 * @module
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { convertV4MiniflareOptions, Miniflare, NoOpLog } from "miniflare";
import { unstable_splitSqlQuery } from "wrangler";
import { applyMigrations as applyWithWrangler } from "./wrangler.mjs";

/** wrangler's defaults for a `[[d1_databases]]` entry without migrations_dir or migrations_table. */
const DEFAULT_MIGRATIONS_DIR = "migrations";
const DEFAULT_MIGRATIONS_TABLE = "d1_migrations";

/** The number before a migration file's first `_` (NaN if none), which orders files as wrangler does. */
const numberOf = (name) => parseInt(name.split("_")[0] ?? "", 10);

/** wrangler's order: by leading number (so `10_x` follows `9_x`), numbered before unnumbered, then by name. */
function byMigrationOrder(a, b) {
  const [x, y] = [numberOf(a), numberOf(b)];
  if (x !== y && (Number.isFinite(x) || Number.isFinite(y))) {
    if (Number.isFinite(x) && Number.isFinite(y)) return x - y;
    return Number.isFinite(x) ? -1 : 1;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

/** An SQL identifier, quoted as wrangler quotes the migrations table's name. */
const quoted = (name) => `"${name.replace(/"/g, '""')}"`;

/**
 * Applies the migrations not yet applied to each D1 database of `config`, in file-name order,
 * each file and its bookkeeping row in one batch (a transaction). A database whose
 * `migrations_pattern` selects files elsewhere is left to wrangler's own command.
 * @param {{ config: any, d1Databases: Record<string, unknown>, persistRoot: string, log: (line: string) => void }} args
 */
export async function applyD1Migrations({ config, d1Databases, persistRoot, log }) {
  const projectRoot = dirname(resolve(config.configPath));
  const databases = config.d1_databases.filter((db) => db.migrations_pattern === undefined);
  for (const db of config.d1_databases.filter((d) => d.migrations_pattern !== undefined)) {
    await applyWithWrangler(config.configPath, db.binding, dirname(persistRoot));
  }
  if (databases.length === 0) return;
  const mf = new Miniflare(
    convertV4MiniflareOptions({
      log: new NoOpLog(),
      host: "127.0.0.1",
      port: 0,
      resourcePersistencePath: persistRoot,
      modules: true,
      script: "export default {}",
      compatibilityDate: config.compatibility_date,
      d1Databases: Object.fromEntries(databases.map((db) => [db.binding, d1Databases[db.binding]])),
    }),
  );
  try {
    for (const db of databases) {
      const applied = await applyTo(
        await mf.getD1Database(db.binding),
        join(projectRoot, db.migrations_dir ?? DEFAULT_MIGRATIONS_DIR),
        db.migrations_table ?? DEFAULT_MIGRATIONS_TABLE,
      );
      if (applied.length > 0) log(`applied ${applied.length} D1 migration(s) to ${db.binding}: ${applied.join(", ")}`);
    }
  } finally {
    await mf.dispose();
  }
}

/** Applies the `.sql` files of `dir` that `table` does not list; returns their names. */
async function applyTo(d1, dir, table) {
  await d1.exec(
    `CREATE TABLE IF NOT EXISTS ${quoted(table)}(id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT UNIQUE, applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL);`,
  );
  const { results } = await d1.prepare(`SELECT name FROM ${quoted(table)}`).all();
  const done = new Set(results.map((row) => row.name));
  const pending = readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(".sql") && !done.has(entry.name))
    .map((entry) => entry.name)
    .sort(byMigrationOrder);
  for (const name of pending) {
    const statements = unstable_splitSqlQuery(readFileSync(join(dir, name), "utf8")).map((sql) => d1.prepare(sql));
    await d1.batch([...statements, d1.prepare(`INSERT INTO ${quoted(table)} (name) VALUES (?)`).bind(name)]);
  }
  return pending;
}
