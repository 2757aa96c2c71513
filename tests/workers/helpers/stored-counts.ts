import { env } from "cloudflare:workers";

/** Rows per storage table, keyed `d1:<table>`; one snapshot of everything requests can store. */
export type StoredCounts = Record<string, number>;

/** Tables that hold bookkeeping of the platform or of SQLite itself, not anything a request stores. */
const BOOKKEEPING = /^(d1_migrations$|_cf_|sqlite_)/;

/**
 * Counts the rows of every table requests can store into. The D1 tables are listed from the
 * schema, so a table added by a migration is counted without changing this helper; `events(sent)`
 * counts the events requests sent, apart from the ones the server emits. Storage that moves out
 * of D1 (into Durable Objects) adds its own `<place>:<table>` keys here.
 */
export async function storedCounts(): Promise<StoredCounts> {
  const tables = await env.DB.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all<{ name: string }>();
  const counts: StoredCounts = {};
  for (const { name } of tables.results) {
    if (BOOKKEEPING.test(name)) continue;
    const row = await env.DB.prepare(`SELECT count(*) AS n FROM "${name}"`).first<{ n: number }>();
    counts[`d1:${name}`] = row?.n ?? 0;
  }
  // Events that requests send, apart from those the server emits itself (run ends, invocations).
  const sent = await env.DB.prepare("SELECT count(*) AS n FROM events WHERE name NOT LIKE 'inngest/%'").first<{ n: number }>();
  counts["d1:events(sent)"] = sent?.n ?? 0;
  return counts;
}

/** How much each table grew from `before` to `after`; tables that did not grow are left out. */
export function growth(before: StoredCounts, after: StoredCounts): Record<string, number> {
  const grown: Record<string, number> = {};
  for (const [table, n] of Object.entries(after)) {
    const delta = n - (before[table] ?? 0);
    if (delta > 0) grown[table] = delta;
  }
  return grown;
}
