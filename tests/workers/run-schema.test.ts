/**
 * A new run object is given RUN_SCHEMA at once instead of replaying RUN_MIGRATIONS (most of the
 * cost of starting a run). The two must leave the same schema, or a new run and a migrated one
 * would differ. Compared in real Durable Object SQLite: tables, columns (type, NOT NULL, default,
 * key), indexes, CHECK constraints (the normalised CREATE text) and the rows migrations insert.
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { RUN_MIGRATIONS, RUN_SCHEMA } from "../../src/runs/run-schema";
import { hasSchema, migrate } from "../../src/util/sqlite-migrate";

/** Everything about the schema that matters to the code, in a comparable form. */
function describeSchema(sql: SqlStorage) {
  const tables = sql
    .exec<{ name: string; sql: string }>(
      "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' ORDER BY name",
    )
    .toArray();
  return tables.map(({ name, sql: text }) => ({
    name,
    // SQLite keeps the CREATE text as written (comments, quotes after a rename, columns added by
    // ALTER appended): compare it without them, which still compares every CHECK.
    create: text
      .replace(/--[^\n]*/g, "")
      .replace(/"/g, "")
      .replace(/\s+/g, "")
      .replace(/^CREATETABLE[a-z_0-9]+/, ""),
    columns: sql.exec(`SELECT name, type, "notnull", dflt_value, pk FROM pragma_table_info('${name}') ORDER BY cid`).toArray(),
    indexes: sql.exec(`SELECT "unique", origin, partial FROM pragma_index_list('${name}') ORDER BY name`).toArray(),
    rows: name === "_migrations" || name === "history_seq" ? sql.exec(`SELECT * FROM ${name}`).toArray() : [],
  }));
}

describe("run object schema", () => {
  it("RUN_SCHEMA leaves what applying every migration in order leaves", async () => {
    const migrated = await runInDurableObject(env.RUNS.getByName("schema-migrated"), (_instance, state) => {
      migrate(state.storage.sql, RUN_MIGRATIONS);
      return describeSchema(state.storage.sql);
    });
    const fresh = await runInDurableObject(env.RUNS.getByName("schema-fresh"), (_instance, state) => {
      expect(hasSchema(state.storage.sql)).toBe(false);
      migrate(state.storage.sql, RUN_MIGRATIONS, RUN_SCHEMA);
      return describeSchema(state.storage.sql);
    });
    expect(fresh.map((t) => t.name)).toContain("run");
    expect(fresh.find((t) => t.name === "_migrations")?.rows).toHaveLength(RUN_MIGRATIONS.length);
    expect(fresh).toEqual(migrated);
  });

  it("a database that has a schema is migrated step by step, not given the current one again", async () => {
    const versions = await runInDurableObject(env.RUNS.getByName("schema-partial"), (_instance, state) => {
      const sql = state.storage.sql;
      migrate(sql, RUN_MIGRATIONS.slice(0, 2));
      migrate(sql, RUN_MIGRATIONS, RUN_SCHEMA);
      return {
        versions: sql
          .exec<{ version: number }>("SELECT version FROM _migrations ORDER BY version")
          .toArray()
          .map((r) => r.version),
        columns: sql
          .exec<{ name: string }>("SELECT name FROM pragma_table_info('steps')")
          .toArray()
          .map((r) => r.name),
      };
    });
    expect(versions.versions).toEqual(RUN_MIGRATIONS.map((_, i) => i + 1));
    expect(versions.columns).toContain("attempt_errors");
  });
});
