import { listDurableObjectIds, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";

/** Rows per storage table, keyed `d1:<table>` or `do:<namespace>`; one snapshot of everything requests can store. */
export type StoredCounts = Record<string, number>;

/** Tables that hold bookkeeping of the platform or of SQLite itself, not anything a request stores. */
const BOOKKEEPING = /^(d1_migrations$|_cf_|sqlite_)/;

/**
 * Counts the rows of every table requests can store into. The D1 tables are listed from the
 * schema, so a table added by a migration is counted without changing this helper; `events(sent)`
 * counts the events requests sent, apart from the ones the server emits. Storage kept in Durable
 * Objects outside D1 (accepted events in event shards, waits in wait shards) counts as the rows of
 * every object of the namespace, `do:<namespace>`.
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
  counts["do:event_shards"] = await objectRows(env.EVENT_SHARDS);
  counts["do:wait_shards"] = await objectRows(env.WAIT_SHARDS);
  return counts;
}

/** Rows of every table of every object of `namespace` that has been used. */
async function objectRows<T extends Rpc.DurableObjectBranded | undefined>(namespace: DurableObjectNamespace<T>): Promise<number> {
  let total = 0;
  for (const id of await listDurableObjectIds(namespace)) {
    total += await runInDurableObject(namespace.get(id), (_instance, state) => {
      const tables = state.storage.sql.exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'").toArray();
      return tables
        .filter(({ name }) => !BOOKKEEPING.test(name))
        .reduce((n, { name }) => n + state.storage.sql.exec<{ n: number }>(`SELECT count(*) AS n FROM "${name}"`).one().n, 0);
    });
  }
  return total;
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
